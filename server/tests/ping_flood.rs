//! Control frames count against the rate limit: a flood of WebSocket Ping frames, or of our
//! `ping` frames, is refused like any flood (one `rate-limited` error, the excess dropped)
//! while another user's relays still arrive promptly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{DEADLINE, TestServer};
use futures_util::SinkExt;
use serde_json::json;
use server::Settings;
use shared::{ErrorCode, FromServer};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;

const FLOOD: usize = 2_000;

fn limited() -> Settings {
    let mut settings = Settings::default();
    settings.limits.rate_per_sec = 50;
    settings.limits.rate_burst = 100;
    settings
}

/// Bob offers to carol `rounds` times; each offer reaches carol within the deadline and bob
/// hears of no error.
async fn relays_still_arrive(bob: &mut common::Client, carol: &mut common::Client, rounds: usize) {
    for round in 0..rounds {
        let sdp_text = format!("round {round}");
        bob.send_json(json!({"type": "video-offer", "target": "carol", "name": "bob", "sdp": {"type": "offer", "sdp": sdp_text}}))
            .await;
        match carol.next_non_presence().await {
            FromServer::VideoOffer { name, .. } => assert_eq!(name, "bob"),
            other => panic!("carol got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_websocket_ping_flood_is_rate_limited_while_others_relay() {
    let server = TestServer::start_with(limited()).await;
    let mut mallory = server.login("mallory").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    // Queued without flushing, then one flush: the server reads them as fast as it can.
    for i in 0..FLOOD {
        let payload = (i as u32).to_be_bytes().to_vec();
        timeout(DEADLINE, mallory.socket.feed(Message::Ping(payload.into())))
            .await
            .unwrap()
            .unwrap();
    }
    timeout(DEADLINE, mallory.socket.flush())
        .await
        .unwrap()
        .unwrap();
    // Pings took tokens: mallory is told, once.
    mallory.expect_error(ErrorCode::RateLimited).await;
    relays_still_arrive(&mut bob, &mut carol, 5).await;
    // Bob never came near his own limit.
    bob.send_json(json!({"type": "ping"})).await;
    assert_eq!(bob.next_non_presence().await, FromServer::Pong);
}

#[tokio::test]
async fn a_heartbeat_ping_flood_gets_only_the_rate_in_pongs_while_others_relay() {
    let server = TestServer::start_with(limited()).await;
    let mut mallory = server.login_with("mallory", &["heartbeat"]).await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let started = Instant::now();
    let ping = Message::text(json!({"type": "ping"}).to_string());
    for _ in 0..FLOOD {
        timeout(DEADLINE, mallory.socket.feed(ping.clone()))
            .await
            .unwrap()
            .unwrap();
    }
    timeout(DEADLINE, mallory.socket.flush())
        .await
        .unwrap()
        .unwrap();
    relays_still_arrive(&mut bob, &mut carol, 5).await;
    // Then a WebSocket Ping proves the server has read the whole flood: its pong comes after
    // every answer to it. Mallory got the burst and the rate in pongs, one error, no more.
    mallory
        .socket
        .send(Message::Ping(b"end".to_vec().into()))
        .await
        .unwrap();
    let (mut pongs, mut errors) = (0, 0);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = timeout(left, futures_util::StreamExt::next(&mut mallory.socket))
            .await
            .expect("the end of the flood within the deadline")
            .expect("connection open")
            .expect("no socket error");
        match message {
            Message::Pong(payload) if payload.as_ref() == b"end" => break,
            Message::Text(text) => match FromServer::from_json(&text).unwrap() {
                FromServer::Pong => pongs += 1,
                FromServer::Error { code, .. } => {
                    assert_eq!(code, ErrorCode::RateLimited);
                    errors += 1;
                }
                FromServer::UserList { .. } | FromServer::UserListDelta { .. } => {}
                other => panic!("mallory got {other:?}"),
            },
            _ => {}
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let allowed = 100.0 + 50.0 * elapsed;
    assert!(
        (99..FLOOD).contains(&pongs) && pongs as f64 <= allowed + 1.0,
        "{pongs} pongs in {elapsed:.2} s (at most {allowed:.0} allowed)"
    );
    assert!(errors >= 1, "no rate-limited error");
}
