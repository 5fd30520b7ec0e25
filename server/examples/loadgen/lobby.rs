//! Scenario 3, the lobby login storm: N clients connect, then all send `username` at once;
//! measured from the first login sent until every client's list (a full `userlist`, then
//! `userlist-delta` changes) holds all N names. A few MDN-style clients (no features) are among
//! them: their last `userlist` frame must hold exactly everyone.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, timeout, timeout_at};
use tokio_util::sync::CancellationToken;

use crate::client::{self, OUR_FEATURES, Roster, Track};
use crate::error::{BenchError, Result};
use crate::harness::ServerProcess;
use crate::report::{Figure, Goal};
use crate::stats::{Percentiles, nanos};

/// Connections opened at once while setting up (the server's accept backlog is finite).
const CONNECT_CONCURRENCY: usize = 200;
/// After everyone is complete, clients keep reading this long to catch late, wrong frames
/// (a duplicate join, a stale list). It is a check, not a synchronisation.
/// One client in this many (and every MDN-style one) keeps and checks every name.
const CHECK_NAMES_EVERY: usize = 20;
const LINGER: Duration = Duration::from_millis(300);

pub struct Config {
    pub users: usize,
    pub mdn_clients: usize,
}

struct Outcome {
    mdn: bool,
    track: Track,
    complete_at: Option<Instant>,
    roster: Roster,
    error: Option<String>,
}

