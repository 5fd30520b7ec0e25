//! Custom hooks.
//!
//! - [`use_socket`]: the page's current WebSocket, replaceable on reconnect, with a stable
//!   synchronous `send`.
//! - [`use_now`]: a clock that ticks while the component is mounted.

pub mod use_now;
pub mod use_socket;

pub use use_now::use_now;
pub use use_socket::{SocketHandle, use_socket};
