//! One client of the herd scenario: it logs in, stays connected (reading, and pinging when the
//! server has `heartbeat`), and when its socket drops it reconnects as our page does —
//! exponential backoff with full jitter, retrying refused connections — then sends `resume`
//! with its token (or `username` with its name when it has none or the resume is refused).
//! Every time it is back it reports when and how.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use shared::{ErrorCode, Feature, FromServer, ToServer};
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpSocket;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, client_async_with_config};
use tokio_util::sync::CancellationToken;

use crate::backoff::{Policy, Rng};
use crate::client::{self, Ws};

/// From connecting until the server has answered the login; longer counts as a failed try.
const TRY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a `heartbeat` client pings (the protocol asks for at least every 3 s).
const PING_EVERY: Duration = Duration::from_secs(3);

/// How a client came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `resumed`; `own`: under the name it had.
    Resumed {
        own: bool,
    },
    /// A `username` login; `own`: the server did not rename it.
    LoggedIn {
        own: bool,
    },
    Failed(String),
}

/// One client back (or given up) in one phase.
#[derive(Debug)]
pub struct Event {
    pub client: usize,
    pub phase: usize,
    pub at: Instant,
    pub outcome: Outcome,
    /// Connection attempts, and of them refused ones and other failures.
    pub attempts: u32,
    pub refused: u32,
    pub other: u32,
    /// The last failed attempt's error other than a refusal, if any.
    pub error: Option<String>,
}

/// What every client shares: where to connect, what the server supports, the phase (set by
/// the scenario before it kills the server) and its policy.
pub struct Shared {
    pub addr: SocketAddr,
    pub url: String,
    pub resume: bool,
    pub heartbeat: bool,
    pub phase: AtomicUsize,
    pub policies: Vec<Policy>,
    pub events: mpsc::UnboundedSender<Event>,
    pub stop: CancellationToken,
    /// Connections being set up at once during the first login.
    pub connecting: Semaphore,
    /// A client still not back this long after losing its socket gives up.
    pub give_up: Duration,
    /// Text frames all clients received while logged in, and their bytes.
    pub frames: AtomicU64,
    pub bytes: AtomicU64,
}

impl Shared {
    fn features(&self) -> Vec<Feature> {
        let mut features = vec![Feature::UserlistDelta, Feature::PlainText];
        if self.resume {
            features.push(Feature::Resume);
        }
        if self.heartbeat {
            features.push(Feature::Heartbeat);
        }
        features
    }
}

/// Connection attempts, refused ones and other failures, and the last other failure.
#[derive(Default)]
struct Tries {
    counts: [u32; 3],
    error: Option<String>,
}

impl Tries {
    fn once() -> Self {
        Self {
            counts: [1, 0, 0],
            error: None,
        }
    }
}

enum TryError {
    Refused,
    Other(String),
}

pub struct HerdClient {
    pub shared: Arc<Shared>,
    pub index: usize,
    pub name: String,
    pub seed: u64,
    /// The loopback address this client connects from.
    pub source: Ipv4Addr,
    /// The first login: report being connected, then wait for the wave's go.
    pub ready: mpsc::Sender<()>,
    pub go: CancellationToken,
}

/// What the client keeps between sockets.
struct State {
    token: Option<String>,
    /// Numbered frames received in the session (the `ack`).
    received: u64,
    rng: Rng,
}

impl HerdClient {
    pub async fn run(self) {
        let mut state = State {
            token: None,
            received: 0,
            rng: Rng::new(self.seed),
        };
        let first = async {
            let permit = self.shared.connecting.acquire().await.ok();
            let ws = self.open().await;
            drop(permit);
            let _ = self.ready.send(()).await;
            self.go.cancelled().await;
            let mut ws = ws?;
            let outcome = self.log_in(&mut ws, &mut state).await?;
            Ok::<_, TryError>((ws, outcome))
        };
        let mut ws = match first.await {
            Ok((ws, outcome)) => {
                self.report(0, outcome, Tries::once());
                ws
            }
            Err(e) => return self.report(0, failed(e), Tries::once()),
        };
        loop {
            if !self.stay(&mut ws, &mut state).await {
                return;
            }
            let phase = self.shared.phase.load(Ordering::SeqCst);
            match self.reconnect(phase, &mut state).await {
                Some(back) => ws = back,
                None => return,
            }
        }
    }

    fn report(&self, phase: usize, outcome: Outcome, tries: Tries) {
        let Tries {
            counts: [attempts, refused, other],
            error,
        } = tries;
        let _ = self.shared.events.send(Event {
            client: self.index,
            phase,
            at: Instant::now(),
            outcome,
            attempts,
            refused,
            other,
            error,
        });
    }

