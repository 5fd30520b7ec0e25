//! Scenario 1, throughput: pairs relay offer/answer/candidate frames in a closed loop with one
//! message in flight per pair (each frame is sent when the previous one of its pair arrived).
//! Prints relayed messages/s, relay latency, the server's CPU time per relayed message and its
//! RSS.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use shared::FromServer;
use tokio::time::{Instant, sleep, timeout_at};
use tokio_tungstenite::tungstenite::Message;

use crate::error::Result;
use crate::frames::{CYCLE, parse_seq};
use crate::harness::ServerProcess;
use crate::pairs::{Pair, login_pairs};
use crate::report::{Figure, Goal};
use crate::stats::{Percentiles, nanos};

/// One message is given up on (and counted lost) after this long.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(2);
/// Every n-th relayed frame is fully parsed and checked (name stamped, right target).
const VERIFY_EVERY: u64 = 64;

pub struct Config {
    pub pairs: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

#[derive(Default)]
struct Control {
    measuring: AtomicBool,
    stop: AtomicBool,
    relayed: AtomicU64,
    lost: AtomicU64,
    error_frames: AtomicU64,
    wrong: AtomicU64,
    /// Check a sample of relays against the protocol.
    verify: bool,
    /// Pairs that stopped because the server closed one of their connections.
    closed: AtomicU64,
    /// The first few error frames, printed to explain a MISS. A std mutex: held for a push,
    /// never across an await.
    first_errors: std::sync::Mutex<Vec<String>>,
}

impl Control {
    fn note_error(&self, text: &str) {
        self.error_frames.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first_errors.lock()
            && first.len() < 3
        {
            first.push(text.chars().take(160).collect());
        }
    }
}

pub async fn run(server: &ServerProcess, config: &Config) -> Result<Vec<Figure>> {
    println!(
        "\n== throughput: {} pairs, closed loop, one message in flight per pair ==",
        config.pairs
    );
    let pairs = login_pairs(&server.url(), config.pairs).await?;
    let m = measure(server, config, pairs, true).await?;
    Ok(vec![
        Figure::new(
            &format!("throughput, {} pairs", config.pairs),
            m.rate,
            "msg/s",
            Goal::AtLeast(60_000.0),
        )
        .with_caveat(m.caveat.clone()),
        Figure::new(
            "server CPU per relayed message",
            m.cpu_per_msg_us,
            "µs",
            Goal::AtMost(8.0),
        )
        .with_caveat(m.caveat),
        Figure::info_micros("relay latency p50 (closed loop)", m.latency.p50),
        Figure::info_micros("relay latency p99 (closed loop)", m.latency.p99),
        Figure::info_micros("relay latency max (closed loop)", m.latency.max),
        Figure::new(
            "server RSS after throughput",
            m.rss as f64,
            "KiB",
            Goal::Info,
        ),
    ])
}

/// What one closed-loop measurement found.
pub struct Measured {
    pub rate: f64,
    pub cpu_per_msg_us: f64,
    pub latency: Percentiles,
    pub rss: u64,
    /// Why the figures cannot be trusted, if they cannot.
    pub caveat: Option<String>,
}

/// Runs logged-in (or, for the floor, raw) pairs in a closed loop and measures. `verify`
/// checks a sample of relays against the protocol (the floor relay forwards frames verbatim,
/// so there is nothing to check there).
pub async fn measure(
    server: &ServerProcess,
    config: &Config,
    pairs: Vec<Pair>,
    verify: bool,
) -> Result<Measured> {
    if let Some(first) = pairs.first() {
        let (offer, candidate) = first.frames.sizes();
        println!(
            "frames: offer/answer {offer} B, candidate {candidate} B; cycle of {} (2 SDP + {} candidates)",
            CYCLE.len(),
            CYCLE.len() - 2
        );
    }
    let control = Arc::new(Control {
        verify,
        ..Control::default()
    });
    let tasks: Vec<_> = pairs
        .into_iter()
        .map(|pair| tokio::spawn(pair_loop(pair, control.clone())))
        .collect();

    sleep(config.warmup).await;
    let cpu_before = server.cpu()?;
    let self_before = crate::harness::cpu_time("self", crate::harness::clock_ticks())?;
    let busy_before = crate::harness::cpu_busy(crate::harness::clock_ticks());
    let count_before = control.relayed.load(Ordering::Relaxed);
    let started = Instant::now();
    control.measuring.store(true, Ordering::Relaxed);
    sleep(config.duration).await;
    control.measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let relayed = control.relayed.load(Ordering::Relaxed) - count_before;
    let cpu = server.cpu()?.saturating_sub(cpu_before);
    let self_cpu = crate::harness::cpu_time("self", crate::harness::clock_ticks())?
        .saturating_sub(self_before);
    let busy_after = crate::harness::cpu_busy(crate::harness::clock_ticks());
    let rss = server.rss_kib()?;
    let peak = server.peak_rss_kib()?;
    control.stop.store(true, Ordering::Relaxed);

    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    let latency = Percentiles::of(samples);
    let rate = relayed as f64 / elapsed.as_secs_f64();
    let cpu_per_msg_us = cpu.as_secs_f64() * 1e6 / relayed.max(1) as f64;
    let lost = control.lost.load(Ordering::Relaxed);
    let errors = control.error_frames.load(Ordering::Relaxed);
    let wrong = control.wrong.load(Ordering::Relaxed);

    println!(
        "relayed {relayed} messages in {:.2} s: {rate:.0} msg/s",
        elapsed.as_secs_f64()
    );
    println!("relay latency: {latency}");
    println!(
        "(relayed since login, warm-up included: {})",
        control.relayed.load(Ordering::Relaxed)
    );
    println!(
        "server CPU {:.3} s = {cpu_per_msg_us:.2} µs/msg ({:.0}% of its core); generator CPU {:.0}% of its core",
        cpu.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / elapsed.as_secs_f64(),
        100.0 * self_cpu.as_secs_f64() / elapsed.as_secs_f64()
    );
    println!(
        "{}",
        crate::harness::others_share(&busy_before, &busy_after, cpu, self_cpu, elapsed)
    );
    println!("server RSS {} KiB (peak {} KiB)", rss, peak);
    if self_cpu.as_secs_f64() > 0.9 * elapsed.as_secs_f64() {
        println!("note: the generator used its whole core; the rate may be the generator's limit");
    }
    let closed = control.closed.load(Ordering::Relaxed);
    println!(
        "lost {lost}, error frames {errors}, wrong relays {wrong}, pairs closed by the server {closed}"
    );
    if let Ok(first) = control.first_errors.lock() {
        first.iter().for_each(|e| println!("  error frame: {e}"));
    }
    let caveat = (lost + errors + wrong + closed > 0)
        .then(|| format!("{lost} lost, {errors} error frames, {wrong} wrong, {closed} closed"));
    Ok(Measured {
        rate,
        cpu_per_msg_us,
        latency,
        rss,
        caveat,
    })
}

/// Relays the cycle back and forth within one pair until told to stop; returns the latencies
/// seen while measuring.
async fn pair_loop(pair: Pair, control: Arc<Control>) -> Result<Vec<u64>> {
    let Pair {
        mut caller,
        mut callee,
        frames,
    } = pair;
    let mut samples = Vec::with_capacity(64 * 1024);
    let mut step = 0u64;
    while !control.stop.load(Ordering::Relaxed) {
        let (_, from_caller) = CYCLE[crate::frames::cycle_index(step)];
        let (sender, receiver) = if from_caller {
            (&mut caller, &mut callee)
        } else {
            (&mut callee, &mut caller)
        };
        let frame = frames.render(step, step);
        let sent_at = Instant::now();
        if sender.send(Message::Text(frame)).await.is_err() {
            control.closed.fetch_add(1, Ordering::Relaxed);
            return Ok(samples);
        }
        let deadline = sent_at + MESSAGE_TIMEOUT;
        // Wait for our frame at the receiver; an error frame at the sender means it was refused.
        loop {
            let outcome = timeout_at(deadline, async {
                tokio::select! {
                    m = receiver.next() => (true, m),
                    m = sender.next() => (false, m),
                }
            })
            .await;
            let Ok((at_receiver, message)) = outcome else {
                control.lost.fetch_add(1, Ordering::Relaxed);
                break;
            };
            let text = match message {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(_)) => continue,
                // The server closed one of the pair: the pair stops, and says so.
                Some(Err(_)) | None => {
                    control.closed.fetch_add(1, Ordering::Relaxed);
                    return Ok(samples);
                }
            };
            match parse_seq(&text) {
                Some(seq) if at_receiver && seq == step % 10_000_000_000 => {
                    let now = Instant::now();
                    if control.measuring.load(Ordering::Relaxed) {
                        samples.push(nanos(now - sent_at));
                    }
                    control.relayed.fetch_add(1, Ordering::Relaxed);
                    if control.verify
                        && step.is_multiple_of(VERIFY_EVERY)
                        && frames.verify(step, &text).is_err()
                    {
                        control.wrong.fetch_add(1, Ordering::Relaxed);
                    }
                    break;
                }
                // A late frame from a message already counted lost, or a relay at the wrong end.
                Some(_) => {
                    control.wrong.fetch_add(1, Ordering::Relaxed);
                }
                None => {
                    if let Ok(FromServer::Error { .. }) = FromServer::from_json(&text) {
                        control.note_error(&text);
                        if !at_receiver {
                            break;
                        }
                    }
                }
            }
        }
        step += 1;
    }
    Ok(samples)
}
