//! Delivery of `media-state` (issue 12): from one end of a call to the other, and only to a
//! client that announced the `media-state` feature; also between two members of the group call
//! (issue 13), to a member with the `media-state` or `group-call` feature.
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
        let in_group = inner.in_group_together(from, to);
        if !in_call && !in_group {
            return Err(ErrorCode::NotInCall);
        }
        let (Some(me), Some(them)) = (members.get(from), members.get(to)) else {
            return Err(ErrorCode::NotInCall);
        };
        let wants = them.features.media_state || (in_group && them.features.group_call);
        if !wants {
            return Ok(());
        }
        let frame = state.relayed(me.name.as_str(), them.name.as_str());
        inner.send(to, frame.to_json().into());
        self.settle(inner);
        Ok(())
    }
}
