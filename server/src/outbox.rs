//! A client's outbox: the bounded queue of frames waiting to be written to its socket.
//!
//! The registry pushes without ever waiting ([`Outbox::push`] fails when the queue is full, and
//! the client is then disconnected); the client's session pops and writes. Closing it (when the
//! registry drops a slow client) wakes the session, which closes the socket.
//!
//! Hand-made rather than `tokio::sync::mpsc` for memory: tokio's channel allocates a 32-slot
//! block and cache-padded state up front (about 1.7 KiB per connection, idle or not), while this
//! queue costs about a hundred bytes until frames are actually waiting, and gives the memory back
//! once they are written.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;

/// Why a frame could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The client is not reading fast enough.
    Full,
    /// The outbox was closed (the client is being disconnected).
    Closed,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

pub struct Outbox {
    // A std mutex: held only for a push or a pop, never across an await.
    state: Mutex<State>,
    ready: Notify,
    capacity: usize,
}

struct State {
    queue: VecDeque<Utf8Bytes>,
    closed: bool,
    /// Frames and bytes the queue may hold: `capacity` and unbounded, except for an away
    /// `resume` session (see [`Outbox::set_limits`]).
    max_frames: usize,
    max_bytes: usize,
    bytes: usize,
}

/// Queues that grew past this many slots are freed once empty, so a burst does not pin memory.
const KEEP_SLOTS: usize = 4;

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                closed: false,
                max_frames: capacity,
                max_bytes: usize::MAX,
                bytes: 0,
            }),
            ready: Notify::new(),
            capacity,
        }
    }

    /// Bounds the queue to `frames` frames and `bytes` bytes (an away `resume` session's share
    /// of its replay bounds); `None` restores the capacity with no byte bound.
    pub fn set_limits(&self, limits: Option<(usize, usize)>) {
        let mut state = self.lock();
        (state.max_frames, state.max_bytes) = limits.unwrap_or((self.capacity, usize::MAX));
    }

    /// Frames and bytes waiting.
    pub fn backlog(&self) -> (usize, usize) {
        let state = self.lock();
        (state.queue.len(), state.bytes)
    }

    /// Wakes the reader again (a session that took a wake-up it could not use).
    pub fn nudge(&self) {
        self.ready.notify_one();
    }

    /// Waits until a frame is waiting (`true`) or the outbox is closed (`false`), without
    /// taking the frame.
    pub async fn wait_ready(&self) -> bool {
        loop {
            {
                let state = self.lock();
                if state.closed {
                    return false;
                }
                if !state.queue.is_empty() {
                    return true;
                }
            }
            self.ready.notified().await;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues `frame` unless the outbox is full or closed.
    pub fn push(&self, frame: Utf8Bytes) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if state.queue.len() >= state.max_frames
            || state.bytes.saturating_add(frame.len()) > state.max_bytes
        {
            return Err(PushError::Full);
        }
        state.bytes += frame.len();
        state.queue.push_back(frame);
        drop(state);
        // A stored permit if the session is not waiting yet: no wake-up is lost.
        self.ready.notify_one();
        Ok(())
    }

    /// Closes the outbox: pushes fail and the session's [`Outbox::pop`] returns `None`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_one();
    }

    /// The next frame without waiting; `None` when empty or closed.
    pub fn try_pop(&self) -> Option<Utf8Bytes> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        let frame = state.queue.pop_front();
        if let Some(frame) = &frame {
            state.bytes -= frame.len();
        }
        if state.queue.is_empty() && state.queue.capacity() > KEEP_SLOTS {
            state.queue = VecDeque::new();
        }
        frame
    }

    /// Waits for the next frame; `None` once closed. Cancel-safe (one consumer: the session).
    pub async fn pop(&self) -> Option<Utf8Bytes> {
        loop {
            if let Some(frame) = self.try_pop() {
                return Some(frame);
            }
            if self.lock().closed {
                return None;
            }
            self.ready.notified().await;
        }
    }
}

/// For unit tests anywhere in the server: everything queued, decoded.
#[cfg(test)]
impl Outbox {
    pub fn drain_frames(&self) -> Vec<shared::FromServer> {
        std::iter::from_fn(|| self.try_pop())
            .map(|frame| {
                shared::FromServer::from_json(&frame)
                    .unwrap_or_else(|e| panic!("bad frame {frame}: {e}"))
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_fifo_that_wakes_the_reader_and_reports_closing() {
        let outbox = std::sync::Arc::new(Outbox::new(2));
        assert_eq!(outbox.push("a".into()), Ok(()));
        assert_eq!(outbox.push("b".into()), Ok(()));
        assert_eq!(outbox.push("c".into()), Err(PushError::Full));
        assert_eq!(outbox.pop().await.as_deref(), Some("a"));
        assert_eq!(outbox.try_pop().as_deref(), Some("b"));
        assert_eq!(outbox.try_pop(), None);

        // A waiting reader is woken by a push from another task.
        let reader = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.pop().await }
        });
        tokio::task::yield_now().await;
        outbox.push("d".into()).unwrap();
        assert_eq!(reader.await.unwrap().as_deref(), Some("d"));

        outbox.push("e".into()).unwrap();
        outbox.close();
        assert_eq!(outbox.pop().await, None);
        assert_eq!(outbox.push("f".into()), Err(PushError::Closed));
    }
}
