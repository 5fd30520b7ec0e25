//! Calls only between their two ends: an answer needs an open offer from its target; candidates
//! and hang-ups travel only within a call or an open offer; a refused frame gets `not-in-call`
//! to its sender and reaches nobody. Also with MDN-shaped frames (target-less hang-up, no `name`
//! on candidates), MDN's renegotiation, a busy callee's hang-up, and the decline cool-down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Client, TestServer, chat_text, sdp};
use serde_json::{Value, json};
use server::Settings;
use server::limits::Limits;
use shared::{ErrorCode, FromServer, HangUpReason};

fn candidate() -> Value {
    json!({"candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host", "sdpMid": "0", "sdpMLineIndex": 0})
}

fn offer(to: &str) -> Value {
    json!({"type": "video-offer", "target": to, "sdp": sdp("offer", 200)})
}

fn answer(to: &str) -> Value {
    json!({"type": "video-answer", "target": to, "sdp": sdp("answer", 200)})
}

/// The next thing `to` gets (presence aside) is `from`'s marker: nothing else reached it.
async fn nothing_reached(from: &mut Client, to: &mut Client, text: &str) {
    from.marker(&to.name, text).await;
    let frame = to.next_non_presence().await;
    assert_eq!(chat_text(&frame), Some(text), "{}: got {frame:?}", to.name);
    // The sender gets its own private line back.
    from.next_non_presence().await;
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

async fn three(server: &TestServer) -> (Client, Client, Client) {
    let alice = server.login("alice").await;
    let bob = server.login("bob").await;
    let carol = server.login("carol").await;
    (alice, bob, carol)
}

#[tokio::test]
async fn a_third_users_answer_does_not_hijack_a_call() {
    let server = TestServer::start().await;
    let (mut alice, mut bob, mut carol) = three(&server).await;
    in_call(&mut alice, &mut bob).await;
    carol.send_json(answer("bob")).await;
    carol.expect_error(ErrorCode::NotInCall).await;
    nothing_reached(&mut carol, &mut bob, "after the answer").await;
    // Bob is still paired with Alice: her MDN hang-up (no target) reaches him.
    alice
        .send_json(json!({"type": "hang-up", "name": "alice", "target": null}))
        .await;
    let got = bob.next_non_presence().await;
    assert_eq!(
        got,
        FromServer::HangUp {
            name: "alice".into(),
            target: "bob".into(),
            reason: None
        }
    );
}

#[tokio::test]
async fn an_answer_without_an_offer_reaches_nobody() {
    let server = TestServer::start().await;
    let (mut alice, mut bob, _carol) = three(&server).await;
    bob.send_json(answer("alice")).await;
    bob.expect_error(ErrorCode::NotInCall).await;
    nothing_reached(&mut bob, &mut alice, "no answer").await;
    // Nor does answering an offer that went to someone else.
    alice.send_json(offer("carol")).await;
    bob.send_json(answer("alice")).await;
    bob.expect_error(ErrorCode::NotInCall).await;
    nothing_reached(&mut bob, &mut alice, "still no answer").await;
}

#[tokio::test]
async fn candidates_and_hang_ups_outside_a_call_reach_nobody_also_mdn_shaped() {
    let server = TestServer::start().await;
    let (mut alice, mut bob, mut carol) = three(&server).await;
    in_call(&mut alice, &mut bob).await;
    let frames = [
        json!({"type": "new-ice-candidate", "name": "carol", "target": "bob", "candidate": candidate()}),
        // MDN-shaped: no `name`.
        json!({"type": "new-ice-candidate", "target": "bob", "candidate": candidate()}),
        json!({"type": "hang-up", "name": "carol", "target": "bob"}),
        json!({"type": "hang-up", "target": "bob", "reason": "declined"}),
        // MDN's target-less hang-up: Carol is in no call.
        json!({"type": "hang-up", "name": "carol", "target": null}),
        json!({"type": "hang-up"}),
    ];
    for frame in frames {
        carol.send_json(frame).await;
        carol.expect_error(ErrorCode::NotInCall).await;
    }
    nothing_reached(&mut carol, &mut bob, "bob heard nothing").await;
    nothing_reached(&mut carol, &mut alice, "alice heard nothing").await;
    // The two ends still reach each other.
    bob.send_json(
        json!({"type": "new-ice-candidate", "target": "alice", "candidate": candidate()}),
    )
    .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::NewIceCandidate { .. }
    ));
}

