//! The connection to the signaling server.
//!
//! - [`url`]: where the WebSocket goes (pure, host-tested).
//! - [`frame`]: reads the server's frames (pure, host-tested; smaller than serde's derive).
//! - `js_json` (wasm only): the browser's `JSON.parse` result read as [`frame::Json`].
//! - `socket` (wasm only): one WebSocket connection whose listeners live as long as it does.
//! - `session_store` (wasm only): the resumable session's record in `sessionStorage`.

pub mod frame;
#[cfg(target_arch = "wasm32")]
pub mod js_json;
#[cfg(target_arch = "wasm32")]
pub mod session_store;
#[cfg(target_arch = "wasm32")]
pub mod socket;
pub mod url;
