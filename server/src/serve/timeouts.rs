//! [`Timeouts`]: how long the accept loop waits for a client, and for itself when shutting down.

use std::time::Duration;

/// How long the server waits for a client, and for itself when shutting down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// A request header must arrive whole within this; it is also how long a keep-alive
    /// connection may wait for its next request (hyper starts the same timer then).
    pub header_read: Duration,
    /// A connection that is not a WebSocket and moved no byte in either direction for this
    /// long (a client that stopped reading its response) is closed.
    pub stall: Duration,
    /// A TLS handshake must be complete within this.
    pub tls_handshake: Duration,
    /// From the shutdown signal until every connection still open is dropped.
    pub shutdown: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            stall: Duration::from_secs(30),
            tls_handshake: Duration::from_secs(10),
            shutdown: Duration::from_secs(10),
        }
    }
}
