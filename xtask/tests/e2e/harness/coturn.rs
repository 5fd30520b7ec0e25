//! coturn (Debian's `turnserver`) on loopback with the TURN REST scheme (`use-auth-secret`), for
//! the relay tests. Loopback peers are refused by default, hence `--allow-loopback-peers`.

use std::path::Path;
use std::process::Command;

use super::process::Group;
use crate::TestResult;

pub struct Coturn {
    /// `turn:127.0.0.1:<port>` (UDP and TCP).
    pub url: String,
    _process: Group,
}

impl Coturn {
    pub async fn start(dir: &Path, secret: &str) -> TestResult<Self> {
        let port = super::free_udp_and_tcp_port()?;
        let log = dir.join("coturn.log");
        let mut cmd =
            Command::new(std::env::var("TURNSERVER").unwrap_or_else(|_| "turnserver".to_owned()));
        cmd.args([
            "-n", // no configuration file: everything is on this command line
            "--use-auth-secret",
            &format!("--static-auth-secret={secret}"),
            "--realm=test",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            &format!("--listening-port={port}"),
            "--min-port=49152",
            "--max-port=65535",
            "--allow-loopback-peers",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--fingerprint",
            "--simple-log",
            "--log-file=stdout",
            "--verbose",
        ])
        .arg(format!("--pidfile={}", dir.join("coturn.pid").display()))
        .arg(format!("--userdb={}", dir.join("turndb").display()));
        let mut process = Group::spawn("coturn", &mut cmd, &log)?;
        let addr = format!("127.0.0.1:{port}");
        process.wait_listening(&addr, &log).await?;
        Ok(Self {
            url: format!("turn:{addr}"),
            _process: process,
        })
    }
}
