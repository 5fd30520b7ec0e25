//! Unit tests of away sessions: detaching, expiry, takeover, and restore from a snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use shared::{FromServer, HangUpReason, Presence, UserName};
use tokio::time::Instant;

use crate::calls::CallEvent;
use crate::members::Features;
use crate::outbox::Outbox;
use crate::registry::Registry;
use crate::resumable::ResumeLimits;

fn name(n: &str) -> UserName {
    UserName::parse(n).unwrap()
}

fn resume() -> Features {
    Features {
        resume: true,
        ..Features::default()
    }
}

fn registry() -> Registry {
    let limits = ResumeLimits {
        grace: Duration::from_secs(30),
        leave_grace: Duration::from_secs(1),
        frames: 8,
        bytes: 1 << 20,
    };
    Registry::with_resume(16, limits)
}

/// Drains an outbox.
fn frames(outbox: &Outbox) -> Vec<FromServer> {
    outbox.drain_frames()
}

#[tokio::test]
async fn an_away_session_keeps_its_name_and_call_until_its_window_runs_out() {
    let registry = registry();
    let alice = registry.login(1, &name("alice"), resume());
    let (token, _) = alice.session.unwrap();
    let bob = registry.login(2, &name("bob"), resume());
    let bob_outbox = bob.outbox.unwrap();
    let frame: Utf8Bytes = "{}".into();
    registry
        .relay(1, "bob", frame.clone(), CallEvent::Offer)
        .unwrap();
    registry
        .relay(2, "alice", frame, CallEvent::Answer)
        .unwrap();
    // Bob has had his first list: from then on he hears of others' state.
    crate::presence::flush(&registry);
    while bob_outbox.try_pop().is_some() {}

    // A socket that is not the session's changes nothing; the session's own goes away.
    registry.detach(1, 99, false);
    assert_eq!(registry.away_count(), 0);
    registry.detach(1, 1, true);
    assert_eq!(registry.away_count(), 1);
    let away = FromServer::UserState {
        name: "alice".into(),
        state: Presence::Reconnecting,
        fresh: false,
    };
    assert_eq!(frames(&bob_outbox), [away]);
    assert!(registry.is_online(1));

    // `leaving`: the leave window (1 s), not the grace (30 s).
    let now = Instant::now();
    let next = registry.expire_due(now).unwrap();
    assert!(next <= now + Duration::from_secs(1));
    assert_eq!(registry.expire_due(next), None);
    assert!(!registry.is_online(1));
    let left = FromServer::HangUp {
        name: "alice".into(),
        target: "bob".into(),
        reason: Some(HangUpReason::Left),
    };
    assert_eq!(frames(&bob_outbox), [left]);
    assert!(registry.resume(3, &token, 0, false, resume()).is_none());
}

#[tokio::test]
async fn a_snapshot_restores_names_held_and_pairs_kept() {
    let registry = registry();
    let (token, _) = registry.login(1, &name("alice"), resume()).session.unwrap();
    registry.login(2, &name("bob"), resume());
    registry.login(3, &name("carol"), Features::default());
    let frame: Utf8Bytes = "{}".into();
    registry
        .relay(1, "bob", frame.clone(), CallEvent::Offer)
        .unwrap();
    registry
        .relay(2, "alice", frame, CallEvent::Answer)
        .unwrap();
    let saved = registry.snapshot();
    assert_eq!(saved.len(), 2, "only resume sessions are kept");
    assert_eq!(saved[0].partner, Some(2));

    let restarted = registry_after(&saved);
    let squatter = restarted.login(7, &name("alice"), Features::default());
    assert_eq!(squatter.name.as_str(), "alice2");
    let back = restarted.resume(8, &token, 12, false, resume()).unwrap();
    assert_eq!((back.ack, back.partner.as_deref()), (0, Some("bob")));
    assert_eq!(back.name.as_str(), "alice");
    // The token was spent.
    assert!(restarted.resume(9, &token, 0, false, resume()).is_none());
}

fn registry_after(saved: &[crate::registry::SavedSession]) -> Registry {
    let registry = registry();
    let highest = registry.restore(saved, Instant::now() + Duration::from_secs(30));
    assert_eq!(highest, 2);
    registry
}
