//! The connection to the signaling server.
//!
//! - [`url`]: where the WebSocket goes (pure, host-tested).
//! - [`frame`]: reads the server's frames (pure, host-tested; smaller than serde's derive).
//! - [`write`]: writes the page's frames as JSON text (pure, host-tested; no serde in the page).
//! - `js_json` (wasm only): the browser's `JSON.parse` result read as [`frame::Json`];
//!   [`parse_json`] parses text that way in the page (serde_json on the host).
//! - `socket` (wasm only): one WebSocket connection whose listeners live as long as it does.
//! - `session_store` (wasm only): the resumable session's record in `sessionStorage`.
//! - `place` (wasm only): the page's address and going to a new room (issue 13).

pub mod frame;
#[cfg(target_arch = "wasm32")]
pub mod js_json;
#[cfg(target_arch = "wasm32")]
pub mod place;
#[cfg(target_arch = "wasm32")]
pub mod session_store;
#[cfg(target_arch = "wasm32")]
pub mod socket;
pub mod url;
pub mod write;

/// Parses JSON text: with the browser's `JSON.parse` in the page (no JSON parser in the wasm),
/// with serde_json on the host (tests). `None` when it is not JSON.
#[cfg(target_arch = "wasm32")]
pub fn parse_json(text: &str) -> Option<wasm_bindgen::JsValue> {
    js_json::parse(text).ok()
}

/// Parses JSON text: with the browser's `JSON.parse` in the page (no JSON parser in the wasm),
/// with serde_json on the host (tests). `None` when it is not JSON.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_json(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}
