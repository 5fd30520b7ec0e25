//! `media-state` (issue 12): relayed only between the two ends of a call, only to clients that
//! announced the `media-state` feature (MDN's client, which announces none, never gets it), and
//! refused with `not-in-call` outside a call; the sender's name is the server's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Client, TestServer, chat_text, sdp};
use serde_json::{Value, json};
use shared::{ErrorCode, FromServer};

const FEATURES: &[&str] = &["userlist-delta", "plain-text", "media-state"];

fn offer(to: &str) -> Value {
    json!({"type": "video-offer", "target": to, "sdp": sdp("offer", 200)})
}

fn answer(to: &str) -> Value {
    json!({"type": "video-answer", "target": to, "sdp": sdp("answer", 200)})
}

fn state(to: &str, audio: bool, video: bool, screen: bool) -> Value {
    json!({"type": "media-state", "target": to, "audio": audio, "video": video, "screen": screen})
}

/// `caller` offers, `callee` answers; each reads the other's frame.
async fn in_call(caller: &mut Client, callee: &mut Client) {
    caller.send_json(offer(&callee.name)).await;
    assert!(matches!(
        callee.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    callee.send_json(answer(&caller.name)).await;
    assert!(matches!(
        caller.next_non_presence().await,
        FromServer::VideoAnswer { .. }
    ));
}

/// `from` sends a private line to `to`: the next thing each gets (presence aside) is that line,
/// so nothing else (no `media-state`, no error) reached either in between.
async fn nothing_else(from: &mut Client, to: &mut Client, text: &str) {
    from.marker(&to.name, text).await;
    let got = to.next_non_presence().await;
    assert_eq!(chat_text(&got), Some(text), "{}: got {got:?}", to.name);
    let echo = from.next_non_presence().await;
    assert_eq!(chat_text(&echo), Some(text), "{}: got {echo:?}", from.name);
}

#[tokio::test]
async fn relayed_both_ways_within_a_call_with_the_senders_name() {
    let server = TestServer::start().await;
    let mut alice = server.login_with("alice", FEATURES).await;
    let mut bob = server.login_with("bob", FEATURES).await;
    in_call(&mut alice, &mut bob).await;

    // A forged `name` is ignored; other members are not forwarded.
    let mut frame = state("bob", false, true, false);
    frame["name"] = json!("mallory");
    frame["extra"] = json!([1, 2]);
    alice.send_json(frame).await;
    assert_eq!(
        bob.next_text_non_presence().await,
        r#"{"type":"media-state","name":"alice","target":"bob","audio":false,"video":true,"screen":false}"#
    );
    bob.send_json(state("alice", true, false, true)).await;
    assert_eq!(
        alice.next_non_presence().await,
        FromServer::MediaState {
            name: "bob".into(),
            target: "alice".into(),
            audio: true,
            video: false,
            screen: true,
        }
    );
    nothing_else(&mut alice, &mut bob, "only those").await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn refused_outside_a_call_and_to_a_third_user() {
    let server = TestServer::start().await;
    let mut alice = server.login_with("alice", FEATURES).await;
    let mut bob = server.login_with("bob", FEATURES).await;
    let mut carol = server.login_with("carol", FEATURES).await;

    // No call at all.
    alice.send_json(state("bob", false, true, false)).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    nothing_else(&mut alice, &mut bob, "no call yet").await;

    // Alice and Bob in a call: Carol is not part of it, either way.
    in_call(&mut alice, &mut bob).await;
    carol.send_json(state("bob", false, false, false)).await;
    carol.expect_error(ErrorCode::NotInCall).await;
    alice.send_json(state("carol", false, false, false)).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    nothing_else(&mut carol, &mut bob, "not carol's call").await;
    nothing_else(&mut alice, &mut carol, "not to carol").await;

    // Carol rings Bob, who is busy with Alice: an open offer is not a call.
    carol.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    carol.send_json(state("bob", true, true, true)).await;
    carol.expect_error(ErrorCode::NotInCall).await;
    nothing_else(&mut carol, &mut bob, "busy callee").await;

    // After the hang-up, nothing passes between Alice and Bob any more.
    alice
        .send_json(json!({"type": "hang-up", "target": "bob", "reason": "ended"}))
        .await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::HangUp { .. }
    ));
    alice.send_json(state("bob", true, true, false)).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    nothing_else(&mut alice, &mut bob, "call over").await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn targets_and_shape_are_checked() {
    let server = TestServer::start().await;
    let mut alice = server.login_with("alice", FEATURES).await;
    alice.send_json(state("nobody", true, true, false)).await;
    alice.expect_error(ErrorCode::UnknownTarget).await;
    alice.send_json(state("alice", true, true, false)).await;
    alice.expect_error(ErrorCode::SelfTarget).await;
    alice
        .send_json(json!({"type": "media-state", "target": "alice", "audio": "off"}))
        .await;
    alice.expect_error(ErrorCode::BadMessage).await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn never_reaches_a_client_without_the_feature_and_the_sender_is_not_told() {
    let server = TestServer::start().await;
    let mut alice = server.login_with("alice", FEATURES).await;
    // MDN's client announces no features.
    let mut mdn = server.login("mdn").await;
    in_call(&mut alice, &mut mdn).await;
    alice.send_json(state("mdn", false, false, true)).await;
    nothing_else(&mut alice, &mut mdn, "mdn sees nothing").await;

    // Its call goes on as before: its MDN-shaped hang-up (no target) reaches Alice.
    mdn.send_json(json!({"type": "hang-up", "name": "mdn", "target": null}))
        .await;
    assert_eq!(
        alice.next_non_presence().await,
        FromServer::HangUp {
            name: "mdn".into(),
            target: "alice".into(),
            reason: None
        }
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_that_drops_the_feature_on_rename_stops_getting_it() {
    let server = TestServer::start().await;
    let mut alice = server.login_with("alice", FEATURES).await;
    let mut bob = server.login_with("bob", FEATURES).await;
    in_call(&mut alice, &mut bob).await;
    alice.send_json(state("bob", false, true, false)).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::MediaState { .. }
    ));
    // Bob logs in again (same name) without the feature.
    bob.send_username("bob", &["userlist-delta"]).await;
    alice.send_json(state("bob", true, true, false)).await;
    nothing_else(&mut alice, &mut bob, "feature gone").await;
    server.stop().await.unwrap();
}