#[tokio::test]
async fn a_busy_callee_hangs_up_on_a_third_caller_and_the_call_goes_on() {
    let server = TestServer::start().await;
    let (mut alice, mut bob, mut carol) = three(&server).await;
    in_call(&mut alice, &mut bob).await;
    // Carol's offer still rings Bob, and her candidates follow it.
    carol.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    carol
        .send_json(json!({"type": "new-ice-candidate", "target": "bob", "candidate": candidate()}))
        .await;
    bob.next_non_presence().await;
    // Bob's client answers busy.
    bob.send_json(json!({"type": "hang-up", "name": "bob", "target": "carol", "reason": "busy"}))
        .await;
    assert_eq!(
        carol.next_non_presence().await,
        FromServer::HangUp {
            name: "bob".into(),
            target: "carol".into(),
            reason: Some(HangUpReason::Busy)
        }
    );
    // That offer is over: Carol's hang-up now reaches nobody; Bob and Alice are still a pair.
    carol
        .send_json(json!({"type": "hang-up", "target": "bob"}))
        .await;
    carol.expect_error(ErrorCode::NotInCall).await;
    bob.send_json(json!({"type": "hang-up"})).await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::HangUp { name, .. } if name == "bob"
    ));
}

#[tokio::test]
async fn mdn_renegotiation_the_callees_own_offer_is_answered() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    in_call(&mut alice, &mut bob).await;
    // MDN's callee offers right after its answer; the caller answers it.
    in_call(&mut bob, &mut alice).await;
    // And again (an ICE restart from the caller).
    in_call(&mut alice, &mut bob).await;
    alice
        .send_json(json!({"type": "new-ice-candidate", "target": "bob", "candidate": candidate()}))
        .await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::NewIceCandidate { .. }
    ));
}

fn with_cooldown(cooldown: Duration) -> Settings {
    Settings {
        limits: Limits {
            decline_cooldown: cooldown,
            ..Limits::default()
        },
        ..Settings::default()
    }
}

#[tokio::test]
async fn a_declined_caller_cannot_ring_again_during_the_cool_down() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    for decline in [
        json!({"type": "hang-up", "name": "bob", "target": "alice2", "reason": "declined"}),
        // MDN-shaped: no target, Bob's partner is the caller.
        json!({"type": "hang-up", "reason": "declined"}),
    ] {
        let mut alice = server.login("alice2").await;
        alice.send_json(offer(&bob.name)).await;
        bob.next_non_presence().await;
        bob.send_json(decline).await;
        assert!(matches!(
            alice.next_non_presence().await,
            FromServer::HangUp {
                reason: Some(HangUpReason::Declined),
                ..
            }
        ));
        alice.send_json(offer("bob")).await;
        match alice.next_non_presence().await {
            FromServer::Error { code, message } => {
                assert_eq!(code, ErrorCode::RecentlyDeclined);
                assert!(message.contains("declined"), "{message}");
            }
            other => panic!("expected recently-declined, got {other:?}"),
        }
        nothing_reached(&mut alice, &mut bob, "no second ring").await;
        drop(alice);
        bob.wait_for_users(&["alice", "bob"]).await;
    }
    // Others may still ring Bob, and Bob may call back.
    alice.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
}

#[tokio::test]
async fn the_cool_down_is_a_flag() {
    let server = TestServer::start_with(with_cooldown(Duration::ZERO)).await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice.send_json(offer("bob")).await;
    bob.next_non_presence().await;
    bob.send_json(json!({"type": "hang-up", "target": "alice", "reason": "declined"}))
        .await;
    alice.next_non_presence().await;
    alice.send_json(offer("bob")).await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
}
