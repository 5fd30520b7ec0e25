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
//! # Layout
//! This file holds the call, the commands, server frames and the one ending. `negotiation`
//! holds perfect negotiation (the callee polite, the caller impolite), glare and the queue of
//! early remote candidates; `connection` what the peer connection and the timers report;
//! `io` the inputs and effects; `repair` ICE restarts; `rejoin` a partner or a page that
//! comes back (presence, reloads); `block` the callers blocked for the session;
//! `media_state` mute, camera and screen sharing, and telling the partner (`media-state`).
//!
//! # Trouble on the way
//! A call outlives its signaling: a dropped socket that the page resumes never ends it, and
//! a partner whose socket is away is shown as reconnecting. An established call whose ICE
//! breaks is repaired by ICE restarts (`repair`); one whose partner reloaded is rebuilt on a
//! new peer connection (`rejoin`). `failed` before the call ever connected ends it at once.
//! Gathering that ends without a single local candidate (relay-only with a refusing TURN
//! server) ends the call at once with a notice that names the relay when it answered 401/403.
//!
//! # Endings
//! Every ending goes through one place (`end`): the `hang-up` to the peer when it can still be
//! told (with a reason), timers cancelled, the peer connection closed, all tracks stopped, the
//! phase back to Idle and a [`CallNotice`] for the person when the ending was not their own
//! doing (a fact; `crate::text` words it).
//!
//! # Who is online
//! The machine keeps no user list: the page state owns the [`Roster`](crate::roster::Roster).
//! Presence frames still reach the machine, and it asks the roster's reading of them
//! ([`RosterChange::removes`]) whether the person it is in a call with went away.

mod block;
mod connection;
mod io;
mod media_state;
mod negotiation;
mod rejoin;
mod repair;
#[cfg(test)]
mod tests;

use shared::{FromServer, HangUpReason, ToServer};

pub use io::{CallId, Effect, Env, Input, PcId, PeerState, Role, Signaling, Timer, TrackKind};
pub use negotiation::{LocalDescription, MAX_QUEUED_CANDIDATES, Negotiation};
pub use repair::{
    POLITE_FALLBACK_MS, REPAIR_LIMIT_MS, RESTART_AFTER_DISCONNECTED_MS, RESTART_BACKOFF_MS,
};

/// A fact of `crate::call::notice`; the driver names it through the machine, as before.
pub use crate::call::notice::MediaError;

use self::repair::Repair;
use crate::call::notice::CallNotice;
use crate::call::{CallCommand, CallPhase, CallView};
use crate::roster::RosterChange;

