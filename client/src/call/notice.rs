//! What the person is told about a call that ended without their doing, as facts: who, and
//! why ([`CallNotice`]); and why the camera or microphone could not be opened ([`MediaError`]).
//!
//! The call machine decides which notice fits (it knows the phase and the reason the peer
//! gave); `crate::text` turns a notice into the sentence on the page, so the wording can change
//! without touching the transitions, and tests assert the facts.

use shared::HangUpReason;

/// Why `getUserMedia` failed, by the `DOMException` name the browser gave (the driver maps it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// `NotFoundError`: no camera or microphone.
    NotFound,
    /// `NotAllowedError` / `SecurityError`: the person or the browser refused permission.
    NotAllowed,
    /// `NotReadableError` / `AbortError`: the device exists but cannot be opened (in use).
    NotReadable,
    /// `OverconstrainedError`: no device fits the constraints.
    Overconstrained,
    /// `navigator.mediaDevices` is missing: the page is not a secure context.
    Insecure,
    /// Anything else, with the exception's name and message (shown to the person).
    Other(String),
}

impl MediaError {
    /// Maps a `DOMException` name to the error.
    pub fn from_dom_name(name: &str, message: &str) -> Self {
        match name {
            "NotFoundError" | "DevicesNotFoundError" => Self::NotFound,
            "NotAllowedError" | "PermissionDeniedError" | "SecurityError" => Self::NotAllowed,
            "NotReadableError" | "TrackStartError" | "AbortError" => Self::NotReadable,
            "OverconstrainedError" | "ConstraintNotSatisfiedError" => Self::Overconstrained,
            _ if message.is_empty() => Self::Other(name.to_owned()),
            _ => Self::Other(format!("{name}: {message}")),
        }
    }
}

/// The last thing that happened to the call and was not the person's own doing. `peer` is the
/// other person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallNotice {
    /// The peer refused our call.
    Declined { peer: String },
    /// The peer is in another call.
    Busy { peer: String },
    /// The peer's camera or microphone could not be opened, which ended the call.
    PeerMediaFailed { peer: String },
    /// The peer left the page or went offline.
    Left { peer: String },
    /// The peer gave up while our side was still ringing.
    Missed { peer: String },
    /// The peer ended the call.
    HungUp { peer: String },
    /// Our call rang out unanswered.
    NoAnswer { peer: String },
    /// The offer or answer could not be made or applied, before media ever flowed.
    SetupFailed { peer: String },
    /// ICE failed, or never connected in time. `relay_refused`: the TURN server refused our
    /// credentials (401/403/431/441), the likely cause when only relayed paths were allowed.
    ConnectionFailed { peer: String, relay_refused: bool },
    /// Gathering ended without a single local candidate: no way to reach the peer.
    NoPath { peer: String, relay_refused: bool },
    /// The socket to the signaling server dropped, which ended the call.
    ServerLost,
    /// Our own camera or microphone could not be opened.
    Media(MediaError),
}

impl CallNotice {
    /// The notice for `peer` ending the call with `reason`. `ringing` says whether the call was
    /// still ringing on our side (then a cancel is a missed call).
    pub fn hung_up(peer: &str, reason: Option<HangUpReason>, ringing: bool) -> Self {
        let peer = peer.to_owned();
        match reason {
            Some(HangUpReason::Declined) => Self::Declined { peer },
            Some(HangUpReason::Busy) => Self::Busy { peer },
            Some(HangUpReason::MediaError) => Self::PeerMediaFailed { peer },
            Some(HangUpReason::ConnectionFailed) => Self::ConnectionFailed {
                peer,
                relay_refused: false,
            },
            Some(HangUpReason::Left) => Self::Left { peer },
            Some(HangUpReason::Cancelled | HangUpReason::Ended) | None if ringing => {
                Self::Missed { peer }
            }
            Some(HangUpReason::Cancelled | HangUpReason::Ended) | None => Self::HungUp { peer },
        }
    }
}
