//! The application heartbeat (feature `heartbeat`): `ping` is answered with `pong`, a client
//! that keeps pinging stays, and one that falls silent is dropped within the heartbeat timeout
//! as if its socket had (a `resume` one then goes away). Clients without the feature are not
//! affected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::TestServer;
use common::resume::user_state;
use serde_json::json;
use server::Settings;
use shared::{FromServer, Presence};
use tokio::time::Instant;

fn quick_heartbeat() -> Settings {
    let mut settings = Settings::default();
    settings.limits.heartbeat_timeout = Duration::from_millis(300);
    settings
}

#[tokio::test]
async fn ping_is_answered_and_a_silent_heartbeat_client_is_dropped_in_time() {
    let server = TestServer::start_with(quick_heartbeat()).await;
    let mut bob = server.login("bob").await;
    let mut beat = server.login_with("beat", &["heartbeat"]).await;

    // A client that pings (every 100 ms, its own schedule) outlives the timeout many times over.
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    for _ in 0..10 {
        ticks.tick().await;
        beat.send_json(json!({"type": "ping"})).await;
        assert_eq!(beat.next_non_presence().await, FromServer::Pong);
    }
    assert_eq!(server.state.registry.online_count(), 2);

    // Then it falls silent: dropped, without a close frame, within the timeout (plus slack).
    let silent_since = Instant::now();
    beat.expect_close().await;
    assert!(silent_since.elapsed() < Duration::from_secs(2));
    bob.wait_for_users(&["bob"]).await;

    // Bob, without the feature, silent all along, is still there.
    assert_eq!(server.state.registry.online_count(), 1);
    let mut carol = server.login("carol").await;
    carol.marker("bob", "still here").await;
    let line = bob.next_non_presence().await;
    assert!(matches!(line, FromServer::Message { text, .. } if text == "still here"));
}

#[tokio::test]
async fn a_silent_resume_client_goes_away_not_gone() {
    let server = TestServer::start_with(quick_heartbeat()).await;
    let mut bob = server.login_resume("bob", &[]).await;
    let mut alice = server.login_resume("alice", &["heartbeat"]).await;
    alice.ping().await;
    // Alice stops pinging but keeps her socket: the server gives up on it.
    assert_eq!(
        bob.next_non_presence().await,
        user_state("alice", Presence::Reconnecting, false)
    );
    let (token, ack) = (alice.token.clone(), alice.ack());
    let (_alice, resumed) = server
        .resume(&token, ack, false, &["heartbeat"])
        .await
        .unwrap();
    assert!(matches!(resumed, FromServer::Resumed { name, .. } if name == "alice"));
    assert_eq!(
        bob.next_non_presence().await,
        user_state("alice", Presence::Online, false)
    );
}
