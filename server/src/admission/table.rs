//! The counts behind the caps: open connections in all and per client address, and each
//! address's upgrade token bucket. Plain data with the clock passed in (the caller holds it
//! under one lock, so a check and the count it guards are one step).
//!
//! The map shrinks: an address's entry goes once it has no connection open and its bucket has
//! refilled (it is then the same as no entry); such entries are swept when the map has doubled
//! since the last sweep, so the cost is amortised and an address that came once is not kept.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::{AdmissionSettings, UpgradeRate};

/// Below this many entries the map is never swept.
const SWEEP_FLOOR: usize = 1024;

/// Why an upgrade is refused by the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The server holds as many connections as it may.
    Global,
    /// This address holds as many as one address may.
    PerIp,
    /// This address upgraded too often; a token is back after this long.
    Rate(Duration),
}

/// A token bucket with a fractional rate (upgrades are counted over seconds, not per second).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, rate: UpgradeRate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * rate.per_sec).min(f64::from(rate.burst));
    }
}

#[derive(Debug)]
struct Entry {
    open: usize,
    bucket: Option<Bucket>,
}

#[derive(Debug, Default)]
pub struct Table {
    total: usize,
    per_ip: HashMap<IpAddr, Entry>,
    sweep_at: usize,
}

impl Table {
    /// Open connections in all.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Addresses with an entry (for tests of the sweep).
    #[cfg(test)]
    pub fn addresses(&self) -> usize {
        self.per_ip.len()
    }

    /// Counts a connection from `key` (`None`: exempt from the per-address limits) if the
    /// limits allow it; nothing changes when they do not.
    pub fn admit(
        &mut self,
        key: Option<IpAddr>,
        limits: &AdmissionSettings,
        now: Instant,
    ) -> Result<(), Full> {
        if limits.max_connections.is_some_and(|max| self.total >= max) {
            return Err(Full::Global);
        }
        if let Some(key) = key {
            self.sweep(limits, now);
            let entry = self.per_ip.entry(key).or_insert(Entry {
                open: 0,
                bucket: None,
            });
            if limits.max_per_ip.is_some_and(|max| entry.open >= max) {
                return Err(Full::PerIp);
            }
            if let Some(rate) = limits.upgrade_rate {
                let bucket = entry.bucket.get_or_insert(Bucket {
                    tokens: f64::from(rate.burst),
                    last: now,
                });
                bucket.refill(rate, now);
                if bucket.tokens < 1.0 {
                    let wait = (1.0 - bucket.tokens) / rate.per_sec;
                    return Err(Full::Rate(Duration::from_secs_f64(wait)));
                }
                bucket.tokens -= 1.0;
            }
            entry.open += 1;
        }
        self.total += 1;
        Ok(())
    }

    /// A connection counted by [`Table::admit`] ended.
    pub fn release(&mut self, key: Option<IpAddr>) {
        self.total = self.total.saturating_sub(1);
        let Some(key) = key else {
            return;
        };
        if let Some(entry) = self.per_ip.get_mut(&key) {
            entry.open = entry.open.saturating_sub(1);
            if entry.open == 0 && entry.bucket.is_none() {
                self.per_ip.remove(&key);
            }
        }
    }

    /// Drops entries that are the same as none, when the map has doubled since the last sweep.
    fn sweep(&mut self, limits: &AdmissionSettings, now: Instant) {
        if self.per_ip.len() < self.sweep_at.max(SWEEP_FLOOR) {
            return;
        }
        self.per_ip.retain(|_, entry| {
            let refilled = match (entry.bucket.as_mut(), limits.upgrade_rate) {
                (Some(bucket), Some(rate)) => {
                    bucket.refill(rate, now);
                    bucket.tokens >= f64::from(rate.burst)
                }
                _ => true,
            };
            entry.open > 0 || !refilled
        });
        self.sweep_at = 2 * self.per_ip.len();
    }
}
