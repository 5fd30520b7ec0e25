//! Relays: `video-offer`, `video-answer`, `new-ice-candidate`, `hang-up` (and issue 13's
//! `group-signal`) as decoded, borrowing from the received frame with their payload kept as
//! raw JSON text (the SDP text inside `sdp`, the whole `candidate`), and the outgoing frame,
//! serialised once with the sender's name.
//!
//! Why not simply [`shared::ToServer`] → [`shared::FromServer`]: an SDP is ~5 KB of text full of
//! `\r\n` escapes. Parsing it into a `String` (through serde's buffering of internally tagged
//! enums) and escaping it again on the way out cost ~18 µs per offer; copying the raw text costs
//! a small fraction of that. The JSON on the wire is the same (the `shared` types still describe
//! it, and the tests compare against them). The frame is decoded by [`crate::inbound`]; the
//! outgoing frame is written here by hand into one buffer.

use std::borrow::Cow;

use serde::Serialize;
use shared::{HangUpReason, SdpType};

use crate::calls::CallEvent;

/// Which relay a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayKind {
    VideoOffer,
    VideoAnswer,
    NewIceCandidate,
    HangUp,
    /// `group-signal` (issue 13): decoded by its own rule (`inbound/group.rs`), relayed by
    /// [`crate::group`], never through call pairing; not a [`RelayKind::from_type`] type.
    GroupSignal,
}

impl RelayKind {
    pub fn from_type(kind: &str) -> Option<Self> {
        Some(match kind {
            "video-offer" => Self::VideoOffer,
            "video-answer" => Self::VideoAnswer,
            "new-ice-candidate" => Self::NewIceCandidate,
            "hang-up" => Self::HangUp,
            _ => return None,
        })
    }

    pub fn type_name(self) -> &'static str {
        match self {
            Self::VideoOffer => "video-offer",
            Self::VideoAnswer => "video-answer",
            Self::NewIceCandidate => "new-ice-candidate",
            Self::HangUp => "hang-up",
            Self::GroupSignal => "group-signal",
        }
    }

    pub fn call_event(self) -> CallEvent {
        match self {
            Self::VideoOffer => CallEvent::Offer,
            Self::VideoAnswer => CallEvent::Answer,
            // A group signal changes no pairing, as a candidate.
            Self::NewIceCandidate | Self::GroupSignal => CallEvent::Candidate,
            Self::HangUp => CallEvent::HangUp,
        }
    }
}

/// A session description with its SDP text kept raw (JSON text, quotes included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdp<'a> {
    pub kind: SdpType,
    /// `None` when absent or `null` (a rollback has none); then it is left out of the output.
    pub text: Option<&'a str>,
}

/// A valid relay frame, borrowing from the received text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay<'a> {
    pub kind: RelayKind,
    /// `None` only for a `hang-up` without target (MDN's client).
    pub target: Option<Cow<'a, str>>,
    /// Offers and answers only.
    pub sdp: Option<Sdp<'a>>,
    /// `new-ice-candidate` only: the candidate, as received (JSON text).
    pub candidate: Option<&'a str>,
    /// `hang-up` only.
    pub reason: Option<HangUpReason>,
}

impl Relay<'_> {
    /// How this frame changes pairing: as its kind says, except that a hang-up with reason
    /// `declined` is a [`CallEvent::Decline`].
    pub fn call_event(&self) -> CallEvent {
        match (self.kind, self.reason) {
            (RelayKind::HangUp, Some(HangUpReason::Declined)) => CallEvent::Decline,
            (kind, _) => kind.call_event(),
        }
    }

    /// The frame the target receives: `name` is the sender's, everything else as received.
    ///
    /// Written by hand into one buffer sized up front: the payload (most of the frame) is one
    /// copy, and the short strings around it are copied without escaping when they need none.
    pub fn to_json(&self, name: &str, target: &str) -> String {
        let payload = self
            .sdp
            .and_then(|sdp| sdp.text)
            .map_or(0, |text| text.len())
            + self.candidate.map_or(0, |text| text.len());
        let mut out = String::with_capacity(payload + 2 * (name.len() + target.len()) + 96);
        out.push_str(r#"{"type":""#);
        out.push_str(self.kind.type_name());
        out.push_str(r#"","name":"#);
        push_json_str(&mut out, name);
        out.push_str(r#","target":"#);
        push_json_str(&mut out, target);
        if let Some(sdp) = self.sdp {
            out.push_str(r#","sdp":{"type":"#);
            push_serialized(&mut out, &sdp.kind);
            if let Some(text) = sdp.text {
                out.push_str(r#","sdp":"#);
                out.push_str(text);
            }
            out.push('}');
        }
        if let Some(candidate) = self.candidate {
            out.push_str(r#","candidate":"#);
            out.push_str(candidate);
        }
        if let Some(reason) = self.reason {
            out.push_str(r#","reason":"#);
            push_serialized(&mut out, &reason);
        }
        out.push('}');
        out
    }
}

/// Appends `text` as a JSON string.
fn push_json_str(out: &mut String, text: &str) {
    let plain = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    if plain {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        push_serialized(out, text);
    }
}

/// Appends `value` serialised by serde (small values only: one allocation).
fn push_serialized<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    // Serialising strings and unit enum variants into a String cannot fail.
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
}

#[cfg(test)]
mod tests;
