//! The call as a pure state machine: every decision about a call, with no browser in it.
//!
//! [`Machine::handle`] takes one [`Input`] (a command, a server frame, the result of a browser
//! operation, a timer) plus an [`Env`] snapshot (the clock and the peer connection's signaling
//! state, read the moment the input is handled) and returns the [`Effect`]s the driver must
//! carry out, in order. The driver owns the browser objects and feeds every outcome back in.
//!
//! # How a call is set up (fast path)
//! - Caller: on "call Bob" the peer connection is created with audio and video transceivers
//!   (`sendrecv`, no tracks yet) and `getUserMedia` starts at the same time. The offer is made
//!   on `negotiationneeded` and sent at once, so Bob rings while the camera is still opening;
//!   the tracks are put on the senders with `replaceTrack` when they arrive (no renegotiation).
//! - Callee: the offer is applied (`setRemoteDescription`) while ringing, so nothing but the
//!   answer is left when the person accepts. On Accept, `getUserMedia` starts, the offered
//!   transceivers are switched to `sendrecv` and the answer is sent without waiting for the
//!   camera: one negotiation instead of MDN's two.
//!
//! # Perfect negotiation
//! The callee is polite, the caller impolite. `making_offer`, `ignore_offer` and
//! `srd_answer_pending` are those of the W3C pattern; an offer that collides with our own is
//! ignored by the impolite side and applied after an explicit rollback by the polite side.
//! Remote candidates that arrive before any remote description was applied are queued
//! (bounded) and added right after it; candidate errors are never fatal.
//!
//! # Glare (both call each other at once)
//! Both sides are callers then, so politeness cannot decide. The tie-break is by name: the offer
//! of the lexicographically smaller name wins. The smaller side ignores the other's offer and
//! keeps calling; the larger side drops its own (not yet answered) peer connection, applies the
//! winning offer on a fresh one and answers it at once (it asked for this call too), keeping
//! its camera stream. Exactly one call results.
//!
//! # Trouble on the way
//! ICE `disconnected` is given [`ICE_GRACE_MS`] to heal (the caller restarts ICE meanwhile)
//! before the call ends; `failed` ends it at once. Gathering that ends without a single local
//! candidate (relay-only with a refusing TURN server) ends the call at once with a notice that
//! names the relay when it answered 401/403.
//!
//! # Endings
//! Every ending goes through one place (`end`): the `hang-up` to the peer when it can still be
//! told (with a reason), timers cancelled, the peer connection closed, all tracks stopped, the
//! phase back to Idle and a notice for the person when the ending was not their own doing.

mod io;
mod notice;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use shared::{FromServer, HangUpReason, IceCandidate, SdpType, SessionDescription, ToServer};

pub use io::{CallId, Effect, Env, Input, PcId, PeerState, Role, Signaling, Timer, TrackKind};
pub use notice::MediaError;

use super::{CallCommand, CallPhase, CallView};

/// An unanswered outgoing call gives up after this long.
pub const RING_TIMEOUT_MS: u32 = 45_000;
/// From the answer to a working connection.
pub const CONNECT_TIMEOUT_MS: u32 = 20_000;
/// ICE `disconnected` often heals by itself (a Wi-Fi hiccup) or after an ICE restart: wait this
/// long before ending.
pub const ICE_GRACE_MS: u32 = 8_000;
/// How often the selected candidate pair is read again (the route can change mid-call).
pub const ROUTE_PROBE_MS: u32 = 2_000;
/// Remote candidates kept while waiting for a remote description. A real offer brings a few
/// dozen at most; beyond this the oldest are dropped (bounded, so a flood cannot grow memory).
pub const MAX_QUEUED_CANDIDATES: usize = 128;

/// The call in progress (any phase but Idle).
#[derive(Debug)]
struct Call {
    id: CallId,
    peer: String,
    role: Role,
    pc: PcId,
    /// The callee accepted, or the caller got the answer.
    accepted: bool,
    /// Our transceivers send (`EnableSending` done, or a caller's from the start).
    sending: bool,
    media_ready: bool,
    making_offer: bool,
    ignore_offer: bool,
    srd_answer_pending: bool,
    /// A remote description was handed to the browser: candidates may follow it.
    remote_issued: bool,
    queued: VecDeque<IceCandidate>,
    local_candidates: u32,
    relay_refused: bool,
}

