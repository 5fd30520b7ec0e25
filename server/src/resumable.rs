//! What the registry keeps of a `resume` session besides its membership: the hash of its current
//! token, its numbered stream ([`crate::replay`]), the socket attached to it (with the way to
//! close that socket when a resume replaces it) or, while away, when it expires.
//!
//! Connection and session ids are plain `u64` here (the registry's `ConnId`).

use std::sync::Arc;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::replay::{Replay, SharedReplay};
use crate::token::SecretHash;

/// The socket a session is attached to.
#[derive(Debug, Clone)]
pub struct Attached {
    /// The connection id of the socket.
    pub socket: u64,
    /// Cancelled when a resume on another socket takes the session over: that session then
    /// closes its socket at once (close code 4000).
    pub replaced: CancellationToken,
}

/// A `resume` session's state in the registry.
#[derive(Debug)]
pub struct Resumable {
    /// Hash of the current token's secret; `None` when there is no token to resume with.
    pub hash: Option<SecretHash>,
    pub replay: SharedReplay,
    /// The socket holding the session; `None` while away.
    pub attached: Option<Attached>,
    /// While away: when the session ends unless resumed.
    pub away_until: Option<Instant>,
    /// Loaded from the state file and not resumed yet: nothing it was sent before is known,
    /// and presence is not queued for it (it gets a full list when it resumes).
    pub restored: bool,
}

impl Resumable {
    /// A new session attached to `socket`, with replay bounds of `frames` and `bytes`.
    pub fn new(socket: u64, hash: Option<SecretHash>, frames: usize, bytes: usize) -> Self {
        Self {
            hash,
            replay: Arc::new(std::sync::Mutex::new(Replay::new(socket, frames, bytes))),
            attached: Some(Attached {
                socket,
                replaced: CancellationToken::new(),
            }),
            away_until: None,
            restored: false,
        }
    }

    /// A session loaded from the state file: away until `until`.
    pub fn restored(hash: SecretHash, until: Instant, frames: usize, bytes: usize) -> Self {
        Self {
            attached: None,
            away_until: Some(until),
            restored: true,
            ..Self::new(0, Some(hash), frames, bytes)
        }
    }

    /// Whether the session is away (no socket).
    pub fn is_away(&self) -> bool {
        self.away_until.is_some()
    }
}

/// What a session task holds of its `resume` session.
#[derive(Debug, Clone)]
pub struct Handle {
    /// The session's id (the registry key; the connection id of the socket that logged in).
    pub member: u64,
    pub replay: SharedReplay,
    /// Cancelled when another socket takes the session over.
    pub replaced: CancellationToken,
}

/// The resume settings the registry applies.
#[derive(Debug, Clone, Copy)]
pub struct ResumeLimits {
    pub grace: std::time::Duration,
    pub leave_grace: std::time::Duration,
    pub frames: usize,
    pub bytes: usize,
}

impl From<&crate::limits::Limits> for ResumeLimits {
    fn from(limits: &crate::limits::Limits) -> Self {
        Self {
            grace: limits.resume_grace,
            leave_grace: limits.leave_grace,
            frames: limits.resume_frames,
            bytes: limits.resume_bytes,
        }
    }
}

impl Default for ResumeLimits {
    fn default() -> Self {
        Self::from(&crate::limits::Limits::default())
    }
}
