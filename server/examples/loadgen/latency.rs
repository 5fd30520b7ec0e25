//! Scenario 2, latency under a fixed load: pairs relay the same frames open loop, at a fixed
//! total rate, each message sent at its scheduled time whatever happened to earlier ones.
//! Latency is measured from the scheduled send time, not the actual one, so a stall of the
//! server (or of the generator) shows in the figures instead of being hidden by sending later
//! (coordinated omission).

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::SplitStream;
use futures_util::{SinkExt, StreamExt};
use shared::FromServer;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::Message;

use crate::client::Ws;
use crate::error::Result;
use crate::frames::{CYCLE, PairFrames, cycle_index, parse_seq};
use crate::harness::ServerProcess;
use crate::pacer::{Pacer, Pacing};
use crate::pairs::{Pair, login_pairs};
use crate::report::{Figure, Goal};
use crate::stats::{Percentiles, micros, nanos};

/// How long after the last scheduled send the readers wait for stragglers.
const DRAIN: Duration = Duration::from_secs(2);
const VERIFY_EVERY: u64 = 64;

pub struct Config {
    pub pairs: usize,
    pub rate: u64,
    pub duration: Duration,
    pub pacing: Pacing,
}

/// Which client sends and which receives message `k` of the schedule.
fn route(k: u64, pairs: u64) -> (usize, u64, bool) {
    let pair = (k % pairs) as usize;
    let step = k / pairs;
    let (_, from_caller) = CYCLE[cycle_index(step)];
    (pair, step, from_caller)
}

#[derive(Default)]
struct ReaderResult {
    /// (message number, arrival in ns after `start`).
    arrivals: Vec<(u64, u64)>,
    errors: u64,
    wrong: u64,
}

pub async fn run(server: &ServerProcess, config: &Config) -> Result<Vec<Figure>> {
    println!(
        "\n== latency: {} clients, open loop at {} msg/s for {:.0} s, sender paced by {:?} ==",
        config.pairs * 2,
        config.rate,
        config.duration.as_secs_f64(),
        config.pacing
    );
    let pairs = login_pairs(&server.url(), config.pairs).await?;
    let (latency, caveat) = open_loop(server, config, pairs, true).await?;
    let label = |q: &str| format!("latency {q} at {} msg/s open loop", config.rate);
    Ok(vec![
        Figure::info_micros(&label("p50"), latency.p50),
        Figure::new(
            &label("p99"),
            latency.p99.as_secs_f64() * 1e3,
            "ms",
            Goal::AtMost(2.0),
        )
        .with_caveat(caveat),
        Figure::info_micros(&label("max"), latency.max),
    ])
}

