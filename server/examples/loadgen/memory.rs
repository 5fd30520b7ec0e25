//! Scenario `memory` (issue 11, "bounded memory for every kind of client"): N logged-in clients
//! of one kind — MDN-style (no features: a whole `userlist` on every change) or ours (features:
//! `userlist-delta`) — then presence churn (1 % of N reconnecting per second), then the server's
//! RSS per connection once everything has settled. Run once per kind, each on a fresh server.
//!
//! Clients arrive in waves. In each wave all but one log in; once each has had its first list,
//! the last one (the wave's marker) logs in, and the wave is done when every client online has
//! had a list frame naming the marker: every presence frame up to then has been written. The
//! marker is the newest login, so it is in the bounded list legacy clients get. The churn ends
//! the same way, with a final marker.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use shared::Feature;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::time::{Instant, sleep_until, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::client::{self, OUR_FEATURES, frame_kind};
use crate::error::{BenchError, Result};
use crate::harness::{ServerProcess, ServerSpec};
use crate::report::{Figure, Goal};

const CONNECT_CONCURRENCY: usize = 200;
const WAVE: usize = 1000;
/// Issue 11's targets, KiB of server RSS per logged-in connection.
const LEGACY_TARGET: f64 = 16.0;
const FEATURE_TARGET: f64 = 6.7;

pub struct Config {
    pub connections: usize,
    pub churn: Duration,
}

/// Which marker every client must see, and how many have.
#[derive(Default)]
struct Progress {
    marker: AtomicUsize,
    reached: AtomicUsize,
    changed: Notify,
    frames: AtomicU64,
    bytes: AtomicU64,
}

fn name(i: usize) -> String {
    format!("m{i:05}")
}

/// Both kinds, one after the other, each against its own fresh server.
pub async fn run(spec: &ServerSpec, config: &Config) -> Vec<Figure> {
    let mut figures = Vec::new();
    for (label, legacy) in [("memory-legacy", true), ("memory-features", false)] {
        figures.extend(
            crate::scenario(spec, label, &[], async |s| {
                run_kind(s, config, legacy).await
            })
            .await,
        );
    }
    figures
}

/// One kind of client: `legacy` (no features) or ours.
pub async fn run_kind(
    server: &ServerProcess,
    config: &Config,
    legacy: bool,
) -> Result<Vec<Figure>> {
    let n = config.connections;
    let kind = if legacy { "MDN-style" } else { "feature" };
    println!(
        "\n== memory: {n} logged-in {kind} clients, then {} s of churn (1 %/s) ==",
        config.churn.as_secs()
    );
    let features: &'static [Feature] = if legacy { &[] } else { &OUR_FEATURES };
    let before = server.rss_kib()?;
    let stop = CancellationToken::new();
    let progress = Arc::new(Progress::default());
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(300) + config.churn;
    let mut tasks = Vec::with_capacity(n + 1);
    let spawn = |i: usize, go: CancellationToken, listed: mpsc::Sender<()>| {
        let client = MemClient {
            url: server.url(),
            name: name(i),
            features,
            connecting: connecting.clone(),
            listed,
            go,
            stop: stop.clone(),
            progress: progress.clone(),
            deadline,
        };
        tokio::spawn(client.run())
    };
    let mut online = 0;
    while online < n {
        let wave = WAVE.min(n - online);
        let (go, go_marker) = (CancellationToken::new(), CancellationToken::new());
        let (listed_tx, mut listed) = mpsc::channel::<()>(wave);
        for i in online..online + wave - 1 {
            tasks.push(spawn(i, go.clone(), listed_tx.clone()));
        }
        let marker = online + wave - 1;
        tasks.push(spawn(marker, go_marker.clone(), listed_tx.clone()));
        drop(listed_tx);
        go.cancel();
        for _ in 0..wave - 1 {
            if !matches!(timeout_at(deadline, listed.recv()).await, Ok(Some(()))) {
                return Err(BenchError::Timeout(format!(
                    "wave at {online}: first lists"
                )));
            }
        }
        online += wave;
        settle(&progress, marker, online, deadline, || go_marker.cancel()).await?;
    }
    let ramp = started.elapsed();
    let ramped = server.rss_kib()?;
    let reconnects = churn(server, config, features, &progress, deadline).await?;
    // The final marker: one more client, kept until the end.
    let (listed_tx, _listed) = mpsc::channel::<()>(1);
    let go = CancellationToken::new();
    tasks.push(spawn(n, go.clone(), listed_tx));
    online += 1;
    settle(&progress, n, online, deadline, || go.cancel()).await?;
    let after = server.rss_kib()?;
    let peak = server.peak_rss_kib()?;
    stop.cancel();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        if let Err(e) = task.await? {
            errors += 1;
            first_error.get_or_insert(e.to_string());
        }
    }
    let per_conn = after.saturating_sub(before) as f64 / online as f64;
    let after_ramp = ramped.saturating_sub(before) as f64 / n as f64;
    let frames = progress.frames.load(Ordering::Relaxed);
    let bytes = progress.bytes.load(Ordering::Relaxed);
    println!(
        "{online} logged in after {:.1} s; {reconnects} reconnects of churn; clients got {frames} presence frames, {:.1} MB",
        ramp.as_secs_f64(),
        bytes as f64 / 1e6
    );
    println!(
        "server RSS {before} KiB before, {ramped} KiB after the ramp ({after_ramp:.2} KiB per connection), {after} KiB after the churn (peak {peak} KiB): {per_conn:.2} KiB per connection"
    );
    if let Some(e) = &first_error {
        println!("  problem ({errors} clients failed): {e}");
    }
    let caveat = (errors > 0).then(|| format!("{errors} clients failed"));
    let target = if legacy {
        LEGACY_TARGET
    } else {
        FEATURE_TARGET
    };
    Ok(vec![
        Figure::new(
            &format!("memory: RSS per logged-in {kind} client after churn"),
            per_conn,
            "KiB",
            Goal::AtMost(target),
        )
        .with_caveat(caveat),
    ])
}

