//! chromedriver on a free port, in its own process group so that dropping it kills every
//! Chromium it started; and the Chromium sessions it opens (headless, fake media, loopback ICE),
//! each with the in-page probes installed before the app's scripts on every document it loads
//! (so a reloaded page is probed from its first peer connection on).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::process::Group;
use crate::TestResult;

/// Desktop size for every browser (and the committed screenshot).
pub const WINDOW: (u32, u32) = (1280, 800);

pub struct Chromedriver {
    url: String,
    dir: PathBuf,
    sessions: AtomicUsize,
    _process: Group,
}

fn program(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

impl Chromedriver {
    pub async fn start(dir: &Path, tmp: &Path) -> TestResult<Self> {
        let port = super::free_port()?;
        let log = dir.join("chromedriver.log");
        let mut cmd = Command::new(program("CHROMEDRIVER", "/usr/bin/chromedriver"));
        cmd.arg(format!("--port={port}"))
            // Chromium writes scratch files to TMPDIR; keep them in the test's folder.
            .env("TMPDIR", tmp);
        let mut process = Group::spawn("chromedriver", &mut cmd, &log)?;
        let addr = format!("127.0.0.1:{port}");
        process.wait_listening(&addr, &log).await?;
        Ok(Self {
            url: format!("http://{addr}"),
            dir: dir.to_path_buf(),
            sessions: AtomicUsize::new(0),
            _process: process,
        })
    }

    /// The process group holding chromedriver and its browsers.
    pub fn group_id(&self) -> u32 {
        self._process.group_id()
    }

    /// A new Chromium with its own profile folder. With `strict_autoplay`, it refuses playback
    /// with sound until the page has had a user gesture (as Firefox does by default; a reloaded
    /// page has had none); otherwise every page may play sound at once.
    /// `extra` are more Chromium flags (the https test's `--ignore-certificate-errors-spki-list`).
    pub async fn session(
        &self,
        label: &str,
        strict_autoplay: bool,
        extra: &[String],
    ) -> TestResult<Client> {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        let profile = self.dir.join(format!("profile-{n}-{}", sanitize(label)));
        std::fs::create_dir_all(&profile)?;
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--use-fake-device-for-media-stream".to_owned(),
            "--use-fake-ui-for-media-stream".to_owned(),
            if strict_autoplay {
                "--autoplay-policy=document-user-activation-required".to_owned()
            } else {
                "--autoplay-policy=no-user-gesture-required".to_owned()
            },
            "--allow-loopback-in-peer-connection".to_owned(),
            // The closed network refuses Chromium's own background connections: don't make them.
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--mute-audio".to_owned(),
            format!("--window-size={},{}", WINDOW.0, WINDOW.1),
            format!("--user-data-dir={}", profile.display()),
        ];
        let args: Vec<String> = args.into_iter().chain(extra.iter().cloned()).collect();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": program("CHROMIUM", "/usr/bin/chromium"),
                "args": args,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            return Err("capabilities are an object".into());
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .map_err(|e| format!("could not start Chromium for {label}: {e}"))?;
        let session = client
            .session_id()
            .await?
            .ok_or("chromedriver gave no session id")?;
        let source = format!("(function () {{ {} }})();", crate::probes::INSTALL);
        self.cdp(
            &session,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await
        .map_err(|e| format!("{label}: installing the probes for every document: {e}"))?;
        Ok(client)
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver's `goog/cdp/execute`
    /// (fantoccini has no call for it; it is one plain HTTP request on loopback).
    pub async fn cdp(&self, session: &str, cmd: &str, params: serde_json::Value) -> TestResult {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.url.trim_start_matches("http://");
        let body = json!({ "cmd": cmd, "params": params }).to_string();
        let request = format!(
            "POST /session/{session}/goog/cdp/execute HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(request.as_bytes()).await?;
        // The status line is enough (chromedriver answers once the command ran); it may keep
        // the connection open despite `Connection: close`, so don't read to the end.
        let mut response = Vec::new();
        let mut chunk = [0u8; 4096];
        while !response.windows(2).any(|w| w == b"\r\n") {
            let n =
                tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut chunk))
                    .await
                    .map_err(|_| format!("{cmd}: chromedriver did not answer"))??;
            if n == 0 {
                break;
            }
            response.extend_from_slice(&chunk[..n]);
        }
        let response = String::from_utf8_lossy(&response);
        if response.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(format!("{cmd} failed: {response}").into())
        }
    }
}

fn sanitize(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
