//! When the open-loop messages are due: the clock the latency scenario's sender waits on.
//!
//! tokio's timer has 1 ms granularity, too coarse for a message every 50 µs. Two ways to wait
//! for a finer due time:
//! - `Spin`: yield to the runtime until the due time has passed. Sends on time to the
//!   microsecond, but the generator then takes its whole core, and the kernel treats a process
//!   that never sleeps as a CPU hog: whatever else wakes on that core runs for a full slice
//!   (milliseconds) before the generator gets the core back, delaying both its sends and the
//!   timestamps of the frames it receives.
//! - `Ticker`: a thread sleeps (`nanosleep`, a high-resolution timer, some tens of µs of slack)
//!   until each due time and publishes how many messages are due; the sender task awaits that.
//!   The generator sleeps whenever it has nothing to do, as a browser would.

use std::thread;
use std::time::Duration;

use clap::ValueEnum;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::stats::nanos;

/// A gap in the spin loop this long is a stall of the generator, not a slow turn.
const STALL: Duration = Duration::from_micros(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Pacing {
    Spin,
    Ticker,
}

/// Waits until message `k` of a schedule `start + k × interval` is due.
pub struct Pacer {
    start: Instant,
    interval_ns: u64,
    /// `Ticker` only: how many messages are due, published by the ticker thread.
    due: Option<watch::Receiver<u64>>,
    /// The longest gap between two looks at the clock while spinning (`Spin` only): the
    /// generator was off its core, or busy with other tasks, that long.
    pub max_gap: Duration,
    /// `Spin` only: gaps over 500 µs, as (from, to) in ns after `start`, to tell which late
    /// arrivals were timestamped late because the generator itself was not running.
    pub stalls: Vec<(u64, u64)>,
}

impl Pacer {
    pub fn new(pacing: Pacing, start: Instant, interval_ns: u64, total: u64) -> Self {
        let due = (pacing == Pacing::Ticker).then(|| ticker(start, interval_ns, total));
        Self {
            start,
            interval_ns,
            due,
            max_gap: Duration::ZERO,
            stalls: Vec::new(),
        }
    }

    /// Returns once message `k` is due; never before its time.
    pub async fn wait(&mut self, k: u64) {
        let at = self.start + Duration::from_nanos(k * self.interval_ns);
        let now = Instant::now();
        if at > now + Duration::from_millis(2) {
            tokio::time::sleep_until(at - Duration::from_millis(1)).await;
        }
        match &mut self.due {
            Some(due) => {
                // The ticker only publishes counts whose time has come; if it stopped (it
                // cannot before the last message), fall through to the clock check below.
                while *due.borrow_and_update() <= k {
                    if due.changed().await.is_err() {
                        break;
                    }
                }
                while Instant::now() < at {
                    tokio::task::yield_now().await;
                }
            }
            None => {
                let mut seen = Instant::now();
                while seen < at {
                    tokio::task::yield_now().await;
                    let now = Instant::now();
                    let gap = now - seen;
                    self.max_gap = self.max_gap.max(gap);
                    if gap > STALL {
                        let ns = |t: Instant| nanos(t.saturating_duration_since(self.start));
                        self.stalls.push((ns(seen), ns(now)));
                    }
                    seen = now;
                }
            }
        }
    }
}

/// Starts the ticker thread; it ends after the last message is due or when the sender is gone.
fn ticker(start: Instant, interval_ns: u64, total: u64) -> watch::Receiver<u64> {
    let (tx, rx) = watch::channel(0u64);
    let start = start.into_std();
    thread::spawn(move || {
        let mut next = 0u64;
        while next < total {
            let at = start + Duration::from_nanos(next * interval_ns);
            let now = std::time::Instant::now();
            if at > now {
                thread::sleep(at - now);
            }
            // Everything due by now, in one publication: after a late wake-up the sender
            // sends the backlog at once rather than one message per wake-up.
            let elapsed = std::time::Instant::now().saturating_duration_since(start);
            let due = (u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX) / interval_ns + 1)
                .clamp(next + 1, total);
            if tx.send(due).is_err() {
                return;
            }
            next = due;
        }
    });
    rx
}
