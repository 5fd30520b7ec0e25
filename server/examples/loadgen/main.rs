//! Load generator and benchmark for the signaling server (issue "Performance" targets).
//!
//! `cargo run --release -p server --example loadgen -- all` builds the release server, pins
//! itself to CPU 1 and each server it starts to CPU 0, and runs its scenarios against a fresh
//! server on a free loopback port each:
//! 1. throughput: 100 pairs relaying offer/answer/candidates, closed loop;
//!    floor: the same loops through a verbatim relay, the machine's own cost of relaying;
//! 2. latency: 200 clients open loop at 20,000 msg/s;
//! 3. lobby: 1,000 simultaneous logins until every list is complete;
//! 4. idle: server memory per idle logged-in connection (10,000 of them);
//! 5. tls: the throughput loop over plain ws:// and over wss:// in the same run, and the
//!    binary's size (issue 10, `tls.rs`);
//!
//! then prints a table of every figure against its target. See `docs/BENCHMARKS.md`.
//! Not part of `all`: `-- memory`, server memory per logged-in MDN-style and feature client
//! (10,000 of each kind, with churn; issue 11); `-- herd` kills the server under 10,000 clients,
//! starts it again and measures how they come back (issue 9); `-- soak` runs 10,000 clients for
//! 10 minutes with churn, chat and calls (issue 11); `-- rooms`: 1,000 rooms of 4 next to a lobby
//! of 4,000 (issue 13).
//!
//! Layout (`loadgen/`): `harness` (pinning, building, starting and measuring the server),
//! `client` (one simulated browser and its user list), `frames` (realistic relay frames), `pairs`
//! (logged-in caller/callee pairs), one file per scenario (`throughput`, `floor`, `latency`,
//! `lobby`, `idle`, `tls`, `memory`, `herd` with `herd_client`, `herd_curve`, `backoff`, `soak`
//! with `soak_client`, `rooms` with `rooms/member`), `pacer`, `stats`, `report`, `error`.

mod backoff;
mod client;
mod error;
mod floor;
mod frames;
mod harness;
mod herd;
mod herd_client;
mod herd_curve;
mod idle;
mod latency;
mod lobby;
mod memory;
mod pacer;
mod pairs;
mod report;
mod rooms;
mod soak;
mod soak_client;
mod stats;
mod throughput;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::error::Result;
use crate::harness::{ServerProcess, ServerSpec};
use crate::report::Figure;

