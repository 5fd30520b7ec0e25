//! Slowness is judged by time behind and bytes waiting: a client that stops reading is dropped
//! once nothing has been taken from its outbox for `max_behind`, or once too many bytes wait
//! for it, while the sender and everyone else keep working. The write timeout is set far out
//! so that only these bounds can be what drops it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{TestServer, chat_text, sdp};
use serde_json::json;
use server::Settings;
use shared::{ErrorCode, FromServer};
use tokio::time::Instant;

/// Rates lifted, the frame bound and the write timeout out of reach.
fn only_time_and_bytes() -> Settings {
    let mut settings = Settings::default();
    settings.limits.outbox_frames = 1_000_000;
    settings.limits.write_timeout = Duration::from_secs(600);
    settings.limits.rate_per_sec = 100_000;
    settings.limits.rate_burst = 100_000;
    settings.flood.chat_rate = 100_000;
    settings.flood.chat_burst = 100_000;
    settings
}

/// The sender sends big offers to a client that never reads, in rounds, until it is dropped;
/// an observer gets every round's chat line promptly meanwhile. Returns how long it took.
async fn flood_until_dropped(settings: Settings) -> Duration {
    let server = TestServer::start_with(settings).await;
    let mut sender = server.login("sender").await;
    let mut observer = server.login("observer").await;
    let sluggard = server.login("sluggard").await;
    observer
        .wait_for_users(&["sender", "observer", "sluggard"])
        .await;
    let offer = json!({"type": "video-offer", "target": "sluggard", "sdp": sdp("offer", 60_000)});
    let started = Instant::now();
    let mut rounds = 0;
    'flood: loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the sluggard was never dropped"
        );
        for _ in 0..20 {
            sender.send_json(offer.clone()).await;
        }
        rounds += 1;
        let want = format!("round {rounds}");
        sender.marker("observer", &want).await;
        observer
            .wait_for(|f| chat_text(f) == Some(want.as_str()))
            .await;
        match sender.next_non_presence().await {
            FromServer::Message { text, .. } if text == want => {}
            FromServer::Error {
                code: ErrorCode::UnknownTarget,
                ..
            }
            | FromServer::HangUp { .. } => break 'flood,
            other => panic!("sender got {other:?}"),
        }
    }
    let took = started.elapsed();
    assert!(!server.state.registry.is_online(sluggard.id));
    assert_eq!(server.state.registry.online_count(), 2);
    sender.marker("observer", "after").await;
    observer.wait_for(|f| chat_text(f) == Some("after")).await;
    drop(sluggard);
    took
}

#[tokio::test]
async fn a_reader_that_stops_is_dropped_by_time_behind() {
    let mut settings = only_time_and_bytes();
    settings.flood.outbox_bytes = usize::MAX;
    settings.flood.max_behind = Duration::from_millis(500);
    let took = flood_until_dropped(settings).await;
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[tokio::test]
async fn a_reader_that_stops_is_dropped_by_bytes_waiting() {
    let mut settings = only_time_and_bytes();
    settings.flood.outbox_bytes = 256 << 10;
    settings.flood.max_behind = Duration::from_secs(600);
    let took = flood_until_dropped(settings).await;
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
