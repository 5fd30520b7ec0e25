//! Call pairing: who is calling or in a call with whom, and the rules by which relayed
//! `video-offer`, `video-answer` and `hang-up` frames change that.
//!
//! Plain data with no lock and no delivery: the [`crate::registry`] holds a [`Calls`] next to the
//! members under its lock. What pairing is for: a client that leaves, or hangs up without naming
//! a target (MDN's client does), ends the call of the one it is paired with.
//!
//! It is also who may send what to whom ([`Calls::check`]): an answer only to an open offer the
//! answerer received from its target; candidates and hang-ups only between the two ends of a
//! call or of an open offer; and no offer to someone who declined the caller within the
//! cool-down. Anything else is refused before it reaches anyone, so a third user cannot re-pair
//! someone in a call nor end it (MDN's client obeys any `hang-up` it gets).

use std::collections::HashMap;

use tokio::time::Instant;

use crate::members::ConnId;

/// How a relayed frame changes who is in a call with whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEvent {
    /// `video-offer`: the sender calls (or renegotiates with) the target.
    Offer,
    /// `video-answer`: the two are in a call.
    Answer,
    /// `new-ice-candidate`: no change.
    Candidate,
    /// `hang-up` with a target: the call between the two ends.
    HangUp,
    /// `hang-up` with reason `declined`: as `HangUp`, and the target may not call the sender
    /// again for the cool-down.
    Decline,
}

/// Why a relay is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRefusal {
    /// The two are neither in a call nor at the ends of an open offer (for an answer: the
    /// target made no open offer to the sender).
    NotYourCall,
    /// The target declined the sender's call within the cool-down.
    RecentlyDeclined,
}

/// Above this many cool-downs, expired ones are dropped when one is added.
const COOLDOWNS_PRUNE_AT: usize = 256;

/// For each client, who it last called or is in a call with. A pointer may name a client that
/// has gone: ids are never reused, so a stale one just finds nobody.
#[derive(Debug, Default)]
pub struct Calls {
    partner: HashMap<ConnId, ConnId>,
    /// Open offers: caller → callee of its latest offer not yet answered or hung up (one per
    /// caller, so this is bounded by the number of clients).
    offer: HashMap<ConnId, ConnId>,
    /// (caller, callee who declined it) → when the caller may ring again.
    cooldown: HashMap<(ConnId, ConnId), Instant>,
}

impl Calls {
    pub fn partner(&self, id: ConnId) -> Option<ConnId> {
        self.partner.get(&id).copied()
    }

    /// Pairs of clients paired with each other: calls ringing or in progress.
    pub fn pairs(&self) -> usize {
        let mutual = |(a, b): (&ConnId, &ConnId)| self.partner.get(b) == Some(a);
        self.partner.iter().filter(|&pair| mutual(pair)).count() / 2
    }

    /// Whether `a` and `b` are the two ends of a call or of an open offer (either way round).
    pub fn linked(&self, a: ConnId, b: ConnId) -> bool {
        let points = |x: ConnId, y: ConnId| {
            self.partner.get(&x) == Some(&y) || self.offer.get(&x) == Some(&y)
        };
        points(a, b) || points(b, a)
    }

    /// Whether a frame `from` → `to` of kind `event` may be relayed at `now`.
    pub fn check(
        &self,
        from: ConnId,
        to: ConnId,
        event: CallEvent,
        now: Instant,
    ) -> Result<(), CallRefusal> {
        match event {
            CallEvent::Offer => match self.cooldown.get(&(from, to)) {
                Some(&until) if now < until => Err(CallRefusal::RecentlyDeclined),
                _ => Ok(()),
            },
            // Only the callee of `to`'s open offer may answer it (MDN's renegotiation is the
            // callee's own offer, answered by the caller: an open offer the other way).
            CallEvent::Answer if self.offer.get(&to) == Some(&from) => Ok(()),
            CallEvent::Answer => Err(CallRefusal::NotYourCall),
            CallEvent::Candidate | CallEvent::HangUp | CallEvent::Decline => {
                if self.linked(from, to) {
                    Ok(())
                } else {
                    Err(CallRefusal::NotYourCall)
                }
            }
        }
    }

    /// `callee` declined `caller`: refuses `caller`'s offers to `callee` until `until`.
    pub fn decline(&mut self, caller: ConnId, callee: ConnId, until: Instant, now: Instant) {
        if self.cooldown.len() >= COOLDOWNS_PRUNE_AT {
            self.cooldown.retain(|_, &mut t| t > now);
        }
        self.cooldown.insert((caller, callee), until);
    }

    /// A pair from the state file, as an offer from `a` sets it. The file does not say whether
    /// the call was still ringing, so the offer is open: either end may answer (a ringing call
    /// survives a restart).
    pub fn restore(&mut self, a: ConnId, b: ConnId, online: impl Fn(ConnId) -> bool) {
        self.on_relay(a, b, CallEvent::Offer, online);
    }

    /// Applies the effect of a frame relayed `from` → `to`; `online` says who is logged in
    /// (only they are paired).
    pub fn on_relay(
        &mut self,
        from: ConnId,
        to: ConnId,
        event: CallEvent,
        online: impl Fn(ConnId) -> bool,
    ) {
        match event {
            CallEvent::Offer => {
                if online(from) {
                    self.offer.insert(from, to);
                }
                self.pair_offer(from, to, online);
            }
            CallEvent::Answer => {
                self.offer.remove(&to);
                self.set_partner(from, to, &online);
                self.set_partner(to, from, &online);
            }
            CallEvent::Candidate => {}
            CallEvent::HangUp | CallEvent::Decline => self.clear_pair(from, to),
        }
    }

    /// What an offer does to the partners: the caller points at the callee, and the callee
    /// points back unless it is busy with someone else, so that a caller who leaves while
    /// ringing ends the ringing.
    fn pair_offer(&mut self, from: ConnId, to: ConnId, online: impl Fn(ConnId) -> bool) {
        self.set_partner(from, to, &online);
        let callee_free = self.partner(to).is_none_or(|p| p == from || !online(p));
        if callee_free {
            self.set_partner(to, from, &online);
        }
    }

    /// The call (or open offer) between `a` and `b` ended: each stops pointing at the other.
    pub fn clear_pair(&mut self, a: ConnId, b: ConnId) {
        for (x, y) in [(a, b), (b, a)] {
            if self.partner(x) == Some(y) {
                self.partner.remove(&x);
            }
            if self.offer.get(&x) == Some(&y) {
                self.offer.remove(&x);
            }
        }
    }

    /// `id` left (or its partner had gone): forgets whom it pointed at. Returns the partner that
    /// pointed back at it, now freed, who is to be told the call ended.
    pub fn remove(&mut self, id: ConnId) -> Option<ConnId> {
        self.offer.remove(&id);
        let partner = self.partner.remove(&id)?;
        (self.partner(partner) == Some(id)).then(|| {
            self.partner.remove(&partner);
            partner
        })
    }

    /// `a` now calls / talks to `b`. If `a` was paired with someone else who pointed back at
    /// it, that one is freed.
    fn set_partner(&mut self, a: ConnId, b: ConnId, online: impl Fn(ConnId) -> bool) {
        if !online(a) {
            return;
        }
        if let Some(old) = self.partner(a).filter(|&old| old != b)
            && self.partner(old) == Some(a)
        {
            self.partner.remove(&old);
        }
        self.partner.insert(a, b);
    }
}

#[cfg(test)]
mod tests;
