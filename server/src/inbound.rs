//! Decoding a client's text frame, and the precise reason when it cannot be used.
//!
//! The happy path parses once into [`ToServer`]. Only when that fails is the frame looked at
//! again to tell the sender which rule it broke (not JSON, a type only the server sends, a type
//! nobody knows, or fields missing or mistyped).

use serde::Deserialize;
use shared::{ErrorCode, ToServer};

/// Why a frame was refused: the `error` frame's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Types a client may send.
const CLIENT_TYPES: &[&str] = &[
    "username",
    "message",
    "video-offer",
    "video-answer",
    "new-ice-candidate",
    "hang-up",
    "get-ice-servers",
];

/// Types only the server sends.
const SERVER_ONLY_TYPES: &[&str] = &[
    "id",
    "rejectusername",
    "userlist",
    "userlist-delta",
    "ice-servers",
    "error",
];

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

/// Parses one text frame from a client.
pub fn decode(text: &str) -> Result<ToServer, Refusal> {
    let parse_error = match ToServer::from_json(text) {
        Ok(message) => return Ok(message),
        Err(e) => e,
    };
    let kind = match serde_json::from_str::<TypeOnly<'_>>(text) {
        Ok(probe) => probe.kind,
        Err(_) if parse_error.is_syntax() || parse_error.is_eof() => {
            return Err(Refusal::new(ErrorCode::BadMessage, "not valid JSON"));
        }
        Err(_) => {
            return Err(Refusal::new(
                ErrorCode::BadMessage,
                "no string `type` field",
            ));
        }
    };
    if SERVER_ONLY_TYPES.contains(&kind.as_ref()) {
        Err(Refusal::new(
            ErrorCode::ServerOnlyType,
            format!("only the server sends `{kind}`"),
        ))
    } else if CLIENT_TYPES.contains(&kind.as_ref()) {
        Err(Refusal::new(
            ErrorCode::BadMessage,
            format!("bad `{kind}`: {parse_error}"),
        ))
    } else {
        Err(Refusal::new(ErrorCode::UnknownType, "unknown type"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_kind_of_bad_frame() {
        let code = |text: &str| decode(text).unwrap_err().code;
        assert_eq!(code("{not json"), ErrorCode::BadMessage);
        assert_eq!(code("[1,2]"), ErrorCode::BadMessage);
        assert_eq!(code(r#"{"name":"x"}"#), ErrorCode::BadMessage);
        assert_eq!(code(r#"{"type":5}"#), ErrorCode::BadMessage);
        assert_eq!(
            code(r#"{"type":"userlist","users":[]}"#),
            ErrorCode::ServerOnlyType
        );
        assert_eq!(code(r#"{"type":"id","id":1}"#), ErrorCode::ServerOnlyType);
        assert_eq!(code(r#"{"type":"teleport"}"#), ErrorCode::UnknownType);
        assert_eq!(
            code(r#"{"type":"video-offer","target":"b"}"#),
            ErrorCode::BadMessage
        );
        assert_eq!(
            code(r#"{"type":"message","text":7}"#),
            ErrorCode::BadMessage
        );
        assert!(decode(r#"{"type":"username","name":"a","extra":1}"#).is_ok());
    }
}