impl Call {
    fn new(id: CallId, peer: String, role: Role, pc: PcId) -> Self {
        Self {
            id,
            peer,
            role,
            pc,
            accepted: false,
            sending: role == Role::Caller,
            media_ready: false,
            making_offer: false,
            ignore_offer: false,
            srd_answer_pending: false,
            remote_issued: false,
            queued: VecDeque::new(),
            local_candidates: 0,
            relay_refused: false,
        }
    }

    /// Hands a remote description to the browser and then everything queued behind it.
    fn apply_remote(&mut self, sdp: SessionDescription, fx: &mut Vec<Effect>) {
        fx.push(Effect::SetRemoteDescription(sdp));
        self.remote_issued = true;
        fx.extend(self.queued.drain(..).map(Effect::AddIceCandidate));
    }

    /// Answers the applied offer: transceivers to `sendrecv`, our tracks on them, then the
    /// answer itself.
    fn answer(&mut self, fx: &mut Vec<Effect>) {
        fx.push(Effect::EnableSending);
        self.sending = true;
        if self.media_ready {
            fx.push(Effect::AttachMedia);
        }
        fx.push(Effect::SetLocalDescription);
    }
}

/// The call state machine. See the module documentation.
#[derive(Debug, Default)]
pub struct Machine {
    me: Option<String>,
    /// Who is online, once a `userlist` arrived.
    online: Option<Vec<String>>,
    next_id: u32,
    call: Option<Call>,
    view: CallView,
}

impl Machine {
    pub fn new() -> Self {
        Self::default()
    }

    /// What the UI shows.
    pub fn view(&self) -> &CallView {
        &self.view
    }

    /// The current call attempt, if any (the driver tags its media request with it).
    pub fn call_id(&self) -> Option<CallId> {
        self.call.as_ref().map(|c| c.id)
    }

    /// The current peer connection, if any (the driver tags its events with it).
    pub fn pc_id(&self) -> Option<PcId> {
        self.call.as_ref().map(|c| c.pc)
    }

    /// Handles one input and says what to do about it.
    pub fn handle(&mut self, input: Input, env: Env) -> Vec<Effect> {
        let mut fx = Vec::new();
        match input {
            Input::SetMe(name) => self.me = Some(name),
            Input::Command(cmd) => self.on_command(cmd, env, &mut fx),
            Input::Server(msg) => self.on_server(msg, env, &mut fx),
            Input::SocketLost => {
                self.online = None;
                if self.call.is_some() {
                    let notice = "The connection to the server was lost; the call ended.";
                    self.end(None, Some(notice.to_owned()), &mut fx);
                }
            }
            Input::PageHide => {
                if self.call.is_some() {
                    self.end(Some(HangUpReason::Left), None, &mut fx);
                }
            }
            Input::MediaReady { call } => self.on_media_ready(call, &mut fx),
            Input::MediaFailed { call, error } => {
                if self.call_id() == Some(call) {
                    self.end(
                        Some(HangUpReason::MediaError),
                        Some(error.sentence()),
                        &mut fx,
                    );
                }
            }
            Input::TimerFired(timer) => self.on_timer(timer, &mut fx),
            other => self.on_peer_event(other, env, &mut fx),
        }
        fx
    }

    fn on_command(&mut self, cmd: CallCommand, env: Env, fx: &mut Vec<Effect>) {
        match cmd {
            CallCommand::Call { peer } => self.start_call(peer, env, fx),
            CallCommand::Accept => self.accept(env, fx),
            CallCommand::Decline => {
                if matches!(self.view.phase, CallPhase::Ringing { .. }) {
                    self.end(Some(HangUpReason::Declined), None, fx);
                }
            }
            CallCommand::Cancel => {
                if matches!(self.view.phase, CallPhase::Calling { .. }) {
                    self.end(Some(HangUpReason::Cancelled), None, fx);
                }
            }
            CallCommand::HangUp => {
                let reason = match self.view.phase {
                    CallPhase::Idle => return,
                    CallPhase::Calling { .. } => HangUpReason::Cancelled,
                    CallPhase::Ringing { .. } => HangUpReason::Declined,
                    _ => HangUpReason::Ended,
                };
                self.end(Some(reason), None, fx);
            }
            CallCommand::SetMicEnabled(enabled) => {
                if self.call.is_some() {
                    self.view.mic_enabled = enabled;
                    fx.push(Effect::SetTrackEnabled {
                        kind: TrackKind::Audio,
                        enabled,
                    });
                }
            }
            CallCommand::SetCameraEnabled(enabled) => {
                if self.call.is_some() {
                    self.view.camera_enabled = enabled;
                    fx.push(Effect::SetTrackEnabled {
                        kind: TrackKind::Video,
                        enabled,
                    });
                }
            }
            CallCommand::DismissNotice => self.view.notice = None,
        }
    }

    fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    fn start_call(&mut self, peer: String, env: Env, fx: &mut Vec<Effect>) {
        if let Some(call) = &self.call {
            // Clicking the person who is ringing us means "yes".
            if call.peer == peer && matches!(self.view.phase, CallPhase::Ringing { .. }) {
                self.accept(env, fx);
            }
            return;
        }
        if self.me.as_deref() == Some(peer.as_str()) {
            return;
        }
        if let Some(online) = &self.online
            && !online.contains(&peer)
        {
            self.view.notice = Some(format!("{peer} is not online."));
            return;
        }
        let id = self.next_id();
        let call = Call::new(CallId(id), peer.clone(), Role::Caller, PcId(id));
        fx.push(Effect::CreatePeer {
            pc: call.pc,
            role: Role::Caller,
        });
        fx.push(Effect::AcquireMedia { call: call.id });
        fx.push(Effect::StartTimer {
            timer: Timer::Ring,
            ms: RING_TIMEOUT_MS,
        });
        self.call = Some(call);
        self.view.phase = CallPhase::Calling { peer };
        self.view.notice = None;
    }

    fn accept(&mut self, env: Env, fx: &mut Vec<Effect>) {
        let CallPhase::Ringing { peer } = &self.view.phase else {
            return;
        };
        let Some(call) = self.call.as_mut() else {
            return;
        };
        self.view.phase = CallPhase::Connecting { peer: peer.clone() };
        call.accepted = true;
        fx.push(Effect::AcquireMedia { call: call.id });
        fx.push(Effect::StartTimer {
            timer: Timer::Connect,
            ms: CONNECT_TIMEOUT_MS,
        });
        // The answer needs the offer applied; when that is still running, the answer is made
        // when it reports back (`RemoteDescriptionSet`).
        if env.signaling == Signaling::HaveRemoteOffer {
            call.answer(fx);
        }
    }

    fn on_server(&mut self, msg: FromServer, env: Env, fx: &mut Vec<Effect>) {
        match msg {
            FromServer::RejectUsername { name, .. } => self.me = Some(name),
            FromServer::UserList { users } => {
                let gone = self.call.as_ref().is_some_and(|c| !users.contains(&c.peer));
                self.online = Some(users);
                if gone {
                    self.peer_left(fx);
                }
            }
            FromServer::UserListDelta { joined, left } => {
                if let Some(online) = &mut self.online {
                    online.retain(|u| !left.contains(u));
                    online.extend(joined);
                }
                if self.call.as_ref().is_some_and(|c| left.contains(&c.peer)) {
                    self.peer_left(fx);
                }
            }
            FromServer::VideoOffer { name, sdp, .. } => self.on_offer(name, sdp, env, fx),
            FromServer::VideoAnswer { name, sdp, .. } => self.on_answer(&name, sdp, env, fx),
            FromServer::NewIceCandidate {
                name, candidate, ..
            } => {
                let Some(call) = self.call.as_mut().filter(|c| c.peer == name) else {
                    return;
                };
                if call.remote_issued {
                    fx.push(Effect::AddIceCandidate(candidate));
                } else {
                    if call.queued.len() >= MAX_QUEUED_CANDIDATES {
                        call.queued.pop_front();
                    }
                    call.queued.push_back(candidate);
                }
            }
            FromServer::HangUp { name, reason, .. }
                if self.call.as_ref().is_some_and(|c| c.peer == name) =>
            {
                let ringing = matches!(self.view.phase, CallPhase::Ringing { .. });
                let notice = notice::remote_hang_up(&name, reason, ringing);
                self.end(None, Some(notice), fx);
            }
            _ => {}
        }
    }

    fn peer_left(&mut self, fx: &mut Vec<Effect>) {
        if let Some(peer) = self.call.as_ref().map(|c| c.peer.clone()) {
            self.end(None, Some(format!("{peer} left.")), fx);
        }
    }

