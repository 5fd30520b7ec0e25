//! What the herd scenario measures and prints: the server's and the generator's CPU sampled
//! every 500 ms from the kill (from `/proc/<pid>/stat`, as the harness reads it), and per
//! reconnection the curve of clients back per 500 ms bucket, when all were back, under which
//! names, and the figures for the summary table.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::backoff::Policy;
use crate::harness;
use crate::herd_client::{Event, Outcome};
use crate::report::{Figure, Goal};

pub const BUCKET: Duration = Duration::from_millis(500);
/// Target of issue 9: every client back within 15 s of the restart.
const ALL_BACK_TARGET: f64 = 15.0;

/// One kill-and-restart and every client's return.
pub struct Phase {
    pub policy: Policy,
    /// Clients connected when the server was killed.
    pub clients: usize,
    pub killed: Instant,
    pub listening: Instant,
    pub events: Vec<Event>,
    /// Events of an earlier phase that arrived during this one.
    pub late: usize,
    /// Clients that were back, lost their socket again and came back again in this phase.
    pub again: usize,
    /// The server's CPU time from its start until the last client was back.
    pub all_back_cpu: Option<Duration>,
    /// Cumulative CPU times at the end of each bucket since the kill.
    pub samples: Vec<Sample>,
    /// Frames (and bytes) the clients received after being back, until the last was back.
    pub received: (u64, u64),
    /// Connections the kernel dropped because the server's accept queue was full.
    pub listen_overflows: u64,
}

/// Cumulative CPU times at one instant: the server's, the generator's, and the busy time of
/// the server's and the generator's cores (whoever used them).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    server: Duration,
    generator: Duration,
    server_core: Duration,
    generator_core: Duration,
}

/// One bucket in percent of a core: the server, the generator, and other processes on the
/// server's and on the generator's core.
#[derive(Debug, Clone, Copy)]
struct Shares {
    server: f64,
    generator: f64,
    others_server_core: f64,
    others_generator_core: f64,
}

impl Phase {
    pub fn new(policy: Policy, clients: usize, killed: Instant, listening: Instant) -> Self {
        Self {
            policy,
            clients,
            killed,
            listening,
            events: Vec::new(),
            late: 0,
            again: 0,
            all_back_cpu: None,
            samples: Vec::new(),
            listen_overflows: 0,
            received: (0, 0),
        }
    }

    pub fn back_count(&self) -> usize {
        self.back().count()
    }

    fn back(&self) -> impl Iterator<Item = &Event> {
        self.events
            .iter()
            .filter(|e| !matches!(e.outcome, Outcome::Failed(_)))
    }

    fn name(&self) -> &'static str {
        match self.policy {
            Policy::FullJitter => "with full jitter (our page)",
            Policy::Lockstep => "without jitter (reference: the same backoff, all in step)",
        }
    }

    /// CPU shares of each bucket.
    fn cpu_per_bucket(&self) -> Vec<Shares> {
        let share = |a: Duration, b: Duration| {
            100.0 * a.saturating_sub(b).as_secs_f64() / BUCKET.as_secs_f64()
        };
        self.samples
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                let server = share(b.server, a.server);
                let generator = share(b.generator, a.generator);
                Shares {
                    server,
                    generator,
                    others_server_core: (share(b.server_core, a.server_core) - server).max(0.0),
                    others_generator_core: (share(b.generator_core, a.generator_core) - generator)
                        .max(0.0),
                }
            })
            .collect()
    }
}

/// Samples the server's (by pid) and this process's CPU time every 500 ms from `start`, on a
/// thread of its own: the generator's runtime is busiest exactly when the samples matter.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    pub fn start(pid: &str, start: Instant) -> Self {
        let pid = pid.to_owned();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let start = start.into_std();
        let thread = std::thread::spawn(move || {
            let ticks = harness::clock_ticks();
            let core = |cores: &[Duration], which: &str| {
                which
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| cores.get(i).copied())
                    .unwrap_or_default()
            };
            let read = |last: Sample| {
                let cores = harness::cpu_busy(ticks);
                Sample {
                    server: harness::cpu_time(&pid, ticks).unwrap_or(last.server),
                    generator: harness::cpu_time("self", ticks).unwrap_or(last.generator),
                    server_core: core(&cores, harness::SERVER_CPU),
                    generator_core: core(&cores, harness::GENERATOR_CPU),
                }
            };
            // The first sample is at the kill (the new server is not there yet).
            let mut samples = vec![Sample {
                server: Duration::ZERO,
                ..read(Sample::default())
            }];
            while !stopped.load(Ordering::SeqCst) {
                let due = start + BUCKET * u32::try_from(samples.len()).unwrap_or(u32::MAX);
                std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
                let last = samples.last().copied().unwrap_or_default();
                samples.push(read(last));
            }
            samples
        });
        Self { stop, thread }
    }

    pub fn stop(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap_or_default()
    }
}

/// The kernel's count of connections dropped on a full accept queue (all sockets).
pub fn listen_overflows() -> u64 {
    let netstat = std::fs::read_to_string("/proc/net/netstat").unwrap_or_default();
    let mut tcp_ext = netstat.lines().filter(|l| l.starts_with("TcpExt:"));
    let (Some(names), Some(values)) = (tcp_ext.next(), tcp_ext.next()) else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "ListenOverflows")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
}

