//! Negotiation of one peer connection's session descriptions: offers, answers, collisions,
//! the glare tie-break and remote candidates that arrive before their description.
//!
//! # Perfect negotiation
//! The callee is polite, the caller impolite. `making_offer`, `ignore_offer` and
//! `srd_answer_pending` are those of the W3C pattern; an offer that collides with our own is
//! ignored by the impolite side and applied after an explicit rollback by the polite side.
//! Remote candidates that arrive before any remote description was applied are queued
//! (bounded, [`MAX_QUEUED_CANDIDATES`]) and added right after it.
//!
//! # Glare (both call each other at once)
//! Both sides are callers then, so politeness cannot decide. The tie-break is by name
//! ([`yields_in_glare`]): the offer of the lexicographically smaller name wins. The smaller side
//! ignores the other's offer and keeps calling; the larger side drops its own (not yet
//! answered) peer connection, applies the winning offer on a fresh one and answers it at once
//! (it asked for this call too), keeping its camera stream. Exactly one call results.
//!
//! [`Negotiation`] holds one peer connection's flags and knows nothing of phases or people; the
//! `impl Machine` part below routes the peer's offers and answers to it and does what concerns
//! the whole call (a new incoming call, busy, glare's fresh peer connection, "accepted").

use std::collections::VecDeque;

use shared::{HangUpReason, IceCandidate, SdpType, SessionDescription, ToServer};

use super::io::{CallId, Effect, Env, PcId, Role, Signaling, Timer};
use super::{CONNECT_TIMEOUT_MS, Call, Machine};
use crate::call::CallPhase;

/// Remote candidates kept while waiting for a remote description. A real offer brings a few
/// dozen at most; beyond this the oldest are dropped (bounded, so a flood cannot grow memory).
pub const MAX_QUEUED_CANDIDATES: usize = 128;

/// Where the negotiation of one peer connection stands: the W3C perfect-negotiation flags plus
/// the candidates waiting for a remote description. A fresh peer connection gets a fresh one.
#[derive(Debug, Default)]
pub struct Negotiation {
    /// Our offer is being made (`setLocalDescription` runs).
    making_offer: bool,
    /// We are impolite and ignored a colliding offer.
    ignore_offer: bool,
    /// An answer is being applied: an offer arriving meanwhile is no collision.
    srd_answer_pending: bool,
    /// A remote description was handed to the browser: candidates may follow it.
    remote_issued: bool,
    queued: VecDeque<IceCandidate>,
}

/// What to do with our local description once the browser made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalDescription {
    /// Send it as `video-offer`.
    Offer,
    /// Send it as `video-answer`.
    Answer,
    /// Nothing to send.
    Keep,
}

/// In glare, whether our side (`me`) gives up its own offer for `peer`'s: the smaller name
/// wins, so the larger one yields.
pub fn yields_in_glare(me: &str, peer: &str) -> bool {
    me >= peer
}

impl Negotiation {
    /// Hands a remote description to the browser and then every candidate queued behind it.
    pub fn apply_remote(&mut self, sdp: SessionDescription, fx: &mut Vec<Effect>) {
        fx.push(Effect::SetRemoteDescription(sdp));
        self.remote_issued = true;
        fx.extend(self.queued.drain(..).map(Effect::AddIceCandidate));
    }

    /// A candidate from the peer: added at once when a remote description went to the browser,
    /// else queued (dropping the oldest beyond the bound).
    pub fn remote_candidate(&mut self, candidate: IceCandidate, fx: &mut Vec<Effect>) {
        if self.remote_issued {
            fx.push(Effect::AddIceCandidate(candidate));
        } else {
            if self.queued.len() >= MAX_QUEUED_CANDIDATES {
                self.queued.pop_front();
            }
            self.queued.push_back(candidate);
        }
    }

    /// `negotiationneeded`: make an offer when `may_offer` (a callee only once it accepted) and
    /// nothing else is under way.
    pub fn needed(&mut self, may_offer: bool, env: Env, fx: &mut Vec<Effect>) {
        if may_offer && !self.making_offer && env.signaling == Signaling::Stable {
            self.making_offer = true;
            fx.push(Effect::SetLocalDescription);
        }
    }

    /// The browser made our local description of `kind`: say whether to send it.
    pub fn local_set(&mut self, kind: SdpType) -> LocalDescription {
        match kind {
            SdpType::Offer => {
                self.making_offer = false;
                LocalDescription::Offer
            }
            SdpType::Answer => LocalDescription::Answer,
            SdpType::Pranswer | SdpType::Rollback => LocalDescription::Keep,
        }
    }

    /// The remote description of `kind` is in place. An applied answer ends our offer's round;
    /// returns true for an applied offer (which the machine answers once the call is accepted).
    pub fn remote_set(&mut self, kind: SdpType) -> bool {
        match kind {
            SdpType::Answer => {
                self.srd_answer_pending = false;
                false
            }
            SdpType::Offer => true,
            SdpType::Pranswer | SdpType::Rollback => false,
        }
    }

