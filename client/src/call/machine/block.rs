//! Blocking a caller for the session: a blocked person's offers are declined at once, without
//! ringing, with the `hang-up` reason `declined`: the caller cannot tell a block from a person
//! who said no, and the server's cool-down after a decline slows a caller who keeps trying.
//!
//! The list lives in the machine (page memory): a reload forgets it. It is shown in
//! [`CallView::blocked`](crate::call::CallView::blocked).

use shared::{HangUpReason, ToServer};

use super::{Effect, Machine};
use crate::call::CallPhase;

impl Machine {
    /// Blocks `peer`. A call with them (ringing or any later phase) ends as the person's own
    /// hang-up would end it.
    pub(super) fn block(&mut self, peer: String, fx: &mut Vec<Effect>) {
        if self.me.as_deref() == Some(peer.as_str()) {
            return;
        }
        if self.view.phase.peer() == Some(peer.as_str()) {
            let reason = match self.view.phase {
                CallPhase::Calling { .. } => HangUpReason::Cancelled,
                CallPhase::Ringing { .. } => HangUpReason::Declined,
                _ => HangUpReason::Ended,
            };
            self.end(Some(reason), None, fx);
        }
        self.view.blocked.insert(peer);
    }

    pub(super) fn unblock(&mut self, peer: &str) {
        self.view.blocked.remove(peer);
    }

    /// Whether an offer from `from` is refused because they are blocked (the decline is sent).
    /// The partner of the call in progress is never blocked (blocking them ended it).
    pub(super) fn declined_as_blocked(&mut self, from: &str, fx: &mut Vec<Effect>) -> bool {
        if !self.view.blocked.contains(from) || self.view.phase.peer() == Some(from) {
            return false;
        }
        fx.push(Effect::Send(ToServer::HangUp {
            name: self.me.clone(),
            target: Some(from.to_owned()),
            reason: Some(HangUpReason::Declined),
        }));
        true
    }
}
