//! The browser client: a Yew app for lobby chat and WebRTC video calls.
//!
//! Layout (a functional core with a thin browser shell):
//! - [`state`]: the page's UI state as one pure reducer, holding facts (codes, enums, names);
//!   [`roster`]: who is online, owned by the state and read by the call machine;
//!   [`text`]: the words and numbers the page shows, made from those facts when drawing;
//!   [`announce`]: the sentences the live region says when the call changes.
//! - [`call`]: the call state machine (pure) and its browser driver.
//! - [`group`]: group calls of up to four, a mesh (pure; its driver is in `call::driver`).
//! - [`error`]: the client's one error type (`From<JsValue>`, keeping the exception's name).
//! - [`net`]: the WebSocket's address (pure) and, in the browser, the socket itself and the
//!   session's record in `sessionStorage`.
//! - [`route`]: where the page is (the public lobby, a room at `/r/<room>`, or a bad room link).
//! - wasm only: `hooks` (the socket slot, a ticking clock, the retry timer, the heartbeat,
//!   `pagehide`), `context` (the state provider),
//!   `log` (console output for the unexpected), `alerts` (ringtone, notification, title),
//!   `components` (one component per file, props and callbacks) and `app` (the root).
//!
//! Everything but the browser modules builds on the host, where the reducer and the call
//! machine are unit-tested with plain `cargo test -p client`.

pub mod announce;
pub mod call;
pub mod error;
pub mod group;
pub mod net;
pub mod roster;
pub mod route;
pub mod state;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod alerts;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod context;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod log;
