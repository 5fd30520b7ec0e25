//! Scenario "soak" (issue 11, point 9; not part of `all`): N logged-in clients (10,000) for a
//! long time (10 minutes) with churn (1 % of them reconnect every second), private chat and
//! calls (offer, answer, candidate, hang-up relayed). Every few seconds it samples the server's
//! RSS (`/proc/<pid>/status`) and open descriptors (`/proc/<pid>/fd`); it prints the RSS after
//! warm-up, the highest after it and at the end, whether that stays within +10 %, and the
//! descriptor counts at start and end (and once every client has gone, against the count
//! before the first one came: a leak shows there). Clients are in `soak_client.rs`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, interval, sleep};
use tokio_util::sync::CancellationToken;

use crate::error::{BenchError, Result};
use crate::harness::ServerProcess;
use crate::report::{Figure, Goal};
use crate::soak_client::{Cmd, Counters, SoakClient};

/// The soak scenario's settings.
#[derive(Debug, Clone, clap::Args)]
pub struct Flags {
    /// Logged-in clients of the soak scenario.
    #[arg(long, default_value_t = 10_000)]
    pub soak_clients: usize,
    /// Seconds the soak scenario runs once every client is online (warm-up included).
    #[arg(long, default_value_t = 600)]
    pub soak_secs: u64,
    /// Seconds of warm-up, after which the RSS is the baseline.
    #[arg(long, default_value_t = 60)]
    pub soak_warmup_secs: u64,
    /// Percent of the clients that reconnect every second.
    #[arg(long, default_value_t = 1.0)]
    pub soak_churn: f64,
    /// Calls started per second (each: offer, answer, candidate, hang-up).
    #[arg(long, default_value_t = 50)]
    pub soak_calls: u64,
    /// Private chat lines per second.
    #[arg(long, default_value_t = 100)]
    pub soak_chat: u64,
}

const CONNECT_CONCURRENCY: usize = 200;
const TICK: Duration = Duration::from_millis(100);
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// RSS may grow this much over its level after warm-up.
const RSS_GROWTH_MAX_PERCENT: f64 = 10.0;

/// A small xorshift generator: reproducible, and no dependency for picking clients.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn open_fds(pid: &str) -> Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count())
}

