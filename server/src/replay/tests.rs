//! Unit tests of the replay buffer: numbering, acknowledgement, bounds, takeover.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn frame(text: &str) -> Utf8Bytes {
    text.to_owned().into()
}

#[test]
fn frames_after_the_ack_are_given_back_in_order_and_the_owner_moves() {
    let mut replay = Replay::new(1, 10, 1000);
    for text in ["a", "b", "c", "d"] {
        assert!(replay.record(1, &frame(text)));
    }
    replay.ack(1);
    assert_eq!(replay.room(), (7, 997));
    // The client got 2 of them: 3 and 4 again, and the old socket may no longer write.
    let again = replay.resume(2, 2).unwrap();
    assert_eq!(again, vec![frame("c"), frame("d")]);
    assert!(!replay.record(1, &frame("x")));
    assert!(replay.record(2, &frame("e")));
    // Already acknowledged frames are gone; a count never reached is refused.
    assert_eq!(replay.resume(3, 1), None);
    assert_eq!(replay.resume(3, 6), None);
    assert_eq!(replay.resume(3, 5).unwrap(), Vec::<Utf8Bytes>::new());
}

#[test]
fn taking_from_the_outbox_numbers_and_stops_once_replaced() {
    let outbox = Outbox::new(4);
    outbox.push(frame("a")).unwrap();
    outbox.push(frame("b")).unwrap();
    let mut replay = Replay::new(1, 10, 1000);
    assert_eq!(replay.take(1, &outbox), Take::Frame(frame("a")));
    assert_eq!(replay.resume(2, 0).unwrap(), vec![frame("a")]);
    // The old socket takes nothing more: "b" waits for the new one.
    assert_eq!(replay.take(1, &outbox), Take::Replaced);
    assert_eq!(replay.take(2, &outbox), Take::Frame(frame("b")));
    assert_eq!(replay.take(2, &outbox), Take::Empty);
}

#[test]
fn overflow_makes_the_session_unresumable_and_a_restart_starts_over() {
    let mut replay = Replay::new(1, 2, 1000);
    for text in ["a", "b", "c"] {
        assert!(replay.record(1, &frame(text)));
    }
    assert!(replay.overflowed());
    assert_eq!(replay.resume(2, 3), None);

    let mut bytes = Replay::new(1, 10, 5);
    assert!(bytes.record(1, &frame("abc")));
    assert!(!bytes.overflowed());
    assert!(bytes.record(1, &frame("def")));
    assert!(bytes.overflowed());
    bytes.restart(2);
    assert!(!bytes.overflowed());
    assert_eq!(bytes.resume(3, 0).unwrap(), Vec::<Utf8Bytes>::new());
}
