//! Scenario `herd`, no thundering herd: N clients are logged in (in waves, as in `idle`), the
//! server is killed (SIGKILL) and started again on the same port — with its `--state-file` when
//! it has one, so that the clients can resume — and every client reconnects with our page's
//! policy (exponential backoff, full jitter; see `herd_client`). Measured from the kill: when
//! each client is back, under which name, and the server's CPU per 500 ms (`herd_curve`). Then
//! the same again with the jitter taken out (every client in step), for reference.
//!
//! Today's server (no resume) is measured too: the clients then log in again with `username`.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, sleep, timeout_at};
use tokio_util::sync::CancellationToken;

use crate::backoff::Policy;
use crate::error::{BenchError, Result};
use crate::harness::{self, ServerProcess, ServerSpec};
use crate::herd_client::{Event, HerdClient, Outcome, Shared};
use crate::herd_curve::{Phase, Sampler};
use crate::report::Figure;

const CONNECT_CONCURRENCY: usize = 200;
const WAVE: usize = 1000;
/// The reconnections measured after the first login, in order.
const POLICIES: [Policy; 2] = [Policy::FullJitter, Policy::Lockstep];
/// A phase ends when every client is back or this long after the kill.
const PHASE_LIMIT: Duration = Duration::from_secs(40);

pub struct Config {
    pub clients: usize,
    /// How long the server stays dead before it is started again.
    pub downtime: Duration,
}

pub async fn run(spec: &ServerSpec, config: &Config) -> Result<Vec<Figure>> {
    let n = config.clients;
    let flags = harness::server_flags(&spec.bin);
    let has = |flag: &str| flags.iter().any(|f| f == flag);
    let resume = has("--state-file");
    let heartbeat = has("--heartbeat-timeout");
    let state_dir = std::env::temp_dir().join(format!("loadgen-herd-{}", std::process::id()));
    std::fs::create_dir_all(&state_dir)?;
    let state_file = state_dir.join("state.json");
    let mut args: Vec<String> = Vec::new();
    if resume {
        args.extend(["--state-file".to_owned(), state_file.display().to_string()]);
    }
    println!(
        "\n== herd: {n} clients, server killed and restarted ({}; heartbeat {}) ==",
        if resume {
            "server has --state-file: clients resume"
        } else {
            "server has no resume: clients log in again with `username`"
        },
        if heartbeat { "on" } else { "not supported" },
    );
    let result = measure(spec, config, &args, resume, heartbeat).await;
    let _ = std::fs::remove_dir_all(&state_dir);
    let phases = result?;
    Ok(crate::herd_curve::report(n, &phases, resume))
}

async fn measure(
    spec: &ServerSpec,
    config: &Config,
    args: &[String],
    resume: bool,
    heartbeat: bool,
) -> Result<Vec<Phase>> {
    let n = config.clients;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = ServerProcess::start(spec, "herd", &args).await?;
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        addr: server.addr,
        url: server.url(),
        resume,
        heartbeat,
        phase: AtomicUsize::new(0),
        policies: POLICIES.to_vec(),
        events: events_tx,
        stop: CancellationToken::new(),
        connecting: Semaphore::new(CONNECT_CONCURRENCY),
        give_up: PHASE_LIMIT,
        frames: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    });
    let stop = shared.stop.clone();
    let outcome = async move {
        let mut tasks = Vec::with_capacity(n);
        let started = Instant::now();
        let login = log_in_waves(&shared, n, &mut events, &mut tasks).await;
        let mut phases = Vec::new();
        let first = login?;
        println!(
            "{first} of {n} logged in after {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let mut restart = Restart {
            spec,
            args: &args,
            downtime: config.downtime,
            expected: first,
        };
        for (i, policy) in POLICIES.iter().enumerate() {
            settle(&server).await;
            shared.phase.store(i + 1, Ordering::SeqCst);
            let label = format!("herd-restart{}", i + 1);
            let (phase, restarted) = restart
                .run(&label, server, (i + 1, *policy), &shared, &mut events)
                .await?;
            server = restarted;
            // A client that gave up is gone; the next phase waits for the others.
            restart.expected = phase.back_count();
            phases.push(phase);
            if restart.expected == 0 {
                break;
            }
        }
        Ok::<_, BenchError>((phases, tasks, server))
    }
    .await;
    stop.cancel();
    let (phases, tasks, server) = outcome?;
    for task in tasks {
        let _ = task.await;
    }
    drop(server);
    Ok(phases)
}

