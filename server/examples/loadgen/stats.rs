//! Latency samples and their percentiles. Samples are kept raw (a few hundred thousand u64s at
//! most) and sorted once, so the percentiles are exact rather than bucketed.

use std::fmt;
use std::time::Duration;

/// Percentiles of a set of latency samples, in nanoseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub p999: Duration,
    pub max: Duration,
}

impl Percentiles {
    pub fn of(mut samples_ns: Vec<u64>) -> Self {
        if samples_ns.is_empty() {
            return Self::default();
        }
        samples_ns.sort_unstable();
        let at = |q: f64| {
            // Nearest-rank: the smallest sample with at least q of the samples at or below it.
            let rank = (q * samples_ns.len() as f64).ceil() as usize;
            Duration::from_nanos(samples_ns[rank.clamp(1, samples_ns.len()) - 1])
        };
        Self {
            count: samples_ns.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: Duration::from_nanos(samples_ns[samples_ns.len() - 1]),
        }
    }
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  (n={})",
            micros(self.p50),
            micros(self.p90),
            micros(self.p99),
            micros(self.p999),
            micros(self.max),
            self.count
        )
    }
}

/// A duration in µs with one decimal, or ms above 10 ms.
pub fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
