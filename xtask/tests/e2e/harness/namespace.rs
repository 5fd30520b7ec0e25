//! Refuses to run outside a loopback-only network namespace: with another interface present,
//! Chromium would pair ICE candidates on it and media would leave loopback.

use crate::TestResult;

/// Interface names listed in `/proc/self/net/dev` (after its two header lines).
fn interfaces() -> TestResult<Vec<String>> {
    let text = std::fs::read_to_string("/proc/self/net/dev")?;
    Ok(text
        .lines()
        .skip(2)
        .filter_map(|line| line.split(':').next())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect())
}

pub fn require_loopback_only() -> TestResult {
    let names = interfaces()?;
    if names == ["lo"] {
        Ok(())
    } else {
        Err(format!(
            "the end-to-end tests must run in a network namespace with only `lo` (found {names:?}); \
             run them via `cargo xtask test` (or `cargo xtask bench-call`)"
        )
        .into())
    }
}
