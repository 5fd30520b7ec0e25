//! When to renew a certificate and how long to wait after a failed order: pure functions of the
//! certificate's validity, the clock and the number of failures (unit-tested in `tests.rs`).

use std::time::{Duration, SystemTime};

/// The longest single wait: the renewal loop looks at the clock again at least this often
/// (a suspended machine or a changed clock must not delay a renewal by the whole wait).
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// The wait after the first failed order; it doubles with each further failure.
pub const FIRST_RETRY: Duration = Duration::from_secs(60);

/// The longest wait between failed orders (Let's Encrypt allows 5 failed validations per
/// hostname per hour, and pauses identifiers that keep failing).
pub const MAX_RETRY: Duration = Duration::from_secs(3 * 3600);

/// A certificate's validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: SystemTime,
    pub not_after: SystemTime,
}

impl Validity {
    /// The moment to renew: when a third of the certificate's lifetime is left (30 days of a
    /// 90-day Let's Encrypt certificate, 2 days of a 6-day one).
    pub fn renew_at(&self) -> SystemTime {
        let lifetime = self
            .not_after
            .duration_since(self.not_before)
            .unwrap_or_default();
        self.not_after
            .checked_sub(lifetime / 3)
            .unwrap_or(self.not_before)
    }

    /// Whether the certificate may still be served at `now` (not expired).
    pub fn serves_at(&self, now: SystemTime) -> bool {
        now < self.not_after
    }

    /// How long to wait at `now` before renewing: zero when due, at most [`MAX_WAIT`].
    pub fn wait_before_renewal(&self, now: SystemTime) -> Duration {
        self.renew_at()
            .duration_since(now)
            .unwrap_or_default()
            .min(MAX_WAIT)
    }
}

/// The wait after `failures` failed orders in a row (1 for the first): [`FIRST_RETRY`], doubling,
/// at most [`MAX_RETRY`].
pub fn retry_delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_RETRY.saturating_mul(1u32 << doublings).min(MAX_RETRY)
}
