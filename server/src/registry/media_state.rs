//! Delivery of `media-state` (issue 12): from one end of a call to the other, and only to a
//! client that announced the `media-state` feature.
//!
//! "A call" is a pair of clients each the other's partner ([`crate::calls::Calls::partner`]):
//! an offer that was not refused as busy (ringing) or an answered one, until a hang-up or a
//! departure. An open offer alone is not enough (a caller cannot tell a busy callee anything),
//! nor is anything for a third user. A partner without the feature (MDN's client, which
//! announces none) gets nothing, and the sender is not told: it cannot know its partner's
//! client, and nothing went wrong.

use shared::ErrorCode;

use super::{Inner, Registry};
use crate::media_state::MediaState;
use crate::members::ConnId;

impl Registry {
    /// Relays `state` from `from` to its target, who must be its call partner.
    pub fn media_state(&self, from: ConnId, state: &MediaState) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let to = inner.members.target_id(from, &state.target)?;
        let Inner { members, calls, .. } = &*inner;
        let in_call = calls.partner(from) == Some(to) && calls.partner(to) == Some(from);
        if !in_call {
            return Err(ErrorCode::NotInCall);
        }
        let (Some(me), Some(them)) = (members.get(from), members.get(to)) else {
            return Err(ErrorCode::NotInCall);
        };
        if !them.features.media_state {
            return Ok(());
        }
        let frame = state.relayed(me.name.as_str(), them.name.as_str());
        inner.send(to, frame.to_json().into());
        self.settle(inner);
        Ok(())
    }
}