/// An unanswered outgoing call gives up after this long.
pub const RING_TIMEOUT_MS: u32 = 45_000;
/// From the answer to a working connection.
pub const CONNECT_TIMEOUT_MS: u32 = 20_000;
/// How often the selected candidate pair is read again (the route can change mid-call).
pub const ROUTE_PROBE_MS: u32 = 2_000;

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
    /// The negotiation of the current peer connection `pc`.
    neg: Negotiation,
    local_candidates: u32,
    relay_refused: bool,
    /// The partner's socket is away (server `user-state` `reconnecting`).
    peer_away: bool,
    /// The call is being repaired (phase Reconnecting): ICE restarts and their budget.
    repair: Option<Repair>,
    /// We rebuilt the call and offer first: offers of the peer's old connection that were
    /// queued for us are dropped until our offer is answered.
    offer_first: bool,
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
            neg: Negotiation::default(),
            local_candidates: 0,
            relay_refused: false,
            peer_away: false,
            repair: None,
            offer_first: false,
        }
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
    next_id: u32,
    call: Option<Call>,
    view: CallView,
    /// The page can resume its session (see [`Input::SetResumable`]).
    resumable: bool,
    /// The socket is away and the session not yet resumed.
    signaling_down: bool,
    /// The next `resumed` is that of a reloaded page.
    fresh_page: bool,
    /// A partner who reloaded before the call was accepted, and until when their new page's
    /// offer is refused (it would bring back a call nobody accepted).
    refuse: Option<(String, f64)>,
    /// Screen sharing and what the partner was told (`media_state`).
    media: media_state::MediaSync,
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
                // The next session starts afresh; nothing of this one is waited for.
                self.signaling_down = false;
                self.end(None, Some(CallNotice::ServerLost), &mut fx);
            }
            Input::SetResumable(resumable) => self.resumable = resumable,
            Input::SignalingDown => {
                self.signaling_down = true;
                self.sync_repair_clock(env, &mut fx);
            }
            Input::SignalingUp => {
                self.signaling_down = false;
                self.sync_repair_clock(env, &mut fx);
            }
            Input::FreshPage => self.fresh_page = true,
            // A resumable page sends `leaving` itself: it may be a reload that comes back.
            Input::PageHide if self.resumable => self.end(None, None, &mut fx),
            Input::PageHide => self.end(Some(HangUpReason::Left), None, &mut fx),
            Input::MediaReady { call } => self.on_media_ready(call, &mut fx),
            Input::MediaFailed { call, error } => {
                if self.call_id() == Some(call) {
                    let notice = CallNotice::Media(error);
                    self.end(Some(HangUpReason::MediaError), Some(notice), &mut fx);
                }
            }
            Input::TimerFired(timer) => self.on_timer(timer, &mut fx),
            Input::ScreenShare { call, on } => self.on_screen(call, on, &mut fx),
            other => self.on_peer_event(other, env, &mut fx),
        }
        self.sync_media_state(&mut fx);
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
            CallCommand::SetMicEnabled(on) => self.set_enabled(TrackKind::Audio, on, fx),
            CallCommand::SetCameraEnabled(on) => self.set_enabled(TrackKind::Video, on, fx),
            CallCommand::ShareScreen(on) => self.share_screen(on, fx),
            CallCommand::DismissNotice => self.view.notice = None,
            CallCommand::Block { peer } => self.block(peer, fx),
            CallCommand::Unblock { peer } => self.unblock(&peer),
            CallCommand::UseDevice { .. } => {} // The driver's alone (driver/switch.rs).
        }
    }

    fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    /// "Call `peer`". Whether `peer` is online is the page's to know (it only offers people on
    /// its roster); an offer to someone who just left is refused by the server.
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
        self.refuse = None;
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
        if let Some(change) = RosterChange::from_frame(&msg) {
            if let Some(peer) = self.call.as_ref().map(|c| c.peer.clone())
                && change.removes(&peer)
            {
                self.end(None, Some(CallNotice::Left { peer }), fx);
            }
            return;
        }
        match msg {
            FromServer::RejectUsername { name, .. } => self.me = Some(name),
            FromServer::VideoOffer { name, sdp, .. } => self.on_offer(name, sdp, env, fx),
            FromServer::VideoAnswer { name, sdp, .. } => self.on_answer(&name, sdp, env, fx),
            FromServer::NewIceCandidate {
                name, candidate, ..
            } => {
                if let Some(call) = self.call.as_mut().filter(|c| c.peer == name) {
                    call.neg.remote_candidate(candidate, fx);
                }
            }
            FromServer::Session { .. } => self.fresh_page = false,
            FromServer::Resumed { name, partner, .. } => self.on_resumed(name, partner, env, fx),
            FromServer::UserState { name, state, fresh } => {
                self.on_user_state(&name, state, fresh, env, fx);
            }
            FromServer::HangUp { name, reason, .. }
                if self.call.as_ref().is_some_and(|c| c.peer == name) =>
            {
                let ringing = matches!(self.view.phase, CallPhase::Ringing { .. });
                let notice = CallNotice::hung_up(&name, reason, ringing);
                self.end(None, Some(notice), fx);
            }
            other => self.on_other_frame(other),
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

    /// The one way a call ends (nothing happens without a call). `tell` is the reason sent to
    /// the peer (`None` when they ended it or cannot be reached); `notice` is for the person.
    fn end(
        &mut self,
        tell: Option<HangUpReason>,
        notice: Option<CallNotice>,
        fx: &mut Vec<Effect>,
    ) {
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
            blocked: std::mem::take(&mut self.view.blocked),
            ..CallView::default()
        };
    }
}
