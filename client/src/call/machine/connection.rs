//! What the current peer connection and the call's timers report, and what the machine makes of
//! it: descriptions made or applied (handed to [`Negotiation`](super::negotiation::Negotiation)),
//! local candidates sent to the peer, ICE connection states (connected; `disconnected` and
//! `failed` start a repair, see `repair`), candidate errors that show a refusing relay, route
//! probes and the ring, connect, ICE-restart and give-up timers.
//!
//! Reports of a peer connection that is no longer the call's are dropped here, by its
//! [`PcId`](super::PcId).

use shared::{HangUpReason, ToServer};

use super::negotiation::LocalDescription;
use super::{Effect, Env, Input, Machine, PeerState, ROUTE_PROBE_MS, Role, Timer};
use crate::call::CallPhase;
use crate::call::notice::CallNotice;

impl Machine {
    /// A call timer ran out: give up ringing or connecting, or probe the route again.
    pub(super) fn on_timer(&mut self, timer: Timer, fx: &mut Vec<Effect>) {
        let Some(call) = &self.call else {
            return;
        };
        let peer = call.peer.clone();
        let relay_refused = call.relay_refused;
        match (timer, &self.view.phase) {
            (Timer::Ring, CallPhase::Calling { .. }) => {
                let notice = CallNotice::NoAnswer { peer };
                self.end(Some(HangUpReason::Cancelled), Some(notice), fx);
            }
            (Timer::IceRestart, CallPhase::Reconnecting { .. }) => self.restart(fx),
            (Timer::Connect, CallPhase::Connecting { .. })
            | (Timer::GiveUp, CallPhase::Reconnecting { .. }) => {
                let notice = CallNotice::ConnectionFailed {
                    peer,
                    relay_refused,
                };
                self.end(Some(HangUpReason::ConnectionFailed), Some(notice), fx);
            }
            (Timer::RouteProbe, CallPhase::InCall { .. } | CallPhase::Reconnecting { .. }) => {
                fx.push(Effect::ProbeRoute);
                fx.push(Effect::StartTimer {
                    timer: Timer::RouteProbe,
                    ms: ROUTE_PROBE_MS,
                });
            }
            _ => {}
        }
    }

    /// Results and events of the current peer connection; those of an older one are dropped.
    pub(super) fn on_peer_event(&mut self, input: Input, env: Env, fx: &mut Vec<Effect>) {
        let Some(pc) = input.peer_connection() else {
            return;
        };
        let Some(call) = self.call.as_mut().filter(|c| c.pc == pc) else {
            return;
        };
        let connected = matches!(
            self.view.phase,
            CallPhase::InCall { .. } | CallPhase::Reconnecting { .. }
        );
        let peer = call.peer.clone();
        let me = self.me.clone();
        // A restart's negotiation that ends while the browser says the connection works
        // ends the repair (no state change comes when the path never really broke).
        let round_done = matches!(
            input,
            Input::RemoteDescriptionSet { .. } | Input::LocalDescriptionSet { .. }
        ) && env.connection == PeerState::Connected
            && env.signaling == super::Signaling::Stable;
        if round_done && call.repair.is_some() {
            self.repaired(fx);
        }
        let Some(call) = self.call.as_mut() else {
            return;
        };
        match input {
            Input::NegotiationNeeded { .. } => {
                let may_offer = call.role == Role::Caller || call.accepted;
                call.neg.needed(may_offer, env, fx);
            }
            Input::LocalDescriptionSet { sdp, .. } => match call.neg.local_set(sdp.kind) {
                LocalDescription::Offer => fx.push(Effect::Send(ToServer::VideoOffer {
                    name: me,
                    target: peer,
                    sdp,
                })),
                LocalDescription::Answer => fx.push(Effect::Send(ToServer::VideoAnswer {
                    name: me,
                    target: peer,
                    sdp,
                })),
                LocalDescription::Keep => {}
            },
            Input::RemoteDescriptionSet { kind, .. } => {
                let offer_applied = call.neg.remote_set(kind);
                if offer_applied && call.accepted {
                    call.answer(fx);
                }
            }
            Input::LocalDescriptionFailed { .. } | Input::RemoteDescriptionFailed { .. } => {
                call.neg.failed();
                // Once media flows, a failed renegotiation leaves the call as it was; before
                // that, the call cannot be set up.
                if !connected {
                    let notice = CallNotice::SetupFailed { peer };
                    self.end(Some(HangUpReason::ConnectionFailed), Some(notice), fx);
                }
            }
            Input::LocalCandidate {
                candidate: Some(candidate),
                ..
            } => {
                call.local_candidates += 1;
                fx.push(Effect::Send(ToServer::NewIceCandidate {
                    name: me,
                    target: peer,
                    candidate,
                }));
            }
            Input::LocalCandidate {
                candidate: None, ..
            }
                // Gathering ended with nothing: no path can ever be found, say so now rather
                // than after the connect timeout (typical: relay-only with refused credentials).
                if call.local_candidates == 0 => {
                    let notice = CallNotice::NoPath {
                        peer,
                        relay_refused: call.relay_refused,
                    };
                    self.end(Some(HangUpReason::ConnectionFailed), Some(notice), fx);
                }
            Input::CandidateError { code, url, .. }
                if url.starts_with("turn") && matches!(code, 401 | 403 | 431 | 441) => {
                    call.relay_refused = true;
                }
            Input::ConnectionState { state, .. } => self.on_connection_state(state, env, fx),
            Input::RouteProbed { route, .. }
                if route.is_some() => {
                    self.view.route = route;
                }
            _ => {}
        }
    }

    fn on_connection_state(&mut self, state: PeerState, env: Env, fx: &mut Vec<Effect>) {
        let Some(call) = &self.call else {
            return;
        };
        let peer = call.peer.clone();
        match (state, &self.view.phase) {
            (PeerState::Connected, CallPhase::Connecting { .. }) => {
                self.view.phase = CallPhase::InCall {
                    peer,
                    since_ms: env.now_ms,
                };
                fx.push(Effect::CancelTimer(Timer::Connect));
                fx.push(Effect::ProbeRoute);
                fx.push(Effect::StartTimer {
                    timer: Timer::RouteProbe,
                    ms: ROUTE_PROBE_MS,
                });
            }
            (PeerState::Connected, CallPhase::Reconnecting { .. }) => self.repaired(fx),
            (
                PeerState::Disconnected,
                CallPhase::InCall { .. } | CallPhase::Reconnecting { .. },
            ) => {
                self.connection_broke(false, env, fx);
            }
            (PeerState::Failed, CallPhase::InCall { .. } | CallPhase::Reconnecting { .. }) => {
                self.connection_broke(true, env, fx);
            }
            (PeerState::Failed, CallPhase::Connecting { .. }) => {
                let notice = CallNotice::ConnectionFailed {
                    peer,
                    relay_refused: call.relay_refused,
                };
                self.end(Some(HangUpReason::ConnectionFailed), Some(notice), fx);
            }
            _ => {}
        }
    }
}
