//! Reconnect delays: exponential backoff with full jitter. The n-th try after a loss waits a
//! random time in `[0, min(cap, base·2^n, outage)]`, so pages cut off together (a server
//! restart) come back spread out over the window instead of all at once, and a page whose server
//! is gone for long tries at most every [`RETRY_CAP_MS`].
//!
//! The `outage` term (how long the page has been without a login, at least the base) keeps a
//! run of quick failures from raising the ceiling faster than time passes: tries that are refused
//! at once (a restarting server's closed port) would otherwise reach the 8 s and 10 s ceilings
//! within a second or two. With it, a page never waits longer than it has already been
//! disconnected, so it is back at most `max(base, outage)` after its server is (within 5 s of a
//! restart that took up to 5 s), and at most [`RETRY_CAP_MS`] after any outage.
//!
//! Pure: the random sample comes in as a number in `[0, 1]` (the page uses `Math.random()`).

/// The ceiling of the first try's delay: the first try comes within half a second.
pub const RETRY_BASE_MS: u64 = 500;

/// The longest wait between two tries.
pub const RETRY_CAP_MS: u64 = 10_000;

/// The ceiling of the delay before try number `retry` (0 = the first after a loss).
pub fn ceiling_ms(retry: u32) -> u64 {
    let factor = 1_u64.checked_shl(retry).unwrap_or(u64::MAX);
    RETRY_BASE_MS.saturating_mul(factor).min(RETRY_CAP_MS)
}

/// The ceiling of the delay before try number `retry` when the page has been disconnected for
/// `outage_ms`: never more than that outage (nor less than the base).
pub fn bounded_ceiling_ms(retry: u32, outage_ms: u64) -> u64 {
    ceiling_ms(retry).min(outage_ms.max(RETRY_BASE_MS))
}

/// The delay before try number `retry`, `outage_ms` into the outage, for a uniform sample
/// `jitter` in `[0, 1]` (anything outside, or not a number, is clamped, so a bad sample can never
/// make a wait longer than the ceiling).
pub fn delay_ms(retry: u32, outage_ms: u64, jitter: f64) -> u64 {
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let ceiling = bounded_ceiling_ms(retry, outage_ms);
    ((ceiling as f64 * jitter).round() as u64).min(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_from_half_a_second_up_to_the_cap() {
        let ceilings: Vec<u64> = (0..7).map(ceiling_ms).collect();
        assert_eq!(ceilings, [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
        assert_eq!(ceiling_ms(63), RETRY_CAP_MS, "no overflow");
        assert_eq!(ceiling_ms(64), RETRY_CAP_MS);
        assert_eq!(ceiling_ms(u32::MAX), RETRY_CAP_MS);
    }

    #[test]
    fn the_delay_is_anywhere_from_zero_to_the_ceiling() {
        const LONG: u64 = 60_000;
        assert_eq!(delay_ms(0, 0, 0.0), 0, "full jitter reaches zero");
        assert_eq!(
            delay_ms(0, 0, 1.0),
            500,
            "the first try within half a second"
        );
        assert_eq!(delay_ms(3, LONG, 0.5), 2_000);
        assert_eq!(delay_ms(20, LONG, 0.999_9), 9_999);
        assert_eq!(delay_ms(20, LONG, 1.0), RETRY_CAP_MS);
        for bad in [-1.0, 2.0, f64::NAN, f64::INFINITY] {
            assert!(delay_ms(5, LONG, bad) <= ceiling_ms(5), "{bad}");
        }
    }

    #[test]
    fn a_run_of_quick_failures_waits_no_longer_than_the_outage() {
        // Five tries refused within 300 ms: the count says 8 s, the outage says 0.5 s.
        assert_eq!(bounded_ceiling_ms(4, 300), RETRY_BASE_MS);
        assert_eq!(bounded_ceiling_ms(4, 2_500), 2_500);
        assert_eq!(
            bounded_ceiling_ms(4, 9_000),
            8_000,
            "the count bounds it too"
        );
        assert_eq!(bounded_ceiling_ms(9, 60_000), RETRY_CAP_MS);
        assert_eq!(delay_ms(6, 3_000, 1.0), 3_000);
    }

    /// The property the server-restart scenario relies on: whatever the samples, a page is back
    /// at most `max(base, outage)` after its server listens again (one try each time the
    /// timer fires; a try before the server is back fails at once).
    #[test]
    fn after_an_outage_the_next_try_comes_within_its_length() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut sample = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1_u64 << 53) as f64
        };
        for outage in [100, 1_000, 2_500, 4_000, 5_000, 9_000, 30_000] {
            for _ in 0..2_000 {
                let (mut at, mut retry) = (0_u64, 0_u32);
                while at < outage {
                    at += delay_ms(retry, at, sample());
                    retry += 1;
                }
                let late = at - outage;
                assert!(
                    late <= outage.clamp(RETRY_BASE_MS, RETRY_CAP_MS),
                    "outage {outage} ms: back {late} ms after the server"
                );
            }
        }
    }

    #[test]
    fn many_pages_spread_out_over_the_window() {
        // Stand-in for Math.random(): evenly spread samples.
        let delays: Vec<u64> = (0..1_000)
            .map(|i| delay_ms(4, 60_000, f64::from(i) / 999.0))
            .collect();
        let early = delays.iter().filter(|&&d| d < 4_000).count();
        assert!(
            (450..=550).contains(&early),
            "about half in the first half: {early}"
        );
        assert_eq!(delays.iter().max(), Some(&8_000));
    }
}
