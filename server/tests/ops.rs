//! Operations: `/healthz`, `/readyz` (503 once readiness is cleared or shutdown has begun),
//! `/metrics` on the main port; and the real binary with `--log-format json` (every line a JSON
//! object) and `--metrics-addr` (the exposition there, not on the main port).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ops_support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::TestServer;
use ops_support::{get, scrape, value};
use serde_json::Value;

#[tokio::test]
async fn probes_say_alive_and_ready_until_shutdown_begins() {
    let server = TestServer::start().await;
    let addr = server.addr;
    assert_eq!(get(addr, "/healthz").await.status, 200);
    let ready = get(addr, "/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
    // Whoever must hold clients off clears the flag.
    server.state.ready.set(false);
    assert_eq!(get(addr, "/readyz").await.status, 503);
    server.state.ready.set(true);
    assert_eq!(get(addr, "/readyz").await.status, 200);
    // The metrics are on the main port when they have no address of their own.
    let samples = scrape(addr).await;
    assert_eq!(value(&samples, "parley_connections"), 0.0);
    // Shutdown begun (sessions are being closed; the listener still answers).
    server.state.shutdown.cancel();
    let draining = get(addr, "/readyz").await;
    assert_eq!(
        (draining.status, draining.body.as_str()),
        (503, "shutting down\n")
    );
    assert_eq!(get(addr, "/healthz").await.status, 200);
    server.stop().await.unwrap();
}

/// The binary, killed on drop.
struct Binary(Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `addr` field of the first JSON log line whose message starts with `prefix`.
fn addr_in(lines: &[Value], prefix: &str) -> Option<SocketAddr> {
    lines
        .iter()
        .find(|l| l["message"].as_str().is_some_and(|m| m.starts_with(prefix)))
        .and_then(|l| l["addr"].as_str())
        .and_then(|a| a.parse().ok())
}

#[tokio::test]
async fn json_logs_and_metrics_on_their_own_address() {
    let dist = std::env::temp_dir().join(format!("parley-ops-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
        .args(["--log-format", "json", "--state-file", ""])
        .arg("--dist")
        .arg(&dist)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let binary = Binary(child);
    // Lines are read on a thread and handed over, so waiting for them has a deadline.
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (main, metrics) = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no listening lines in time: {lines:?}"));
        let json: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(
            json["level"].is_string() && json["timestamp"].is_string(),
            "{line}"
        );
        lines.push(json);
        if let (Some(main), Some(metrics)) =
            (addr_in(&lines, "listening"), addr_in(&lines, "metrics"))
        {
            break (main, metrics);
        }
    };
    let samples = scrape(metrics).await;
    assert!(
        samples.keys().any(|k| k.starts_with("parley_build_info")),
        "{samples:?}"
    );
    assert_eq!(get(metrics, "/readyz").await.status, 200);
    let main_metrics = get(main, "/metrics").await;
    assert!(
        !main_metrics.body.contains("parley_"),
        "metrics also on the main port"
    );
    assert_eq!(get(main, "/healthz").await.status, 200);
    drop(binary);
    let _ = std::fs::remove_dir_all(&dist);
}
