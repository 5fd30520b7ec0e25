//! What rings when: every phase change out of ringing stops everything, visibility decides the
//! notification and the title; the title alternation; the cadence envelope.

use super::{Alerts, PERIOD_S, TONE_LEVEL, alerts, calling, envelope, flashed_title, periods};
use crate::call::CallPhase;
use crate::call::machine::RING_TIMEOUT_MS;

fn ringing() -> CallPhase {
    CallPhase::Ringing {
        peer: "alice".into(),
    }
}

#[test]
fn a_ring_in_a_hidden_tab_sets_off_all_three() {
    assert_eq!(
        alerts(&ringing(), true),
        Alerts {
            tone: true,
            notification: Some("alice".into()),
            flash: Some("alice".into()),
        }
    );
}

#[test]
fn a_ring_in_a_visible_tab_only_rings() {
    assert_eq!(
        alerts(&ringing(), false),
        Alerts {
            tone: true,
            notification: None,
            flash: None,
        }
    );
}

#[test]
fn every_way_out_of_ringing_stops_everything() {
    // Accept → connecting; decline, the caller's cancel, block and the time-out → idle.
    let after = [
        CallPhase::Connecting {
            peer: "alice".into(),
        },
        CallPhase::Idle,
        CallPhase::InCall {
            peer: "alice".into(),
            since_ms: 0.0,
        },
    ];
    for phase in after {
        for hidden in [false, true] {
            assert_eq!(alerts(&phase, hidden), Alerts::default(), "{phase:?}");
        }
    }
}

#[test]
fn our_own_calls_never_ring() {
    let calling = CallPhase::Calling { peer: "bob".into() };
    assert_eq!(alerts(&calling, true), Alerts::default());
    let reconnecting = CallPhase::Reconnecting {
        peer: "bob".into(),
        since_ms: 0.0,
    };
    assert_eq!(alerts(&reconnecting, true), Alerts::default());
}

#[test]
fn the_title_alternates_and_ends_on_either() {
    assert_eq!(calling("alice"), "📞 alice is calling…");
    let titles: Vec<String> = (0..4)
        .map(|t| flashed_title("Parley", "alice", t))
        .collect();
    assert_eq!(
        titles,
        [
            "📞 alice is calling…",
            "Parley",
            "📞 alice is calling…",
            "Parley"
        ]
    );
}

#[test]
fn the_cadence_is_a_double_ring_from_silence() {
    let points = envelope(10.0, 2);
    assert_eq!(points.len(), 16, "two bursts of four points per period");
    assert_eq!(points[0], (10.0, 0.0), "starts silent");
    assert_eq!(points.last().map(|p| p.1), Some(0.0), "ends silent");
    assert!(points.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
    assert!(points.iter().all(|p| p.1 == 0.0 || p.1 == TONE_LEVEL));
    // The second period starts one period later.
    assert_eq!(points[8].0, 10.0 + PERIOD_S);
    // Loud for 0.8 s of every 3 s (minus the ramps).
    let loud: f64 = points
        .chunks(4)
        .map(|burst| burst[3].0 - burst[0].0)
        .sum::<f64>()
        / 2.0;
    assert!((loud - 0.8).abs() < 1e-9, "{loud}");
}

#[test]
fn the_envelope_outlasts_the_longest_ring() {
    let covered = f64::from(periods()) * PERIOD_S * 1000.0;
    assert!(covered >= f64::from(RING_TIMEOUT_MS), "{covered}");
}
