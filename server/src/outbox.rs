//! A client's outbox: the bounded queue of frames waiting to be written to its socket.
//!
//! The registry pushes without ever waiting ([`Outbox::push`] fails when the client is too
//! slow, and it is then disconnected); the client's session pops and writes. Closing it (when
//! the registry drops a slow client) wakes the session, which closes the socket.
//!
//! Too slow is judged by bytes waiting and by time behind: frames have been waiting and the
//! session has taken none of them for `max_behind`. A backlog the server made itself (a chat
//! line fanned out to a thousand clients faster than their sessions get the CPU to write it)
//! never gets a reader that keeps taking frames dropped; a reader that stopped reading is
//! (its session is stuck in a write and takes nothing). The frame bound is only a safety net.
//!
//! Hand-made rather than `tokio::sync::mpsc` for memory: tokio's channel allocates a 32-slot
//! block and cache-padded state up front (about 1.7 KiB per connection, idle or not), while this
//! queue costs about a hundred bytes until frames are actually waiting, and gives the memory back
//! once they are written.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::limits::FloodLimits;

/// Why a frame could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The client is not reading fast enough: too many bytes (or frames) waiting, or none
    /// taken for too long.
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
    /// Frames and bytes the queue may hold: `capacity` and `slow.bytes`, except for an away
    /// `resume` session (see [`Outbox::set_limits`]).
    max_frames: usize,
    max_bytes: usize,
    bytes: usize,
    /// How long frames may wait with none taken; `None` while nobody is expected to read (an
    /// away `resume` session: its grace window bounds that).
    max_behind: Option<Duration>,
    /// Since when frames have been waiting with none taken: when the queue last became
    /// non-empty, or the last pop that left frames behind.
    stalled_since: Option<Instant>,
    /// The bounds of a connected client.
    slow: Slowness,
}

/// When a connected client counts as too slow.
#[derive(Debug, Clone, Copy)]
pub struct Slowness {
    /// Bytes waiting.
    pub bytes: usize,
    /// Time with frames waiting and none taken.
    pub behind: Duration,
}

impl From<&FloodLimits> for Slowness {
    fn from(limits: &FloodLimits) -> Self {
        Self {
            bytes: limits.outbox_bytes,
            behind: limits.max_behind,
        }
    }
}

/// Queues that grew past this many slots are freed once empty, so a burst does not pin memory.
const KEEP_SLOTS: usize = 4;

impl Outbox {
    /// An outbox of at most `capacity` frames, with the default [`Slowness`] (see
    /// [`Outbox::set_slowness`]).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let slow = Slowness::from(&FloodLimits::default());
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                closed: false,
                max_frames: capacity,
                max_bytes: slow.bytes,
                bytes: 0,
                max_behind: Some(slow.behind),
                stalled_since: None,
                slow,
            }),
            ready: Notify::new(),
            capacity,
        }
    }

    /// Sets when the connected client counts as too slow (applied now unless it is away).
    pub fn set_slowness(&self, slow: Slowness) {
        let mut state = self.lock();
        if state.max_behind.is_some() {
            (state.max_bytes, state.max_behind) = (slow.bytes, Some(slow.behind));
        }
        state.slow = slow;
    }

    /// Bounds the queue to `frames` frames and `bytes` bytes with no time bound (an away
    /// `resume` session's share of its replay bounds); `None` restores the bounds of a
    /// connected client, its time behind counted from now.
    pub fn set_limits(&self, limits: Option<(usize, usize)>) {
        let mut state = self.lock();
        match limits {
            Some((frames, bytes)) => {
                (state.max_frames, state.max_bytes, state.max_behind) = (frames, bytes, None);
            }
            None => {
                let slow = state.slow;
                (state.max_frames, state.max_bytes) = (self.capacity, slow.bytes);
                state.max_behind = Some(slow.behind);
                state.stalled_since = (!state.queue.is_empty()).then(Instant::now);
            }
        }
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

    /// Queues `frame` unless the client is too slow or the outbox closed.
    pub fn push(&self, frame: Utf8Bytes) -> Result<(), PushError> {
        self.push_at(frame, Instant::now())
    }

    fn push_at(&self, frame: Utf8Bytes, now: Instant) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(PushError::Closed);
        }
        if state.queue.len() >= state.max_frames
            || state.bytes.saturating_add(frame.len()) > state.max_bytes
        {
            return Err(PushError::Full);
        }
        match (state.stalled_since, state.max_behind) {
            (Some(since), Some(max)) if now.saturating_duration_since(since) > max => {
                return Err(PushError::Full);
            }
            (Some(_), _) => {}
            (None, _) => state.stalled_since = Some(now),
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
        self.try_pop_at(Instant::now())
    }

    fn try_pop_at(&self, now: Instant) -> Option<Utf8Bytes> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        let frame = state.queue.pop_front();
        if let Some(frame) = &frame {
            state.bytes -= frame.len();
            // Progress: the client is behind only from here on, if at all.
            state.stalled_since = (!state.queue.is_empty()).then_some(now);
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

    fn slow(bytes: usize, behind_ms: u64) -> Slowness {
        Slowness {
            bytes,
            behind: Duration::from_millis(behind_ms),
        }
    }

    #[test]
    fn a_long_backlog_is_fine_while_frames_are_taken_but_not_once_none_are() {
        let outbox = Outbox::new(10_000);
        outbox.set_slowness(slow(usize::MAX, 1000));
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        // A backlog far above any frame count of old, taken slowly but steadily for 5 s.
        for _ in 0..2000 {
            outbox.push_at("x".into(), at(0)).unwrap();
        }
        for step in 1..=50 {
            assert!(outbox.try_pop_at(at(step * 100)).is_some());
            outbox.push_at("y".into(), at(step * 100)).unwrap();
        }
        // Now the reader stops: pushes go on until nothing has been taken for the bound.
        assert_eq!(outbox.push_at("z".into(), at(5900)), Ok(()));
        assert_eq!(outbox.push_at("z".into(), at(6100)), Err(PushError::Full));
        // Taking one frame is progress again.
        assert!(outbox.try_pop_at(at(6100)).is_some());
        assert_eq!(outbox.push_at("z".into(), at(6200)), Ok(()));
        // An empty queue is never behind, however long it has been.
        while outbox.try_pop_at(at(6300)).is_some() {}
        assert_eq!(outbox.push_at("w".into(), at(60_000)), Ok(()));
        assert_eq!(outbox.push_at("w".into(), at(60_900)), Ok(()));
    }

    #[test]
    fn bytes_waiting_are_bounded_and_an_away_session_has_no_time_bound() {
        let outbox = Outbox::new(10_000);
        outbox.set_slowness(slow(10, 1000));
        assert_eq!(outbox.push("12345".into()), Ok(()));
        assert_eq!(outbox.push("12345".into()), Ok(()));
        assert_eq!(outbox.push("1".into()), Err(PushError::Full));
        // Away: its own bounds, and no reader expected.
        outbox.set_limits(Some((100, 100)));
        let later = Instant::now() + Duration::from_secs(30);
        assert_eq!(outbox.push_at("1".into(), later), Ok(()));
        // Back: the connected bounds again, behind counted from now.
        outbox.set_limits(None);
        assert_eq!(outbox.backlog(), (3, 11));
        assert!(outbox.try_pop().is_some());
        assert_eq!(outbox.push("1".into()), Ok(()));
    }
}
