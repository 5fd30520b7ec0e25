//! Repairing an established call whose media path broke: ICE restarts with backoff, deferred
//! while signaling cannot reach the peer, and a budget after which the call ends.
//!
//! # Who restarts (glare-safe)
//! `restartIce()` only marks the connection; the offer it causes goes through perfect
//! negotiation like any other. The **impolite side** (role Caller) restarts: after the
//! connection was `disconnected` for [`RESTART_AFTER_DISCONNECTED_MS`], or at once on
//! `failed`. The **polite side** (role Callee) restarts only as a fallback, when the call is
//! still broken after [`POLITE_FALLBACK_MS`] (the impolite side may be the one whose network
//! is gone, or its offers may not get through). Should both restart at once, their offers
//! collide and perfect negotiation settles it as for any collision (the polite side rolls
//! back and answers), so the rule saves work and never breaks the call. Each side retries
//! with backoff ([`RESTART_BACKOFF_MS`], the last step repeating) while it is broken.
//!
//! # Signaling down
//! A restart whose offer cannot reach the peer (our socket is away, or the partner's, as the
//! server's `user-state` says) is not made but remembered, and made as soon as both are back.
//!
//! # Giving up
//! A repair has [`REPAIR_LIMIT_MS`] of time during which signaling works (the clock stops
//! while it does not: a partner away is bounded by the server's grace window instead). When it
//! runs out the call ends with `ConnectionFailed`. `connected` ends the repair; so does the
//! end of a restart's negotiation while the browser says the connection works (a restart on
//! a path that never broke brings no state change).
//!
//! While repairing, the phase is `Reconnecting` ("Reconnecting media…"); a call rebuilt on a
//! new peer connection (`rejoin`) is repaired the same way, with no restart planned.

use super::{Effect, Env, Machine, Role, Timer};
use crate::call::CallPhase;

/// The impolite side's wait on `disconnected` before its first restart (it often heals).
pub const RESTART_AFTER_DISCONNECTED_MS: u32 = 3_000;
/// The polite side's wait before it restarts itself.
pub const POLITE_FALLBACK_MS: u32 = 10_000;
/// The waits between restarts; the last one repeats.
pub const RESTART_BACKOFF_MS: [u32; 3] = [2_000, 4_000, 8_000];
/// How long a repair may try while signaling works before the call ends.
pub const REPAIR_LIMIT_MS: u32 = 30_000;

/// One repair of the call's media.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Repair {
    /// Restarts made so far.
    attempts: u32,
    /// A restart is due but signaling is down: made once it is back.
    deferred: bool,
    /// Budget used so far, in ms.
    spent_ms: f64,
    /// When the budget clock last started; `None` while it stands still.
    running_since: Option<f64>,
}

impl Machine {
    /// Whether an offer made now reaches the partner soon.
    fn can_signal(&self) -> bool {
        !self.signaling_down && self.call.as_ref().is_some_and(|c| !c.peer_away)
    }

    /// The connection broke (`failed` is true for `failed`, false for `disconnected`).
    pub(super) fn connection_broke(&mut self, failed: bool, env: Env, fx: &mut Vec<Effect>) {
        let Some(call) = &self.call else {
            return;
        };
        let impolite = call.role == Role::Caller;
        if let Some(repair) = &call.repair {
            // Already repairing: `failed` before our first restart makes it due now.
            if impolite && failed && repair.attempts == 0 {
                self.restart(fx);
            }
            return;
        }
        self.begin_repair(env, fx);
        let wait = match (impolite, failed) {
            (true, true) => return self.restart(fx),
            (true, false) => RESTART_AFTER_DISCONNECTED_MS,
            (false, _) => POLITE_FALLBACK_MS,
        };
        fx.push(Effect::StartTimer {
            timer: Timer::IceRestart,
            ms: wait,
        });
    }

    /// Enters the phase Reconnecting with a repair (keeping the call's start time), unless
    /// one runs.
    pub(super) fn begin_repair(&mut self, env: Env, fx: &mut Vec<Effect>) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let since_ms = match self.view.phase {
            CallPhase::InCall { since_ms, .. } | CallPhase::Reconnecting { since_ms, .. } => {
                since_ms
            }
            _ => env.now_ms,
        };
        self.view.phase = CallPhase::Reconnecting {
            peer: call.peer.clone(),
            since_ms,
        };
        if call.repair.is_none() {
            call.repair = Some(Repair::default());
            fx.push(Effect::CancelTimer(Timer::Connect));
            self.sync_repair_clock(env, fx);
        }
    }

    /// Restarts ICE now if signaling works (and plans the next try), else remembers it.
    pub(super) fn restart(&mut self, fx: &mut Vec<Effect>) {
        let can_signal = self.can_signal();
        let Some(repair) = self.call.as_mut().and_then(|c| c.repair.as_mut()) else {
            return;
        };
        if !can_signal {
            repair.deferred = true;
            return;
        }
        repair.deferred = false;
        let step = (repair.attempts as usize).min(RESTART_BACKOFF_MS.len() - 1);
        repair.attempts += 1;
        fx.push(Effect::RestartIce);
        fx.push(Effect::StartTimer {
            timer: Timer::IceRestart,
            ms: RESTART_BACKOFF_MS[step],
        });
    }

    /// Starts or stops the repair's budget clock as signaling comes and goes; a restart that
    /// waited for signaling is made when it is back.
    pub(super) fn sync_repair_clock(&mut self, env: Env, fx: &mut Vec<Effect>) {
        let can_signal = self.can_signal();
        let Some(repair) = self.call.as_mut().and_then(|c| c.repair.as_mut()) else {
            return;
        };
        match (can_signal, repair.running_since) {
            (true, None) => {
                repair.running_since = Some(env.now_ms);
                let left = (f64::from(REPAIR_LIMIT_MS) - repair.spent_ms).max(0.0);
                fx.push(Effect::StartTimer {
                    timer: Timer::GiveUp,
                    ms: left as u32,
                });
                if repair.deferred {
                    self.restart(fx);
                }
            }
            (false, Some(since)) => {
                repair.spent_ms += (env.now_ms - since).max(0.0);
                repair.running_since = None;
                fx.push(Effect::CancelTimer(Timer::GiveUp));
            }
            _ => {}
        }
    }

    /// The media flows again: back in the call (same start time), the route read anew.
    pub(super) fn repaired(&mut self, fx: &mut Vec<Effect>) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let CallPhase::Reconnecting { since_ms, .. } = self.view.phase else {
            return;
        };
        call.repair = None;
        self.view.phase = CallPhase::InCall {
            peer: call.peer.clone(),
            since_ms,
        };
        fx.push(Effect::CancelTimer(Timer::IceRestart));
        fx.push(Effect::CancelTimer(Timer::GiveUp));
        fx.push(Effect::ProbeRoute);
        fx.push(Effect::StartTimer {
            timer: Timer::RouteProbe,
            ms: super::ROUTE_PROBE_MS,
        });
    }
}
