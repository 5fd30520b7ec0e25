//! ICE settings that do not need a browser: when to ask the server for fresh TURN credentials,
//! and whether the page forces relayed connections (`?relay=1`).

/// Never ask again sooner than this, even for credentials that are about to expire (or have),
/// so a server handing out short-lived ones cannot make us spin.
pub const MIN_REFRESH_MS: u32 = 5_000;

/// How long to wait before asking for fresh ICE servers, given when the current credentials stop
/// working (`expires`, Unix seconds) and the time now (`Date.now()`): at four fifths of the
/// remaining lifetime, so a call placed at any moment has credentials with time left on them.
pub fn refresh_delay_ms(expires_unix_s: u64, now_ms: f64) -> u32 {
    let remaining_ms = expires_unix_s as f64 * 1000.0 - now_ms;
    let delay = remaining_ms * 0.8;
    // `as` saturates for floats; the upper bound keeps the value a valid `setTimeout` delay.
    (delay.clamp(f64::from(MIN_REFRESH_MS), f64::from(i32::MAX as u32))) as u32
}

/// Whether the page's query string (`location.search`, with or without the `?`) asks for
/// relay-only ICE: `relay=1`, `relay=true` or a bare `relay`.
pub fn relay_only_from_query(query: &str) -> bool {
    query.trim_start_matches('?').split('&').any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        key == "relay" && matches!(value, "" | "1" | "true" | "yes")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_at_four_fifths_of_the_remaining_lifetime() {
        let now_ms = 1_000_000.0;
        // 1000 s left: ask after 800 s.
        assert_eq!(refresh_delay_ms(2_000, now_ms), 800_000);
    }

    #[test]
    fn expired_or_nearly_expired_credentials_are_refreshed_soon_but_not_in_a_loop() {
        assert_eq!(refresh_delay_ms(1_000, 1_000_000.0), MIN_REFRESH_MS);
        assert_eq!(refresh_delay_ms(0, 1_000_000.0), MIN_REFRESH_MS);
        assert_eq!(refresh_delay_ms(u64::MAX, 0.0), i32::MAX as u32);
    }

    #[test]
    fn relay_parameter() {
        assert!(relay_only_from_query("?relay=1"));
        assert!(relay_only_from_query("?a=b&relay=true"));
        assert!(relay_only_from_query("relay"));
        assert!(!relay_only_from_query("?relay=0"));
        assert!(!relay_only_from_query("?norelay=1"));
        assert!(!relay_only_from_query(""));
    }
}
