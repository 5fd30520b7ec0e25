//! Custom hooks.
//!
//! - [`use_socket`]: the page's current WebSocket, replaceable on reconnect, with a stable
//!   synchronous `send`.
//! - [`use_now`]: a clock that ticks while the component is mounted.
//! - [`use_retry`]: the reconnect timer (the backoff's delay), and `online` as a shortcut.
//! - [`use_heartbeat`]: pings and the dead-link watch on a resumable session.
//! - [`use_pagehide`]: `leaving` and the frame count when the page goes away.

pub mod use_heartbeat;
pub mod use_now;
pub mod use_pagehide;
pub mod use_retry;
pub mod use_socket;

pub use use_heartbeat::use_heartbeat;
pub use use_now::use_now;
pub use use_pagehide::use_pagehide;
pub use use_retry::use_retry;
pub use use_socket::{SocketHandle, use_socket};