/// Lets the marker log in (`go`) and waits until all `online` clients have seen it.
async fn settle(
    progress: &Progress,
    marker: usize,
    online: usize,
    deadline: Instant,
    go: impl FnOnce(),
) -> Result<()> {
    progress.reached.store(0, Ordering::SeqCst);
    progress.marker.store(marker, Ordering::SeqCst);
    go();
    while progress.reached.load(Ordering::SeqCst) < online {
        if timeout_at(deadline, progress.changed.notified())
            .await
            .is_err()
        {
            return Err(BenchError::Timeout(format!(
                "{} of {online} saw marker {marker}",
                progress.reached.load(Ordering::SeqCst)
            )));
        }
    }
    Ok(())
}

/// 1 % of `connections` per second reconnect (leave, then log in again) for `config.churn`;
/// returns how many reconnects were done. The churning clients have their own names and are
/// gone at the end.
async fn churn(
    server: &ServerProcess,
    config: &Config,
    features: &[Feature],
    progress: &Progress,
    deadline: Instant,
) -> Result<u64> {
    let per_sec = (config.connections / 100).max(1);
    let start = Instant::now();
    let mut rounds = Vec::new();
    let mut second = 0;
    // A round starts every second whether or not the previous ones are done, so the rate holds
    // on a busy machine.
    while start.elapsed() < config.churn {
        for k in 0..per_sec {
            let url = server.url();
            let name = format!("c{second}-{k}");
            let features = features.to_vec();
            rounds.push(tokio::spawn(async move {
                let mut ws = client::connect(&url, client::Buffer::Small).await?;
                let id = client::read_id(&mut ws, deadline).await?;
                client::send_login(&mut ws, id, &name, &features).await?;
                // Logged in once its first list arrives; then it leaves.
                while let Some(text) = client::next_text(&mut ws, deadline).await? {
                    if frame_kind(&text) == "userlist" {
                        break;
                    }
                }
                ws.close(None).await.ok();
                Ok::<(), BenchError>(())
            }));
        }
        second += 1;
        sleep_until(start + Duration::from_secs(second)).await;
    }
    let mut done = 0;
    for round in rounds {
        round.await??;
        done += 1;
    }
    progress.changed.notify_waiters();
    Ok(done)
}

struct MemClient {
    url: String,
    name: String,
    features: &'static [Feature],
    connecting: Arc<Semaphore>,
    listed: mpsc::Sender<()>,
    go: CancellationToken,
    stop: CancellationToken,
    progress: Arc<Progress>,
    deadline: Instant,
}

impl MemClient {
    async fn run(self) -> Result<()> {
        let permit = self
            .connecting
            .acquire()
            .await
            .map_err(|e| BenchError::Protocol(e.to_string()))?;
        let mut ws = client::connect(&self.url, client::Buffer::Small).await?;
        let id = client::read_id(&mut ws, self.deadline).await?;
        drop(permit);
        self.go.cancelled().await;
        client::send_login(&mut ws, id, &self.name, self.features).await?;
        let mut listed = Some(self.listed);
        let mut seen = usize::MAX;
        loop {
            tokio::select! {
                biased;
                () = self.stop.cancelled() => break,
                m = ws.next() => match m {
                    Some(Ok(Message::Text(text))) => {
                        let kind = frame_kind(&text);
                        if kind != "userlist" && kind != "userlist-delta" {
                            if kind == "error" {
                                return Err(BenchError::Protocol(format!("{text:.120}")));
                            }
                            continue;
                        }
                        self.progress.frames.fetch_add(1, Ordering::Relaxed);
                        self.progress.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                        if let Some(tx) = listed.take() {
                            let _ = tx.send(()).await;
                        }
                        let marker = self.progress.marker.load(Ordering::SeqCst);
                        if marker != seen && text.contains(&format!("\"{}\"", name(marker))) {
                            seen = marker;
                            self.progress.reached.fetch_add(1, Ordering::SeqCst);
                            self.progress.changed.notify_one();
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => return Err(BenchError::Protocol("closed while logged in".into())),
                },
            }
        }
        ws.close(None).await.ok();
        Ok(())
    }
}
