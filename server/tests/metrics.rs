//! `/metrics` after a call: two clients log in, offer, answer, exchange candidates and hang up
//! (with a refused frame, a refused upgrade, TURN credentials and a flood that the rate limit
//! cuts on the way), and every counter has moved by exactly what happened; then a client that
//! never reads is dropped, and counted once.
//!
//! The counters are process-wide, so this file holds ONE test: a test binary is its own
//! process, and nothing else in it counts while this one runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ops_support;

use std::collections::HashMap;
use std::time::Duration;

use common::{Client, TestServer, sdp};
use ops_support::{scrape, value, ws_refused};
use serde_json::json;
use server::Settings;
use server::limits::Limits;
use server::turn::IceConfig;
use shared::{ErrorCode, FromServer};
use tokio::time::Instant;

/// Frames a client may send in all: the rate never refills, so a flood is cut at a known frame.
const BURST: u32 = 30;

fn settings() -> Settings {
    Settings {
        ice: IceConfig {
            stun: Vec::new(),
            turn: vec!["turn:127.0.0.1:3478".into()],
            turn_secret: Some("metrics-secret".into()),
            turn_ttl: Duration::from_secs(600),
            ..IceConfig::default()
        },
        limits: Limits {
            rate_per_sec: 0,
            rate_burst: BURST,
            ..Limits::default()
        },
        ..Settings::default()
    }
}

fn candidate(n: u32) -> serde_json::Value {
    json!({"candidate": format!("candidate:{n} 1 udp 2122260223 127.0.0.1 5000{n} typ host"),
           "sdpMid": "0", "sdpMLineIndex": 0})
}

/// How much each sample moved between two scrapes.
fn delta(before: &HashMap<String, f64>, after: &HashMap<String, f64>, name: &str) -> f64 {
    value(after, name) - value(before, name)
}

async fn wait_for_metric(server: &TestServer, name: &str, want: f64) -> HashMap<String, f64> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = scrape(server.addr).await;
        if value(&now, name) == want {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{name} is {}, not {want}",
            value(&now, name)
        );
        tokio::task::yield_now().await;
    }
}

async fn relay(from: &mut Client, to: &mut Client, frame: serde_json::Value) {
    from.send_json(frame).await;
    to.next_non_presence().await;
}