/// The throughput scenario measures how fast the server relays, not its per-client rate
/// limit (500 frames/s by default, above the 300/s each client sends at the 60,000 msg/s target,
/// but a faster server would hit it): the limit is lifted there. The other scenarios run with
/// the defaults.
const UNLIMITED_RATE: [&str; 4] = ["--rate", "1000000", "--burst", "1000000"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum Scenario {
    All,
    Throughput,
    Floor,
    Latency,
    Lobby,
    Idle,
    /// Throughput over TLS next to plain (issue 10).
    Tls,
    /// Not part of `all`: the server killed and restarted under N clients.
    Herd,
    /// Not part of `all`: memory per MDN-style and per feature client, with churn (issue 11).
    Memory,
    /// Not part of `all`: a long run with churn, chat and calls (`--soak-*` flags).
    Soak,
    /// Not part of `all`: 1,000 rooms of 4 next to a lobby of 4,000 (issue 13, `--rooms*`).
    Rooms,
}

#[derive(Debug, Parser)]
#[command(
    about = "Benchmark of the signaling server: throughput, latency, lobby, idle memory; herd"
)]
struct Args {
    /// Which scenario to run.
    #[arg(value_enum, default_value = "all")]
    scenario: Scenario,
    /// Use this server binary instead of building `target/release/server`.
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Do not pin the server to CPU 0 and the generator to CPU 1.
    #[arg(long)]
    no_pin: bool,
    /// Caller/callee pairs in the relay scenarios.
    #[arg(long, default_value_t = 100)]
    pairs: usize,
    /// Measured seconds of the throughput scenario (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Total rate of the open-loop latency scenario, messages/s.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// How the open-loop sender waits for each message's due time (see `pacer.rs`).
    #[arg(long, value_enum, default_value = "spin")]
    pacing: pacer::Pacing,
    /// Seconds of the latency scenario.
    #[arg(long, default_value_t = 4)]
    latency_secs: u64,
    /// Users in the lobby scenario.
    #[arg(long, default_value_t = 1000)]
    lobby_users: usize,
    /// Of which MDN-style clients (no features).
    #[arg(long, default_value_t = 5)]
    mdn_clients: usize,
    /// Idle connections in the memory scenario.
    #[arg(long, default_value_t = 10_000)]
    idle_connections: usize,
    /// Clients of the herd scenario.
    #[arg(long, default_value_t = 10_000)]
    clients: usize,
    /// Milliseconds the herd scenario's server stays dead before it is started again.
    #[arg(long, default_value_t = 0)]
    downtime_ms: u64,
    /// Extra argument for every server started (repeatable), e.g.
    /// `--server-arg=--ws-read-buffer --server-arg=1024` to try a setting.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    #[command(flatten)]
    soak: soak::Flags,
    #[command(flatten)]
    rooms: rooms::Flags,
    /// Internal: run as the floor relay (started by the `floor` scenario).
    #[arg(long, hide = true)]
    floor_server: bool,
    /// Internal: the floor relay's address (the flag the server takes).
    #[arg(long, hide = true)]
    addr: Option<String>,
    /// Internal: accepted and ignored by the floor relay (the flag the server takes).
    #[arg(long, hide = true)]
    dist: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<ExitCode> {
    if args.floor_server {
        let addr = args
            .addr
            .clone()
            .unwrap_or_else(|| "127.0.0.1:0".to_owned());
        // The server's own runtime shape: multi-threaded scheduler, one worker (one core).
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        runtime.block_on(floor::serve(&addr))?;
        return Ok(ExitCode::SUCCESS);
    }
    // Build before re-executing pinned, so the build is not squeezed onto one core.
    let bin = match (&args.server_bin, harness_is_child()) {
        (Some(bin), _) => bin.clone(),
        (None, false) => harness::build_server()?,
        (None, true) => harness::target_dir().join("release").join("server"),
    };
    if !args.no_pin
        && let Some(code) = harness::reexec_pinned()?
    {
        return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
    }
    if cfg!(debug_assertions) {
        println!("warning: the generator is a debug build; use `cargo run --release` for figures");
    }
    let nofile = harness::raise_nofile();
    // Each idle connection costs the generator one descriptor (the server its own, separately).
    let room = usize::try_from(nofile)
        .unwrap_or(usize::MAX)
        .saturating_sub(512);
    let idle_connections = args.idle_connections.min(room);
    if idle_connections < args.idle_connections {
        println!("open-file limit {nofile}: idle scenario reduced to {room} connections");
    }
    let herd_clients = args.clients.min(room);
    if herd_clients < args.clients && args.scenario == Scenario::Herd {
        println!("open-file limit {nofile}: herd scenario reduced to {room} clients");
    }
    print_machine(&args, &bin);

    let spec = ServerSpec {
        bin,
        pin: !args.no_pin,
        log_dir: harness::target_dir().join("loadgen"),
        extra_args: args.server_args.clone(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let floor_bin = std::env::current_exe()?;
    let figures = runtime.block_on(async {
        let mut figures: Vec<Figure> = Vec::new();
        let wants = |s: Scenario| {
            let long = s >= Scenario::Herd; // Herd and the ones after it.
            args.scenario == s || (args.scenario == Scenario::All && !long)
        };
        if wants(Scenario::Throughput) {
            let config = throughput::Config {
                pairs: args.pairs,
                warmup: Duration::from_secs(1),
                duration: Duration::from_secs(args.duration),
            };
            figures.extend(
                scenario(&spec, "throughput", &UNLIMITED_RATE, async |s| {
                    throughput::run(s, &config).await
                })
                .await,
            );
        }
        if wants(Scenario::Floor) {
            let config = throughput::Config {
                pairs: args.pairs,
                warmup: Duration::from_secs(1),
                duration: Duration::from_secs(args.duration.min(3)),
            };
            let open = latency::Config {
                pairs: args.pairs,
                rate: args.rate,
                duration: Duration::from_secs(args.latency_secs.min(3)),
                pacing: args.pacing,
            };
            let floor_spec = ServerSpec {
                bin: floor_bin.clone(),
                extra_args: vec!["--floor-server".to_owned()],
                ..spec.clone()
            };
            figures.extend(
                scenario(&floor_spec, "floor", &[], async |s| {
                    floor::run(s, &config, &open).await
                })
                .await,
            );
        }
        if wants(Scenario::Latency) {
            let config = latency::Config {
                pairs: args.pairs,
                rate: args.rate,
                duration: Duration::from_secs(args.latency_secs),
                pacing: args.pacing,
            };
            figures.extend(
                scenario(&spec, "latency", &[], async |s| {
                    latency::run(s, &config).await
                })
                .await,
            );
        }
        if wants(Scenario::Lobby) {
            let config = lobby::Config {
                users: args.lobby_users,
                mdn_clients: args.mdn_clients,
            };
            figures.extend(
                scenario(&spec, "lobby", &[], async |s| lobby::run(s, &config).await).await,
            );
        }
        if wants(Scenario::Idle) {
            let config = idle::Config {
                connections: idle_connections,
            };
            figures
                .extend(scenario(&spec, "idle", &[], async |s| idle::run(s, &config).await).await);
        }
        if wants(Scenario::Tls) {
            let config = throughput::Config {
                pairs: args.pairs,
                warmup: Duration::from_secs(1),
                duration: Duration::from_secs(args.duration),
            };
            figures.extend(tls::run(&spec, &config).await);
        }
        if wants(Scenario::Memory) {
            let config = memory::Config {
                connections: idle_connections,
                churn: Duration::from_secs(5),
            };
            figures.extend(memory::run(&spec, &config).await);
        }
        if wants(Scenario::Herd) {
            let config = herd::Config {
                clients: herd_clients,
                downtime: Duration::from_millis(args.downtime_ms),
            };
            figures.extend(herd::run(&spec, &config).await.unwrap_or_else(|e| {
                println!("herd: failed: {e}");
                vec![Figure::failed("herd", &e.to_string())]
            }));
        }
        if wants(Scenario::Soak) {
            let n = args.soak.soak_clients.min(room);
            figures.extend(
                scenario(&spec, "soak", &[], async |s| {
                    soak::run(s, &args.soak, n).await
                })
                .await,
            );
        }
        if wants(Scenario::Rooms) {
            figures.extend(rooms::run(&spec, &args, room).await);
        }
        figures
    });
    println!("\n== summary ==\n{}", report::table(&figures));
    println!("server logs: {}", spec.log_dir.display());
    let all_pass = figures.iter().all(Figure::pass);
    Ok(if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn harness_is_child() -> bool {
    std::env::var_os("LOADGEN_PINNED").is_some()
}

/// Runs one scenario against its own fresh server. A scenario that cannot run is reported
/// as a MISS row rather than ending the whole benchmark.
async fn scenario<F>(spec: &ServerSpec, label: &str, extra_args: &[&str], body: F) -> Vec<Figure>
where
    F: AsyncFnOnce(&ServerProcess) -> Result<Vec<Figure>>,
{
    let result = match ServerProcess::start(spec, label, extra_args).await {
        Ok(server) => {
            let result = body(&server).await;
            if result.is_err() {
                println!("server log tail:\n{}", server.log_tail());
            } else if server.log_lines() > 0 {
                println!("(the server logged {} warning lines)", server.log_lines());
            }
            result
        }
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| {
        println!("{label}: failed: {e}");
        vec![Figure::failed(label, &e.to_string())]
    })
}

fn print_machine(args: &Args, bin: &std::path::Path) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    println!("run at {date}");
    // Other work on the machine steals the pinned cores and shows in every figure.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load1: f64 = load
        .split_whitespace()
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0.0);
    println!("load average (1 min) at start: {load1:.2}");
    if load1 > 1.0 {
        println!(
            "warning: the machine is busy with other work; figures will be worse than on an idle machine"
        );
    }
    println!(
        "machine: {} CPUs ({cpu}), kernel {}; server {} pinned: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        kernel.trim(),
        bin.display(),
        !args.no_pin
    );
}