/// Prints each phase and returns its figures.
pub fn report(n: usize, phases: &[Phase], resume: bool) -> Vec<Figure> {
    let mut figures = Vec::new();
    for phase in phases {
        if phase.clients < n {
            println!(
                "\n({} clients gave up in an earlier reconnect; this one has {})",
                n - phase.clients,
                phase.clients
            );
        }
        figures.extend(print_phase(phase.clients, phase, resume));
    }
    figures
}

fn print_phase(n: usize, phase: &Phase, resume: bool) -> Vec<Figure> {
    let secs = |at: Instant| at.saturating_duration_since(phase.killed).as_secs_f64();
    let back = phase.back().count();
    let own = phase
        .back()
        .filter(|e| {
            matches!(
                e.outcome,
                Outcome::Resumed { own: true } | Outcome::LoggedIn { own: true }
            )
        })
        .count();
    let resumed = phase
        .back()
        .filter(|e| matches!(e.outcome, Outcome::Resumed { .. }))
        .count();
    let failures: Vec<&str> = phase
        .events
        .iter()
        .filter_map(|e| match &e.outcome {
            Outcome::Failed(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let missing = n.saturating_sub(phase.events.len());
    let sum = |f: fn(&Event) -> u32| phase.events.iter().map(|e| u64::from(f(e))).sum::<u64>();
    let last = phase.back().map(|e| e.at).max();
    let all_back = (back == n).then_some(last).flatten();
    println!("\n-- reconnect {} --", phase.name());
    println!(
        "server listening again {:.3} s after the kill; {back} of {n} back ({resumed} resumed, {} logged in again), {own} under their own name; {} failed, {missing} never reported",
        secs(phase.listening),
        back - resumed,
        failures.len()
    );
    println!(
        "connection attempts {} ({} refused, {} other failures)",
        sum(|e| e.attempts),
        sum(|e| e.refused),
        sum(|e| e.other)
    );
    if phase.again > 0 || phase.late > 0 {
        println!(
            "{} clients lost their socket again after being back (their last return counts); {} reports of the previous phase arrived late",
            phase.again, phase.late
        );
    }
    if let Some(why) = phase.events.iter().find_map(|e| e.error.as_deref()) {
        println!("  a failed attempt: {why}");
    }
    if let Some(why) = failures.first() {
        println!("  first failure: {why}");
    }
    match all_back {
        Some(at) => println!(
            "all back {:.2} s after the kill ({:.2} s after the server listened again)",
            secs(at),
            at.saturating_duration_since(phase.listening).as_secs_f64()
        ),
        None => println!("NOT all back"),
    }
    let cpu = phase.cpu_per_bucket();
    let buckets = last.map_or(0, |at| (secs(at) / BUCKET.as_secs_f64()) as usize + 1);
    let rows = buckets.max(cpu.len());
    let mut per_bucket = vec![0usize; rows];
    for e in phase.back() {
        let b = (secs(e.at) / BUCKET.as_secs_f64()) as usize;
        if let Some(slot) = per_bucket.get_mut(b) {
            *slot += 1;
        }
    }
    println!(
        "accept-queue overflows (the kernel's ListenOverflows, whole machine): {} (a dropped SYN or handshake ACK is retried after 1 s, then 2 s, 4 s …)",
        phase.listen_overflows
    );
    println!(
        "   until   back  cumulative     server  generator  (others on the server's / generator's core)"
    );
    let mut cumulative = 0;
    for (i, count) in per_bucket.iter().enumerate() {
        cumulative += count;
        let row = cpu.get(i).map_or_else(String::new, |c| {
            format!(
                "{:>9.0}% {:>9.0}%  ({:.0}% / {:.0}%)",
                c.server, c.generator, c.others_server_core, c.others_generator_core
            )
        });
        println!(
            "{:>6.1} s {count:>6} {cumulative:>6} {:>5.1}% {row}",
            (i + 1) as f64 * BUCKET.as_secs_f64(),
            100.0 * cumulative as f64 / n.max(1) as f64,
        );
    }
    let peak = cpu.iter().map(|c| c.server).fold(0.0, f64::max);
    let total = phase.all_back_cpu.unwrap_or_default().as_secs_f64();
    println!(
        "server CPU: peak {peak:.0}% of a core in 500 ms, {total:.2} s in all from its start until every client was back"
    );
    println!(
        "frames the clients received once back, until the last was back: {} ({:.1} MB; lists and presence changes, not counting the login replies)",
        phase.received.0,
        phase.received.1 as f64 / 1e6
    );
    let how = if resume { "resume" } else { "re-login" };
    let value = all_back.map_or(f64::NAN, secs);
    let caveat = (back < n || phase.again > 0).then(|| {
        format!(
            "{back} of {n} back, {} failed, {} dropped again",
            failures.len(),
            phase.again
        )
    });
    match phase.policy {
        Policy::FullJitter => vec![
            Figure::new(
                &format!("herd: {n} clients back after a restart ({how})"),
                value,
                "s",
                Goal::AtMost(ALL_BACK_TARGET),
            )
            .with_caveat(caveat),
            Figure::new(
                "herd: clients back under their own name",
                own as f64,
                "clients",
                Goal::AtLeast(n as f64),
            ),
            Figure::new("herd: server peak CPU per 500 ms", peak, "%", Goal::Info),
            Figure::new("herd: server CPU for the reconnect", total, "s", Goal::Info),
        ],
        Policy::Lockstep => vec![
            Figure::new("herd without jitter: all back", value, "s", Goal::Info)
                .with_caveat(caveat),
            Figure::new(
                "herd without jitter: server peak CPU",
                peak,
                "%",
                Goal::Info,
            ),
        ],
    }
}
