//! The session's rate limits: every frame from the client takes a token (text, binary, and the
//! WebSocket Ping and Pong frames too, so a ping flood is treated as any flood), and chat lines
//! also take one from chat's own, lower budget. A client over a limit is told once per episode
//! (so a flood does not double its own traffic with errors) and its frames are dropped; its
//! other traffic, and everyone else's, is unaffected.

use axum::extract::ws::Message;
use futures_util::{Sink, Stream};
use shared::ErrorCode;
use tokio::time::Instant;

use super::{End, Session};
use crate::inbound::Refusal;

impl<S> Session<'_, S>
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    /// The frame rate limit: `Ok(false)` when the frame must be dropped.
    pub(super) async fn take_token(&mut self) -> Result<bool, End> {
        if self.bucket.try_take(Instant::now()) {
            self.told_rate_limited = false;
            return Ok(true);
        }
        crate::metrics::rate_limited();
        if !self.told_rate_limited {
            self.told_rate_limited = true;
            let refusal = Refusal::new(ErrorCode::RateLimited, "too many frames; dropped");
            Box::pin(self.write_error(refusal)).await?;
        }
        Ok(false)
    }

    /// Chat's own rate: `Ok(false)` when the chat line must be dropped.
    pub(super) async fn take_chat_token(&mut self) -> Result<bool, End> {
        if self.chat_bucket.try_take(Instant::now()) {
            self.told_chat_limited = false;
            return Ok(true);
        }
        crate::metrics::rate_limited();
        if !self.told_chat_limited {
            self.told_chat_limited = true;
            let flood = &self.state.settings.flood;
            let refusal = Refusal::new(
                ErrorCode::ChatRateLimited,
                format!(
                    "chat is limited to {} lines per second (bursts of {}); this line and the \
                     next ones are dropped until the rate allows again",
                    flood.chat_rate, flood.chat_burst
                ),
            );
            Box::pin(self.write_error(refusal)).await?;
        }
        Ok(false)
    }
}

/// Whether a socket error is tungstenite refusing a frame or message over the size limit.
pub(super) fn is_too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(tungstenite::Error::Capacity(_)) = e.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = e.source();
    }
    false
}
