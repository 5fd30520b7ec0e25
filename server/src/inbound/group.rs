//! The payload of `group-signal` (issue 13): exactly one of `sdp` (a session description, its
//! SDP text kept raw and forwarded byte for byte, as `video-offer`'s) and `candidate` (checked
//! and forwarded as received, as `new-ice-candidate`'s). `null` counts as absent, as in
//! `shared::ToServer::GroupSignal`; both or neither is `bad-message`.

use super::Fields;
use crate::envelope::{Key, SdpField};
use crate::inbound::Refusal;
use crate::relay::Relay;

/// Why a `group-signal` with both or neither payload is refused.
const EXACTLY_ONE: &str = "give exactly one of `sdp` and `candidate`";

impl<'a> Fields<'_, 'a> {
    /// Fills `relay` (a group signal) with its one payload.
    pub(super) fn group_payload(&self, relay: &mut Relay<'a>) -> Result<(), Refusal> {
        let envelope = self.envelope;
        let has_sdp =
            !matches!(envelope.sdp, None | Some(SdpField::Null)) || envelope.duplicated(Key::Sdp);
        let has_candidate = envelope.candidate.is_some_and(|raw| raw.get() != "null")
            || envelope.duplicated(Key::Candidate);
        match (has_sdp, has_candidate) {
            (true, false) => relay.sdp = Some(self.sdp()?),
            (false, true) => relay.candidate = Some(self.candidate()?),
            _ => return Err(self.bad(EXACTLY_ONE)),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
