//! Words and numbers the page computes: sentences for server errors and refused input, call
//! durations, clock times and the `data-*` values of the UI contract. Pure, so host-tested.

use shared::limits::{MAX_CHAT_CHARS, MAX_NAME_CHARS};
use shared::{ErrorCode, NameError};

use crate::call::{CallPhase, Route};
use crate::state::ChatError;

/// A polite sentence for an `error` frame. The server's own message is shown only where it
/// adds something the code does not say.
pub fn server_error_sentence(code: ErrorCode, message: &str) -> String {
    match code {
        ErrorCode::TextTooLong => {
            format!("That message was too long to send (at most {MAX_CHAT_CHARS} characters).")
        }
        ErrorCode::RateLimited => "You are sending too fast; the last message was dropped.".into(),
        ErrorCode::UnknownTarget => "That person is no longer online.".into(),
        ErrorCode::BadName => format!("The server refused that name: {message}."),
        ErrorCode::NotLoggedIn => "You are not logged in yet; please try again.".into(),
        ErrorCode::LoginTimeout => "The server closed the connection: no login in time.".into(),
        ErrorCode::TooLarge => "A message was too large; the server closed the connection.".into(),
        ErrorCode::SelfTarget => "You cannot call yourself.".into(),
        ErrorCode::NotInCall => "There is no call to hang up.".into(),
        ErrorCode::BadMessage
        | ErrorCode::UnknownType
        | ErrorCode::ServerOnlyType
        | ErrorCode::BinaryFrame
        | ErrorCode::BadId => {
            format!("The server could not use a message from this page: {message}.")
        }
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
        CallPhase::Calling { peer } => format!("Calling {peer}…"),
        CallPhase::Ringing { peer } => format!("{peer} is calling you"),
        CallPhase::Connecting { peer } => format!("Connecting to {peer}…"),
        CallPhase::InCall { peer, .. } => format!("In a call with {peer}"),
        CallPhase::Reconnecting { peer, .. } => {
            format!("Connection to {peer} interrupted, reconnecting…")
        }
    }
}

/// The `data-route` value and the badge's words.
pub fn route_name(route: Route) -> (&'static str, &'static str) {
    match route {
        Route::Direct => ("direct", "Direct"),
        Route::Relayed => ("relayed", "Relayed"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_m_ss() {
        assert_eq!(duration_mmss(0.0), "0:00");
        assert_eq!(duration_mmss(999.0), "0:00");
        assert_eq!(duration_mmss(9_000.0), "0:09");
        assert_eq!(duration_mmss(61_500.0), "1:01");
        assert_eq!(duration_mmss(3_600_000.0 + 5_000.0), "60:05");
        assert_eq!(duration_mmss(-5.0), "0:00");
        assert_eq!(duration_mmss(f64::NAN), "0:00");
    }

    #[test]
    fn clock_pads() {
        assert_eq!(clock(9, 5), "09:05");
        assert_eq!(clock(23, 59), "23:59");
    }

    #[test]
    fn contract_values() {
        let peer = || "alice".to_string();
        assert_eq!(phase_name(&CallPhase::Idle), "idle");
        assert_eq!(phase_name(&CallPhase::Calling { peer: peer() }), "calling");
        assert_eq!(phase_name(&CallPhase::Ringing { peer: peer() }), "ringing");
        assert_eq!(
            phase_name(&CallPhase::Connecting { peer: peer() }),
            "connecting"
        );
        assert_eq!(
            phase_name(&CallPhase::InCall {
                peer: peer(),
                since_ms: 0.0
            }),
            "in-call"
        );
        assert_eq!(
            phase_name(&CallPhase::Reconnecting {
                peer: peer(),
                since_ms: 0.0
            }),
            "reconnecting"
        );
        assert_eq!(
            phase_sentence(&CallPhase::Calling { peer: peer() }),
            "Calling alice…"
        );
        assert_eq!(route_name(Route::Direct).0, "direct");
        assert_eq!(route_name(Route::Relayed).0, "relayed");
    }

    #[test]
    fn sentences_say_why() {
        assert_eq!(
            name_error_sentence(&NameError::Empty),
            "Please enter a name."
        );
        assert!(name_error_sentence(&NameError::TooLong).contains("32"));
        assert_eq!(chat_error_sentence(ChatError::Empty), None);
        assert!(
            chat_error_sentence(ChatError::TooLong)
                .unwrap()
                .contains("2000")
        );
        assert!(server_error_sentence(ErrorCode::BadId, "bad id").contains("bad id"));
    }
}
