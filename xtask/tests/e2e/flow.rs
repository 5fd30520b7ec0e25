//! Watching media flow through an outage: the video frames each page decodes from its partner
//! must keep increasing, sample after sample, all the while the test waits for something else
//! (the pages noticing, a cut ending, the server coming back).

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::TestResult;
use crate::page::Page;
use crate::wait::POLL;

/// Time between two samples of one page's decoded frames. Chromium caches `getStats()` for
/// ~50 ms and the fake camera sends ~30 frames/s, so a healthy call gains many frames in this
/// time, while a stalled one gains none.
pub const SAMPLE: Duration = Duration::from_millis(750);

pub struct Flow<'a> {
    pages: Vec<&'a Page>,
    last: Vec<u64>,
    at: Instant,
    samples: usize,
}

impl<'a> Flow<'a> {
    /// Takes the first sample on every page of `pages` (their calls must be up already).
    pub async fn start(pages: &[&'a Page]) -> TestResult<Self> {
        let mut last = Vec::new();
        for page in pages {
            last.push(page.media().await?.frames_decoded);
        }
        Ok(Self {
            pages: pages.to_vec(),
            last,
            at: Instant::now(),
            samples: 1,
        })
    }

    /// When a sample is due, takes one on every page and fails unless each page has decoded
    /// more frames than at the previous sample.
    pub async fn check(&mut self) -> TestResult {
        if self.at.elapsed() < SAMPLE {
            return Ok(());
        }
        let since = self.at.elapsed();
        let mut now = Vec::new();
        for page in &self.pages {
            now.push(page.media().await?.frames_decoded);
        }
        for ((page, before), after) in self.pages.iter().zip(&self.last).zip(&now) {
            if after <= before {
                let media = page.media().await?;
                return page
                    .fail(format!(
                        "remote video stalled: {before} frames decoded, then {after} \
                         {since:?} later (sample {}); media now {media:?}",
                        self.samples + 1
                    ))
                    .await;
            }
        }
        self.last = now;
        self.at = Instant::now();
        self.samples += 1;
        Ok(())
    }

    /// How many samples were taken (each one more frames than the last, on every page).
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Waits until `script` (see [`Page::wait_js`]) is truthy on every page of `on`, checking
    /// the flow meanwhile; fails after `timeout` with every page's state.
    pub async fn wait_all(
        &mut self,
        what: &str,
        timeout: Duration,
        on: &[&Page],
        script: &str,
        args: Vec<Value>,
    ) -> TestResult {
        let deadline = Instant::now() + timeout;
        loop {
            self.check().await?;
            let mut all = true;
            for page in on {
                let value = page.js(script, args.clone()).await?;
                all &= !matches!(value, Value::Null | Value::Bool(false));
            }
            if all {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let mut states = String::new();
                for page in on {
                    states.push_str(&format!("\n    {}: {}", page.label, page.dump().await));
                }
                return Err(
                    format!("timed out after {timeout:?} waiting for {what}{states}").into(),
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Keeps checking the flow until `until` (the end of an outage the test makes on purpose).
    pub async fn watch_until(&mut self, until: Instant) -> TestResult {
        while Instant::now() < until {
            self.check().await?;
            tokio::time::sleep(POLL).await;
        }
        Ok(())
    }
}
