//! Bad input of every kind gets an `error` frame to the sender only; nothing is relayed, nobody
//! else is affected, and the session goes on (except for an oversize frame, which closes it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{TestServer, chat_text, sdp};
use futures_util::SinkExt;
use serde_json::json;
use server::Settings;
use shared::ErrorCode;
use shared::limits::MAX_FRAME_BYTES;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn every_bad_frame_is_refused_and_the_session_goes_on() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let cases: Vec<(String, ErrorCode)> = vec![
        ("{not json".into(), ErrorCode::BadMessage),
        ("\"just a string\"".into(), ErrorCode::BadMessage),
        (
            json!({"text": "no type"}).to_string(),
            ErrorCode::BadMessage,
        ),
        (json!({"type": 42}).to_string(), ErrorCode::BadMessage),
        (
            json!({"type": "message"}).to_string(),
            ErrorCode::BadMessage,
        ),
        (
            json!({"type": "message", "text": 5}).to_string(),
            ErrorCode::BadMessage,
        ),
        (
            json!({"type": "video-offer", "target": "bob"}).to_string(),
            ErrorCode::BadMessage,
        ),
        (
            json!({"type": "video-offer", "target": "bob", "sdp": "not an object"}).to_string(),
            ErrorCode::BadMessage,
        ),
        (
            json!({"type": "new-ice-candidate", "target": "bob"}).to_string(),
            ErrorCode::BadMessage,
        ),
        (
            json!({"type": "userlist", "users": ["x"]}).to_string(),
            ErrorCode::ServerOnlyType,
        ),
        (
            json!({"type": "id", "id": 1}).to_string(),
            ErrorCode::ServerOnlyType,
        ),
        (
            json!({"type": "rejectusername", "id": 1, "name": "x"}).to_string(),
            ErrorCode::ServerOnlyType,
        ),
        (
            json!({"type": "error", "code": "bad-id", "message": ""}).to_string(),
            ErrorCode::ServerOnlyType,
        ),
        (
            json!({"type": "teleport", "target": "bob"}).to_string(),
            ErrorCode::UnknownType,
        ),
    ];
    for (frame, code) in cases {
        alice.send_text(&frame).await;
        alice.expect_error(code).await;
    }
    alice
        .socket
        .send(Message::binary(vec![1, 2, 3]))
        .await
        .unwrap();
    alice.expect_error(ErrorCode::BinaryFrame).await;
    // Nothing reached bob: his next frame is this marker; alice is still logged in.
    alice.marker("bob", "still here").await;
    assert_eq!(
        chat_text(&bob.next_non_presence().await),
        Some("still here")
    );
    assert!(server.state.registry.is_online(alice.id));
}

#[tokio::test]
async fn nothing_but_username_before_login() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob").await;
    let mut anon = server.connect().await;
    for frame in [
        json!({"type": "message", "text": "hi"}),
        json!({"type": "video-offer", "target": "bob", "sdp": sdp("offer", 100)}),
        json!({"type": "hang-up", "target": "bob"}),
        json!({"type": "get-ice-servers"}),
    ] {
        anon.send_json(frame).await;
        anon.expect_error(ErrorCode::NotLoggedIn).await;
    }
    anon.send_username("late", &[]).await;
    bob.wait_for_users(&["bob", "late"]).await;
}

#[tokio::test]
async fn an_oversize_frame_closes_with_too_large() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    // Exactly at the limit is accepted.
    let at_limit = json!({"type": "message", "text": "", "pad": "p".repeat(MAX_FRAME_BYTES - 40)});
    let mut text = at_limit.to_string();
    while text.len() < MAX_FRAME_BYTES {
        text.insert(text.len() - 1, ' ');
    }
    assert_eq!(text.len(), MAX_FRAME_BYTES);
    alice.send_text(&text).await;
    assert_eq!(chat_text(&alice.next_non_presence().await), Some(""));

    alice.send_text(&"x".repeat(MAX_FRAME_BYTES + 1)).await;
    alice.expect_error(ErrorCode::TooLarge).await;
    let close = alice.expect_close().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1009);
    bob.wait_for_users(&["bob"]).await;

    // Far over the limit: tungstenite cuts it off; the sender still learns why if it can.
    let mut carol = server.login("carol").await;
    let _ = carol
        .socket
        .send(Message::text("x".repeat(4 * MAX_FRAME_BYTES)))
        .await;
    bob.wait_for_users(&["bob"]).await;
}

#[tokio::test]
async fn a_flood_is_rate_limited_with_one_error_and_the_session_recovers() {
    let mut settings = Settings::default();
    settings.limits.rate_per_sec = 20;
    settings.limits.rate_burst = 5;
    let server = TestServer::start_with(settings).await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    for i in 0..50 {
        alice
            .send_json(json!({"type": "message", "text": format!("flood {i}")}))
            .await;
    }
    // The burst gets through, then exactly one rate-limited error: frames that came too fast
    // were dropped silently after it.
    let mut delivered = 0;
    loop {
        match alice.next_non_presence().await {
            shared::FromServer::Message { .. } => delivered += 1,
            shared::FromServer::Error { code, .. } => {
                assert_eq!(code, ErrorCode::RateLimited);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    // The burst (5, of which the login used 1) got through; most of the flood did not.
    assert!((4..50).contains(&delivered), "{delivered} delivered");
    // Tokens come back at the sustained rate: a later frame gets through again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    alice.marker("bob", "after the flood").await;
    let got = bob
        .wait_for(|f| chat_text(f).is_some_and(|t| t == "after the flood"))
        .await;
    assert_eq!(chat_text(&got), Some("after the flood"));
}
