//! Our page's reconnection policy (client/src/state/backoff.rs): exponential backoff with full
//! jitter (the n-th retry waits a uniformly random time up to `0.5 s · 2^n`, capped at 10 s and
//! at the time already spent disconnected, but at least 0.5 s), and for reference the same
//! backoff with the jitter taken out.

use std::time::Duration;

/// The backoff of our page: the n-th retry waits at most `BASE · 2^n`, capped at `CAP`.
const BASE: Duration = Duration::from_millis(500);
const CAP: Duration = Duration::from_secs(10);

/// How a client waits before each reconnection attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Uniform in `[0, min(CAP, BASE · 2^attempt, max(BASE, outage))]`: our page.
    FullJitter,
    /// Exactly that ceiling: the same backoff with no jitter, every client in step (the
    /// reference herd).
    Lockstep,
}

impl Policy {
    pub fn delay(self, attempt: u32, outage: Duration, rng: &mut Rng) -> Duration {
        let ceiling = BASE
            .saturating_mul(1 << attempt.min(16))
            .min(CAP)
            .min(outage.max(BASE));
        match self {
            Self::FullJitter => ceiling.mul_f64(rng.unit()),
            Self::Lockstep => ceiling,
        }
    }
}

/// splitmix64: enough randomness for jitter, with no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
