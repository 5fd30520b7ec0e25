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

/// `clients` all join, in order, each reading every list up to the whole one.
async fn all_join(clients: &mut [&mut Client]) {
    let names: Vec<String> = clients.iter().map(|c| c.name.clone()).collect();
    for n in 0..clients.len() {
        join(clients[n]).await;
        let want: Vec<&str> = names[..=n].iter().map(String::as_str).collect();
        for c in clients.iter_mut() {
            expect_list(c, &want).await;
        }
    }
}

#[tokio::test]
async fn a_fifth_is_told_the_call_is_full_and_may_join_when_one_leaves() {
    let server = TestServer::start().await;
    let mut a = member(&server, "a").await;
    let mut b = member(&server, "b").await;
    let mut c = member(&server, "c").await;
    let mut d = member(&server, "d").await;
    let mut e = member(&server, "e").await;
    all_join(&mut [&mut a, &mut b, &mut c, &mut d]).await;
    for _ in 1..=4 {
        e.next_non_presence().await;
    }
    join(&mut e).await;
    e.expect_error(ErrorCode::CallFull).await;
    nothing_else(&mut e, &mut a, "nothing changed").await;
    leave(&mut b).await;
    join(&mut e).await;
    for client in [&mut a, &mut b, &mut c, &mut d, &mut e] {
        expect_list(client, &["a", "c", "d"]).await;
        expect_list(client, &["a", "c", "d", "e"]).await;
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_newcomers_first_signal_comes_after_the_list_that_names_it() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    all_join(&mut [&mut alice]).await;
    bob.next_non_presence().await;
    // bob joins and signals at once, without waiting for anything.
    join(&mut bob).await;
    bob.send_json(offer_signal("alice")).await;
    expect_list(&mut alice, &["alice", "bob"]).await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::GroupSignal { name, sdp: Some(_), candidate: None, .. } if name == "bob"
    ));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_signal_needs_a_target_and_exactly_one_of_sdp_and_candidate() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    all_join(&mut [&mut alice, &mut bob]).await;
    let sdp = sdp("offer", 100);
    let candidate = json!({"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"});
    let bad = [
        json!({"type": "group-signal", "target": "bob"}),
        json!({"type": "group-signal", "target": "bob", "sdp": null, "candidate": null}),
        json!({"type": "group-signal", "target": "bob", "sdp": sdp, "candidate": candidate}),
        json!({"type": "group-signal", "sdp": sdp}),
        json!({"type": "group-signal", "target": null, "sdp": sdp}),
        json!({"type": "group-signal", "target": 5, "sdp": sdp}),
        json!({"type": "group-signal", "target": "bob", "sdp": "v=0"}),
        json!({"type": "group-signal", "target": "bob", "sdp": {"type": "nope", "sdp": "v=0"}}),
        json!({"type": "group-signal", "target": "bob", "candidate": "candidate:1"}),
        json!({"type": "group-signal", "target": "bob", "candidate": {"sdpMid": "0"}}),
    ];
    for frame in bad {
        alice.send_json(frame.clone()).await;
        match alice.next_non_presence().await {
            FromServer::Error { code, .. } => assert_eq!(code, ErrorCode::BadMessage, "{frame}"),
            other => panic!("{frame}: {other:?}"),
        }
    }
    // Given twice, even once as null: refused.
    alice
        .send_text(r#"{"type":"group-signal","target":"bob","candidate":null,"candidate":{"candidate":"c"}}"#)
        .await;
    alice.expect_error(ErrorCode::BadMessage).await;
    // `null` for the other one is as if absent.
    let frame =
        json!({"type": "group-signal", "target": "bob", "sdp": null, "candidate": candidate});
    alice.send_json(frame).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::GroupSignal {
            sdp: None,
            candidate: Some(_),
            ..
        }
    ));
    nothing_else(&mut alice, &mut bob, "nothing else got through").await;
    server.stop().await.unwrap();
}

fn offer(to: &str) -> Value {
    json!({"type": "video-offer", "target": to, "sdp": sdp("offer", 200)})
}

#[tokio::test]
async fn one_to_one_calls_and_the_group_call_exclude_each_other() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    let mut carol = member(&server, "carol").await;
    // alice rings bob: neither may join while it rings, nor once answered.
    alice.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    join(&mut alice).await;
    alice.expect_error(ErrorCode::InCall).await;
    join(&mut bob).await;
    bob.expect_error(ErrorCode::InCall).await;
    bob.send_json(json!({"type": "video-answer", "target": "alice", "sdp": sdp("answer", 100)}))
        .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::VideoAnswer { .. }
    ));
    join(&mut bob).await;
    bob.expect_error(ErrorCode::InCall).await;
    // After hanging up, bob may join.
    bob.send_json(json!({"type": "hang-up", "target": "alice"}))
        .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::HangUp { .. }
    ));
    join(&mut bob).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        expect_list(c, &["bob"]).await;
    }
    // A member rings nobody…
    bob.send_json(offer("carol")).await;
    bob.expect_error(ErrorCode::InCall).await;
    // …but may be rung (its page answers `busy`).
    carol.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    bob.send_json(json!({"type": "hang-up", "target": "carol", "reason": "busy"}))
        .await;
    assert!(matches!(
        carol.next_non_presence().await,
        FromServer::HangUp { .. }
    ));
    nothing_else(&mut carol, &mut bob, "no call between them").await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_member_that_disconnects_or_renames_leaves_the_call() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    let mut carol = member(&server, "carol").await;
    all_join(&mut [&mut alice, &mut bob, &mut carol]).await;
    drop(bob);
    for c in [&mut alice, &mut carol] {
        expect_list(c, &["alice", "carol"]).await;
    }
    carol.send_username("carla", FEATURES).await;
    for c in [&mut alice, &mut carol] {
        expect_list(c, &["alice"]).await;
    }
    // Known by its new name, and out of the call.
    alice.send_json(candidate_signal("carla")).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    server.stop().await.unwrap();
}

