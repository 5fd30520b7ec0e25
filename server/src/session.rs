//! One WebSocket connection: a single task running one `select!` loop over the socket's frames,
//! the connection's outbox, its timer (login deadline and keep-alive) and server shutdown.
//!
//! The session owns the socket: frames for this client from anywhere else arrive through the
//! bounded outbox the registry delivers to; replies that concern only this client (its `id`,
//! `rejectusername`, `ice-servers`, `error` frames) are written directly. Each text frame is
//! decoded once ([`crate::inbound`]) and applied by [`crate::dispatch`], synchronously; this file
//! only does the I/O around it (rate limiting, size limits, writes with a timeout, closing). A
//! drop guard takes the client out of the registry on every way out of the loop.
//!
//! The session is generic over the socket (`Stream` + `Sink` of axum messages) so it does not
//! depend on a real network connection. Writing (numbered for `resume` sessions, see
//! [`crate::replay`]) and the shutdown (what is queued first, then the Close frame) are in
//! `session/write.rs`; the rate limits (every frame, WebSocket Ping and Pong included, and chat's
//! own lower rate) in `session/limit.rs`.
//!
//! A client with `heartbeat` that sends nothing for the heartbeat timeout is dropped as if its
//! socket had. When the socket of a `resume` session ends, the registry keeps the session away
//! ([`Registry::detach`]); when a resume on another socket takes it over, this one closes at
//! once with code 4000. A room socket (issue 13) gets into its room in `session/room.rs`.

use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::{Sink, Stream, StreamExt};
use shared::limits::MAX_FRAME_BYTES;
use shared::{ErrorCode, FromServer, RoomName};
use tokio::time::{Instant, sleep_until};

use crate::control::{Control, FAILED_RESUME_COST, control};
use crate::dispatch::{ConnState, dispatch};
use crate::inbound::{Inbound, Refusal, decode};
use crate::limits::TokenBucket;
use crate::rooms::Seat;
use crate::state::AppState;
use crate::turn::TurnQuota;

mod end;
mod limit;
mod room;
mod write;

pub use end::End;

use limit::is_too_large;

/// Close codes (RFC 6455 §7.4.1; 4000 is ours).
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TOO_BIG: u16 = 1009;
/// A resume on another socket took the session over.
pub const CLOSE_REPLACED: u16 = 4000;

/// How long to wait for the client's Close after sending ours.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// Outbox frames written per flush: batching them saves syscalls under load, the bound keeps
/// one busy client from monopolising its worker thread.
const WRITE_BATCH: usize = 32;

/// The connection's state, which takes the client out of its registry (or, for a `resume`
/// session, leaves it away) however the session ends (return, error or panic), and forgets its
/// room if that left it empty.
struct Registration<'a> {
    state: &'a AppState,
    seat: Seat,
    conn: ConnState,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        let conn = &self.conn;
        if let Some(registry) = self.seat.registry(&self.state.registry) {
            registry.detach(conn.id, conn.socket, conn.leaving);
        }
        if let Some(room) = self.seat.joined() {
            self.state.rooms.forget_if_empty(room);
        }
    }
}

impl Deref for Registration<'_> {
    type Target = ConnState;
    fn deref(&self) -> &ConnState {
        &self.conn
    }
}

impl DerefMut for Registration<'_> {
    fn deref_mut(&mut self) -> &mut ConnState {
        &mut self.conn
    }
}

/// Runs one connection (in `room`, else the lobby) to its end.
pub async fn run<S>(socket: S, state: AppState, peer: SocketAddr, room: Option<RoomName>)
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    let id = state.next_conn_id();
    tracing::info!(conn = id, %peer, "connected");
    let now = Instant::now();
    let (limits, flood) = (&state.settings.limits, &state.settings.flood);
    let mut session = Session {
        bucket: TokenBucket::new(limits.rate_per_sec, limits.rate_burst, now),
        chat_bucket: TokenBucket::new(flood.chat_rate, flood.chat_burst, now),
        told_chat_limited: false,
        socket,
        conn: Registration {
            state: &state,
            seat: Seat::new(room),
            conn: ConnState::new(id),
        },
        state: &state,
        told_rate_limited: false,
        turn_quota: TurnQuota::default(),
        awaiting_pong: false,
        last_heard: now,
    };
    let end = session.drive().await;
    if end == End::TooSlow {
        crate::metrics::slow_client_dropped();
    }
    match &session.conn.name {
        Some(name) => {
            let name = crate::escape::for_log(name.as_str());
            tracing::info!(conn = id, %name, reason = %end, "disconnected");
        }
        None => tracing::info!(conn = id, reason = %end, "disconnected"),
    }
}

