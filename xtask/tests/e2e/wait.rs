//! Waiting for a condition with a deadline: the only way these tests synchronise (never a fixed
//! sleep).

use std::future::Future;
use std::time::{Duration, Instant};

use crate::TestResult;

/// How often conditions are polled. Short, because the benchmark-like checks (a tab closing, the
/// call ending within 3 s) are measured against it; each poll is one cheap WebDriver round trip.
pub const POLL: Duration = Duration::from_millis(25);

/// Polls `probe` until it yields `Some`, or fails after `timeout` naming `what`.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> TestResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = TestResult<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await? {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        tokio::time::sleep(POLL).await;
    }
}
