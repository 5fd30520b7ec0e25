//! Graceful shutdown delivers what is already queued for each client (a hang-up, a chat line)
//! before the Close frame (issue 10 point 5, the per-session part).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, chat_text, sdp};
use serde_json::json;
use server::chat::chat_frames;
use shared::{FromServer, UserName};

/// Alice and bob in a call (offer, answer).
async fn in_a_call(server: &TestServer) -> (common::Client, common::Client) {
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice
        .send_json(json!({"type": "video-offer", "target": "bob", "name": "alice", "sdp": sdp("offer", 200)}))
        .await;
    bob.wait_for(|f| matches!(f, FromServer::VideoOffer { .. }))
        .await;
    bob.send_json(json!({"type": "video-answer", "target": "alice", "name": "bob", "sdp": sdp("answer", 200)}))
        .await;
    alice
        .wait_for(|f| matches!(f, FromServer::VideoAnswer { .. }))
        .await;
    (alice, bob)
}

#[tokio::test]
async fn shutdown_writes_a_queued_hang_up_and_chat_line_before_the_close_frame() {
    let server = TestServer::start().await;
    let (alice, mut bob) = in_a_call(&server).await;
    let registry = &server.state.registry;
    // A hang-up and a chat line are queued for bob and the shutdown begins with no await in
    // between (this test's runtime has one thread): bob's session has written neither yet, and
    // sees the shutdown first.
    registry.hang_up_partner(alice.id, None).unwrap();
    let line = chat_frames(
        alice.id,
        &UserName::parse("alice").unwrap(),
        "bye".into(),
        Some(1),
        Some("bob".into()),
    );
    registry.chat(alice.id, Some("bob"), &line).unwrap();
    server.state.shutdown.cancel();

    match bob.next_non_presence().await {
        FromServer::HangUp { name, .. } => assert_eq!(name, "alice"),
        other => panic!("bob got {other:?} instead of the hang-up"),
    }
    assert_eq!(chat_text(&bob.next_non_presence().await), Some("bye"));
    let close = bob.expect_close().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1001);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_resume_session_gets_its_queued_frames_numbered_before_the_close_frame() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login_resume("bob", &[]).await;
    let line = chat_frames(
        alice.id,
        &UserName::parse("alice").unwrap(),
        "last words".into(),
        Some(1),
        None,
    );
    server.state.registry.chat(alice.id, None, &line).unwrap();
    server.state.shutdown.cancel();
    assert_eq!(
        chat_text(&bob.next_non_presence().await),
        Some("last words")
    );
    let close = bob.client.expect_close().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1001);
    assert_eq!(
        chat_text(&alice.next_non_presence().await),
        Some("last words")
    );
    server.stop().await.unwrap();
}