struct Session<'a, S> {
    socket: S,
    /// Who this connection is, as far as dispatch is concerned.
    conn: Registration<'a>,
    state: &'a AppState,
    bucket: TokenBucket,
    /// The client was already told it is being rate limited (told once per episode, so a
    /// flood does not double its own traffic with errors).
    told_rate_limited: bool,
    /// Chat lines have their own, lower rate.
    chat_bucket: TokenBucket,
    /// The same, for the chat rate.
    told_chat_limited: bool,
    /// TURN credential sets given to this connection this minute.
    turn_quota: TurnQuota,
    awaiting_pong: bool,
    /// When the client last sent anything (for the heartbeat).
    last_heard: Instant,
}

/// What the outbox has for the session.
enum Outgoing {
    /// The next frame (plain clients).
    Frame(Utf8Bytes),
    /// Frames are waiting (a `resume` session numbers them as it takes them).
    Ready,
    /// The registry closed the outbox: the client was too slow.
    Closed,
}

/// Waits for the outbox, or forever before login.
async fn next_outbox(conn: &ConnState) -> Outgoing {
    match (&conn.outbox, &conn.resume) {
        (Some(outbox), Some(_)) => match outbox.wait_ready().await {
            true => Outgoing::Ready,
            false => Outgoing::Closed,
        },
        (Some(outbox), None) => outbox.pop().await.map_or(Outgoing::Closed, Outgoing::Frame),
        (None, _) => std::future::pending().await,
    }
}

/// Resolves when another socket has taken this `resume` session over.
async fn replaced(conn: &ConnState) {
    match &conn.resume {
        Some(handle) => handle.replaced.cancelled().await,
        None => std::future::pending().await,
    }
}

/// What happened to a session after handling something.
type Step = Result<(), End>;

