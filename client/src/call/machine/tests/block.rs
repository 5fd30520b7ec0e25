//! Host tests of blocking a caller for the session: a blocked person's offers are declined
//! without ringing, a call with them ends when they are blocked, unblocking lets them ring.

use shared::HangUpReason;

use super::*;

fn block(peer: &str) -> Input {
    cmd(CallCommand::Block {
        peer: peer.to_owned(),
    })
}

#[test]
fn an_offer_from_a_blocked_user_is_declined_without_ringing() {
    let mut m = alice();
    m.handle(block("bob"), STABLE);
    assert!(m.view().blocked.contains("bob"), "bob shows as blocked");
    let fx = m.handle(offer_from("bob"), STABLE);
    assert_eq!(fx, vec![hang_up("bob", HangUpReason::Declined)]);
    assert_eq!(m.view().phase, CallPhase::Idle, "nothing rings");
    assert_eq!(m.pc_id(), None, "no peer connection for a blocked caller");
    // A loop of offers and hang-ups never rings either.
    for _ in 0..3 {
        m.handle(hang_up_from("bob", Some(HangUpReason::Cancelled)), STABLE);
        let fx = m.handle(offer_from("bob"), STABLE);
        assert_eq!(fx, vec![hang_up("bob", HangUpReason::Declined)]);
        assert_eq!(m.view().phase, CallPhase::Idle);
    }
    // Candidates of the refused offer reach nothing.
    assert!(m.handle(candidate_from("bob", 1), STABLE).is_empty());
}

#[test]
fn others_still_ring_and_a_blocked_user_is_declined_while_busy() {
    let mut m = alice();
    m.handle(block("bob"), STABLE);
    m.handle(offer_from("carol"), STABLE);
    assert_eq!(
        m.view().phase,
        CallPhase::Ringing {
            peer: "carol".to_owned()
        }
    );
    let fx = m.handle(offer_from("bob"), STABLE);
    assert_eq!(fx, vec![hang_up("bob", HangUpReason::Declined)]);
    assert_eq!(
        m.view().phase,
        CallPhase::Ringing {
            peer: "carol".to_owned()
        },
        "carol's call is left alone"
    );
}

#[test]
fn blocking_the_ringing_caller_declines_and_keeps_them_blocked() {
    let mut m = ringing_from_bob();
    let fx = m.handle(block("bob"), STABLE);
    assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::Declined))));
    assert_eq!(m.view().phase, CallPhase::Idle);
    assert!(
        m.view().blocked.contains("bob"),
        "the list outlives the call"
    );
    let fx = m.handle(offer_from("bob"), STABLE);
    assert_eq!(fx, vec![hang_up("bob", HangUpReason::Declined)]);
}

#[test]
fn blocking_the_partner_of_a_call_ends_it() {
    let mut m = in_call_with_bob();
    let fx = m.handle(block("bob"), STABLE);
    assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::Ended))));
    let mut m = calling_bob();
    let fx = m.handle(block("bob"), STABLE);
    assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::Cancelled))));
}

#[test]
fn blocking_someone_else_leaves_the_call_alone() {
    let mut m = in_call_with_bob();
    assert!(m.handle(block("carol"), STABLE).is_empty());
    assert!(matches!(m.view().phase, CallPhase::InCall { .. }));
    assert!(m.view().blocked.contains("carol"));
}

#[test]
fn oneself_cannot_be_blocked() {
    let mut m = alice();
    assert!(m.handle(block("alice"), STABLE).is_empty());
    assert!(m.view().blocked.is_empty());
}

#[test]
fn an_unblocked_user_rings_again() {
    let mut m = alice();
    m.handle(block("bob"), STABLE);
    m.handle(
        cmd(CallCommand::Unblock {
            peer: "bob".to_owned(),
        }),
        STABLE,
    );
    assert!(m.view().blocked.is_empty());
    m.handle(offer_from("bob"), STABLE);
    assert_eq!(m.view().phase, CallPhase::Ringing { peer: bob() });
}
