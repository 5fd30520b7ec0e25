//! The lobby chat in the page state: the bounded log of lines received, and the check that turns
//! a typed text into a `message` frame (or says why it cannot be sent, as a [`ChatError`]).

use std::rc::Rc;

use shared::ToServer;
use shared::limits::MAX_CHAT_CHARS;

use super::AppState;

/// How many chat lines the page keeps; older ones are dropped so a long session stays light.
pub const MAX_CHAT_LINES: usize = 500;

/// One line of the lobby chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLine {
    /// Local sequence number, unique for the page's life (the list key).
    pub seq: u64,
    /// Milliseconds since the Unix epoch, as the message carried it.
    pub date: u64,
    pub name: String,
    pub text: String,
    /// Sent to us alone (the `target` extension).
    pub private: bool,
}

/// Why a chat text cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatError {
    Empty,
    TooLong,
    Offline,
}

impl AppState {
    /// Adds a received line, dropping the oldest beyond [`MAX_CHAT_LINES`].
    pub(super) fn push_chat(&mut self, name: String, text: String, date: u64, private: bool) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let lines = Rc::make_mut(&mut self.chat);
        lines.push(ChatLine {
            seq,
            date,
            name,
            text,
            private,
        });
        if lines.len() > MAX_CHAT_LINES {
            let extra = lines.len() - MAX_CHAT_LINES;
            lines.drain(..extra);
        }
    }

    /// The chat frame for `text` (to `target` alone when given), or why it cannot be sent.
    pub fn chat_frame(
        &self,
        text: &str,
        target: Option<String>,
        now_ms: u64,
    ) -> Result<ToServer, ChatError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ChatError::Empty);
        }
        if text.chars().count() > MAX_CHAT_CHARS {
            return Err(ChatError::TooLong);
        }
        if !self.logged_in() {
            return Err(ChatError::Offline);
        }
        Ok(ToServer::Message {
            id: self.conn_id,
            text: text.to_owned(),
            date: Some(now_ms),
            target,
        })
    }
}