impl<S> Session<'_, S>
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    /// Everything awaited inside the loop is boxed: an idle connection then keeps only the loop's
    /// own state (about 400 bytes) instead of room for its largest in-flight write, at the cost
    /// of one small allocation per frame handled.
    async fn drive(&mut self) -> End {
        let limits = &self.state.settings.limits;
        let (login_timeout, ping_interval) = (limits.login_timeout, limits.ping_interval);
        if let Err(end) = Box::pin(self.write_frame(&FromServer::Id { id: self.conn.id })).await {
            return end;
        }
        let shutdown = self.state.shutdown.clone();
        let cancelled = shutdown.cancelled();
        tokio::pin!(cancelled);
        let login_deadline = Instant::now() + login_timeout;
        let mut next_ping = Instant::now() + ping_interval;
        let timer = sleep_until(login_deadline.min(next_ping));
        tokio::pin!(timer);

        loop {
            let step = tokio::select! {
                biased;
                () = &mut cancelled => {
                    Box::pin(self.shut_down()).await;
                    return End::Shutdown;
                }
                () = replaced(&self.conn) => Err(End::Replaced),
                frame = next_outbox(&self.conn) => match frame {
                    Outgoing::Frame(frame) => Box::pin(self.write_outbox(frame)).await,
                    Outgoing::Ready => Box::pin(self.write_numbered_outbox()).await,
                    Outgoing::Closed => {
                        Box::pin(self.close(CLOSE_POLICY, "too slow to read")).await;
                        return End::TooSlow;
                    }
                },
                frame = self.socket.next() => match frame {
                    None | Some(Ok(Message::Close(_))) => return End::ClientLeft,
                    Some(Ok(message)) => {
                        self.awaiting_pong = false;
                        self.last_heard = Instant::now();
                        Box::pin(self.on_message(message)).await
                    }
                    Some(Err(e)) if is_too_large(&e) => return Box::pin(self.too_large()).await,
                    Some(Err(e)) => {
                        tracing::debug!(conn = self.conn.id, error = %e, "socket error");
                        return End::SocketError;
                    }
                },
                () = &mut timer => {
                    let now = Instant::now();
                    if self.heartbeat_deadline().is_some_and(|at| now >= at) {
                        return End::Silent;
                    }
                    if self.conn.name.is_none() && now >= login_deadline {
                        let refusal = Refusal::new(ErrorCode::LoginTimeout, "no login in time; closing");
                        let _ = Box::pin(self.write_error(refusal)).await;
                        Box::pin(self.close(CLOSE_POLICY, "login timeout")).await;
                        return End::LoginTimeout;
                    }
                    if now >= next_ping {
                        if self.awaiting_pong {
                            return End::Dead;
                        }
                        self.awaiting_pong = true;
                        next_ping = now + ping_interval;
                        Box::pin(self.write(Message::Ping(Default::default()))).await
                    } else {
                        Ok(())
                    }
                }
            };
            if let Err(end) = step {
                if end == End::Replaced {
                    // Whatever wake-up this session took from the shared outbox is the new
                    // socket's.
                    if let Some(outbox) = &self.conn.outbox {
                        outbox.nudge();
                    }
                    Box::pin(self.close(CLOSE_REPLACED, "replaced")).await;
                }
                return end;
            }
            let mut next = if self.conn.name.is_none() {
                login_deadline.min(next_ping)
            } else {
                next_ping
            };
            if let Some(at) = self.heartbeat_deadline() {
                next = next.min(at);
            }
            if timer.deadline() != next {
                timer.as_mut().reset(next);
            }
        }
    }

    /// When a logged-in `heartbeat` client that stays silent is to be dropped.
    fn heartbeat_deadline(&self) -> Option<Instant> {
        let timeout = self.state.settings.limits.heartbeat_timeout;
        (self.conn.features.heartbeat && self.conn.name.is_some())
            .then(|| self.last_heard + timeout)
    }

    async fn on_message(&mut self, message: Message) -> Step {
        // Frames up to the hard limit are read whole and refused here, so the close is clean
        // (nothing unread is left in the socket to turn it into a reset).
        let size = match &message {
            Message::Text(text) => text.len(),
            Message::Binary(data) => data.len(),
            _ => 0,
        };
        if size > MAX_FRAME_BYTES {
            return Err(Box::pin(self.too_large()).await);
        }
        let text = match message {
            Message::Text(text) => text,
            // tungstenite answers pings itself; a pong (or any frame) proves the peer alive. They
            // take a token like every frame: a flood of them is treated as any flood.
            Message::Ping(_) | Message::Pong(_) => return self.take_token().await.map(drop),
            Message::Binary(_) => {
                if !self.take_token().await? {
                    return Ok(());
                }
                let refusal = Refusal::new(ErrorCode::BinaryFrame, "binary frames are not used");
                return Box::pin(self.write_error(refusal)).await;
            }
            Message::Close(_) => return Err(End::ClientLeft),
        };
        if !self.take_token().await? {
            return Ok(());
        }
        let frame = match decode(&text) {
            Ok(frame) => frame,
            Err(refusal) => return Box::pin(self.write_error(refusal)).await,
        };
        if matches!(frame, Inbound::Chat { .. }) && !self.take_chat_token().await? {
            return Ok(());
        }
        let outside = self.conn.seat.outside_room();
        if outside && matches!(frame, Inbound::Login { .. } | Inbound::Resume { .. }) {
            return Box::pin(self.enter_room(frame)).await;
        }
        let state = self.state;
        let room = self.conn.seat.joined().cloned();
        let registry = match &room {
            Some(room) => &room.registry,
            None if outside => state.rooms.outside(),
            None => &*state.registry,
        };
        if let Some(done) = control(&mut self.conn, registry, &frame) {
            return Box::pin(self.on_control(done)).await;
        }
        match dispatch(&mut self.conn, registry, frame) {
            Ok(replies) => {
                if !replies.is_empty() {
                    Box::pin(self.write_replies(replies)).await?;
                }
                Box::pin(self.write_session()).await
            }
            Err(refusal) => Box::pin(self.write_error(refusal)).await,
        }
    }

    async fn on_control(&mut self, done: Control) -> Step {
        match done {
            Control::Quiet => Ok(()),
            Control::Pong => self.write_frame(&FromServer::Pong).await,
            Control::Resumed(resumed) => self.write_resumed(*resumed).await,
            Control::Refused(refusal) => {
                // The frame took one token; a failed resume costs more.
                let now = Instant::now();
                for _ in 1..FAILED_RESUME_COST {
                    self.bucket.try_take(now);
                }
                self.write_error(refusal).await
            }
        }
    }
}
