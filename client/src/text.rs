//! Words and numbers the page shows, made from the facts the state holds when the page is
//! drawn: sentences for server errors, call notices, camera problems and refused input, call
//! durations, clock times and the `data-*` values of the UI contract. Pure, so host-tested.
//!
//! This is the one place of the page's wording. It reads the state's types (`crate::state`,
//! `crate::call`); they never read it.

use shared::limits::{MAX_CHAT_CHARS, MAX_NAME_CHARS};
use shared::{ErrorCode, NameError};

use crate::call::{CallNotice, CallPhase, MediaError, Route};
use crate::state::{ChatError, ServerError};

pub mod rooms;

/// A polite sentence for an `error` frame. The server's own message is shown only where it
/// adds something the code does not say.
pub fn server_error_sentence(error: &ServerError) -> String {
    let message = &error.message;
    match error.code {
        ErrorCode::TextTooLong => {
            format!("That message was too long to send (at most {MAX_CHAT_CHARS} characters).")
        }
        ErrorCode::RateLimited => "You are sending too fast; the last message was dropped.".into(),
        ErrorCode::UnknownTarget => "That person is no longer online.".into(),
        ErrorCode::BadName => around("The server refused that name: ", message, "."),
        ErrorCode::NotLoggedIn => "You are not logged in yet; please try again.".into(),
        ErrorCode::LoginTimeout => "The server closed the connection: no login in time.".into(),
        ErrorCode::TooLarge => "A message was too large; the server closed the connection.".into(),
        ErrorCode::SelfTarget => "You cannot call yourself.".into(),
        ErrorCode::NotInCall => "There is no call to hang up.".into(),
        ErrorCode::RecentlyDeclined => "They declined your call moments ago; try later.".into(),
        ErrorCode::ResumeFailed => "Your earlier session could not be resumed.".into(),
        ErrorCode::ChatRateLimited => "You are chatting too fast; that line was not sent.".into(),
        ErrorCode::ServerBusy => "The server is busy; that line was not sent. Try again.".into(),
        ErrorCode::BadRoom => "That room link is not valid.".into(),
        ErrorCode::RoomFull => "This room is full.".into(),
        ErrorCode::PasscodeRequired => "This room needs a passcode.".into(),
        ErrorCode::BadPasscode => "That passcode is not right.".into(),
        ErrorCode::CallFull => "The call is full.".into(),
        ErrorCode::InCall => "Finish your call first.".into(),
        ErrorCode::BadMessage
        | ErrorCode::UnknownType
        | ErrorCode::ServerOnlyType
        | ErrorCode::BinaryFrame
        | ErrorCode::BadId => around(
            "The server could not use a message from this page: ",
            message,
            ".",
        ),
    }
}

/// The login form's sentence for a name the page refuses.
pub fn name_error_sentence(error: &NameError) -> String {
    match error {
        NameError::Empty => "Please enter a name.".into(),
        NameError::TooLong => {
            format!("That name is too long: at most {MAX_NAME_CHARS} characters.")
        }
        NameError::ControlCharacter => "Names cannot contain control characters.".into(),
        NameError::LineBreak => "Names must be on one line.".into(),
        NameError::FormatCharacter => {
            "Names cannot contain invisible formatting characters such as direction marks or \
             zero-width spaces."
                .into()
        }
        NameError::Invisible => "Names cannot contain invisible or blank characters.".into(),
        NameError::MixedScripts => {
            "Names cannot mix letters of different alphabets (such as Latin and Cyrillic).".into()
        }
    }
}

/// The chat box's sentence for a text that cannot be sent (`None`: say nothing).
pub fn chat_error_sentence(error: ChatError) -> Option<String> {
    match error {
        ChatError::Empty => None,
        ChatError::TooLong => Some(format!(
            "Messages are limited to {MAX_CHAT_CHARS} characters."
        )),
        ChatError::Offline => Some("Not connected: the message was not sent.".into()),
    }
}

/// The sentence for a call notice.
pub fn call_notice(notice: &CallNotice) -> String {
    match notice {
        CallNotice::Declined { peer } => around("", peer, " declined."),
        CallNotice::Busy { peer } => around("", peer, " is busy."),
        CallNotice::PeerMediaFailed { peer } => {
            around("", peer, "'s camera or microphone could not be used.")
        }
        CallNotice::Left { peer } => around("", peer, " left."),
        CallNotice::Missed { peer } => around("Missed call from ", peer, "."),
        CallNotice::HungUp { peer } => around("", peer, " hung up."),
        CallNotice::NoAnswer { peer } => around("", peer, " did not answer."),
        CallNotice::SetupFailed { peer } => around("The call with ", peer, " could not be set up."),
        CallNotice::ConnectionFailed {
            peer,
            relay_refused: true,
        } => around(
            "The relay server refused our credentials, so the connection to ",
            peer,
            " failed.",
        ),
        CallNotice::ConnectionFailed {
            peer,
            relay_refused: false,
        } => around("The connection to ", peer, " failed."),
        CallNotice::NoPath {
            peer,
            relay_refused: true,
        } => around(
            "The relay server refused our credentials, so ",
            peer,
            " cannot be reached.",
        ),
        CallNotice::NoPath {
            peer,
            relay_refused: false,
        } => around("No network path to ", peer, " could be found."),
        CallNotice::ServerLost => "The connection to the server was lost; the call ended.".into(),
        CallNotice::Media(error) => media_error_sentence(error),
    }
}