    /// Connected and logged in: reads everything (as a page does) and pings when the server
    /// wants heartbeats, until the socket drops (`true`) or the scenario stops (`false`).
    async fn stay(&self, ws: &mut Ws, state: &mut State) -> bool {
        let mut ping = interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = self.shared.stop.cancelled() => return false,
                _ = ping.tick(), if self.shared.heartbeat => {
                    let ack = self.shared.resume.then_some(state.received);
                    let frame = ToServer::Ping { ack }.to_json();
                    if ws.send(Message::text(frame)).await.is_err() {
                        return true;
                    }
                }
                m = ws.next() => match m {
                    Some(Ok(Message::Text(text))) => {
                        self.shared.frames.fetch_add(1, Ordering::Relaxed);
                        self.shared.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                        if client::frame_kind(&text) != "pong" {
                            state.received += 1;
                        }
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    /// Waits, tries, waits longer… until back, given up (`None` after reporting a failure) or
    /// stopped.
    async fn reconnect(&self, phase: usize, state: &mut State) -> Option<Ws> {
        let policy = self
            .shared
            .policies
            .get(phase.saturating_sub(1))
            .copied()
            .unwrap_or(Policy::FullJitter);
        let lost = Instant::now();
        let give_up = lost + self.shared.give_up;
        let mut tries = Tries::default();
        loop {
            let delay = policy.delay(tries.counts[0], lost.elapsed(), &mut state.rng);
            if Instant::now() + delay > give_up {
                let why = tries
                    .error
                    .clone()
                    .unwrap_or_else(|| "connection refused".into());
                self.report(phase, Outcome::Failed(why), tries);
                return None;
            }
            tokio::select! {
                () = self.shared.stop.cancelled() => return None,
                () = sleep(delay) => {}
            }
            tries.counts[0] += 1;
            let tried = async {
                let mut ws = self.open().await?;
                let outcome = self.log_in(&mut ws, state).await?;
                Ok::<_, TryError>((ws, outcome))
            };
            let result = tokio::select! {
                () = self.shared.stop.cancelled() => return None,
                r = tried => r,
            };
            match result {
                Ok((ws, outcome)) => {
                    self.report(phase, outcome, tries);
                    return Some(ws);
                }
                Err(TryError::Refused) => tries.counts[1] += 1,
                Err(TryError::Other(e)) => {
                    tries.counts[2] += 1;
                    tries.error = Some(e);
                }
            }
        }
    }

    /// Connects from the client's own loopback address and reads the `id` frame.
    async fn open(&self) -> Result<Ws, TryError> {
        let deadline = Instant::now() + TRY_TIMEOUT;
        let mut ws = timeout(TRY_TIMEOUT, self.connect())
            .await
            .map_err(|_| TryError::Other("connect timed out".into()))??;
        client::read_id(&mut ws, deadline)
            .await
            .map_err(|e| TryError::Other(e.to_string()))?;
        Ok(ws)
    }

    /// Each client connects from an address of its own in 127.0.0.0/8: from one address,
    /// 10,000 connections to one port make the kernel search long for a free source port on
    /// every connect (40 % of the generator's time right after the restart).
    async fn connect(&self) -> Result<Ws, TryError> {
        let socket = TcpSocket::new_v4().map_err(|e| TryError::Other(e.to_string()))?;
        socket
            .bind(SocketAddr::from((self.source, 0)))
            .map_err(|e| TryError::Other(format!("bind {}: {e}", self.source)))?;
        let stream = socket.connect(self.shared.addr).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::ConnectionRefused {
                TryError::Refused
            } else {
                TryError::Other(e.to_string())
            }
        })?;
        stream
            .set_nodelay(true)
            .map_err(|e| TryError::Other(e.to_string()))?;
        let config = WebSocketConfig::default().read_buffer_size(2 * 1024);
        let (ws, _response) = client_async_with_config(
            self.shared.url.as_str(),
            MaybeTlsStream::Plain(stream),
            Some(config),
        )
        .await
        .map_err(|e| TryError::Other(e.to_string()))?;
        Ok(ws)
    }

    /// Sends `resume` (with a token) or `username`, and reads until the server has taken the
    /// client back: `resumed`, `session` (a server with resume), or else the first list.
    async fn log_in(&self, ws: &mut Ws, state: &mut State) -> Result<Outcome, TryError> {
        let other = |e: &dyn std::fmt::Display| TryError::Other(e.to_string());
        let deadline = Instant::now() + TRY_TIMEOUT;
        let features = self.shared.features();
        match state.token.take() {
            Some(token) => {
                let resume = ToServer::Resume {
                    token,
                    ack: state.received,
                    fresh: false,
                    features: features.clone(),
                };
                ws.send(Message::text(resume.to_json()))
                    .await
                    .map_err(|e| other(&e))?;
            }
            None => self.send_username(ws, &features).await?,
        }
        let mut renamed = false;
        loop {
            let text = client::next_text(ws, deadline)
                .await
                .map_err(|e| other(&e))?
                .ok_or_else(|| TryError::Other("closed while logging in".into()))?;
            match client::frame_kind(&text) {
                "resumed" => {
                    if let Ok(FromServer::Resumed {
                        name, token, ack, ..
                    }) = FromServer::from_json(&text)
                    {
                        state.token = Some(token);
                        state.received = ack;
                        return Ok(Outcome::Resumed {
                            own: name == self.name,
                        });
                    }
                    return Err(TryError::Other(format!("bad resumed frame: {text:.80}")));
                }
                "session" => {
                    if let Ok(FromServer::Session { token, .. }) = FromServer::from_json(&text) {
                        state.token = Some(token);
                        state.received = 0;
                    }
                    return Ok(Outcome::LoggedIn { own: !renamed });
                }
                "rejectusername" => renamed = true,
                "userlist" | "userlist-delta" if !self.shared.resume => {
                    return Ok(Outcome::LoggedIn { own: !renamed });
                }
                "error" => match FromServer::from_json(&text) {
                    Ok(FromServer::Error {
                        code: ErrorCode::ResumeFailed,
                        ..
                    }) => self.send_username(ws, &features).await?,
                    _ => return Err(TryError::Other(format!("{text:.120}"))),
                },
                _ => {}
            }
        }
    }

    async fn send_username(&self, ws: &mut Ws, features: &[Feature]) -> Result<(), TryError> {
        let date = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let login = ToServer::Username {
            id: None,
            name: self.name.clone(),
            date: Some(date),
            features: features.to_vec(),
            passcode: None,
            capacity: None,
        };
        ws.send(Message::text(login.to_json()))
            .await
            .map_err(|e| TryError::Other(e.to_string()))
    }
}

fn failed(e: TryError) -> Outcome {
    Outcome::Failed(match e {
        TryError::Refused => "connection refused".into(),
        TryError::Other(e) => e,
    })
}