    /// A description operation failed: whatever was under way is over.
    pub fn failed(&mut self) {
        self.making_offer = false;
        self.srd_answer_pending = false;
    }

    /// An offer from the peer on an established negotiation, as in the W3C example: applied
    /// (after a rollback of our own when it collides and we are `polite`) or ignored.
    pub fn remote_offer(
        &mut self,
        polite: bool,
        sdp: SessionDescription,
        env: Env,
        fx: &mut Vec<Effect>,
    ) {
        let ready_for_offer =
            !self.making_offer && (env.signaling == Signaling::Stable || self.srd_answer_pending);
        let collision = !ready_for_offer;
        self.ignore_offer = !polite && collision;
        if self.ignore_offer {
            return;
        }
        if collision {
            fx.push(Effect::Rollback);
        }
        self.srd_answer_pending = false;
        self.apply_remote(sdp, fx);
    }

    /// In glare our offer won: the other side's is ignored.
    pub fn ignore_glare_offer(&mut self) {
        self.ignore_offer = true;
    }

    /// An answer from the peer: applied only when it fits our own outstanding offer (returns
    /// false for a stale one, which is dropped).
    pub fn remote_answer(
        &mut self,
        sdp: SessionDescription,
        env: Env,
        fx: &mut Vec<Effect>,
    ) -> bool {
        if sdp.kind != SdpType::Answer || env.signaling != Signaling::HaveLocalOffer {
            return false;
        }
        self.ignore_offer = false;
        self.srd_answer_pending = true;
        self.apply_remote(sdp, fx);
        true
    }
}

impl Machine {
    /// An offer from `from`: a new incoming call, glare, a renegotiation, or someone else while
    /// we are busy.
    pub(super) fn on_offer(
        &mut self,
        from: String,
        sdp: SessionDescription,
        env: Env,
        fx: &mut Vec<Effect>,
    ) {
        if sdp.kind != SdpType::Offer || self.me.as_deref() == Some(from.as_str()) {
            return;
        }
        if self.refused(&from, env, fx) || self.declined_as_blocked(&from, fx) {
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
            call.neg.apply_remote(sdp, fx);
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
        if call.offer_first {
            // An offer of the peer's old connection, queued while we were away.
            return;
        }
        if call.role == Role::Caller && !call.accepted {
            // Glare: we call them and they call us.
            let me = self.me.as_deref().unwrap_or_default();
            if yields_in_glare(me, &from) {
                self.yield_in_glare(from, sdp, fx);
            } else {
                call.neg.ignore_glare_offer();
            }
            return;
        }
        let polite = call.role == Role::Callee;
        call.neg.remote_offer(polite, sdp, env, fx);
    }

    /// Glare went against us: drop our unanswered peer connection, apply the winning offer on a
    /// fresh one and answer it as soon as it is applied (we asked for this call too). The
    /// camera stream is kept.
    fn yield_in_glare(&mut self, from: String, sdp: SessionDescription, fx: &mut Vec<Effect>) {
        let Some(pc) = self.new_answering_peer(fx) else {
            return;
        };
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let fresh = Call::new(call.id, from.clone(), Role::Callee, pc);
        let media_ready = call.media_ready;
        *call = fresh;
        call.media_ready = media_ready;
        call.accepted = true;
        call.neg.apply_remote(sdp, fx);
        fx.push(Effect::CancelTimer(Timer::Ring));
        fx.push(Effect::StartTimer {
            timer: Timer::Connect,
            ms: CONNECT_TIMEOUT_MS,
        });
        self.view.phase = CallPhase::Connecting { peer: from };
    }

    /// Closes the call's peer connection and opens a new one on which we answer the other
    /// side's offer (glare lost, or the partner's page is new). `None` when there is no call.
    pub(super) fn new_answering_peer(&mut self, fx: &mut Vec<Effect>) -> Option<PcId> {
        let pc = PcId(self.next_id());
        self.call.as_ref()?;
        fx.push(Effect::ClosePeer);
        fx.push(Effect::CreatePeer {
            pc,
            role: Role::Callee,
        });
        Some(pc)
    }

    /// An answer from `from`; the first one that fits our offer means the callee accepted.
    pub(super) fn on_answer(
        &mut self,
        from: &str,
        sdp: SessionDescription,
        env: Env,
        fx: &mut Vec<Effect>,
    ) {
        let Some(call) = self.call.as_mut().filter(|c| c.peer == from) else {
            return;
        };
        let applied = call.neg.remote_answer(sdp, env, fx);
        if applied {
            call.offer_first = false;
        }
        if applied && !call.accepted {
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
}