/// Runs the open-loop schedule over `pairs`; returns the latency percentiles and, when the run
/// cannot be trusted, why. `verify` checks a sample of relays against the protocol (not for
/// the floor relay, which forwards frames verbatim).
pub async fn open_loop(
    server: &ServerProcess,
    config: &Config,
    pairs: Vec<Pair>,
    verify: bool,
) -> Result<(Percentiles, Option<String>)> {
    let pairs_n = config.pairs as u64;
    let total = config.rate * config.duration.as_secs();
    let interval_ns = 1_000_000_000 / config.rate.max(1);

    // Messages each client receives, [pair][0 = caller, 1 = callee]: counted in one pass, as
    // thousands of clients (the `rooms` scenario) times every message would take seconds.
    let mut receives = vec![[0u64; 2]; config.pairs];
    for k in 0..total {
        let (pair, _, from_caller) = route(k, pairs_n);
        receives[pair][usize::from(from_caller)] += 1;
    }
    // Sinks indexed [pair][0 = caller, 1 = callee]; one reader task per client.
    let start = Instant::now() + Duration::from_millis(100);
    let drain_deadline = start + config.duration + DRAIN;
    let mut sinks = Vec::with_capacity(config.pairs);
    let mut frames = Vec::with_capacity(config.pairs);
    let mut readers = Vec::new();
    for (p, pair) in pairs.into_iter().enumerate() {
        let pair_frames = Arc::new(pair.frames);
        let (caller_sink, caller_stream) = pair.caller.split();
        let (callee_sink, callee_stream) = pair.callee.split();
        for (stream, is_caller) in [(caller_stream, true), (callee_stream, false)] {
            let expected = receives[p][usize::from(!is_caller)];
            let schedule = Schedule {
                start,
                pairs: pairs_n,
                deadline: drain_deadline,
                verify,
            };
            readers.push(tokio::spawn(read_relays(
                stream,
                expected,
                pair_frames.clone(),
                schedule,
            )));
        }
        sinks.push([caller_sink, callee_sink]);
        frames.push(pair_frames);
    }

    let self_before = crate::harness::cpu_time("self", crate::harness::clock_ticks())?;
    let cpu_before = server.cpu()?;
    let busy_before = crate::harness::cpu_busy(crate::harness::clock_ticks());
    let mut max_lag = Duration::ZERO;
    // When each message was actually handed to its socket (ns after `start`), to split the
    // latency into the generator's lateness to send and the rest.
    let mut sent_at = vec![u64::MAX; total as usize];
    let mut pacer = Pacer::new(config.pacing, start, interval_ns, total);
    let mut dead = vec![[false; 2]; config.pairs];
    let mut dropped = 0u64;
    for k in 0..total {
        let due = start + Duration::from_nanos(k * interval_ns);
        pacer.wait(k).await;
        max_lag = max_lag.max(Instant::now() - due);
        let (pair, step, from_caller) = route(k, pairs_n);
        let side = usize::from(!from_caller);
        if dead[pair][side] {
            continue;
        }
        let frame = frames[pair].render(step, k);
        sent_at[k as usize] = nanos(Instant::now().saturating_duration_since(start));
        // A client the server dropped (e.g. as too slow to read when the generator is starved
        // of CPU) is counted and skipped, not fatal: the figure then says what happened.
        if sinks[pair][side].send(Message::Text(frame)).await.is_err() {
            dead[pair][side] = true;
            dropped += 1;
        }
    }
    let send_span = start.elapsed();
    let busy_after = crate::harness::cpu_busy(crate::harness::clock_ticks());
    let cpu = server.cpu()?.saturating_sub(cpu_before);
    let self_cpu = crate::harness::cpu_time("self", crate::harness::clock_ticks())?
        .saturating_sub(self_before);

    let mut arrivals = Vec::with_capacity(total as usize);
    let (mut errors, mut wrong) = (0, 0);
    for reader in readers {
        let result = reader.await??;
        arrivals.extend(result.arrivals);
        errors += result.errors;
        wrong += result.wrong;
    }
    let received = arrivals.len() as u64;
    let lost = total - received.min(total);
    let split = Split::of(&arrivals, &sent_at, interval_ns, &pacer.stalls);
    let latency = Percentiles::of(split.scheduled.clone());
    println!(
        "sent {total} messages in {:.2} s ({:.0} msg/s), send lag max {}",
        send_span.as_secs_f64(),
        total as f64 / send_span.as_secs_f64(),
        micros(max_lag)
    );
    println!("latency from scheduled send: {latency}");
    split.print(pacer.max_gap, pacer.stalls.len());
    println!(
        "server CPU {:.0}% of its core, {:.2} µs/msg; generator CPU {:.0}% (all of it when spinning to send on time)",
        100.0 * cpu.as_secs_f64() / send_span.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / total.max(1) as f64,
        100.0 * self_cpu.as_secs_f64() / send_span.as_secs_f64()
    );
    println!(
        "{}",
        crate::harness::others_share(&busy_before, &busy_after, cpu, self_cpu, send_span)
    );
    println!(
        "received {received}, lost {lost}, error frames {errors}, wrong relays {wrong}, senders closed by the server {dropped}"
    );
    let caveat = (lost + errors + wrong + dropped > 0)
        .then(|| format!("{lost} lost, {errors} error frames, {wrong} wrong, {dropped} closed"));
    Ok((latency, caveat))
}

/// What a reader needs to know about the schedule.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    start: Instant,
    pairs: u64,
    /// Readers stop waiting for stragglers here.
    deadline: Instant,
    /// Check a sample of relays against the protocol.
    verify: bool,
}