pub async fn run(server: &ServerProcess, config: &Config) -> Result<Vec<Figure>> {
    let n = config.users;
    let mdn = config.mdn_clients.min(n);
    println!("\n== lobby: {n} users log in at once ({mdn} of them MDN-style, without features) ==");
    // MDN-style clients are spread through the login order, not bunched at one end.
    let step = (n / mdn.max(1)).max(1);
    let names: Vec<(String, bool)> = (0..n)
        .map(|i| {
            if mdn > 0 && i % step == 0 && i / step < mdn {
                (format!("mdn{i:04}"), true)
            } else {
                (format!("user{i:04}"), false)
            }
        })
        .collect();
    let expected: Arc<HashSet<String>> = Arc::new(names.iter().map(|(n, _)| n.clone()).collect());
    let url = server.url();
    let go = CancellationToken::new();
    let stop = CancellationToken::new();
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(n);
    let (done_tx, mut done_rx) = mpsc::channel::<()>(n);
    let setup_deadline = Instant::now() + Duration::from_secs(30);
    let storm_deadline_after_go = Duration::from_secs(15);

    let tasks: Vec<_> = names
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, (name, is_mdn))| {
            let (url, go, stop, connecting) = (url.clone(), go.clone(), stop.clone(), connecting.clone());
            let (ready_tx, done_tx, expected) = (ready_tx.clone(), done_tx.clone(), expected.clone());
            tokio::spawn(async move {
                // Every MDN client and a sample of the others check every name; the rest
                // count, so that the generator's own work does not dominate the figure.
                let track = if is_mdn || i % CHECK_NAMES_EVERY == 0 { Track::Names } else { Track::Count };
                let mut roster = Roster::new(track, !is_mdn);
                let result: Result<Option<Instant>> = async {
                    let permit = connecting.acquire().await.map_err(|e| BenchError::Protocol(e.to_string()))?;
                    let mut ws = client::connect(&url, client::Buffer::Small).await?;
                    let id = client::read_id(&mut ws, setup_deadline).await?;
                    drop(permit);
                    let _ = ready_tx.send(()).await;
                    go.cancelled().await;
                    let features: &[_] = if is_mdn { &[] } else { &OUR_FEATURES };
                    client::send_login(&mut ws, id, &name, features).await?;
                    let deadline = Instant::now() + storm_deadline_after_go;
                    let at = client::read_until_complete(&mut ws, &mut roster, expected.len(), (track == Track::Names).then_some(&*expected), deadline).await?;
                    let _ = done_tx.send(()).await;
                    // Keep reading until told to stop, checking every late frame.
                    loop {
                        // Biased: once told to stop, frames caused by other clients leaving
                        // must not be applied to the list being checked.
                        tokio::select! {
                            biased;
                            () = stop.cancelled() => break,
                            m = ws.next() => match m {
                                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => roster.apply(&t),
                                Some(Ok(_)) => {}
                                Some(Err(e)) => return Err(e.into()),
                                None => return Err(BenchError::Protocol("closed".into())),
                            },
                        }
                    }
                    Ok(Some(at))
                }
                .await;
                let (complete_at, error) = match result {
                    Ok(at) => (at, None),
                    Err(e) => (None, Some(e.to_string())),
                };
                Outcome { mdn: is_mdn, track, complete_at, roster, error }
            })
        })
        .collect();
    drop((ready_tx, done_tx));

    let mut ready = 0;
    while ready < n {
        match timeout_at(setup_deadline, ready_rx.recv()).await {
            Ok(Some(())) => ready += 1,
            _ => break,
        }
    }
    if ready < n {
        stop.cancel();
        go.cancel();
        return Err(BenchError::Timeout(format!(
            "connecting: {ready} of {n} clients connected"
        )));
    }
    let cpu_before = server.cpu()?;
    let self_before = crate::harness::cpu_time("self", crate::harness::clock_ticks())?;
    let started = Instant::now();
    go.cancel();
    let mut done = 0;
    let storm_deadline = started + storm_deadline_after_go;
    while done < n {
        match timeout_at(storm_deadline, done_rx.recv()).await {
            Ok(Some(())) => done += 1,
            _ => break,
        }
    }
    let all_done = started.elapsed();
    let cpu = server.cpu()?.saturating_sub(cpu_before);
    let self_cpu = crate::harness::cpu_time("self", crate::harness::clock_ticks())?
        .saturating_sub(self_before);
    let _ = timeout(LINGER, std::future::pending::<()>()).await;
    stop.cancel();

    let mut completions = Vec::with_capacity(n);
    let (mut faults, mut renamed, mut errors) = (Vec::new(), 0, Vec::new());
    let (mut lists, mut deltas, mut bytes) = (0u64, 0u64, 0u64);
    let (mut mdn_ok, mut mdn_total) = (0, 0);
    for task in tasks {
        let outcome = task.await?;
        if let Some(at) = outcome.complete_at {
            completions.push(nanos(at - started));
        }
        if let Some(e) = outcome.error {
            errors.push(e);
        }
        let r = &outcome.roster;
        if outcome.mdn {
            mdn_total += 1;
            // The last full list must be exactly everyone (MDN's client replaces its list with
            // each `userlist`).
            if r.deltas == 0 && r.names() == &*expected && r.faults.is_empty() {
                mdn_ok += 1;
            }
        }
        let wrong_list = match outcome.track {
            Track::Names => r.names() != &*expected,
            Track::Count => r.len() != n,
        };
        if wrong_list && faults.len() < 5 {
            faults.push(format!("a client ended with {} names, not {}", r.len(), n));
        }
        faults.extend(r.faults.iter().take(2).cloned());
        renamed += u64::from(r.renamed);
        lists += u64::from(r.lists);
        deltas += u64::from(r.deltas);
        bytes += r.bytes;
    }
    let complete = completions.len();
    let spread = Percentiles::of(completions);
    println!(
        "{complete} of {n} clients complete; last at {:.3} s after the first login (p50 {:.3} s)",
        spread.max.as_secs_f64(),
        spread.p50.as_secs_f64()
    );
    println!(
        "clients received {lists} userlist + {deltas} userlist-delta frames, {:.1} MiB; CPU until complete: server {:.3} s, generator {:.3} s",
        bytes as f64 / (1024.0 * 1024.0),
        cpu.as_secs_f64(),
        self_cpu.as_secs_f64()
    );
    println!("MDN-style clients with a complete, correct last userlist: {mdn_ok} of {mdn_total}");
    for line in faults.iter().chain(errors.iter()).take(8) {
        println!("  problem: {line}");
    }
    let caveat = if complete < n {
        Some(format!(
            "only {complete} of {n} complete after {:.1} s",
            all_done.as_secs_f64()
        ))
    } else if !faults.is_empty() || !errors.is_empty() || renamed > 0 {
        Some(format!(
            "{} faults, {} errors, {renamed} renames",
            faults.len(),
            errors.len()
        ))
    } else {
        None
    };
    let value = if complete < n {
        all_done.as_secs_f64()
    } else {
        spread.max.as_secs_f64()
    };
    Ok(vec![
        Figure::new(
            "lobby: 1,000 logins until every list is full",
            value,
            "s",
            Goal::AtMost(0.35),
        )
        .with_caveat(caveat),
        Figure::new(
            "lobby: MDN clients with a correct last userlist",
            mdn_ok as f64,
            "clients",
            Goal::AtLeast(mdn_total as f64),
        ),
    ])
}
