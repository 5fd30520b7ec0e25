//! What the page remembers about an `error` frame: the server's code and its own words, as
//! facts. The sentence the person reads is made from them when the page is drawn
//! (`crate::text::server_error_sentence`), so the wording never lives in the state.

use shared::ErrorCode;

/// The server refused something we sent (or closes the socket, for some codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    pub code: ErrorCode,
    /// The server's own message (shown only where it adds something the code does not say).
    pub message: String,
}