/// Reads one client's relays until it has all it was sent or the deadline passes.
async fn read_relays(
    mut stream: SplitStream<Ws>,
    expected: u64,
    frames: Arc<PairFrames>,
    schedule: Schedule,
) -> Result<ReaderResult> {
    let Schedule {
        start,
        pairs,
        deadline,
        verify,
    } = schedule;
    let mut result = ReaderResult {
        arrivals: Vec::with_capacity(expected as usize),
        ..Default::default()
    };
    while (result.arrivals.len() as u64) < expected {
        let Ok(message) = timeout_at(deadline, stream.next()).await else {
            break;
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            // The server closed this client (counted as lost messages).
            Some(Err(_)) | None => break,
        };
        let now = Instant::now();
        match parse_seq(&text) {
            Some(k) => {
                result
                    .arrivals
                    .push((k, nanos(now.saturating_duration_since(start))));
                let (_, step, _) = route(k, pairs);
                if verify && k.is_multiple_of(VERIFY_EVERY) && frames.verify(step, &text).is_err() {
                    result.wrong += 1;
                }
            }
            None => {
                if let Ok(FromServer::Error { .. }) = FromServer::from_json(&text) {
                    result.errors += 1;
                }
            }
        }
    }
    Ok(result)
}

/// The latency samples split by where the time went.
struct Split {
    /// Arrival minus scheduled send time (the figure).
    scheduled: Vec<u64>,
    /// Arrival minus actual send time: the generator's lateness to send left out.
    after_send: Vec<u64>,
    /// Actual minus scheduled send time.
    send_lag: Vec<u64>,
    /// Samples over 2 ms, and in how many distinct 10 ms windows of the schedule they were due:
    /// a few windows means a few stalls, many means a steady tail.
    over_2ms: usize,
    stall_windows: usize,
    /// Of those, how many arrived within 200 µs after the generator was off its core for
    /// over 500 µs: their receive timestamp may be late by the generator's stall.
    after_generator_stall: usize,
    /// Gaps of the spin loop with no frame timestamped in them.
    off_cpu_stalls: usize,
}

impl Split {
    fn of(
        arrivals: &[(u64, u64)],
        sent_at: &[u64],
        interval_ns: u64,
        stalls: &[(u64, u64)],
    ) -> Self {
        let mut split = Self {
            scheduled: Vec::with_capacity(arrivals.len()),
            after_send: Vec::with_capacity(arrivals.len()),
            send_lag: Vec::with_capacity(arrivals.len()),
            over_2ms: 0,
            stall_windows: 0,
            after_generator_stall: 0,
            off_cpu_stalls: 0,
        };
        // A gap in the spin loop is either the generator off its core or its readers busy
        // with a burst; only a gap in which no frame was timestamped is the former.
        let mut times: Vec<u64> = arrivals.iter().map(|&(_, t)| t).collect();
        times.sort_unstable();
        let off_cpu: Vec<(u64, u64)> = stalls
            .iter()
            .copied()
            .filter(|&(from, to)| {
                let i = times.partition_point(|&t| t <= from);
                times.get(i).is_none_or(|&t| t >= to)
            })
            .collect();
        split.off_cpu_stalls = off_cpu.len();
        let mut windows = std::collections::BTreeSet::new();
        for &(k, arrived) in arrivals {
            let due = k * interval_ns;
            let sent = sent_at
                .get(k as usize)
                .copied()
                .unwrap_or(u64::MAX)
                .min(arrived);
            let latency = arrived.saturating_sub(due);
            split.scheduled.push(latency);
            split.after_send.push(arrived.saturating_sub(sent));
            split.send_lag.push(sent.saturating_sub(due));
            if latency > 2_000_000 {
                split.over_2ms += 1;
                windows.insert(due / 10_000_000);
                if off_cpu
                    .iter()
                    .any(|&(from, to)| arrived >= from && arrived <= to + 200_000)
                {
                    split.after_generator_stall += 1;
                }
            }
        }
        split.stall_windows = windows.len();
        split
    }

    fn print(&self, max_gap: Duration, stalls: usize) {
        println!(
            "  of which after the actual send: {}",
            Percentiles::of(self.after_send.clone())
        );
        println!(
            "  send lag (actual - scheduled):  {}",
            Percentiles::of(self.send_lag.clone())
        );
        println!(
            "  {} samples over 2 ms, due in {} distinct 10 ms windows; {} of them received within 200 µs after the generator was off its core (spin only: {} gaps over 500 µs, {} with no frame received in them, longest {})",
            self.over_2ms,
            self.stall_windows,
            self.after_generator_stall,
            stalls,
            self.off_cpu_stalls,
            micros(max_gap)
        );
    }
}