    fn on_offer(&mut self, from: String, sdp: SessionDescription, env: Env, fx: &mut Vec<Effect>) {
        if sdp.kind != SdpType::Offer || self.me.as_deref() == Some(from.as_str()) {
            return;
        }
        let Some(call) = self.call.as_mut() else {
            // A new incoming call: apply the offer while ringing so Accept only has to answer.
            let id = self.next_id();
            let mut call = Call::new(CallId(id), from.clone(), Role::Callee, PcId(id));
            fx.push(Effect::CreatePeer {
                pc: call.pc,
                role: Role::Callee,
            });
            call.apply_remote(sdp, fx);
            self.call = Some(call);
            self.view.phase = CallPhase::Ringing { peer: from };
            self.view.notice = None;
            return;
        };
        if call.peer != from {
            // Someone else while we are busy: tell them, leave our call alone.
            fx.push(Effect::Send(ToServer::HangUp {
                name: self.me.clone(),
                target: Some(from),
                reason: Some(HangUpReason::Busy),
            }));
            return;
        }
        if call.role == Role::Caller && !call.accepted {
            // Glare: we call them and they call us. The smaller name's offer wins.
            let me = self.me.as_deref().unwrap_or_default();
            if me < from.as_str() {
                call.ignore_offer = true;
                return;
            }
            let pc = PcId(self.next_id());
            let Some(call) = self.call.as_mut() else {
                return;
            };
            fx.push(Effect::ClosePeer);
            fx.push(Effect::CreatePeer {
                pc,
                role: Role::Callee,
            });
            let fresh = Call::new(call.id, from.clone(), Role::Callee, pc);
            let media_ready = call.media_ready;
            *call = fresh;
            call.media_ready = media_ready;
            call.accepted = true;
            call.apply_remote(sdp, fx);
            fx.push(Effect::CancelTimer(Timer::Ring));
            fx.push(Effect::StartTimer {
                timer: Timer::Connect,
                ms: CONNECT_TIMEOUT_MS,
            });
            self.view.phase = CallPhase::Connecting { peer: from };
            return;
        }
        // Perfect negotiation, as in the W3C example.
        let polite = call.role == Role::Callee;
        let ready_for_offer =
            !call.making_offer && (env.signaling == Signaling::Stable || call.srd_answer_pending);
        let collision = !ready_for_offer;
        call.ignore_offer = !polite && collision;
        if call.ignore_offer {
            return;
        }
        if collision {
            fx.push(Effect::Rollback);
        }
        call.srd_answer_pending = false;
        call.apply_remote(sdp, fx);
    }

    fn on_answer(&mut self, from: &str, sdp: SessionDescription, env: Env, fx: &mut Vec<Effect>) {
        let Some(call) = self.call.as_mut().filter(|c| c.peer == from) else {
            return;
        };
        // An answer only fits our own outstanding offer; anything else is stale.
        if sdp.kind != SdpType::Answer || env.signaling != Signaling::HaveLocalOffer {
            return;
        }
        call.ignore_offer = false;
        call.srd_answer_pending = true;
        call.apply_remote(sdp, fx);
        if !call.accepted {
            call.accepted = true;
            fx.push(Effect::CancelTimer(Timer::Ring));
            fx.push(Effect::StartTimer {
                timer: Timer::Connect,
                ms: CONNECT_TIMEOUT_MS,
            });
            self.view.phase = CallPhase::Connecting {
                peer: from.to_owned(),
            };
        }
    }

    fn on_media_ready(&mut self, id: CallId, fx: &mut Vec<Effect>) {
        // A stream for an attempt that is over is stopped by the driver, which checks the id
        // before keeping it; nothing to do here then.
        let Some(call) = self.call.as_mut().filter(|c| c.id == id) else {
            return;
        };
        call.media_ready = true;
        if call.sending {
            fx.push(Effect::AttachMedia);
        }
        let (mic, cam) = (self.view.mic_enabled, self.view.camera_enabled);
        fx.push(Effect::SetTrackEnabled {
            kind: TrackKind::Audio,
            enabled: mic,
        });
        fx.push(Effect::SetTrackEnabled {
            kind: TrackKind::Video,
            enabled: cam,
        });
    }

