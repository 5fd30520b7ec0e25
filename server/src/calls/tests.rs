//! Unit tests of the pairing rules.

use super::*;
use tokio::time::Instant;

fn everyone(_: ConnId) -> bool {
    true
}

#[test]
fn offer_pairs_both_unless_the_callee_is_busy() {
    let mut calls = Calls::default();
    calls.on_relay(1, 2, CallEvent::Offer, everyone);
    assert_eq!((calls.partner(1), calls.partner(2)), (Some(2), Some(1)));
    // 3 calls 2, who is busy with 1: 3 points at 2, 2 still at 1.
    calls.on_relay(3, 2, CallEvent::Offer, everyone);
    assert_eq!((calls.partner(3), calls.partner(2)), (Some(2), Some(1)));
    // Candidates change nothing.
    calls.on_relay(3, 2, CallEvent::Candidate, everyone);
    assert_eq!(calls.partner(2), Some(1));
    // The busy callee's partner is gone: the new caller gets the callee.
    calls.on_relay(3, 2, CallEvent::Offer, |id| id != 1);
    assert_eq!(calls.partner(2), Some(3));
}

#[test]
fn answer_pairs_and_frees_the_old_partner_who_pointed_back() {
    let mut calls = Calls::default();
    calls.on_relay(1, 2, CallEvent::Offer, everyone);
    // 1 answers 3 instead: 2, who pointed at 1, is freed.
    calls.on_relay(1, 3, CallEvent::Answer, everyone);
    assert_eq!(calls.partner(1), Some(3));
    assert_eq!(calls.partner(3), Some(1));
    assert_eq!(calls.partner(2), None);
}

#[test]
fn hang_up_and_departure_end_the_pair() {
    let mut calls = Calls::default();
    calls.on_relay(1, 2, CallEvent::Answer, everyone);
    calls.on_relay(1, 2, CallEvent::HangUp, everyone);
    assert_eq!((calls.partner(1), calls.partner(2)), (None, None));

    calls.on_relay(1, 2, CallEvent::Answer, everyone);
    assert_eq!(calls.remove(1), Some(2));
    assert_eq!(calls.partner(2), None);
    assert_eq!(calls.remove(2), None);
    // A partner that did not point back is not told.
    calls.on_relay(3, 4, CallEvent::Answer, everyone);
    calls.on_relay(5, 4, CallEvent::Offer, everyone);
    assert_eq!(calls.remove(5), None);
    assert_eq!(calls.partner(4), Some(3));
}

#[test]
fn clients_not_logged_in_are_not_paired() {
    let mut calls = Calls::default();
    calls.on_relay(1, 2, CallEvent::Answer, |id| id == 2);
    assert_eq!(calls.partner(1), None);
    assert_eq!(calls.partner(2), Some(1));
}

#[test]
fn only_the_two_ends_of_a_call_or_open_offer_may_relay() {
    let now = Instant::now();
    let mut calls = Calls::default();
    let ok = |calls: &Calls, from, to, event| calls.check(from, to, event, now).is_ok();
    // No offer: no answer, candidate or hang-up.
    for event in [CallEvent::Answer, CallEvent::Candidate, CallEvent::HangUp] {
        assert!(!ok(&calls, 2, 1, event));
    }
    calls.on_relay(1, 2, CallEvent::Offer, everyone);
    assert!(ok(&calls, 2, 1, CallEvent::Answer));
    assert!(ok(&calls, 2, 1, CallEvent::Candidate));
    assert!(
        !ok(&calls, 3, 2, CallEvent::Answer),
        "a third user's answer"
    );
    assert!(
        !ok(&calls, 1, 2, CallEvent::Answer),
        "the caller answering its own offer"
    );
    calls.on_relay(2, 1, CallEvent::Answer, everyone);
    // The offer was answered: a second answer needs a new offer (renegotiation).
    assert!(!ok(&calls, 2, 1, CallEvent::Answer));
    calls.on_relay(2, 1, CallEvent::Offer, everyone);
    assert!(ok(&calls, 1, 2, CallEvent::Answer));
    // 3 rings 2, who is busy: their offer links them, until 2 hangs up.
    calls.on_relay(3, 2, CallEvent::Offer, everyone);
    assert!(ok(&calls, 2, 3, CallEvent::HangUp));
    calls.on_relay(2, 3, CallEvent::HangUp, everyone);
    assert!(!ok(&calls, 3, 2, CallEvent::Candidate));
    assert_eq!(calls.partner(2), Some(1));
    // Leaving closes one's open offer.
    calls.on_relay(4, 5, CallEvent::Offer, everyone);
    calls.remove(4);
    assert!(!ok(&calls, 5, 4, CallEvent::Answer));
}

#[test]
fn a_declined_caller_is_refused_until_the_cool_down_ends() {
    let now = Instant::now();
    let later = now + std::time::Duration::from_secs(30);
    let mut calls = Calls::default();
    calls.on_relay(1, 2, CallEvent::Offer, everyone);
    calls.on_relay(2, 1, CallEvent::Decline, everyone);
    calls.decline(1, 2, later, now);
    assert_eq!(calls.partner(1), None);
    assert_eq!(
        calls.check(1, 2, CallEvent::Offer, now),
        Err(CallRefusal::RecentlyDeclined)
    );
    // The callee may call back; others may ring it; after the cool-down the caller may too.
    assert!(calls.check(2, 1, CallEvent::Offer, now).is_ok());
    assert!(calls.check(3, 2, CallEvent::Offer, now).is_ok());
    assert!(calls.check(1, 2, CallEvent::Offer, later).is_ok());
    // Expired cool-downs are dropped as new ones are added.
    for caller in 10..10 + COOLDOWNS_PRUNE_AT as u64 {
        calls.decline(caller, 2, now, now);
    }
    calls.decline(9, 2, later, later);
    assert!(calls.cooldown.len() <= 3, "{}", calls.cooldown.len());
}
