//! Admission on a real server, before the WebSocket upgrade: a foreign `Origin` refused with
//! 403 and our own page's accepted, `--allowed-origin` widening it, requests without `Origin`
//! as the flag says; the per-address and global connection caps (several addresses simulated
//! from loopback with `X-Forwarded-For` from a trusted proxy, and the header ignored from an
//! untrusted peer); the upgrade rate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ops_support;

use common::TestServer;
use ops_support::{ws_eventually, ws_ok, ws_refused};
use server::Settings;
use server::admission::{AdmissionSettings, Origin, UpgradeRate};

fn with(admission: AdmissionSettings) -> Settings {
    Settings {
        admission,
        ..Settings::default()
    }
}

fn nobody_exempt() -> AdmissionSettings {
    AdmissionSettings {
        per_ip_exempt: Vec::new(),
        ..AdmissionSettings::default()
    }
}

#[tokio::test]
async fn only_our_pages_and_allowed_origins_may_open_the_websocket() {
    let server = TestServer::start_with(with(AdmissionSettings {
        allowed_origins: vec![Origin::parse("https://app.example.org").unwrap()],
        ..AdmissionSettings::default()
    }))
    .await;
    let addr = server.addr;
    let own = format!("http://{addr}");
    // Our page (served by this server: same scheme, host and port as the request).
    ws_ok(addr, &[("origin", &own)]).await;
    // Another site's page, opened in one of our users' browsers.
    let reply = ws_refused(addr, &[("origin", "https://evil.example")], 403).await;
    assert!(reply.body.contains("--allowed-origin"), "{}", reply.body);
    // The same host under another scheme or port is another origin.
    ws_refused(addr, &[("origin", &format!("https://{addr}"))], 403).await;
    ws_refused(
        addr,
        &[("origin", &format!("http://127.0.0.1:{}", addr.port() + 1))],
        403,
    )
    .await;
    ws_refused(addr, &[("origin", "null")], 403).await;
    // --allowed-origin widens it.
    ws_ok(addr, &[("origin", "https://app.example.org")]).await;
    // No Origin (not a browser): allowed by default.
    ws_ok(addr, &[]).await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn forwarded_host_counts_only_from_a_trusted_proxy() {
    // Loopback is trusted by default: `trunk serve` rewrites Host and says the page's host in
    // X-Forwarded-Host.
    let trunk = [
        ("origin", "http://127.0.0.1:8081"),
        ("x-forwarded-host", "127.0.0.1:8081"),
        ("x-forwarded-proto", "http"),
    ];
    let server = TestServer::start().await;
    ws_ok(server.addr, &trunk).await;
    server.stop().await.unwrap();
    let untrusting = TestServer::start_with(with(AdmissionSettings {
        trusted_proxies: Vec::new(),
        ..AdmissionSettings::default()
    }))
    .await;
    ws_refused(untrusting.addr, &trunk, 403).await;
    untrusting.stop().await.unwrap();
}

#[tokio::test]
async fn requests_without_origin_can_be_refused() {
    let server = TestServer::start_with(with(AdmissionSettings {
        allow_no_origin: false,
        ..AdmissionSettings::default()
    }))
    .await;
    let reply = ws_refused(server.addr, &[], 403).await;
    assert!(reply.body.contains("--allow-no-origin"), "{}", reply.body);
    ws_ok(
        server.addr,
        &[("origin", &format!("http://{}", server.addr))],
    )
    .await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn per_address_cap_through_a_trusted_proxy() {
    let server = TestServer::start_with(with(AdmissionSettings {
        max_per_ip: Some(2),
        ..nobody_exempt()
    }))
    .await;
    let addr = server.addr;
    let a = [("x-forwarded-for", "198.51.100.1")];
    let b = [("x-forwarded-for", "198.51.100.2")];
    let first = ws_ok(addr, &a).await;
    let _second = ws_ok(addr, &a).await;
    let reply = ws_refused(addr, &a, 429).await;
    assert!(reply.headers.contains_key("retry-after"));
    // Another address is counted apart, and a forged address left of the proxy's is not
    // believed.
    let _other = ws_ok(addr, &b).await;
    ws_refused(
        addr,
        &[("x-forwarded-for", "203.0.113.5, 198.51.100.1")],
        429,
    )
    .await;
    // A connection that ends gives its place back.
    drop(first);
    ws_eventually(addr, &a).await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn forwarded_for_is_ignored_from_an_untrusted_peer() {
    let server = TestServer::start_with(with(AdmissionSettings {
        max_per_ip: Some(2),
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..nobody_exempt()
    }))
    .await;
    let addr = server.addr;
    // Every connection is 127.0.0.1's, whatever it claims.
    let _a = ws_ok(addr, &[("x-forwarded-for", "198.51.100.1")]).await;
    let _b = ws_ok(addr, &[("x-forwarded-for", "198.51.100.2")]).await;
    ws_refused(addr, &[("x-forwarded-for", "198.51.100.3")], 429).await;
    ws_refused(addr, &[("forwarded", "for=198.51.100.4")], 429).await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn global_cap_refuses_with_503_until_a_connection_ends() {
    let server = TestServer::start_with(with(AdmissionSettings {
        max_connections: Some(3),
        max_per_ip: Some(10),
        ..nobody_exempt()
    }))
    .await;
    let addr = server.addr;
    let mut open = Vec::new();
    for client in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        open.push(ws_ok(addr, &[("x-forwarded-for", client)]).await);
    }
    let reply = ws_refused(addr, &[("x-forwarded-for", "198.51.100.4")], 503).await;
    assert!(reply.headers.contains_key("retry-after"));
    // Exempt addresses count towards the global cap too.
    let exempt = TestServer::start_with(with(AdmissionSettings {
        max_connections: Some(1),
        ..AdmissionSettings::default()
    }))
    .await;
    let _one = ws_ok(exempt.addr, &[]).await;
    ws_refused(exempt.addr, &[], 503).await;
    exempt.stop().await.unwrap();
    open.pop();
    ws_eventually(addr, &[("x-forwarded-for", "198.51.100.4")]).await;
    assert_eq!(server.state.admission.open(), 3);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn upgrade_rate_per_address() {
    // Three at once, then one every 100 s: the fourth within the test is refused.
    let server = TestServer::start_with(with(AdmissionSettings {
        upgrade_rate: Some(UpgradeRate {
            burst: 3,
            per_sec: 0.01,
        }),
        ..nobody_exempt()
    }))
    .await;
    let addr = server.addr;
    let a = [("x-forwarded-for", "198.51.100.1")];
    for _ in 0..3 {
        // Each closed at once: it is the rate that refuses, not the count.
        drop(ws_ok(addr, &a).await);
    }
    let reply = ws_refused(addr, &a, 429).await;
    let retry: u64 = reply.headers["retry-after"].parse().unwrap();
    assert!((90..=100).contains(&retry), "Retry-After {retry}");
    ws_ok(addr, &[("x-forwarded-for", "198.51.100.2")]).await;
    // Loopback without forwarding (local tools) is exempt by default.
    let local = TestServer::start_with(with(AdmissionSettings {
        upgrade_rate: Some(UpgradeRate {
            burst: 1,
            per_sec: 0.01,
        }),
        ..AdmissionSettings::default()
    }))
    .await;
    for _ in 0..3 {
        drop(ws_ok(local.addr, &[]).await);
    }
    local.stop().await.unwrap();
    server.stop().await.unwrap();
}
