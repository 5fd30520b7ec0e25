//! Connection lifecycle: a client that never reads is dropped while others keep working,
//! keep-alive pings drop dead peers, and graceful shutdown closes every session.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{DEADLINE, TestServer, chat_text, sdp};
use futures_util::StreamExt;
use serde_json::json;
use server::Settings;
use shared::{ErrorCode, FromServer};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_while_others_keep_working() {
    let mut settings = Settings::default();
    settings.limits.outbox_frames = 8;
    settings.limits.write_timeout = Duration::from_millis(500);
    settings.limits.rate_per_sec = 100_000;
    settings.limits.rate_burst = 100_000;
    let server = TestServer::start_with(settings).await;
    let mut sender = server.login("sender").await;
    let mut observer = server.login("observer").await;
    // The sluggard logs in, then never reads again.
    let sluggard = server.login("sluggard").await;
    observer
        .wait_for_users(&["sender", "observer", "sluggard"])
        .await;

    // Big offers to the sluggard fill its TCP buffers, then its outbox: the server must drop it
    // without the sender or anyone else waiting. Each round also proves chat still flows.
    let offer = json!({"type": "video-offer", "target": "sluggard", "sdp": sdp("offer", 60_000)});
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut rounds = 0;
    'flood: loop {
        assert!(Instant::now() < deadline, "the sluggard was never dropped");
        for _ in 0..20 {
            sender.send_json(offer.clone()).await;
        }
        rounds += 1;
        sender.marker("observer", &format!("round {rounds}")).await;
        // The observer gets each round's line promptly, whatever the sluggard does.
        let want = format!("round {rounds}");
        observer
            .wait_for(|f| chat_text(f) == Some(want.as_str()))
            .await;
        // The sender's next frame is its echo, until the sluggard is dropped.
        match sender.next_non_presence().await {
            FromServer::Message { text, .. } if text == want => {}
            // Dropped: further relays are refused, and the sluggard's "call" ended.
            FromServer::Error {
                code: ErrorCode::UnknownTarget,
                ..
            }
            | FromServer::HangUp { .. } => break 'flood,
            other => panic!("sender got {other:?}"),
        }
    }
    assert!(!server.state.registry.is_online(sluggard.id));
    assert_eq!(server.state.registry.online_count(), 2);
    // The others are still fine.
    sender.marker("observer", "after").await;
    observer.wait_for(|f| chat_text(f) == Some("after")).await;
    drop(sluggard);
}

#[tokio::test]
async fn pings_keep_live_clients_and_drop_dead_ones() {
    let mut settings = Settings::default();
    settings.limits.ping_interval = Duration::from_millis(150);
    let server = TestServer::start_with(settings).await;
    let mut live = server.login("live").await;
    // A client that stops reading does not answer pings.
    let dead = server.login("dead").await;
    live.wait_for_users(&["live", "dead"]).await;

    // The live client keeps answering (tungstenite replies to pings while it reads) and sees
    // the dead one leave within a few intervals.
    let mut pings = 0;
    let deadline = Instant::now() + DEADLINE;
    let mut dead_left = false;
    while pings < 4 || !dead_left {
        let left = deadline.saturating_duration_since(Instant::now());
        match timeout(left, live.socket.next())
            .await
            .expect("deadline")
            .unwrap()
            .unwrap()
        {
            Message::Ping(_) => pings += 1,
            Message::Text(text) => {
                if let Ok(FromServer::UserList { users }) = FromServer::from_json(&text) {
                    dead_left = users == ["live"];
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(server.state.registry.is_online(live.id));
    assert!(!server.state.registry.is_online(dead.id));
}

#[tokio::test]
async fn graceful_shutdown_closes_every_session_and_run_returns() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut anon = server.connect().await;
    let stopped = tokio::spawn(server.stop());
    for client in [&mut alice, &mut bob, &mut anon] {
        let close = client.expect_close().await.expect("a close frame");
        assert_eq!(u16::from(close.code), 1001);
    }
    stopped.await.unwrap().unwrap();
}

#[tokio::test]
async fn shutdown_does_not_wait_forever_for_a_client_that_never_reads() {
    let mut settings = Settings::default();
    // Large enough that the sluggard is not dropped for its outbox: its session is stuck in a
    // write when the shutdown comes, and only the write timeout gets it out.
    settings.limits.outbox_frames = 1000;
    settings.limits.write_timeout = Duration::from_secs(1);
    settings.limits.rate_per_sec = 100_000;
    settings.limits.rate_burst = 100_000;
    let server = TestServer::start_with(settings).await;
    let _sluggard = server.login("sluggard").await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let offer = json!({"type": "video-offer", "target": "sluggard", "sdp": sdp("offer", 60_000)});
    for _ in 0..400 {
        alice.send_json(offer.clone()).await;
    }
    // bob gets this after the server has handled all of alice's offers. Without the write
    // timeout the sluggard's session would now be stuck in a write forever, and so would the
    // shutdown.
    alice.marker("bob", "sync").await;
    bob.wait_for(|f| chat_text(f) == Some("sync")).await;
    let stopped = tokio::spawn(server.stop());
    assert_eq!(
        u16::from(bob.expect_close().await.expect("a close frame").code),
        1001
    );
    stopped.await.unwrap().unwrap();
    drop(alice);
}
