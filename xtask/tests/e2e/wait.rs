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

/// The most one test may take: every wait inside has its own deadline, but a WebDriver command
/// that never answers would otherwise hang the whole run.
pub const TEST_LIMIT: Duration = Duration::from_secs(180);

/// Runs a test body under [`TEST_LIMIT`].
pub async fn limit(body: impl Future<Output = TestResult>) -> TestResult {
    match tokio::time::timeout(TEST_LIMIT, body).await {
        Ok(result) => result,
        Err(_) => Err(format!("the test took longer than {TEST_LIMIT:?}").into()),
    }
}
