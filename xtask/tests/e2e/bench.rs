//! The call-setup benchmark (`cargo xtask bench-call`; ignored in the normal run): two browsers,
//! `E2E_BENCH_CALLS` calls (default 20). For each: caller's click → callee rings, callee's Accept →
//! first remote frame shown on both sides, and click → both sides showing video. Timed inside
//! the pages (see `probes::INSTALL`), printed as median and p90.

use serde_json::Value;

use crate::TestResult;
use crate::page::{Page, QUICK, SLOW};
use crate::probes;
use crate::scenario::{alice_and_bob, close_all};

/// In-page times (ms since the epoch, sub-millisecond precision) of one call.
struct Times {
    click: f64,
    ring: f64,
    accept: f64,
    /// The caller's page leaves `calling` (the answer arrived): signaling done.
    caller_answered: f64,
    /// The caller's page shows `in-call` (ICE and DTLS done).
    caller_connected: f64,
    caller_frame: f64,
    callee_frame: f64,
}

/// When the page first showed `phase` (NaN if it never did).
async fn phase_time(page: &Page, phase: &str) -> TestResult<f64> {
    let at = page
        .js(
            "const p = window.__e2e.phases.find((p) => p[0] === arguments[0]); return p ? p[1] : null;",
            vec![serde_json::json!(phase)],
        )
        .await?;
    Ok(at.as_f64().unwrap_or(f64::NAN))
}

async fn read(page: &Page, script: &str) -> TestResult<f64> {
    page.js(script, vec![])
        .await?
        .as_f64()
        .ok_or_else(|| format!("{}: no timing from `{script}`", page.label).into())
}

async fn one_call(caller: &Page, callee: &Page) -> TestResult<Times> {
    caller.js(probes::RESET_TIMINGS, vec![]).await?;
    callee.js(probes::RESET_TIMINGS, vec![]).await?;
    caller.call("bob").await?;
    callee.wait_phase_with("ringing", "alice", QUICK).await?;
    callee.click_testid("accept-call").await?;
    let frame = "return window.__e2e.firstFrameAt;";
    caller
        .wait_js("the first remote frame", frame, vec![], SLOW)
        .await?;
    callee
        .wait_js("the first remote frame", frame, vec![], SLOW)
        .await?;
    let times = Times {
        click: read(caller, "return window.__e2e.clickAt['user'];").await?,
        ring: read(callee, "const p = window.__e2e.phases.find((p) => p[0] === 'ringing'); return p ? p[1] : null;").await?,
        accept: read(callee, "return window.__e2e.clickAt['accept-call'];").await?,
        caller_answered: phase_time(caller, "connecting").await?,
        caller_connected: phase_time(caller, "in-call").await?,
        caller_frame: read(caller, frame).await?,
        callee_frame: read(callee, frame).await?,
    };
    caller.wait_phase("in-call", SLOW).await?;
    caller.click_testid("hang-up").await?;
    caller.wait_phase("idle", QUICK).await?;
    callee.wait_phase("idle", QUICK).await?;
    Ok(times)
}

/// The `q`-quantile (nearest rank) of `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[tokio::test]
#[ignore = "benchmark: run with `cargo xtask bench-call`"]
async fn call_setup() -> TestResult {
    let calls: usize = std::env::var("E2E_BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let (_world, alice, bob) = alice_and_bob("bench_call_setup").await?;

    let mut ring = Vec::new();
    let mut accept_to_both = Vec::new();
    let mut click_to_both = Vec::new();
    let mut accept_to_answer = Vec::new();
    let mut answer_to_connected = Vec::new();
    let mut connected_to_frame = Vec::new();
    println!(
        "call  ring  accept→answer  answer→connected  connected→frame  accept→caller  accept→callee  accept→both  click→both  (ms; \
         the middle three are the caller's)"
    );
    for n in 1..=calls {
        let t = one_call(&alice, &bob).await?;
        let both = t.caller_frame.max(t.callee_frame);
        ring.push(t.ring - t.click);
        accept_to_both.push(both - t.accept);
        click_to_both.push(both - t.click);
        accept_to_answer.push(t.caller_answered - t.accept);
        answer_to_connected.push(t.caller_connected - t.caller_answered);
        connected_to_frame.push(t.caller_frame - t.caller_connected);
        println!(
            "{n:>4}  {:>4.0}  {:>13.0}  {:>16.0}  {:>15.0}  {:>13.0}  {:>13.0}  {:>11.0}  {:>10.0}",
            t.ring - t.click,
            t.caller_answered - t.accept,
            t.caller_connected - t.caller_answered,
            t.caller_frame - t.caller_connected,
            t.caller_frame - t.accept,
            t.callee_frame - t.accept,
            both - t.accept,
            both - t.click
        );
    }
    println!(
        "\ncall setup over {calls} calls (two headless Chromiums, loopback, fake 640x480 camera):"
    );
    // Other work on the machine slows the browsers; say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!("    (load average at the end: {})", load.join(" "));
    for (what, values, target) in [
        ("click → callee rings", &ring, Some(100.0)),
        ("Accept → both decoding", &accept_to_both, Some(300.0)),
        ("click → both decoding", &click_to_both, None),
        ("  caller: Accept → answer", &accept_to_answer, None),
        ("  caller: answer → in-call", &answer_to_connected, None),
        ("  caller: in-call → frame", &connected_to_frame, None),
    ] {
        let median = quantile(values, 0.5);
        let target = target.map(|t: f64| {
            format!(
                "  (target ≤ {t:.0} ms median: {})",
                if median <= t { "met" } else { "MISSED" }
            )
        });
        println!(
            "    {what:<27} median {median:>7.1} ms   p90 {:>7.1} ms{}",
            quantile(values, 0.9),
            target.unwrap_or_default()
        );
    }
    let console: Value = alice.js("return window.__e2e.console;", vec![]).await?;
    if console.as_array().is_some_and(|c| !c.is_empty()) {
        println!("alice's console errors/warnings: {console}");
    }
    close_all([alice, bob]).await;
    Ok(())
}

#[test]
fn quantiles_use_nearest_rank() {
    let values: Vec<f64> = (1..=20).map(f64::from).collect();
    assert_eq!(quantile(&values, 0.5), 10.0);
    assert_eq!(quantile(&values, 0.9), 18.0);
    assert_eq!(quantile(&[5.0], 0.9), 5.0);
}
