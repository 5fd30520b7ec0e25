//! The release server (`target/release/server`) serving the release client (`dist/`) on a free
//! loopback port, ready once `GET /healthz` answers 200. Every server gets a state file in its
//! test's folder (`--state-file`, so a restarted server knows its sessions again and no two tests
//! share one) when the binary has that flag (it came with issue 9; an older binary starts
//! without it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::process::Group;
use super::root;
use crate::TestResult;
use crate::wait;

/// Extra server flags (ICE servers for the TURN tests).
#[derive(Default, Clone)]
pub struct ServerOptions {
    pub args: Vec<String>,
}

impl ServerOptions {
    /// A TURN server and the secret the server mints credentials with.
    pub fn turn(url: &str, secret: &str) -> Self {
        Self {
            args: vec![
                "--turn".into(),
                url.into(),
                "--turn-secret".into(),
                secret.into(),
            ],
        }
    }
}

pub struct Server {
    /// `http://127.0.0.1:<port>` (no trailing slash); `https://` with `--tls-self-signed`.
    pub url: String,
    /// With `--tls-self-signed`: the SPKI hash the server logged, which Chromium is told to
    /// trust (and nothing else).
    pub spki: Option<String>,
    pub port: u16,
    /// Kept for its `Drop`, which stops the server.
    _process: Group,
}

impl Server {
    /// Starts a server on a free port.
    pub async fn start(dir: &Path, options: &ServerOptions) -> TestResult<Self> {
        Self::start_on(dir, options, super::free_port()?).await
    }

    /// Starts a server on `port` (a restart on the port the pages know).
    pub async fn start_on(dir: &Path, options: &ServerOptions, port: u16) -> TestResult<Self> {
        let state = supports_state_file().then(|| state_file(dir));
        Self::start_with_state(dir, options, port, state.as_deref()).await
    }

    async fn start_with_state(
        dir: &Path,
        options: &ServerOptions,
        port: u16,
        state: Option<&Path>,
    ) -> TestResult<Self> {
        let root = root();
        let binary = root.join("target/release/server");
        let dist = root.join("dist");
        if !binary.exists() || !dist.join("index.html").exists() {
            return Err(format!(
                "{} or {}/index.html is missing: run via `cargo xtask test`, which builds both",
                binary.display(),
                dist.display()
            )
            .into());
        }
        let addr = format!("127.0.0.1:{port}");
        let log = dir.join("server.log");
        let mut cmd = Command::new(&binary);
        cmd.arg("--addr")
            .arg(&addr)
            .arg("--dist")
            .arg(&dist)
            .args(&options.args);
        if let Some(state) = state {
            cmd.arg("--state-file").arg(state);
        }
        for var in [
            "SERVER_ADDR",
            "SERVER_DIST",
            "SERVER_STUN",
            "SERVER_TURN",
            "SERVER_TURN_SECRET",
            "SERVER_TURN_TTL",
            "SERVER_STATE_FILE",
        ] {
            cmd.env_remove(var);
        }
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", "info");
        }
        let mut process = Group::spawn("server", &mut cmd, &log)?;
        let what = format!(
            "the server on {addr} to answer /healthz (log: {})",
            log.display()
        );
        let tls = options.args.iter().any(|a| a == "--tls-self-signed");
        let spki = wait::until(&what, Duration::from_secs(15), || {
            let result = process.check_running(&log);
            let addr = addr.clone();
            let log = log.clone();
            async move {
                result?;
                if tls {
                    // No TLS client here: the server is ready once it logged its URL.
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    return Ok(text.contains("open https://").then(|| logged_spki(&text)));
                }
                Ok(healthy(&addr).await.then_some(None))
            }
        })
        .await?;
        let scheme = if tls { "https" } else { "http" };
        Ok(Self {
            spki,
            url: format!("{scheme}://{addr}"),
            port,
            _process: process,
        })
    }
}

impl Server {
    /// The Chromium flags a page needs for this server: with a self-signed certificate, trust
    /// exactly its key.
    pub fn chrome_args(&self) -> Vec<String> {
        self.spki
            .iter()
            .map(|spki| format!("--ignore-certificate-errors-spki-list={spki}"))
            .collect()
    }
}

/// The SPKI hash in the self-signed server's log line (its message names the Chromium flag).
fn logged_spki(log: &str) -> Option<String> {
    const FLAG: &str = "--ignore-certificate-errors-spki-list=";
    let start = log.find(FLAG)? + FLAG.len();
    let rest = &log[start..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

/// The state file of the servers of the test whose folder is `dir` (kept across restarts).
pub fn state_file(dir: &Path) -> PathBuf {
    dir.join("server-state.json")
}

/// Whether `target/release/server --help` lists `--state-file` (asked once per test run).
pub fn supports_state_file() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        Command::new(root().join("target/release/server"))
            .arg("--help")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("--state-file"))
    })
}

/// `GET /healthz` → 200.
async fn healthy(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut head)).await;
    matches!(read, Ok(Ok(_))) && head.starts_with(b"HTTP/1.1 200")
}
