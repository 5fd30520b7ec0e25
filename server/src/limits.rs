//! The server's limits (documented in `docs/PROTOCOL.md`) and the token bucket that enforces
//! the rate limits (per connection, and the server-wide chat fan-out budget).
//!
//! [`FloodLimits`] are the limits against amplification (issue 11): chat's own low rate, the
//! server-wide budget of chat bytes fanned out, and when a reader counts as too slow (bytes
//! waiting, or time without taking anything). Their flags are in `limits/flags.rs`.
//!
//! The wire limits every client must respect (frame size, name and chat length) live in
//! [`shared::limits`]; the ones here are the server's operating limits, configurable so that tests
//! can shrink the timeouts and the benchmark can lift the rate limit.

use std::time::Duration;

use tokio::time::Instant;

pub mod flags;

/// Operating limits of every session.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time allowed between connecting and a valid `username` frame.
    pub login_timeout: Duration,
    /// A ping is sent after this much time; a peer that has sent nothing (not even the pong)
    /// one interval later is considered dead and dropped.
    pub ping_interval: Duration,
    /// Frames waiting to be written to one client: a safety bound only, well above any burst
    /// the server itself makes. Slowness is judged by bytes waiting and time behind
    /// ([`FloodLimits`]); a client past any of them is disconnected, so it never slows others
    /// or grows memory.
    pub outbox_frames: usize,
    /// Longest a single write to one socket may take before the client is dropped.
    pub write_timeout: Duration,
    /// Sustained frames per second a client may send.
    pub rate_per_sec: u32,
    /// Frames a client may send in a burst above the sustained rate.
    pub rate_burst: u32,
    /// Presence (user list) changes are coalesced: at most one broadcast per interval.
    pub presence_interval: Duration,
    /// WebSocket read buffer per connection: it is held for the connection's life, so it
    /// dominates the memory of an idle connection (tungstenite's default is 128 KiB). Larger
    /// frames are still read whole (the buffer grows for them), in reads of this size.
    pub read_buffer_bytes: usize,
    /// WebSocket write buffering per connection: frames are written to the socket once this
    /// many bytes are pending (or on flush). 0 writes every frame at once, which keeps the
    /// buffer (which never shrinks) as small as the largest single frame.
    pub write_buffer_bytes: usize,
    /// A client with the `heartbeat` feature that sends nothing for this long is dropped as if
    /// its socket had.
    pub heartbeat_timeout: Duration,
    /// How long a `resume` session is kept away after its socket is lost.
    pub resume_grace: Duration,
    /// How long it is kept after a `leaving` frame (a page closed or reloaded).
    pub leave_grace: Duration,
    /// Frames of a `resume` session not yet acknowledged (sent, or waiting while it is away).
    pub resume_frames: usize,
    /// The same, in bytes.
    pub resume_bytes: usize,
    /// How long a caller whose call was declined may not ring the same callee again.
    pub decline_cooldown: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(30),
            // Room for a newcomer's whole list in small frames (at most 128) and for whole bursts
            // of chat fanned out faster than the server can write them (the byte and time
            // bounds of `FloodLimits` are what catch a client that does not read).
            outbox_frames: 4096,
            write_timeout: Duration::from_secs(10),
            rate_per_sec: 500,
            rate_burst: 1000,
            presence_interval: Duration::from_millis(20),
            read_buffer_bytes: 1024,
            write_buffer_bytes: 0,
            heartbeat_timeout: Duration::from_secs(9),
            resume_grace: Duration::from_secs(30),
            leave_grace: Duration::from_secs(2),
            resume_frames: 512,
            resume_bytes: 1 << 20,
            decline_cooldown: Duration::from_secs(30),
        }
    }
}

