//! TURN credential policy (issue 11, point 6): credentials only for logged-in clients, valid
//! 10 minutes by default, and a limited number per minute per connection, after which the client
//! gets a clear error (and its session goes on).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::TestServer;
use serde_json::json;
use server::Settings;
use server::turn::IceConfig;
use shared::{ErrorCode, FromServer};

fn with_turn(per_minute: u32) -> Settings {
    Settings {
        ice: IceConfig {
            stun: vec!["stun:127.0.0.1:3478".into()],
            turn: vec!["turn:127.0.0.1:3478?transport=udp".into()],
            turn_secret: Some("policy-secret".into()),
            turn_per_minute: per_minute,
            // The lifetime is the default one: what a deployment gets without the flag.
            ..IceConfig::default()
        },
        ..Settings::default()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The credentials in an `ice-servers` frame: (TURN username, expiry).
fn credentials(frame: &FromServer) -> Option<(String, u64)> {
    let FromServer::IceServers {
        ice_servers,
        expires,
    } = frame
    else {
        return None;
    };
    let turn = ice_servers.iter().find(|s| s.username.is_some())?;
    Some((turn.username.clone()?, (*expires)?))
}

#[tokio::test]
async fn nobody_gets_credentials_before_logging_in() {
    let server = TestServer::start_with(with_turn(6)).await;
    let mut stranger = server.connect().await;
    stranger.send_json(json!({"type": "get-ice-servers"})).await;
    let text = stranger.next_text().await;
    assert!(!text.contains("credential"), "{text}");
    match FromServer::from_json(&text).unwrap() {
        FromServer::Error { code, .. } => assert_eq!(code, ErrorCode::NotLoggedIn),
        other => panic!("expected not-logged-in, got {other:?}"),
    }
    // Announcing the feature in a refused login gives nothing either.
    stranger.send_username("", &["ice-servers"]).await;
    stranger.expect_error(ErrorCode::BadName).await;
    stranger.send_json(json!({"type": "get-ice-servers"})).await;
    stranger.expect_error(ErrorCode::NotLoggedIn).await;
}

#[tokio::test]
async fn credentials_live_ten_minutes_by_default() {
    let server = TestServer::start_with(with_turn(6)).await;
    let mut alice = server.connect().await;
    alice.send_username("alice", &["ice-servers"]).await;
    let before = now_secs();
    let frame = alice
        .wait_for(|f| matches!(f, FromServer::IceServers { .. }))
        .await;
    let (username, expires) = credentials(&frame).expect("TURN credentials");
    assert!(
        (before + 600..=now_secs() + 600).contains(&expires),
        "expires {expires}, now {before}"
    );
    assert_eq!(username, format!("{expires}:{}", alice.id));
}

#[tokio::test]
async fn a_connection_gets_a_few_sets_per_minute_then_a_clear_error() {
    let server = TestServer::start_with(with_turn(3)).await;
    let mut alice = server.connect().await;
    alice.send_username("alice", &["ice-servers"]).await;
    // The login's set is the first of three.
    let first = alice
        .wait_for(|f| matches!(f, FromServer::IceServers { .. }))
        .await;
    assert!(credentials(&first).is_some());
    for _ in 0..2 {
        alice.send_json(json!({"type": "get-ice-servers"})).await;
        let frame = alice.next_non_presence().await;
        assert!(credentials(&frame).is_some(), "{frame:?}");
    }
    for _ in 0..3 {
        alice.send_json(json!({"type": "get-ice-servers"})).await;
        match alice.next_non_presence().await {
            FromServer::Error { code, message } => {
                assert_eq!(code, ErrorCode::RateLimited);
                assert!(message.contains("3 per minute"), "{message}");
                assert!(message.contains("TURN"), "{message}");
            }
            other => panic!("expected the quota error, got {other:?}"),
        }
    }

    // The session goes on, and another connection has its own quota.
    let mut bob = server.login_with("bob", &["ice-servers"]).await;
    alice.marker("bob", "still here").await;
    let line = bob
        .wait_for(|f| matches!(f, FromServer::Message { .. }))
        .await;
    assert_eq!(common::chat_text(&line), Some("still here"));
    bob.send_json(json!({"type": "get-ice-servers"})).await;
    assert!(credentials(&bob.next_non_presence().await).is_some());
}

#[tokio::test]
async fn without_a_turn_secret_nothing_is_minted_and_nothing_is_counted() {
    let server = TestServer::start_with(Settings {
        ice: IceConfig {
            stun: vec!["stun:127.0.0.1:3478".into()],
            turn_per_minute: 1,
            ..IceConfig::default()
        },
        ..Settings::default()
    })
    .await;
    let mut alice = server.login_with("alice", &["ice-servers"]).await;
    for _ in 0..5 {
        alice.send_json(json!({"type": "get-ice-servers"})).await;
        let frame = alice.next_non_presence().await;
        assert!(
            matches!(frame, FromServer::IceServers { expires: None, .. }),
            "{frame:?}"
        );
    }
}
