//! The numbered stream of a `resume` session: every frame written to the client after `session`
//! (or `resumed`) gets the next number, and the frames the client has not acknowledged yet are
//! kept ([`Replay`]) so that a new socket can be given the ones the old one lost.
//!
//! One [`Replay`] per `resume` session, shared (`Arc<Mutex<…>>`) by the registry and the session
//! task currently attached. Only the attached socket (the `owner`) may number frames: taking a
//! frame from the outbox and numbering it happen under this lock, so when a resume moves the
//! session to a new socket, every frame is either numbered by the old socket (and kept here for
//! replay) or still in the outbox for the new one — never lost, never sent twice.
//!
//! Plain and MDN clients have no `Replay`: their frames are neither numbered nor kept.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;

use crate::outbox::Outbox;

/// A session's replay state, shared by the registry and its attached session task.
pub type SharedReplay = Arc<Mutex<Replay>>;

/// Locks a shared replay (a panic under it leaves plain data behind: keep serving).
pub fn lock(replay: &SharedReplay) -> MutexGuard<'_, Replay> {
    replay
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Frames numbered and not yet acknowledged, and who may number more.
#[derive(Debug)]
pub struct Replay {
    /// The socket (connection id) attached to the session.
    owner: u64,
    /// The number of the last frame numbered (0: none yet).
    sent: u64,
    /// Frames `sent - frames.len() + 1 ..= sent`.
    frames: VecDeque<Utf8Bytes>,
    bytes: usize,
    max_frames: usize,
    max_bytes: usize,
    /// More piled up than the bounds allow while connected: the session cannot be resumed.
    overflowed: bool,
}

/// What [`Replay::take`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Take {
    /// The next frame, numbered and kept.
    Frame(Utf8Bytes),
    /// The outbox is empty.
    Empty,
    /// Another socket has taken the session over.
    Replaced,
}

impl Replay {
    pub fn new(owner: u64, max_frames: usize, max_bytes: usize) -> Self {
        Self {
            owner,
            sent: 0,
            frames: VecDeque::new(),
            bytes: 0,
            max_frames: max_frames.max(1),
            max_bytes: max_bytes.max(1),
            overflowed: false,
        }
    }

    pub fn owner(&self) -> u64 {
        self.owner
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Frames and bytes that may still pile up (in the outbox, while away) before the bounds
    /// are broken.
    pub fn room(&self) -> (usize, usize) {
        (
            self.max_frames.saturating_sub(self.frames.len()),
            self.max_bytes.saturating_sub(self.bytes),
        )
    }

    /// Numbers `frame`, written by socket `me`, and keeps it until acknowledged. `false` when
    /// `me` no longer owns the session (it must not write).
    pub fn record(&mut self, me: u64, frame: &Utf8Bytes) -> bool {
        if me != self.owner {
            return false;
        }
        self.sent += 1;
        if self.overflowed {
            return true;
        }
        self.frames.push_back(frame.clone());
        self.bytes += frame.len();
        if self.frames.len() > self.max_frames || self.bytes > self.max_bytes {
            self.overflowed = true;
            self.frames = VecDeque::new();
            self.bytes = 0;
        }
        true
    }

    /// Takes the next frame from `outbox` and numbers it, for socket `me`.
    pub fn take(&mut self, me: u64, outbox: &Outbox) -> Take {
        if me != self.owner {
            return Take::Replaced;
        }
        match outbox.try_pop() {
            Some(frame) => {
                self.record(me, &frame);
                Take::Frame(frame)
            }
            None => Take::Empty,
        }
    }

    /// The client has received the first `ack` frames: forget them.
    pub fn ack(&mut self, ack: u64) {
        let ack = ack.min(self.sent);
        let first = self.sent - self.frames.len() as u64 + 1;
        for _ in first..=ack {
            if let Some(frame) = self.frames.pop_front() {
                self.bytes -= frame.len();
            }
        }
    }

    /// Moves the session to socket `owner`, whose client has received `ack` frames: the frames
    /// after those, in order, to be sent again. `None` when they are no longer all here (the
    /// session overflowed, or `ack` is not a count this session reached).
    pub fn resume(&mut self, owner: u64, ack: u64) -> Option<Vec<Utf8Bytes>> {
        let first = self.sent - self.frames.len() as u64 + 1;
        if self.overflowed || ack > self.sent || ack + 1 < first {
            return None;
        }
        self.ack(ack);
        self.owner = owner;
        Some(self.frames.iter().cloned().collect())
    }

    /// Moves the session to socket `owner` with numbering started over (after a server
    /// restart, when nothing sent before is known).
    pub fn restart(&mut self, owner: u64) {
        self.owner = owner;
        self.sent = 0;
        self.frames = VecDeque::new();
        self.bytes = 0;
        self.overflowed = false;
    }
}

#[cfg(test)]
mod tests;
