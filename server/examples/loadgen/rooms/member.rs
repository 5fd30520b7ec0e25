//! The clients of the `rooms` scenario and their login storm: a group of members (the lobby's,
//! or every room's) connects, all send `username` at once, and each reads until its list is
//! exactly the people it must see (its room's, or the lobby's). Every frame is checked for
//! isolation: a name that is not among them is another room's, and is counted. After its list is
//! complete a member keeps reading (and checking) until its group is finished, counting what it
//! still receives, so that a quiet group shows whether the other group's logins reached it.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::client::{self, OUR_FEATURES, Roster, Track, Ws};
use crate::error::{BenchError, Result};
use crate::harness::{self, ServerProcess};
use crate::stats::{Percentiles, nanos};

const CONNECT_CONCURRENCY: usize = 200;

/// One simulated browser of the scenario.
pub struct Member {
    pub name: String,
    /// `None`: the public lobby.
    pub room: Option<String>,
    /// Everyone this member must end up seeing (itself included), shared by its room.
    pub expected: Arc<HashSet<String>>,
    pub track: Track,
}

/// How one member fared.
pub struct Joined {
    pub complete_at: Option<Instant>,
    pub roster: Roster,
    /// Names seen that are not in `expected` (the first few), and how many frames had one;
    /// with `Track::Count`, a list longer than `expected` counts.
    pub foreign: Vec<String>,
    pub foreign_frames: u64,
    /// The socket, still open, for the next phase.
    pub ws: Option<Ws>,
    pub error: Option<String>,
}

/// The login storm's timing.
pub struct Storm {
    /// When the first login was sent.
    pub started: Instant,
    /// Members whose list was complete in time.
    pub complete: usize,
    pub elapsed: Duration,
    pub server_cpu: Duration,
    pub generator_cpu: Duration,
}

/// A logged-in group whose members are still reading.
pub struct Group {
    tasks: Vec<JoinHandle<Joined>>,
    stop: CancellationToken,
    /// Frames the members received after their lists were complete.
    pub after_complete: Arc<AtomicU64>,
}

impl Group {
    /// Stops the members' reading and returns them, sockets open.
    pub async fn finish(self) -> Result<Vec<Joined>> {
        self.stop.cancel();
        let mut joined = Vec::with_capacity(self.tasks.len());
        for task in self.tasks {
            joined.push(task.await?);
        }
        Ok(joined)
    }
}

/// Connects every member, then sends every login at once and waits until every list is
/// complete (or `limit` after the first login).
pub async fn log_in(
    server: &ServerProcess,
    members: Vec<Member>,
    limit: Duration,
) -> Result<(Group, Storm)> {
    let n = members.len();
    let go = CancellationToken::new();
    let stop = CancellationToken::new();
    let after_complete = Arc::new(AtomicU64::new(0));
    let connecting = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(n.max(1));
    let (done_tx, mut done_rx) = mpsc::channel::<()>(n.max(1));
    let setup_deadline = Instant::now() + Duration::from_secs(60);
    let tasks = members
        .into_iter()
        .map(|member| {
            let task = Task {
                url: server.url_in(member.room.as_deref()),
                member,
                go: go.clone(),
                stop: stop.clone(),
                connecting: connecting.clone(),
                ready: ready_tx.clone(),
                done: done_tx.clone(),
                after_complete: after_complete.clone(),
                setup_deadline,
                limit,
            };
            tokio::spawn(task.run())
        })
        .collect();
    drop((ready_tx, done_tx));
    let group = Group {
        tasks,
        stop,
        after_complete,
    };
    let ready = count(&mut ready_rx, n, setup_deadline).await;
    if ready < n {
        go.cancel();
        let first = group.finish().await?.into_iter().find_map(|j| j.error);
        return Err(BenchError::Timeout(format!(
            "connecting: {ready} of {n} clients connected; first error: {}",
            first.unwrap_or_default()
        )));
    }
    let ticks = harness::clock_ticks();
    let (cpu_before, self_before) = (server.cpu()?, harness::cpu_time("self", ticks)?);
    let started = Instant::now();
    go.cancel();
    let complete = count(&mut done_rx, n, started + limit).await;
    let elapsed = started.elapsed();
    let server_cpu = server.cpu()?.saturating_sub(cpu_before);
    let generator_cpu = harness::cpu_time("self", ticks)?.saturating_sub(self_before);
    let storm = Storm {
        started,
        complete,
        elapsed,
        server_cpu,
        generator_cpu,
    };
    Ok((group, storm))
}

