//! Chat: to everyone (sender included) or privately, with the sender's real name, length
//! limited, and HTML-escaped for legacy clients only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestServer, chat_text};
use serde_json::{Value, json};
use shared::limits::MAX_CHAT_CHARS;
use shared::{ErrorCode, FromServer};

#[tokio::test]
async fn chat_reaches_everyone_including_the_sender_with_the_real_name() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let id = alice.id;
    alice
        .send_json(
            json!({"type": "message", "id": id, "name": "bob", "text": "hi all", "date": 1234}),
        )
        .await;
    for client in [&mut alice, &mut bob] {
        let got: Value = serde_json::from_str(&client.next_text_non_presence().await).unwrap();
        assert_eq!(
            got,
            json!({"type": "message", "id": id, "name": "alice", "text": "hi all", "date": 1234})
        );
    }
}

#[tokio::test]
async fn private_chat_reaches_only_the_target_and_echoes_to_the_sender() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let id = alice.id;
    alice
        .send_json(json!({"type": "message", "id": id, "text": "psst", "target": "bob", "date": 5}))
        .await;
    for client in [&mut bob, &mut alice] {
        assert_eq!(
            client.next_non_presence().await,
            FromServer::Message {
                id,
                name: "alice".into(),
                text: "psst".into(),
                date: 5,
                target: Some("bob".into())
            }
        );
    }
    bob.marker("carol", "next").await;
    assert_eq!(chat_text(&carol.next_non_presence().await), Some("next"));
}

#[tokio::test]
async fn a_missing_date_is_filled_in_by_the_server() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice
        .send_json(json!({"type": "message", "text": "no date"}))
        .await;
    match alice.next_non_presence().await {
        FromServer::Message { date, .. } => assert!(date > 1_600_000_000_000),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn spoofed_ids_and_long_texts_are_refused() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let bobs_id = bob.id;
    alice
        .send_json(json!({"type": "message", "id": bobs_id, "text": "as bob", "date": 1}))
        .await;
    alice.expect_error(ErrorCode::BadId).await;
    let long = "x".repeat(MAX_CHAT_CHARS + 1);
    alice
        .send_json(json!({"type": "message", "text": long, "date": 1}))
        .await;
    alice.expect_error(ErrorCode::TextTooLong).await;
    // Exactly at the limit is fine.
    let max = "y".repeat(MAX_CHAT_CHARS);
    alice
        .send_json(json!({"type": "message", "text": max, "date": 1}))
        .await;
    assert_eq!(
        chat_text(&bob.next_non_presence().await),
        Some(max.as_str())
    );
}

#[tokio::test]
async fn markup_is_escaped_for_legacy_clients_and_raw_for_plain_text_clients() {
    let server = TestServer::start().await;
    let mut mdn = server.login("<b>mdn</b>").await;
    let mut modern = server.login_with("modern", &["plain-text"]).await;
    // User lists are text nodes in MDN's client: names are never escaped there.
    mdn.wait_for_users(&["<b>mdn</b>", "modern"]).await;
    let xss = "<img src=x onerror=alert(1)> & \"'";
    mdn.send_json(json!({"type": "message", "text": xss, "date": 1}))
        .await;
    match mdn.next_non_presence().await {
        FromServer::Message { name, text, .. } => {
            assert_eq!(name, "&lt;b&gt;mdn&lt;/b&gt;");
            assert_eq!(text, "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;&#39;");
        }
        other => panic!("{other:?}"),
    }
    match modern.next_non_presence().await {
        FromServer::Message { name, text, .. } => {
            assert_eq!(name, "<b>mdn</b>");
            assert_eq!(text, xss);
        }
        other => panic!("{other:?}"),
    }
}
