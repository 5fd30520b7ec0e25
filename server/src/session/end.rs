//! Why a session ended: what is logged once, at info, when it does.

use std::fmt;

/// Why a session ended (logged once, at info).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed or the connection dropped.
    ClientLeft,
    /// The server is shutting down.
    Shutdown,
    /// The outbox overflowed, or a write took longer than the write timeout.
    TooSlow,
    /// No pong (or any frame) for a whole ping interval.
    Dead,
    /// A `heartbeat` client sent nothing for the heartbeat timeout.
    Silent,
    /// A resume on another socket took the session over.
    Replaced,
    /// Too many wrong passcodes for its room.
    WrongPasscodes,
    LoginTimeout,
    TooLarge,
    /// A protocol or I/O error on the socket.
    SocketError,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            End::ClientLeft => "client left",
            End::Shutdown => "server shutdown",
            End::TooSlow => "too slow to read",
            End::Dead => "no answer to ping",
            End::Silent => "heartbeat timeout",
            End::Replaced => "replaced by a resume",
            End::WrongPasscodes => "too many wrong passcodes",
            End::LoginTimeout => "login timeout",
            End::TooLarge => "frame too large",
            End::SocketError => "socket error",
        })
    }
}
