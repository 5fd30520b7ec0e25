//! The live region's sentences for each change of call phase.

use super::phase_change;
use crate::call::CallPhase;

fn ringing(peer: &str) -> CallPhase {
    CallPhase::Ringing { peer: peer.into() }
}

fn in_call(peer: &str, since_ms: f64) -> CallPhase {
    CallPhase::InCall {
        peer: peer.into(),
        since_ms,
    }
}

#[test]
fn a_call_from_ringing_to_ended_is_said_at_each_step() {
    let connecting = CallPhase::Connecting {
        peer: "alice".into(),
    };
    let steps = [
        (
            CallPhase::Idle,
            ringing("alice"),
            "alice is calling you. Accept or decline.",
        ),
        (ringing("alice"), connecting.clone(), "Connecting to alice…"),
        (connecting, in_call("alice", 1.0), "Connected to alice."),
        (
            in_call("alice", 1.0),
            CallPhase::Idle,
            "Call with alice ended.",
        ),
    ];
    for (before, after, said) in steps {
        assert_eq!(
            phase_change(&before, &after).as_deref(),
            Some(said),
            "{before:?} → {after:?}"
        );
    }
}

#[test]
fn outgoing_calls_and_media_repairs_are_said() {
    let calling = CallPhase::Calling { peer: "bob".into() };
    assert_eq!(
        phase_change(&CallPhase::Idle, &calling).as_deref(),
        Some("Calling bob…")
    );
    assert_eq!(
        phase_change(&calling, &CallPhase::Idle).as_deref(),
        Some("Call with bob ended before it started.")
    );
    let repairing = CallPhase::Reconnecting {
        peer: "bob".into(),
        since_ms: 1.0,
    };
    assert_eq!(
        phase_change(&in_call("bob", 1.0), &repairing).as_deref(),
        Some("The connection dropped; reconnecting media…")
    );
    assert_eq!(
        phase_change(&repairing, &in_call("bob", 1.0)).as_deref(),
        Some("Reconnected to bob.")
    );
}

#[test]
fn nothing_is_said_without_a_change_of_phase() {
    assert_eq!(phase_change(&CallPhase::Idle, &CallPhase::Idle), None);
    assert_eq!(phase_change(&ringing("alice"), &ringing("alice")), None);
    // A new start time is not news.
    assert_eq!(
        phase_change(&in_call("alice", 1.0), &in_call("alice", 2.0)),
        None
    );
    // Another caller is.
    assert_eq!(
        phase_change(&ringing("alice"), &ringing("carol")).as_deref(),
        Some("carol is calling you. Accept or decline.")
    );
}
