//! The sentences the person reads about a call: why it ended, what went wrong with the camera
//! or microphone. Kept apart from the transitions so the wording can change without touching
//! them.

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
    /// Anything else, with the exception's name and message for the sentence.
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

    /// The sentence shown to the person.
    pub fn sentence(&self) -> String {
        match self {
            Self::NotFound => "No camera or microphone was found.".to_owned(),
            Self::NotAllowed => {
                "Permission to use the camera and microphone was denied.".to_owned()
            }
            Self::NotReadable => {
                "The camera or microphone is in use by another application.".to_owned()
            }
            Self::Overconstrained => {
                "The camera or microphone does not support the requested settings.".to_owned()
            }
            Self::Insecure => {
                "The camera and microphone can only be used on a secure (https) page.".to_owned()
            }
            Self::Other(what) => {
                format!("The camera or microphone could not be started ({what}).")
            }
        }
    }
}

/// What to tell the person when `peer` ended the call with `reason`. `ringing` says whether the
/// call was still ringing on our side (then a cancel is a missed call).
pub fn remote_hang_up(peer: &str, reason: Option<HangUpReason>, ringing: bool) -> String {
    match reason {
        Some(HangUpReason::Declined) => format!("{peer} declined."),
        Some(HangUpReason::Busy) => format!("{peer} is busy."),
        Some(HangUpReason::MediaError) => {
            format!("{peer}'s camera or microphone could not be used.")
        }
        Some(HangUpReason::ConnectionFailed) => format!("The connection to {peer} failed."),
        Some(HangUpReason::Left) => format!("{peer} left."),
        Some(HangUpReason::Cancelled | HangUpReason::Ended) | None if ringing => {
            format!("Missed call from {peer}.")
        }
        Some(HangUpReason::Cancelled | HangUpReason::Ended) | None => format!("{peer} hung up."),
    }
}

/// The connection could not be made or was lost. `relay_refused` says the TURN server refused
/// our credentials, the likely cause when only relayed paths were allowed.
pub fn connection_failed(peer: &str, relay_refused: bool) -> String {
    if relay_refused {
        format!("The relay server refused our credentials, so the connection to {peer} failed.")
    } else {
        format!("The connection to {peer} failed.")
    }
}

/// Gathering ended without a single local candidate: no way to reach anyone.
pub fn no_candidates(peer: &str, relay_refused: bool) -> String {
    if relay_refused {
        format!("The relay server refused our credentials, so {peer} cannot be reached.")
    } else {
        format!("No network path to {peer} could be found.")
    }
}