fn short_grace() -> server::Settings {
    let mut settings = server::Settings::default();
    settings.limits.resume_grace = std::time::Duration::from_millis(1500);
    settings
}

#[tokio::test]
async fn an_away_member_stays_in_the_call_until_its_session_ends() {
    let server = TestServer::start_with(short_grace()).await;
    // bob has `resume` too, so he hears when alice's socket is lost.
    let mut bob = server.login_resume("bob", FEATURES).await.client;
    let mut alice = server.login_resume("alice", FEATURES).await;
    bob.send_json(json!({"type": "group-join"})).await;
    bob.wait_for(|f| matches!(f, FromServer::GroupCall { members } if members.len() == 1))
        .await;
    alice.client.send_json(json!({"type": "group-join"})).await;
    alice
        .wait_for(|f| matches!(f, FromServer::GroupCall { members } if members.len() == 2))
        .await;
    expect_list(&mut bob, &["bob", "alice"]).await;
    drop(alice.client);
    assert_eq!(
        bob.next_non_presence().await,
        common::resume::user_state("alice", shared::Presence::Reconnecting, false)
    );
    // Away, still a member: signals to her are taken (kept for a resume), not refused.
    bob.send_json(candidate_signal("alice")).await;
    // Gone for good after the grace window: only then does the list change.
    expect_list(&mut bob, &["bob"]).await;
    bob.send_json(candidate_signal("alice")).await;
    bob.expect_error(ErrorCode::UnknownTarget).await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_resumed_member_is_still_in_the_call_and_gets_the_list_after_what_it_missed() {
    let server = TestServer::start().await;
    let mut bob = member(&server, "bob").await;
    let mut alice = server.login_resume("alice", FEATURES).await;
    all_join(&mut [&mut bob]).await;
    alice.client.send_json(json!({"type": "group-join"})).await;
    alice
        .wait_for(|f| matches!(f, FromServer::GroupCall { members } if members.len() == 2))
        .await;
    expect_list(&mut bob, &["bob", "alice"]).await;
    let (token, ack) = (alice.token.clone(), alice.ack());
    drop(alice.client);
    // While alice is away, bob's signals are kept for her.
    bob.send_json(candidate_signal("alice")).await;
    nothing_else_to_self(&mut bob).await;
    let (mut alice, _) = server.resume(&token, ack, false, FEATURES).await.unwrap();
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::GroupSignal { name, candidate: Some(_), .. } if name == "bob"
    ));
    let missed = alice.next_non_presence().await;
    assert_eq!(chat_text(&missed), Some("mark"));
    assert_eq!(
        alice.next_non_presence().await,
        FromServer::GroupCall {
            members: vec!["bob".into(), "alice".into()]
        }
    );
    // Still a member: signals go both ways.
    alice.client.send_json(offer_signal("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::GroupSignal { .. }
    ));
    server.stop().await.unwrap();
}

/// `client` sends itself nothing but a chat line to everyone and reads it back first: nothing
/// (no error) came in between.
async fn nothing_else_to_self(client: &mut Client) {
    let id = client.id;
    client
        .send_json(json!({"type": "message", "id": id, "text": "mark", "date": 1}))
        .await;
    let got = client.next_non_presence().await;
    assert_eq!(
        chat_text(&got),
        Some("mark"),
        "{}: got {got:?}",
        client.name
    );
}

#[tokio::test]
async fn media_state_goes_between_members() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let mut bob = member(&server, "bob").await;
    let (mut carol, _) = login(&server, "carol", &["group-call"]).await;
    let mut dave = member(&server, "dave").await;
    all_join(&mut [&mut alice, &mut bob, &mut carol]).await;
    for _ in 0..3 {
        dave.next_non_presence().await;
    }
    let state = |to: &str| json!({"type": "media-state", "target": to, "audio": false, "video": true, "screen": false});
    alice.send_json(state("bob")).await;
    assert_eq!(
        bob.next_text_non_presence().await,
        r#"{"type":"media-state","name":"alice","target":"bob","audio":false,"video":true,"screen":false}"#
    );
    // The `group-call` feature is enough to get it from a member.
    alice.send_json(state("carol")).await;
    assert!(matches!(
        carol.next_non_presence().await,
        FromServer::MediaState { .. }
    ));
    // Not to someone outside the call.
    alice.send_json(state("dave")).await;
    alice.expect_error(ErrorCode::NotInCall).await;
    dave.send_json(state("alice")).await;
    dave.expect_error(ErrorCode::NotInCall).await;
    nothing_else(&mut alice, &mut dave, "nothing to dave").await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn clients_without_the_feature_get_no_group_frames_and_cannot_join() {
    let server = TestServer::start().await;
    let mut alice = member(&server, "alice").await;
    let (mut bob, list) = login(&server, "bob", &["userlist-delta", "media-state"]).await;
    assert_eq!(list, None);
    let mut mdn = server.login("mdn").await;
    join(&mut bob).await;
    bob.expect_error(ErrorCode::BadMessage).await;
    join(&mut mdn).await;
    mdn.expect_error(ErrorCode::BadMessage).await;
    all_join(&mut [&mut alice]).await;
    // Signals from outside the call are refused.
    bob.send_json(offer_signal("alice")).await;
    bob.expect_error(ErrorCode::NotInCall).await;
    nothing_else(&mut alice, &mut bob, "to bob").await;
    nothing_else(&mut alice, &mut mdn, "to mdn").await;
    // MDN's client still calls and chats as always, with a member's onlooker.
    mdn.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    server.stop().await.unwrap();
}
