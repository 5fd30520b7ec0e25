//! Reconnect delays: exponential backoff with full jitter. The n-th try after a loss waits a
//! random time in `[0, min(cap, base·2^n)]`, so pages cut off together (a server restart)
//! come back spread out over the window instead of all at once, and a page whose server is
//! gone for long tries at most every [`RETRY_CAP_MS`].
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

/// The delay before try number `retry`, for a uniform sample `jitter` in `[0, 1]` (anything
/// outside, or not a number, is clamped, so a bad sample can never make a wait longer than the
/// ceiling).
pub fn delay_ms(retry: u32, jitter: f64) -> u64 {
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let ceiling = ceiling_ms(retry);
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
        assert_eq!(delay_ms(0, 0.0), 0, "full jitter reaches zero");
        assert_eq!(delay_ms(0, 1.0), 500, "the first try within half a second");
        assert_eq!(delay_ms(3, 0.5), 2_000);
        assert_eq!(delay_ms(20, 0.999_9), 9_999);
        assert_eq!(delay_ms(20, 1.0), RETRY_CAP_MS);
        for bad in [-1.0, 2.0, f64::NAN, f64::INFINITY] {
            assert!(delay_ms(5, bad) <= ceiling_ms(5), "{bad}");
        }
    }

    #[test]
    fn many_pages_spread_out_over_the_window() {
        // Stand-in for Math.random(): evenly spread samples.
        let delays: Vec<u64> = (0..1_000)
            .map(|i| delay_ms(4, f64::from(i) / 999.0))
            .collect();
        let early = delays.iter().filter(|&&d| d < 4_000).count();
        assert!(
            (450..=550).contains(&early),
            "about half in the first half: {early}"
        );
        assert_eq!(delays.iter().max(), Some(&8_000));
    }
}