/// Logs the clients in, a wave at a time; returns how many made it.
async fn log_in_waves(
    shared: &Arc<Shared>,
    n: usize,
    events: &mut mpsc::UnboundedReceiver<Event>,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Result<usize> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut online = 0;
    let mut first_error = None;
    let mut spawned = 0;
    while spawned < n {
        let wave = WAVE.min(n - spawned);
        let go = CancellationToken::new();
        let (ready_tx, mut ready_rx) = mpsc::channel::<()>(wave);
        for i in spawned..spawned + wave {
            let client = HerdClient {
                shared: shared.clone(),
                index: i,
                name: format!("herd{i:05}"),
                seed: (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)
                    ^ u64::from(std::process::id()),
                source: source_address(i),
                ready: ready_tx.clone(),
                go: go.clone(),
            };
            tasks.push(tokio::spawn(client.run()));
        }
        drop(ready_tx);
        spawned += wave;
        for _ in 0..wave {
            if timeout_at(deadline, ready_rx.recv()).await.is_err() {
                break;
            }
        }
        go.cancel();
        for _ in 0..wave {
            match timeout_at(deadline, events.recv()).await {
                Ok(Some(event)) => match event.outcome {
                    Outcome::Failed(e) => {
                        first_error.get_or_insert(e);
                    }
                    _ => online += 1,
                },
                _ => break,
            }
        }
    }
    if online < n {
        return Err(BenchError::Protocol(format!(
            "first login: {online} of {n} clients logged in; first error: {}",
            first_error.unwrap_or_default()
        )));
    }
    Ok(online)
}

/// Client `i`'s own loopback address: 127.1.0.1, 127.1.0.2, …
fn source_address(i: usize) -> Ipv4Addr {
    let base = u32::from(Ipv4Addr::new(127, 1, 0, 1));
    Ipv4Addr::from(base.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)))
}

/// Waits until the server has nothing left to do (its CPU under 5 % over 250 ms, 10 s at
/// most), and at least long enough for it to have written its state file (100 ms).
async fn settle(server: &ServerProcess) {
    let until = Instant::now() + Duration::from_secs(10);
    sleep(Duration::from_millis(300)).await;
    let window = Duration::from_millis(250);
    while Instant::now() < until {
        let Ok(before) = server.cpu() else { return };
        sleep(window).await;
        let Ok(after) = server.cpu() else { return };
        if after.saturating_sub(before) < window / 20 {
            return;
        }
    }
}

/// How the server is restarted, and how many clients come back.
struct Restart<'a> {
    spec: &'a ServerSpec,
    args: &'a [&'a str],
    downtime: Duration,
    expected: usize,
}

impl Restart<'_> {
    /// Kills the server, starts it again on the same port, and collects every client's return.
    async fn run(
        &self,
        label: &str,
        mut server: ServerProcess,
        (number, policy): (usize, Policy),
        shared: &Shared,
        events: &mut mpsc::UnboundedReceiver<Event>,
    ) -> Result<(Phase, ServerProcess)> {
        let addr = server.addr;
        let overflows = crate::herd_curve::listen_overflows();
        let received = (
            shared.frames.load(Ordering::Relaxed),
            shared.bytes.load(Ordering::Relaxed),
        );
        let killed = Instant::now();
        server.kill_hard()?;
        drop(server);
        sleep(self.downtime).await;
        let mut server = ServerProcess::spawn_at(self.spec, label, self.args, addr)?;
        let sampler = Sampler::start(server.pid(), killed);
        server.wait_ready().await?;
        let mut phase = Phase::new(policy, self.expected, killed, Instant::now());
        // A client gives up PHASE_LIMIT after the kill, plus one last try of up to 10 s.
        let deadline = killed + PHASE_LIMIT + Duration::from_secs(15);
        // Where each client's latest event of this phase is in `phase.events`.
        let mut seen: HashMap<usize, usize> = HashMap::with_capacity(self.expected);
        while seen.len() < self.expected {
            match timeout_at(deadline, events.recv()).await {
                Ok(Some(event)) if event.phase == number => match seen.get(&event.client) {
                    // Back, then dropped and back again: the last return counts.
                    Some(&at) => {
                        phase.again += 1;
                        phase.events[at] = event;
                    }
                    None => {
                        seen.insert(event.client, phase.events.len());
                        phase.events.push(event);
                    }
                },
                Ok(Some(_)) => phase.late += 1,
                _ => break,
            }
        }
        phase.all_back_cpu = server.cpu().ok();
        phase.received = (
            shared.frames.load(Ordering::Relaxed) - received.0,
            shared.bytes.load(Ordering::Relaxed) - received.1,
        );
        // One more bucket, to show the server calming down.
        sleep(Duration::from_millis(500)).await;
        phase.samples = sampler.stop();
        phase.listen_overflows = crate::herd_curve::listen_overflows().saturating_sub(overflows);
        if server.log_lines() > 0 {
            println!("({label}: the server logged {} lines)", server.log_lines());
        }
        Ok((phase, server))
    }
}
