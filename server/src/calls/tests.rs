//! Unit tests of the pairing rules.

use super::*;

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