/// Limits against amplification: what one client may make the server write to everyone, what
/// all of them together may, and when a reader is too slow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloodLimits {
    /// Chat lines per second one client may send (sustained), counted apart from (and on top
    /// of) the frame rate limit.
    pub chat_rate: u32,
    /// Chat lines one client may send in a burst.
    pub chat_burst: u32,
    /// Bytes of chat the server writes per second across all senders: each line costs its
    /// frame's size times its recipients.
    pub fanout_bytes_per_sec: u64,
    /// The same budget's burst, in bytes. A line costing more than the whole burst still goes
    /// when the budget is full (the budget then runs into debt), so none is refused forever.
    pub fanout_burst_bytes: u64,
    /// Bytes waiting for one client: past this it is disconnected as too slow.
    pub outbox_bytes: usize,
    /// How long frames may wait for one client without its session taking any: past this it
    /// is disconnected as too slow. A reader that keeps taking frames is never dropped for a
    /// backlog the server made itself (a burst fanned out to many).
    pub max_behind: Duration,
}

impl Default for FloodLimits {
    fn default() -> Self {
        Self {
            // A person types a line every few seconds; 10 at once covers a paste of a few lines.
            chat_rate: 2,
            chat_burst: 10,
            // About 50,000 typical chat frames (~160 bytes) per second: 50 lines/s to a lobby
            // of 1,000, a small share of what the server can write.
            fanout_bytes_per_sec: 8 << 20,
            fanout_burst_bytes: 16 << 20,
            // Thousands of chat lines, or 16 of the largest frames.
            outbox_bytes: 1 << 20,
            max_behind: Duration::from_secs(10),
        }
    }
}

/// A token bucket: `burst` tokens, refilled at `per_sec` tokens per second; each frame costs one.
///
/// Hand-written rather than `governor` because it is owned by one session task (no atomics or
/// shared clock needed) and costs a few dozen bytes per connection.
#[derive(Debug)]
pub struct TokenBucket {
    tokens: f64,
    last: Instant,
    per_sec: f64,
    burst: f64,
}

impl TokenBucket {
    pub fn new(per_sec: u32, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            tokens: burst,
            last: now,
            per_sec: f64::from(per_sec),
            burst,
        }
    }

    /// A bucket with fractional or large amounts (bytes): `burst` tokens, `per_sec` a second.
    pub fn with_amounts(per_sec: f64, burst: f64, now: Instant) -> Self {
        let burst = burst.max(1.0);
        Self {
            tokens: burst,
            last: now,
            per_sec: per_sec.max(0.0),
            burst,
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.try_spend(1.0, now)
    }

    /// Spends `cost` tokens if the bucket holds them. A cost above the whole burst is allowed
    /// when the bucket is full, leaving it in debt: the sustained rate still holds, and nothing
    /// is refused forever.
    pub fn try_spend(&mut self, cost: f64, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        if self.tokens >= cost.min(self.burst) {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_the_burst_then_refills_at_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10, 3, start);
        assert!(bucket.try_take(start));
        assert!(bucket.try_take(start));
        assert!(bucket.try_take(start));
        assert!(!bucket.try_take(start));
        // 10 per second: one token after 100 ms, not before.
        assert!(!bucket.try_take(start + Duration::from_millis(50)));
        assert!(bucket.try_take(start + Duration::from_millis(101)));
        assert!(!bucket.try_take(start + Duration::from_millis(101)));
        // Never more than the burst, however long the pause.
        let later = start + Duration::from_secs(100);
        for _ in 0..3 {
            assert!(bucket.try_take(later));
        }
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn spending_amounts_and_running_into_debt_for_a_cost_above_the_burst() {
        let start = Instant::now();
        let mut budget = TokenBucket::with_amounts(1000.0, 3000.0, start);
        assert!(budget.try_spend(2000.0, start));
        assert!(!budget.try_spend(2000.0, start));
        assert!(budget.try_spend(1000.0, start));
        // Too big for any burst: it waits for a full bucket, then leaves a debt of 2000.
        assert!(!budget.try_spend(5000.0, start + Duration::from_millis(2900)));
        assert!(budget.try_spend(5000.0, start + Duration::from_secs(3)));
        assert!(!budget.try_spend(1.0, start + Duration::from_millis(4999)));
        assert!(budget.try_spend(1.0, start + Duration::from_millis(5002)));
    }
}
