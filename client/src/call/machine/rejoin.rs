//! A partner or a page that comes back: the server's `user-state` for the call partner and the
//! `resumed` of a reloaded page.
//!
//! - Partner `reconnecting`: the call and its media stay; the view says so
//!   (`peer_reconnecting`), and a repair waits for them (see `repair`).
//! - Partner `online`: that is over. With `fresh: true` the partner's page was reloaded and its
//!   peer connections are gone: an accepted call is **rebuilt** on a new peer connection, on
//!   which we wait for the partner's offer (we are the polite side now) and answer it with the
//!   media we have. A call not yet accepted ends instead (the reloaded page cannot ring or be
//!   rung any more), and the new page's offer, which follows, is refused with a `hang-up`.
//! - A reloaded page (`FreshPage`) whose `resumed` names a partner rebuilds the call with
//!   them: a new peer connection, the camera again, and our offer (the partner waits for it,
//!   so there is no glare). Until that offer is answered, offers of the partner's old
//!   connection (queued for us by the server while we were away) are dropped.
//!
//! A rebuilt call shows as Reconnecting until its media flows, and gives up like a repair.

use shared::{HangUpReason, Presence, ToServer};

use super::negotiation::Negotiation;
use super::{Call, CallId, Effect, Env, Machine, PcId, Role, Timer};
use crate::call::CallPhase;
use crate::call::notice::CallNotice;

/// How long the offer of a partner who reloaded before the call was accepted is refused.
pub const REFUSE_MS: f64 = 15_000.0;

impl Machine {
    /// `resumed`: our name as the server has it; on a reloaded page, the call comes back.
    pub(super) fn on_resumed(
        &mut self,
        name: String,
        partner: Option<String>,
        env: Env,
        fx: &mut Vec<Effect>,
    ) {
        self.me = Some(name);
        let fresh = std::mem::take(&mut self.fresh_page);
        let (true, Some(peer), None) = (fresh, partner, &self.call) else {
            return;
        };
        let id = self.next_id();
        let mut call = Call::new(CallId(id), peer.clone(), Role::Caller, PcId(id));
        call.accepted = true;
        call.offer_first = true;
        fx.push(Effect::CreatePeer {
            pc: call.pc,
            role: Role::Caller,
        });
        fx.push(Effect::AcquireMedia { call: call.id });
        self.call = Some(call);
        self.view.phase = CallPhase::Reconnecting {
            peer,
            since_ms: env.now_ms,
        };
        self.view.notice = None;
        self.begin_repair(env, fx);
    }

    /// `user-state` of someone; only the call partner's concerns the call.
    pub(super) fn on_user_state(
        &mut self,
        name: &str,
        state: Presence,
        fresh: bool,
        env: Env,
        fx: &mut Vec<Effect>,
    ) {
        let Some(call) = self.call.as_mut().filter(|c| c.peer == name) else {
            return;
        };
        call.peer_away = state == Presence::Reconnecting;
        self.view.peer_reconnecting = call.peer_away;
        if state == Presence::Online && fresh {
            if call.accepted {
                self.rebuild(env, fx);
            } else {
                let ringing = matches!(self.view.phase, CallPhase::Ringing { .. });
                let notice = CallNotice::hung_up(name, Some(HangUpReason::Cancelled), ringing);
                self.refuse = Some((name.to_owned(), env.now_ms + REFUSE_MS));
                self.end(None, Some(notice), fx);
                return;
            }
        }
        self.sync_repair_clock(env, fx);
    }

    /// The partner's page is new: a new peer connection on which we answer their offer.
    fn rebuild(&mut self, env: Env, fx: &mut Vec<Effect>) {
        let Some(pc) = self.new_answering_peer(fx) else {
            return;
        };
        let Some(call) = self.call.as_mut() else {
            return;
        };
        fx.push(Effect::CancelTimer(Timer::IceRestart));
        call.pc = pc;
        call.role = Role::Callee;
        call.neg = Negotiation::default();
        call.sending = false;
        call.local_candidates = 0;
        call.relay_refused = false;
        call.offer_first = false;
        // A new repair: the old one's restarts concern a connection that is gone.
        if call.repair.take().is_some() {
            fx.push(Effect::CancelTimer(Timer::GiveUp));
        }
        self.view.route = None;
        self.begin_repair(env, fx);
    }

    /// Whether an offer from `from` is that of a partner who reloaded before the call was
    /// accepted (it is refused with a `hang-up`, once).
    pub(super) fn refused(&mut self, from: &str, env: Env, fx: &mut Vec<Effect>) -> bool {
        let Some((name, until)) = self.refuse.take() else {
            return false;
        };
        if name != from || env.now_ms > until || self.call.is_some() {
            self.refuse = (env.now_ms <= until).then_some((name, until));
            return false;
        }
        fx.push(Effect::Send(ToServer::HangUp {
            name: self.me.clone(),
            target: Some(name),
            reason: Some(HangUpReason::Cancelled),
        }));
        true
    }
}