pub async fn run(server: &ServerProcess, flags: &Flags, clients: usize) -> Result<Vec<Figure>> {
    let n = clients.max(2);
    let duration = Duration::from_secs(flags.soak_secs);
    let warmup = Duration::from_secs(flags.soak_warmup_secs).min(duration);
    println!(
        "\n== soak: {n} clients for {} s (warm-up {} s), {}% reconnect/s, {} calls/s, {} chat/s ==",
        duration.as_secs(),
        warmup.as_secs(),
        flags.soak_churn,
        flags.soak_calls,
        flags.soak_chat
    );
    let pid = server.pid().to_owned();
    let fds_before = open_fds(&pid)?;
    let rss_before = server.rss_kib()?;
    let counters = Arc::new(Counters::default());
    let stop = CancellationToken::new();
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut commands = Vec::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    for index in 0..n {
        let (tx, rx) = mpsc::channel(4);
        commands.push(tx);
        let client = SoakClient {
            index,
            url: server.url(),
            commands: rx,
            connecting: connecting.clone(),
            counters: counters.clone(),
            stop: stop.clone(),
        };
        tasks.push(tokio::spawn(client.run()));
    }
    let ramp = Instant::now();
    while counters.online.load(Ordering::SeqCst) < n {
        if ramp.elapsed() > Duration::from_secs(300) {
            stop.cancel();
            return Err(BenchError::Timeout(format!(
                "ramping up: {} of {n} online after 300 s",
                counters.online.load(Ordering::SeqCst)
            )));
        }
        sleep(TICK).await;
    }
    let fds_start = open_fds(&pid)?;
    println!(
        "{n} online after {:.1} s; server RSS {rss_before} → {} KiB, fds {fds_before} → {fds_start}",
        ramp.elapsed().as_secs_f64(),
        server.rss_kib()?
    );
    println!(
        "   t s |  RSS KiB | fds   | online | reconnects | dropped | relays out/in   | chat in  | errors"
    );

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let per_tick = |per_sec: f64| per_sec * TICK.as_secs_f64();
    let (churn, calls, chat) = (
        per_tick(flags.soak_churn / 100.0 * n as f64),
        per_tick(flags.soak_calls as f64),
        per_tick(flags.soak_chat as f64),
    );
    let mut owed = (0.0, 0.0, 0.0);
    let started = Instant::now();
    let mut next_sample = started;
    let mut ticks = interval(TICK);
    let mut baseline = None;
    let mut max_after_warmup = 0;
    let mut rss = 0;
    while started.elapsed() < duration {
        ticks.tick().await;
        owed.0 += churn;
        owed.1 += calls;
        owed.2 += chat;
        while owed.0 >= 1.0 {
            owed.0 -= 1.0;
            let _ = commands[rng.below(n)].try_send(Cmd::Reconnect);
        }
        while owed.1 >= 1.0 {
            owed.1 -= 1.0;
            let (a, b) = (rng.below(n), rng.below(n));
            let _ = commands[a].try_send(Cmd::Call(b));
        }
        while owed.2 >= 1.0 {
            owed.2 -= 1.0;
            let (a, b) = (rng.below(n), rng.below(n));
            let _ = commands[a].try_send(Cmd::Chat(b));
        }
        if Instant::now() >= next_sample {
            next_sample += SAMPLE_EVERY;
            rss = server.rss_kib()?;
            let t = started.elapsed();
            if t >= warmup {
                baseline.get_or_insert(rss);
                max_after_warmup = max_after_warmup.max(rss);
            }
            let c = &counters;
            println!(
                "{:6.0} | {rss:8} | {:5} | {:6} | {:10} | {:7} | {:7}/{:<7} | {:8} | {}",
                t.as_secs_f64(),
                open_fds(&pid)?,
                c.online.load(Ordering::Relaxed),
                c.reconnects.load(Ordering::Relaxed),
                c.dropped.load(Ordering::Relaxed),
                c.relays_sent.load(Ordering::Relaxed),
                c.relays_received.load(Ordering::Relaxed),
                c.chats_received.load(Ordering::Relaxed),
                c.errors.load(Ordering::Relaxed),
            );
        }
    }
    let rss_end = server.rss_kib()?.max(rss);
    let fds_end = open_fds(&pid)?;
    let online_end = counters.online.load(Ordering::SeqCst);
    stop.cancel();
    for task in tasks {
        let _ = task.await?;
    }
    // The server closes its side as it notices each client gone.
    let closing = Instant::now();
    let mut fds_after = open_fds(&pid)?;
    while fds_after > fds_before && closing.elapsed() < Duration::from_secs(30) {
        sleep(TICK).await;
        fds_after = open_fds(&pid)?;
    }
    let baseline = baseline.unwrap_or(rss_end);
    let max_after_warmup = max_after_warmup.max(rss_end);
    let growth = (max_after_warmup as f64 / baseline.max(1) as f64 - 1.0) * 100.0;
    let within = growth <= RSS_GROWTH_MAX_PERCENT;
    let c = &counters;
    println!(
        "RSS after warm-up {baseline} KiB, max {max_after_warmup} KiB, end {rss_end} KiB: \
         {growth:+.1} % ({} the +{RSS_GROWTH_MAX_PERCENT:.0} % bound)",
        if within { "within" } else { "OUTSIDE" }
    );
    println!(
        "fds: {fds_before} before any client, {fds_start} with {n} online at start, {fds_end} with \
         {online_end} online at the end, {fds_after} after every client left"
    );
    println!(
        "{} logins, {} reconnects, {} dropped by the server, {} relays sent / {} received, {} chat \
         lines received, {} errors",
        c.logins.load(Ordering::Relaxed),
        c.reconnects.load(Ordering::Relaxed),
        c.dropped.load(Ordering::Relaxed),
        c.relays_sent.load(Ordering::Relaxed),
        c.relays_received.load(Ordering::Relaxed),
        c.chats_received.load(Ordering::Relaxed),
        c.errors.load(Ordering::Relaxed),
    );
    let leaked = fds_after.saturating_sub(fds_before) as f64;
    Ok(vec![
        Figure::new(
            "soak: RSS growth after warm-up (max)",
            growth,
            "%",
            Goal::AtMost(RSS_GROWTH_MAX_PERCENT),
        ),
        Figure::new(
            "soak: RSS after warm-up",
            baseline as f64,
            "KiB",
            Goal::Info,
        ),
        // Churned clients that cannot log in again fast enough (a server or generator short of
        // CPU) shrink the population, and the memory figures then describe fewer clients.
        Figure::new(
            "soak: clients online at the end",
            online_end as f64,
            "clients",
            Goal::AtLeast(0.95 * n as f64),
        ),
        Figure::new(
            "soak: descriptors left after clients gone",
            leaked,
            "fds",
            Goal::AtMost(0.0),
        ),
    ])
}