#[tokio::test]
async fn counters_move_by_exactly_what_a_call_did() {
    let server = TestServer::start_with(settings()).await;
    let addr = server.addr;
    let before = scrape(addr).await;

    ws_refused(addr, &[("origin", "https://evil.example")], 403).await;
    let mut alice = server.login_with("alice", &["ice-servers"]).await;
    let mut bob = server.login("bob").await;
    let offer =
        json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": sdp("offer", 300)});
    relay(&mut alice, &mut bob, offer).await;
    let answer = json!({"type": "video-answer", "name": "bob", "target": "alice", "sdp": sdp("answer", 300)});
    relay(&mut bob, &mut alice, answer).await;
    for n in 0..2 {
        let c = json!({"type": "new-ice-candidate", "target": "bob", "candidate": candidate(n)});
        relay(&mut alice, &mut bob, c).await;
    }
    let c = json!({"type": "new-ice-candidate", "target": "alice", "candidate": candidate(9)});
    relay(&mut bob, &mut alice, c).await;

    let during = scrape(addr).await;
    assert_eq!(value(&during, "parley_calls"), 1.0);
    assert_eq!(value(&during, "parley_users"), 2.0);
    assert_eq!(value(&during, "parley_connections"), 2.0);

    // Refused: a candidate to nobody.
    bob.send_json(
        json!({"type": "new-ice-candidate", "target": "nobody", "candidate": candidate(3)}),
    )
    .await;
    bob.expect_error(ErrorCode::UnknownTarget).await;
    relay(
        &mut alice,
        &mut bob,
        json!({"type": "hang-up", "name": "alice", "target": "bob"}),
    )
    .await;
    alice.send_json(json!({"type": "get-ice-servers"})).await;
    alice
        .wait_for(|f| matches!(f, FromServer::IceServers { .. }))
        .await;

    // A flood: the login and BURST - 1 pings pass, the last 6 are dropped (one error frame says
    // so).
    let mut carol = server.login("carol").await;
    for _ in 0..BURST + 5 {
        carol.send_json(json!({"type": "ping"})).await;
    }
    carol
        .wait_for(|f| {
            matches!(
                f,
                FromServer::Error {
                    code: ErrorCode::RateLimited,
                    ..
                }
            )
        })
        .await;
    let after = wait_for_metric(&server, "parley_rate_limited_frames_total", 6.0).await;

    let moved = |name: &str| delta(&before, &after, name);
    let relayed = |kind: &str| moved(&format!("parley_relayed_frames_total{{type=\"{kind}\"}}"));
    assert_eq!(relayed("video-offer"), 1.0);
    assert_eq!(relayed("video-answer"), 1.0);
    assert_eq!(relayed("new-ice-candidate"), 3.0);
    assert_eq!(relayed("hang-up"), 1.0);
    let refused = |code: ErrorCode| {
        moved(&format!(
            "parley_refused_frames_total{{code=\"{}\"}}",
            server::escape::code_name(code)
        ))
    };
    assert_eq!(refused(ErrorCode::UnknownTarget), 1.0);
    assert_eq!(refused(ErrorCode::RateLimited), 1.0);
    let all_refused: f64 = after
        .keys()
        .filter(|k| k.starts_with("parley_refused_frames_total"))
        .map(|k| moved(k))
        .sum();
    assert_eq!(all_refused, 2.0);
    assert_eq!(moved("parley_rate_limited_frames_total"), 6.0);
    assert_eq!(moved("parley_turn_credentials_total"), 2.0);
    assert_eq!(moved("parley_upgrades_total"), 3.0);
    assert_eq!(
        moved("parley_upgrades_refused_total{reason=\"origin\"}"),
        1.0
    );
    assert_eq!(moved("parley_slow_client_drops_total"), 0.0);
    assert_eq!(value(&after, "parley_calls"), 0.0);
    assert_eq!(value(&after, "parley_users"), 3.0);
    assert_eq!(value(&after, "parley_connections"), 3.0);
    let version = format!(
        "parley_build_info{{version=\"{}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(value(&after, &version), 1.0);

    drop((alice, bob, carol));
    wait_for_metric(&server, "parley_connections", 0.0).await;
    wait_for_metric(&server, "parley_users", 0.0).await;
    server.stop().await.unwrap();

    // A client that never reads is dropped as too slow: counted once.
    let slow = drop_a_sluggard().await;
    let drops = scrape_slow_drops(&slow).await;
    assert_eq!(drops, value(&after, "parley_slow_client_drops_total") + 1.0);
    slow.stop().await.unwrap();
}

/// The slow-client drops counter, read through `server`.
async fn scrape_slow_drops(server: &TestServer) -> f64 {
    value(&scrape(server.addr).await, "parley_slow_client_drops_total")
}

/// A server (with a small outbox) where one client never reads while another floods it with
/// big offers, until the server drops it; returns once its session has ended.
async fn drop_a_sluggard() -> TestServer {
    let mut settings = Settings::default();
    settings.limits.outbox_frames = 8;
    settings.limits.write_timeout = Duration::from_millis(500);
    settings.limits.rate_per_sec = 100_000;
    settings.limits.rate_burst = 100_000;
    let server = TestServer::start_with(settings).await;
    let mut sender = server.login("sender").await;
    let sluggard = server.login("sluggard").await;
    let offer = json!({"type": "video-offer", "target": "sluggard", "sdp": sdp("offer", 60_000)});
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.state.registry.is_online(sluggard.id) {
        assert!(Instant::now() < deadline, "the sluggard was never dropped");
        for _ in 0..20 {
            sender.send_json(offer.clone()).await;
        }
        tokio::task::yield_now().await;
    }
    // Counted when the session ends, after the registry let it go.
    wait_for_metric(&server, "parley_connections", 1.0).await;
    drop(sluggard);
    server
}
