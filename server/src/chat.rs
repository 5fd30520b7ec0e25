//! Chat: the length rule, and a chat line serialised once in each of the two forms clients need
//! (raw for clients with `plain-text`, HTML-escaped for legacy ones). The registry delivers it.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::ws::Utf8Bytes;
use shared::limits::MAX_CHAT_CHARS;
use shared::{ErrorCode, FromServer, UserName};

use crate::escape::html_escape;
use crate::inbound::Refusal;
use crate::members::ConnId;

/// A chat line in the two forms clients need.
#[derive(Debug, Clone)]
pub struct ChatFrames {
    /// For clients with the `plain-text` feature.
    pub raw: Utf8Bytes,
    /// For legacy clients (MDN's inserts chat as HTML): `name` and `text` HTML-escaped. The same
    /// bytes as `raw` when nothing needed escaping.
    pub escaped: Utf8Bytes,
}

impl ChatFrames {
    /// The form for a client with (`plain_text`) or without the `plain-text` feature.
    pub fn for_client(&self, plain_text: bool) -> &Utf8Bytes {
        if plain_text { &self.raw } else { &self.escaped }
    }
}

/// Refuses text over [`MAX_CHAT_CHARS`] characters.
pub fn check_text(text: &str) -> Result<(), Refusal> {
    if text.chars().count() > MAX_CHAT_CHARS {
        return Err(Refusal::new(
            ErrorCode::TextTooLong,
            format!("chat text is limited to {MAX_CHAT_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The chat line from `id` named `name`, dated `date` (now, in milliseconds since the Unix
/// epoch, when the client gave none).
pub fn chat_frames(
    id: ConnId,
    name: &UserName,
    text: String,
    date: Option<u64>,
    target: Option<String>,
) -> ChatFrames {
    let date = date.unwrap_or_else(now_millis);
    let escaped_name = html_escape(name.as_str());
    let escaped_text = html_escape(&text);
    let unchanged = matches!(
        (&escaped_name, &escaped_text),
        (Cow::Borrowed(_), Cow::Borrowed(_))
    );
    let escaped = (!unchanged).then(|| {
        FromServer::Message {
            id,
            name: escaped_name.into_owned(),
            text: escaped_text.into_owned(),
            date,
            target: target.clone(),
        }
        .to_json()
    });
    let raw: Utf8Bytes = FromServer::Message {
        id,
        name: name.to_string(),
        text,
        date,
        target,
    }
    .to_json()
    .into();
    let escaped = escaped.map_or_else(|| raw.clone(), Utf8Bytes::from);
    ChatFrames { raw, escaped }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests;
