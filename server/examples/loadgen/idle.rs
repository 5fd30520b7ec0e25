//! Scenario 4, idle memory: N logged-in connections that do nothing. The server's RSS before
//! the first connection and after the last client's list is complete (so every login has been
//! processed and every outbox drained), divided by N, is the memory cost of one connection.
//!
//! Clients arrive in waves: a wave connects, then logs in at once, and the next wave starts
//! when every client so far has the complete list. Logging in one by one over the whole ramp
//! would instead make the server broadcast a change every presence interval for many seconds
//! to thousands of clients, which measures the generator, not the server's idle memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::client::{self, OUR_FEATURES, Roster, Track};
use crate::error::{BenchError, Result};
use crate::harness::ServerProcess;
use crate::report::{Figure, Goal};

const CONNECT_CONCURRENCY: usize = 200;
const WAVE: usize = 1000;

pub struct Config {
    pub connections: usize,
}

/// How far the clients' lists have got: the size every list must reach now, and how many
/// clients have reached it.
#[derive(Default)]
struct Progress {
    target: AtomicUsize,
    reached: AtomicUsize,
    changed: Notify,
    lists: AtomicU64,
    deltas: AtomicU64,
}

pub async fn run(server: &ServerProcess, config: &Config) -> Result<Vec<Figure>> {
    let n = config.connections;
    println!("\n== idle: {n} logged-in connections (arriving in waves of {WAVE}) ==");
    let before = server.rss_kib()?;
    let url = server.url();
    let stop = CancellationToken::new();
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let progress = Arc::new(Progress::default());
    let started = Instant::now();
    // Generous: on a machine busy with other work, 10,000 connections have taken 50 s.
    let deadline = started + Duration::from_secs(75);
    let mut tasks = Vec::with_capacity(n);
    let mut first_error = None;
    let mut online = 0;
    let mut bare = None;

    while online < n {
        let wave = WAVE.min(n - online);
        let go = CancellationToken::new();
        let (ready_tx, mut ready_rx) = mpsc::channel::<()>(wave);
        for i in online..online + wave {
            let client = IdleClient {
                url: url.clone(),
                name: format!("idle{i:05}"),
                connecting: connecting.clone(),
                ready: ready_tx.clone(),
                go: go.clone(),
                stop: stop.clone(),
                progress: progress.clone(),
                deadline,
            };
            tasks.push(tokio::spawn(client.run()));
        }
        drop(ready_tx);
        let mut ready = 0;
        while ready < wave {
            match timeout_at(deadline, ready_rx.recv()).await {
                Ok(Some(())) => ready += 1,
                _ => break,
            }
        }
        if online == 0 && ready > 0 {
            // The first wave, connected but not yet logged in: the bare cost of a connection.
            let connected = server.rss_kib()?;
            bare = Some(connected.saturating_sub(before) as f64 / ready as f64);
        }
        online += ready;
        progress.reached.store(0, Ordering::SeqCst);
        progress.target.store(online, Ordering::SeqCst);
        go.cancel();
        // Wait until every client online has the whole list.
        while progress.reached.load(Ordering::SeqCst) < online && Instant::now() < deadline {
            let _ = timeout_at(deadline, progress.changed.notified()).await;
        }
        if ready < wave || progress.reached.load(Ordering::SeqCst) < online {
            first_error = Some(format!(
                "wave stalled: {ready} of {wave} connected, {} of {online} lists complete",
                progress.reached.load(Ordering::SeqCst)
            ));
            break;
        }
    }
    let ramp = started.elapsed();
    let after = server.rss_kib()?;
    let peak = server.peak_rss_kib()?;
    let complete = progress.reached.load(Ordering::SeqCst);
    stop.cancel();
    let mut errors = 0;
    for task in tasks {
        if let Err(e) = task.await? {
            errors += 1;
            first_error.get_or_insert(e.to_string());
        }
    }
    // Divided by the connections open, logged in or not: if a wave stalled, the figure is
    // still per connection (and carries a caveat).
    let per_conn = after.saturating_sub(before) as f64 / online.max(1) as f64;
    println!(
        "{complete} of {n} logged in with complete lists after {:.2} s ({} userlist + {} delta frames)",
        ramp.as_secs_f64(),
        progress.lists.load(Ordering::Relaxed),
        progress.deltas.load(Ordering::Relaxed),
    );
    println!(
        "server RSS {before} KiB before, {after} KiB after (peak {peak} KiB): {per_conn:.2} KiB per connection"
    );
    if let Some(bare) = bare {
        println!(
            "(connected but not logged in, first wave: {bare:.2} KiB per connection; the rest is the login and the lists)"
        );
    }
    if let Some(e) = &first_error {
        println!("  problem ({errors} clients failed): {e}");
    }
    let caveat = (complete < n || errors > 0)
        .then(|| format!("{complete} of {n} complete, {errors} failed"));
    let mut figures = vec![
        Figure::new(
            "idle: server RSS per logged-in connection",
            per_conn,
            "KiB",
            Goal::AtMost(8.0),
        )
        .with_caveat(caveat),
    ];
    if let Some(bare) = bare {
        figures.push(Figure::new(
            "idle: RSS per connection before login",
            bare,
            "KiB",
            Goal::Info,
        ));
    }
    Ok(figures)
}

struct IdleClient {
    url: String,
    name: String,
    connecting: Arc<Semaphore>,
    ready: mpsc::Sender<()>,
    go: CancellationToken,
    stop: CancellationToken,
    progress: Arc<Progress>,
    deadline: Instant,
}

impl IdleClient {
    async fn run(self) -> Result<()> {
        let permit = self
            .connecting
            .acquire()
            .await
            .map_err(|e| BenchError::Protocol(e.to_string()))?;
        let mut ws = client::connect(&self.url, client::Buffer::Small).await?;
        let id = client::read_id(&mut ws, self.deadline).await?;
        drop(permit);
        let _ = self.ready.send(()).await;
        drop(self.ready);
        self.go.cancelled().await;
        client::send_login(&mut ws, id, &self.name, &OUR_FEATURES).await?;
        let mut roster = Roster::new(Track::Count, true);
        let mut reported = 0;
        // Idle, but still reading: a connection that stops reading is not idle but a slow
        // client, and would answer no ping.
        loop {
            tokio::select! {
                // Biased: once told to stop, frames caused by others leaving are not counted.
                biased;
                () = self.stop.cancelled() => break,
                m = ws.next() => match m {
                    Some(Ok(Message::Text(text))) => {
                        roster.apply(&text);
                        let target = self.progress.target.load(Ordering::SeqCst);
                        if roster.len() == target && reported != target {
                            reported = target;
                            self.progress.reached.fetch_add(1, Ordering::SeqCst);
                            self.progress.changed.notify_one();
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => return Err(BenchError::Protocol("closed while idle".into())),
                },
            }
        }
        self.progress
            .lists
            .fetch_add(u64::from(roster.lists), Ordering::Relaxed);
        self.progress
            .deltas
            .fetch_add(u64::from(roster.deltas), Ordering::Relaxed);
        if let Some(fault) = roster.faults.first() {
            return Err(BenchError::Protocol(fault.clone()));
        }
        Ok(())
    }
}
