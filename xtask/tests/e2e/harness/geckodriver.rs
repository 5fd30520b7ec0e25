//! Firefox for the tests that need a browser enforcing the autoplay policy: one geckodriver per
//! Firefox (geckodriver drives one session at a time) on a free port, in its own process group so
//! that dropping it kills Firefox too; headless, fake media, loopback ICE.
//!
//! Firefox is Debian's `firefox-esr`, geckodriver comes from crates.io (`cargo xtask test`
//! installs both). geckodriver makes a fresh profile under its TMPDIR, the test's own scratch
//! folder. The autoplay policy is left at Firefox's default: audible playback is refused until the
//! page has had a user gesture, unless the page is trusted with the camera or microphone — which
//! ours is here (see [`prefs`]); a test that needs a refusal asks for a stricter model.

use std::path::Path;
use std::process::Command;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use super::chromedriver::WINDOW;
use super::process::Group;
use crate::TestResult;
use crate::page::Page;

pub struct Firefox {
    url: String,
    process: Group,
}

fn program(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

/// The preferences of every test Firefox.
fn prefs() -> Value {
    json!({
        // Fake camera and microphone, no permission prompt.
        "media.navigator.streams.fake": true,
        "media.navigator.permission.disabled": true,
        // The test's namespace has only `lo`: offer loopback host candidates, with their
        // addresses (not mDNS names, which nothing here resolves).
        "media.peerconnection.ice.loopback": true,
        "media.peerconnection.ice.obfuscate_host_addresses": false,
        // Firefox gathers ICE candidates beyond the default route's address (there is no route
        // here) only for a page it trusts with the camera or microphone, and fake devices with
        // no prompt don't count: allow both, as a person who ticked "remember" would.
        "permissions.default.camera": 1,
        "permissions.default.microphone": 1,
        // The closed network refuses Firefox's own background connections: don't make them.
        "app.update.auto": false,
        "app.update.enabled": false,
        "browser.safebrowsing.malware.enabled": false,
        "browser.safebrowsing.phishing.enabled": false,
        "browser.safebrowsing.downloads.enabled": false,
        "browser.shell.checkDefaultBrowser": false,
        "datareporting.policy.dataSubmissionEnabled": false,
        "datareporting.healthreport.uploadEnabled": false,
        "network.captive-portal-service.enabled": false,
        "network.connectivity-service.enabled": false,
        "extensions.update.enabled": false,
        "toolkit.telemetry.enabled": false,
    })
}

impl Firefox {
    /// Starts geckodriver (Firefox starts with the session, in [`Firefox::page`]).
    pub async fn start(dir: &Path, tmp: &Path, label: &str) -> TestResult<Self> {
        let port = super::free_port()?;
        let log = dir.join(format!("geckodriver-{label}.log"));
        let mut cmd = Command::new(program("GECKODRIVER", "geckodriver"));
        cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--log", "info"])
            // The profile and Firefox's scratch files go here.
            .env("TMPDIR", tmp)
            .env("MOZ_HEADLESS", "1");
        let mut process = Group::spawn("geckodriver", &mut cmd, &log)?;
        let addr = format!("127.0.0.1:{port}");
        process.wait_listening(&addr, &log).await?;
        Ok(Self {
            url: format!("http://{addr}"),
            process,
        })
    }

    /// The process group holding geckodriver and its Firefox.
    pub fn group_id(&self) -> u32 {
        self.process.group_id()
    }

    /// Starts Firefox and shows `url` in it.
    pub async fn page(&self, label: &str, url: &str) -> TestResult<Page> {
        self.page_with_prefs(label, url, &[]).await
    }

    /// Like [`Firefox::page`], with `extra` preferences over the usual ones.
    pub async fn page_with_prefs(
        &self,
        label: &str,
        url: &str,
        extra: &[(&str, Value)],
    ) -> TestResult<Page> {
        let client = self.session(label, extra).await?;
        Page::open(client, label, url).await
    }

    async fn session(&self, label: &str, extra: &[(&str, Value)]) -> TestResult<Client> {
        let mut prefs = prefs();
        for (name, value) in extra {
            prefs[*name] = value.clone();
        }
        let capabilities = json!({
            "browserName": "firefox",
            "moz:firefoxOptions": {
                "binary": program("FIREFOX", "/usr/bin/firefox-esr"),
                "args": ["-headless"],
                "env": {
                    "MOZ_HEADLESS_WIDTH": WINDOW.0.to_string(),
                    "MOZ_HEADLESS_HEIGHT": WINDOW.1.to_string(),
                },
                "prefs": prefs,
            },
        });
        let Value::Object(capabilities) = capabilities else {
            return Err("capabilities are an object".into());
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .map_err(|e| format!("could not start Firefox for {label}: {e}"))?;
        Ok(client)
    }
}