/// Why our camera or microphone could not be opened.
pub fn media_error_sentence(error: &MediaError) -> String {
    match error {
        MediaError::NotFound => "No camera or microphone was found.".into(),
        MediaError::NotAllowed => "Permission to use the camera and microphone was denied.".into(),
        MediaError::NotReadable => {
            "The camera or microphone is in use by another application.".into()
        }
        MediaError::Overconstrained => {
            "The camera or microphone does not support the requested settings.".into()
        }
        MediaError::Insecure => {
            "The camera and microphone can only be used on a secure (https) page.".into()
        }
        MediaError::Other(what) => {
            format!("The camera or microphone could not be started ({what}).")
        }
    }
}

/// A call's length as `m:ss` (minutes keep counting past 59).
pub fn duration_mmss(elapsed_ms: f64) -> String {
    // Negative spans (a clock step backwards) show as 0:00 rather than garbage.
    let total = if elapsed_ms.is_finite() && elapsed_ms > 0.0 {
        (elapsed_ms / 1000.0) as u64
    } else {
        0
    };
    format!("{}:{:02}", total / 60, total % 60)
}

/// A clock time `HH:MM` from local hours and minutes.
pub fn clock(hours: u32, minutes: u32) -> String {
    format!("{hours:02}:{minutes:02}")
}

/// Whole seconds until the next reconnect try due at `retry_at_ms` (`None`: under way), at
/// `now_ms`; rounded up, so "1" shows until the try starts.
pub fn countdown_seconds(retry_at_ms: Option<u64>, now_ms: f64) -> u64 {
    let Some(at) = retry_at_ms else {
        return 0;
    };
    let left = (at as f64 - now_ms) / 1000.0;
    if left.is_finite() && left > 0.0 {
        left.ceil() as u64
    } else {
        0
    }
}

/// The `data-phase` value of the call area.
pub fn phase_name(phase: &CallPhase) -> &'static str {
    match phase {
        CallPhase::Idle => "idle",
        CallPhase::Calling { .. } => "calling",
        CallPhase::Ringing { .. } => "ringing",
        CallPhase::Connecting { .. } => "connecting",
        CallPhase::InCall { .. } => "in-call",
        CallPhase::Reconnecting { .. } => "reconnecting",
    }
}

/// The call status line.
pub fn phase_sentence(phase: &CallPhase) -> String {
    match phase {
        CallPhase::Idle => "Pick someone in the list to call them.".into(),
        CallPhase::Calling { peer } => around("Calling ", peer, "…"),
        CallPhase::Ringing { peer } => around("", peer, " is calling you"),
        CallPhase::Connecting { peer } => around("Connecting to ", peer, "…"),
        CallPhase::InCall { peer, .. } => around("In a call with ", peer, ""),
        CallPhase::Reconnecting { .. } => "Reconnecting media…".into(),
    }
}

/// The call status line while the partner's socket is away (their call goes on).
pub fn peer_reconnecting(peer: &str) -> String {
    around("", peer, " is reconnecting…")
}

/// The incoming-call prompt's Block button, said in full.
pub fn block_title(peer: &str) -> String {
    format!(
        "Decline and block {peer}: their calls are declined without ringing until you unblock them or leave the page"
    )
}

/// The user list's block toggle: its words and its title.
pub fn block_toggle(user: &str, blocked: bool) -> (&'static str, String) {
    if blocked {
        ("Unblock", around("Let ", user, " call you again"))
    } else {
        (
            "Block",
            around("Block ", user, ": their calls are declined without ringing"),
        )
    }
}

/// A blocked user's entry in the list.
pub fn blocked_title(user: &str) -> String {
    around("You blocked ", user, "; unblock them to call")
}

/// The `data-route` value and the badge's words.
pub fn route_name(route: Route) -> (&'static str, &'static str) {
    match route {
        Route::Direct => ("direct", "Direct"),
        Route::Relayed => ("relayed", "Relayed"),
    }
}

/// `before` + `name` + `after`: the sentences around a person's name, joined without
/// `format!` (one small routine instead of formatting code at each of ~45 sentences).
pub fn around(before: &str, name: &str, after: &str) -> String {
    [before, name, after].concat()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