    fn on_timer(&mut self, timer: Timer, fx: &mut Vec<Effect>) {
        let Some(call) = &self.call else {
            return;
        };
        let peer = call.peer.clone();
        let relay_refused = call.relay_refused;
        match (timer, &self.view.phase) {
            (Timer::Ring, CallPhase::Calling { .. }) => {
                let notice = format!("{peer} did not answer.");
                self.end(Some(HangUpReason::Cancelled), Some(notice), fx);
            }
            (Timer::Connect, CallPhase::Connecting { .. })
            | (Timer::IceGrace, CallPhase::Reconnecting { .. }) => {
                let notice = notice::connection_failed(&peer, relay_refused);
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
    fn on_peer_event(&mut self, input: Input, env: Env, fx: &mut Vec<Effect>) {
        let pc = match &input {
            Input::NegotiationNeeded { pc }
            | Input::LocalDescriptionSet { pc, .. }
            | Input::LocalDescriptionFailed { pc, .. }
            | Input::RemoteDescriptionSet { pc, .. }
            | Input::RemoteDescriptionFailed { pc, .. }
            | Input::LocalCandidate { pc, .. }
            | Input::CandidateError { pc, .. }
            | Input::ConnectionState { pc, .. }
            | Input::RouteProbed { pc, .. } => *pc,
            _ => return,
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
        match input {
            Input::NegotiationNeeded { .. } => {
                let may_offer = call.role == Role::Caller || call.accepted;
                if may_offer && !call.making_offer && env.signaling == Signaling::Stable {
                    call.making_offer = true;
                    fx.push(Effect::SetLocalDescription);
                }
            }
            Input::LocalDescriptionSet { sdp, .. } => match sdp.kind {
                SdpType::Offer => {
                    call.making_offer = false;
                    fx.push(Effect::Send(ToServer::VideoOffer {
                        name: me,
                        target: peer,
                        sdp,
                    }));
                }
                SdpType::Answer => {
                    fx.push(Effect::Send(ToServer::VideoAnswer {
                        name: me,
                        target: peer,
                        sdp,
                    }));
                }
                SdpType::Pranswer | SdpType::Rollback => {}
            },
            Input::RemoteDescriptionSet { kind, .. } => match kind {
                SdpType::Answer => call.srd_answer_pending = false,
                SdpType::Offer if call.accepted => call.answer(fx),
                _ => {}
            },
            Input::LocalDescriptionFailed { .. } | Input::RemoteDescriptionFailed { .. } => {
                call.making_offer = false;
                call.srd_answer_pending = false;
                // Once media flows, a failed renegotiation leaves the call as it was; before
                // that, the call cannot be set up.
                if !connected {
                    let notice = format!("The call with {peer} could not be set up.");
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
                    let notice = notice::no_candidates(&peer, call.relay_refused);
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
            (PeerState::Connected, CallPhase::Reconnecting { since_ms, .. }) => {
                self.view.phase = CallPhase::InCall {
                    peer,
                    since_ms: *since_ms,
                };
                fx.push(Effect::CancelTimer(Timer::IceGrace));
                fx.push(Effect::ProbeRoute);
            }
            (PeerState::Disconnected, CallPhase::InCall { since_ms, .. }) => {
                // The impolite side restarts ICE (one side is enough; perfect negotiation
                // would settle two restarts too).
                let restart = call.role == Role::Caller;
                self.view.phase = CallPhase::Reconnecting {
                    peer,
                    since_ms: *since_ms,
                };
                fx.push(Effect::StartTimer {
                    timer: Timer::IceGrace,
                    ms: ICE_GRACE_MS,
                });
                if restart {
                    fx.push(Effect::RestartIce);
                }
            }
            (PeerState::Failed, CallPhase::Connecting { .. })
            | (PeerState::Failed, CallPhase::InCall { .. })
            | (PeerState::Failed, CallPhase::Reconnecting { .. }) => {
                let notice = notice::connection_failed(&peer, call.relay_refused);
                self.end(Some(HangUpReason::ConnectionFailed), Some(notice), fx);
            }
            _ => {}
        }
    }

    /// The one way a call ends. `tell` is the reason sent to the peer (`None` when they ended
    /// it or cannot be reached); `notice` is for the person.
    fn end(&mut self, tell: Option<HangUpReason>, notice: Option<String>, fx: &mut Vec<Effect>) {
        let Some(call) = self.call.take() else {
            return;
        };
        if let Some(reason) = tell {
            fx.push(Effect::Send(ToServer::HangUp {
                name: self.me.clone(),
                target: Some(call.peer),
                reason: Some(reason),
            }));
        }
        fx.extend(Timer::ALL.map(Effect::CancelTimer));
        fx.push(Effect::ClosePeer);
        fx.push(Effect::ReleaseMedia);
        self.view = CallView {
            notice,
            ..CallView::default()
        };
    }
}
