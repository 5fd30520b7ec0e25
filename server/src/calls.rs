//! Call pairing: who is calling or in a call with whom, and the rules by which relayed
//! `video-offer`, `video-answer` and `hang-up` frames change that.
//!
//! Plain data with no lock and no delivery: the [`crate::registry`] holds a [`Calls`] next to the
//! members under its lock. What pairing is for: a client that leaves, or hangs up without naming
//! a target (MDN's client does), ends the call of the one it is paired with.

use std::collections::HashMap;

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
}

/// For each client, who it last called or is in a call with. A pointer may name a client that
/// has gone: ids are never reused, so a stale one just finds nobody.
#[derive(Debug, Default)]
pub struct Calls {
    partner: HashMap<ConnId, ConnId>,
}

impl Calls {
    pub fn partner(&self, id: ConnId) -> Option<ConnId> {
        self.partner.get(&id).copied()
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
                self.set_partner(from, to, &online);
                // The callee points back at the caller unless it is busy with someone else, so
                // that a caller who leaves while ringing ends the ringing.
                let callee_free = self.partner(to).is_none_or(|p| p == from || !online(p));
                if callee_free {
                    self.set_partner(to, from, &online);
                }
            }
            CallEvent::Answer => {
                self.set_partner(from, to, &online);
                self.set_partner(to, from, &online);
            }
            CallEvent::Candidate => {}
            CallEvent::HangUp => self.clear_pair(from, to),
        }
    }

    /// The call between `a` and `b` ended: each stops pointing at the other.
    pub fn clear_pair(&mut self, a: ConnId, b: ConnId) {
        for (x, y) in [(a, b), (b, a)] {
            if self.partner(x) == Some(y) {
                self.partner.remove(&x);
            }
        }
    }

    /// `id` left (or its partner had gone): forgets whom it pointed at. Returns the partner that
    /// pointed back at it, now freed, who is to be told the call ended.
    pub fn remove(&mut self, id: ConnId) -> Option<ConnId> {
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