impl Storm {
    /// When the members' lists were complete, after the first login was sent.
    pub fn spread(&self, joined: &[Joined]) -> Percentiles {
        let at = joined.iter().filter_map(|j| j.complete_at);
        Percentiles::of(at.map(|at| nanos(at - self.started)).collect())
    }
}

/// Receives up to `n` signals before `deadline`; returns how many came.
async fn count(rx: &mut mpsc::Receiver<()>, n: usize, deadline: Instant) -> usize {
    let mut got = 0;
    while got < n && matches!(timeout_at(deadline, rx.recv()).await, Ok(Some(()))) {
        got += 1;
    }
    got
}

/// One member's task and what it shares with the storm.
struct Task {
    url: String,
    member: Member,
    go: CancellationToken,
    stop: CancellationToken,
    connecting: Arc<Semaphore>,
    ready: mpsc::Sender<()>,
    done: mpsc::Sender<()>,
    after_complete: Arc<AtomicU64>,
    setup_deadline: Instant,
    limit: Duration,
}

impl Task {
    async fn run(self) -> Joined {
        let mut joined = Joined {
            complete_at: None,
            roster: Roster::new(self.member.track, true),
            foreign: Vec::new(),
            foreign_frames: 0,
            ws: None,
            error: None,
        };
        if let Err(e) = self.session(&mut joined).await {
            joined.error = Some(e.to_string());
        }
        joined
    }

    async fn session(&self, joined: &mut Joined) -> Result<()> {
        let permit = self.connecting.acquire().await;
        let mut ws = client::connect(&self.url, client::Buffer::Small).await?;
        let id = client::read_id(&mut ws, self.setup_deadline).await?;
        drop(permit);
        let _ = self.ready.send(()).await;
        self.go.cancelled().await;
        let member = &self.member;
        client::send_login(&mut ws, id, &member.name, &OUR_FEATURES).await?;
        let deadline = Instant::now() + self.limit;
        while !self.complete(&joined.roster) {
            let text = client::next_text(&mut ws, deadline).await?.ok_or_else(|| {
                BenchError::Protocol(format!("closed with {} names", joined.roster.len()))
            })?;
            self.absorb(joined, &text);
        }
        joined.complete_at = Some(Instant::now());
        let _ = self.done.send(()).await;
        // Keep reading, and checking, until the group is finished. Biased: once told to stop,
        // the socket is handed on with whatever is unread.
        loop {
            tokio::select! {
                biased;
                () = self.stop.cancelled() => break,
                m = ws.next() => match m {
                    Some(Ok(Message::Text(text))) => {
                        self.after_complete.fetch_add(1, Ordering::Relaxed);
                        self.absorb(joined, &text);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => return Err(BenchError::Protocol("closed while logged in".into())),
                },
            }
        }
        joined.ws = Some(ws);
        Ok(())
    }

    fn complete(&self, roster: &Roster) -> bool {
        let expected = &self.member.expected;
        match self.member.track {
            Track::Names => roster.names() == &**expected,
            Track::Count => roster.len() == expected.len(),
        }
    }

    /// Applies a frame to the member's list and checks that it names nobody from elsewhere.
    fn absorb(&self, joined: &mut Joined, text: &str) {
        joined.roster.apply(text);
        let expected = &self.member.expected;
        let foreign = match self.member.track {
            Track::Names => joined.roster.names().iter().any(|n| !expected.contains(n)),
            Track::Count => joined.roster.len() > expected.len(),
        };
        if foreign {
            joined.foreign_frames += 1;
            let extra = joined.roster.names().difference(expected);
            for name in extra {
                if joined.foreign.len() < 4 && !joined.foreign.contains(name) {
                    joined.foreign.push(name.clone());
                }
            }
        }
    }
}
