//! Group calls (issue 13) with real WebSocket clients: the `group-call` list in join order to
//! every client with the feature (members and onlookers), after login and after a resume;
//! `group-signal` relayed only between members, with the server's `name` and the SDP byte for
//! byte; the refusals (`call-full`, `in-call`, `not-in-call`, `bad-message`); leaving by
//! `group-leave`, by disconnecting, by an away session ending and by renaming; `media-state`
//! among members; clients without the feature (MDN's) get no group frame.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Client, TestServer, chat_text, sdp};
use serde_json::{Value, json};
use shared::{ErrorCode, FromServer};

const FEATURES: &[&str] = &["group-call", "media-state"];

/// Logs in a client announcing `features` (with `group-call`: its first list is read too);
/// returns it once it has seen itself in a user list, with the `group-call` list it got.
async fn login(
    server: &TestServer,
    name: &str,
    features: &[&str],
) -> (Client, Option<Vec<String>>) {
    let mut client = server.connect().await;
    client.send_username(name, features).await;
    client.name = name.to_owned();
    let wants_list = features.contains(&"group-call");
    let (mut listed, mut group) = (false, None);
    while !listed || (wants_list && group.is_none()) {
        match client.next().await {
            FromServer::RejectUsername { name, .. } => client.name = name,
            FromServer::UserList { users } => listed |= users.contains(&client.name),
            FromServer::GroupCall { members } => {
                assert!(group.is_none(), "{name}: two lists at login");
                group = Some(members);
            }
            other => panic!("{name}: unexpected frame while logging in: {other:?}"),
        }
    }
    (client, group)
}

/// A logged-in `group-call` client.
async fn member(server: &TestServer, name: &str) -> Client {
    login(server, name, FEATURES).await.0
}

/// The next frame (presence aside) must be the list `expected`.
async fn expect_list(client: &mut Client, expected: &[&str]) {
    match client.next_non_presence().await {
        FromServer::GroupCall { members } => assert_eq!(members, expected, "{}", client.name),
        other => panic!(
            "{}: expected the list {expected:?}, got {other:?}",
            client.name
        ),
    }
}

async fn join(client: &mut Client) {
    client.send_json(json!({"type": "group-join"})).await;
}

async fn leave(client: &mut Client) {
    client.send_json(json!({"type": "group-leave"})).await;
}

/// `from` sends a private line to `to`: the next thing each gets (presence aside) is that line,
/// so nothing else reached either in between.
async fn nothing_else(from: &mut Client, to: &mut Client, text: &str) {
    from.marker(&to.name, text).await;
    let got = to.next_non_presence().await;
    assert_eq!(chat_text(&got), Some(text), "{}: got {got:?}", to.name);
    let echo = from.next_non_presence().await;
    assert_eq!(chat_text(&echo), Some(text), "{}: got {echo:?}", from.name);
}

fn offer_signal(to: &str) -> Value {
    json!({"type": "group-signal", "target": to, "sdp": sdp("offer", 300)})
}

fn candidate_signal(to: &str) -> Value {
    json!({"type": "group-signal", "target": to,
           "candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host", "sdpMid": "0",
                         "sdpMLineIndex": 0}})
}

#[tokio::test]
async fn joins_and_leaves_reach_every_group_call_client_in_join_order() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    let mut carol = member(&server, "carol").await;
    // MDN's client: no features, no group frames.
    let mut dave = server.login("dave").await;

    join(&mut alice).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["alice"]).await;
    }
    join(&mut bob).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["alice", "bob"]).await;
    }
    // Joining twice changes nothing (and says nothing).
    join(&mut bob).await;
    join(&mut carol).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["alice", "bob", "carol"]).await;
    }
    leave(&mut alice).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["bob", "carol"]).await;
    }
    // Leaving when not in it is a no-op.
    leave(&mut alice).await;
    nothing_else(&mut alice, &mut bob, "alice to bob").await;
    nothing_else(&mut dave, &mut carol, "dave to carol").await;
    nothing_else(&mut carol, &mut dave, "carol to dave").await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_login_gets_the_current_list_even_when_empty() {
    let server = TestServer::start().await;
    let (mut alice, list) = login(&server, "alice", FEATURES).await;
    assert_eq!(list, Some(vec![]));
    join(&mut alice).await;
    expect_list(&mut alice, &["alice"]).await;
    let (_bob, list) = login(&server, "bob", FEATURES).await;
    assert_eq!(list, Some(vec!["alice".to_owned()]));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn signals_go_between_members_only_with_the_senders_name_and_the_sdp_as_sent() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    let mut carol = member(&server, "carol").await;
    join(&mut alice).await;
    join(&mut bob).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["alice"]).await;
        expect_list(c, &["alice", "bob"]).await;
    }

    // The SDP text is copied as received (escapes included); a forged `name` is replaced and
    // members the frame does not use are dropped.
    let text = r#"{"extra":[1],"type":"group-signal","name":"mallory","target":"bob","sdp":{"sdp":"v=0\r\na=x:\u00e9\/\"q\"\r\n","type":"offer","more":1}}"#;
    alice.send_text(text).await;
    assert_eq!(
        bob.next_text_non_presence().await,
        r#"{"type":"group-signal","name":"alice","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\na=x:\u00e9\/\"q\"\r\n"}}"#
    );
    // A candidate is forwarded as received.
    let text = r#"{"type":"group-signal","target":"alice","candidate":{"sdpMid":"0","candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host","x":[true]}}"#;
    bob.send_text(text).await;
    assert_eq!(
        alice.next_text_non_presence().await,
        r#"{"type":"group-signal","name":"bob","target":"alice","candidate":{"sdpMid":"0","candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host","x":[true]}}"#
    );
    // Not between a member and someone outside the call, either way.
    carol.send_json(offer_signal("alice")).await;
    carol.expect_error(ErrorCode::NotInCall).await;
    alice.send_json(candidate_signal("carol")).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    alice.send_json(candidate_signal("nobody")).await;
    alice.expect_error(ErrorCode::UnknownTarget).await;
    nothing_else(&mut alice, &mut carol, "only the line").await;
    nothing_else(&mut bob, &mut alice, "and this one").await;
    // After leaving, no more.
    leave(&mut bob).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["alice"]).await;
    }
    alice.send_json(offer_signal("bob")).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    server.stop().await.unwrap();
}
