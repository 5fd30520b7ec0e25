//! Relays (`video-offer`, `video-answer`, `new-ice-candidate`, `hang-up`): only the target gets
//! them, with the sender's real name; call pairs are tracked so that a target-less `hang-up`
//! and a departure reach the partner.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Client, TestServer, chat_text, sdp};
use serde_json::{Value, json};
use shared::{ErrorCode, FromServer, HangUpReason};

fn candidate() -> Value {
    json!({
        "candidate": "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sEMT network-cost 999",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "sEMT"
    })
}

/// `caller` offers and `callee` answers (SDPs of `len` bytes), each reading the other's frame:
/// the server then counts them as a call pair.
async fn in_call(caller: &mut Client, callee: &mut Client, len: usize) {
    caller
        .send_json(json!({"type": "video-offer", "target": callee.name, "sdp": sdp("offer", len)}))
        .await;
    callee.next_non_presence().await;
    callee
        .send_json(
            json!({"type": "video-answer", "target": caller.name, "sdp": sdp("answer", len)}),
        )
        .await;
    caller.next_non_presence().await;
}

/// The `hang-up` Alice receives from `from`.
fn hang_up_to_alice(from: &str, reason: Option<HangUpReason>) -> FromServer {
    FromServer::HangUp {
        name: from.into(),
        target: "alice".into(),
        reason,
    }
}

/// MDN's target-less `hang-up` from `client`, who is in no call: refused.
async fn hang_up_outside_a_call(client: &mut Client) {
    client
        .send_json(json!({"type": "hang-up", "name": client.name, "target": null}))
        .await;
    client.expect_error(ErrorCode::NotInCall).await;
}

#[tokio::test]
async fn offer_answer_and_candidates_reach_only_the_target_with_the_real_name() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;

    // alice claims to be "mallory": the name is overwritten; the SDP is forwarded intact.
    let offer = sdp("offer", 5000);
    alice
        .send_json(json!({"type": "video-offer", "name": "mallory", "target": "bob", "sdp": offer}))
        .await;
    let got = bob.next_text_non_presence().await;
    let got: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(
        got,
        json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": offer})
    );

    bob.send_json(json!({"type": "video-answer", "name": "bob", "target": "alice", "sdp": sdp("answer", 3000)}))
        .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::VideoAnswer { name, target, .. } if name == "bob" && target == "alice"
    ));

    // MDN's candidate carries no `name`: the server adds the sender's.
    bob.send_json(
        json!({"type": "new-ice-candidate", "target": "alice", "candidate": candidate()}),
    )
    .await;
    let got: Value = serde_json::from_str(&alice.next_text_non_presence().await).unwrap();
    assert_eq!(
        got,
        json!({"type": "new-ice-candidate", "name": "bob", "target": "alice", "candidate": candidate()})
    );

    // carol saw none of it: the next thing she gets is a marker chat line.
    alice.marker("carol", "marker").await;
    assert_eq!(chat_text(&carol.next_non_presence().await), Some("marker"));
}

#[tokio::test]
async fn unknown_and_self_targets_are_refused() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice
        .send_json(json!({"type": "video-offer", "target": "nobody", "sdp": sdp("offer", 100)}))
        .await;
    alice.expect_error(ErrorCode::UnknownTarget).await;
    alice
        .send_json(json!({"type": "video-offer", "target": "alice", "sdp": sdp("offer", 100)}))
        .await;
    alice.expect_error(ErrorCode::SelfTarget).await;
    alice
        .send_json(json!({"type": "hang-up", "name": "alice", "target": "ghost"}))
        .await;
    alice.expect_error(ErrorCode::UnknownTarget).await;
}

#[tokio::test]
async fn targetless_hang_up_goes_to_the_partner_only() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;

    // Not in a call yet: nothing to hang up.
    hang_up_outside_a_call(&mut alice).await;

    in_call(&mut alice, &mut bob, 500).await;

    // MDN's hang-up: `"target": null`.
    bob.send_json(json!({"type": "hang-up", "name": "bob", "target": null}))
        .await;
    assert_eq!(
        alice.next_non_presence().await,
        hang_up_to_alice("bob", None)
    );
    bob.marker("carol", "after").await;
    assert_eq!(chat_text(&carol.next_non_presence().await), Some("after"));
    // The call is over for both.
    hang_up_outside_a_call(&mut alice).await;
}

#[tokio::test]
async fn targeted_hang_up_with_a_reason_is_relayed() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice
        .send_json(json!({"type": "video-offer", "target": "bob", "sdp": sdp("offer", 500)}))
        .await;
    bob.next_non_presence().await;
    bob.send_json(
        json!({"type": "hang-up", "name": "bob", "target": "alice", "reason": "declined"}),
    )
    .await;
    assert_eq!(
        alice.next_non_presence().await,
        hang_up_to_alice("bob", Some(HangUpReason::Declined))
    );
}

#[tokio::test]
async fn disconnect_mid_call_sends_hang_up_to_the_partner_and_a_new_list_to_all() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    in_call(&mut alice, &mut bob, 500).await;

    drop(bob);
    assert_eq!(
        alice.next_non_presence().await,
        hang_up_to_alice("bob", Some(HangUpReason::Left))
    );
    alice.wait_for_users(&["alice", "carol"]).await;
    carol.wait_for_users(&["alice", "carol"]).await;
}

#[tokio::test]
async fn a_caller_leaving_while_ringing_ends_the_ringing_but_a_busy_callee_is_not_disturbed() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    let dave = server.login("dave").await;

    // alice and bob are in a call.
    in_call(&mut alice, &mut bob, 200).await;

    // dave calls bob (busy) and leaves: bob must not get a hang-up (his call is with alice).
    let mut dave = dave;
    dave.send_json(json!({"type": "video-offer", "target": "bob", "sdp": sdp("offer", 200)}))
        .await;
    assert!(
        matches!(bob.next_non_presence().await, FromServer::VideoOffer { name, .. } if name == "dave")
    );
    drop(dave);
    bob.wait_for_users(&["alice", "bob", "carol"]).await;
    alice.marker("bob", "still in call").await;
    assert_eq!(
        chat_text(&bob.next_non_presence().await),
        Some("still in call")
    );
    assert_eq!(
        chat_text(&alice.next_non_presence().await),
        Some("still in call")
    );

    // bob hangs up; carol rings alice (free now) and leaves while it rings.
    bob.send_json(json!({"type": "hang-up", "target": "alice"}))
        .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::HangUp { .. }
    ));
    carol
        .send_json(json!({"type": "video-offer", "target": "alice", "sdp": sdp("offer", 200)}))
        .await;
    alice.next_non_presence().await;
    drop(carol);
    assert_eq!(
        alice.next_non_presence().await,
        hang_up_to_alice("carol", Some(HangUpReason::Left))
    );
}
