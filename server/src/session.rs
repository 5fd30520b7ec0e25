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
//! depend on a real network connection.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use shared::limits::MAX_FRAME_BYTES;
use shared::{ErrorCode, FromServer};
use std::sync::Arc;
use tokio::time::{Instant, sleep_until, timeout};

use crate::dispatch::{ConnState, Replies, dispatch};
use crate::inbound::{Refusal, decode};
use crate::limits::TokenBucket;
use crate::members::ConnId;
use crate::outbox::Outbox;
use crate::registry::Registry;
use crate::state::AppState;

/// Close codes (RFC 6455 §7.4.1).
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TOO_BIG: u16 = 1009;

/// How long to wait for the client's Close after sending ours.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// Outbox frames written per flush: batching them saves syscalls under load, the bound keeps
/// one busy client from monopolising its worker thread.
const WRITE_BATCH: usize = 32;

/// Why a session ended (logged once, at info).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed or the connection dropped.
    ClientLeft,
    /// The server is shutting down.
    Shutdown,
    /// The outbox overflowed, or a write took longer than the write timeout.
    TooSlow,
    /// No pong (or any frame) for a whole ping interval.
    Dead,
    LoginTimeout,
    TooLarge,
    /// A protocol or I/O error on the socket.
    SocketError,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            End::ClientLeft => "client left",
            End::Shutdown => "server shutdown",
            End::TooSlow => "too slow to read",
            End::Dead => "no answer to ping",
            End::LoginTimeout => "login timeout",
            End::TooLarge => "frame too large",
            End::SocketError => "socket error",
        })
    }
}

/// Takes the client out of the registry however the session ends (return, error or panic).
struct Registration<'a> {
    registry: &'a Registry,
    id: ConnId,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.registry.unregister(self.id);
    }
}

/// Runs one connection to its end.
pub async fn run<S>(socket: S, state: AppState, peer: SocketAddr)
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    let id = state.next_conn_id();
    let registry = state.registry.clone();
    let _registration = Registration {
        registry: &registry,
        id,
    };
    tracing::info!(conn = id, %peer, "connected");
    let now = Instant::now();
    let limits = &state.settings.limits;
    let mut session = Session {
        bucket: TokenBucket::new(limits.rate_per_sec, limits.rate_burst, now),
        socket,
        conn: ConnState::new(id),
        state: &state,
        told_rate_limited: false,
        awaiting_pong: false,
    };
    let end = session.drive().await;
    match &session.conn.name {
        Some(name) => tracing::info!(conn = id, %name, reason = %end, "disconnected"),
        None => tracing::info!(conn = id, reason = %end, "disconnected"),
    }
}

struct Session<'a, S> {
    socket: S,
    /// Who this connection is, as far as dispatch is concerned.
    conn: ConnState,
    state: &'a AppState,
    bucket: TokenBucket,
    /// The client was already told it is being rate limited (told once per episode, so a
    /// flood does not double its own traffic with errors).
    told_rate_limited: bool,
    awaiting_pong: bool,
}

/// Waits for the next outbox frame, or forever before login.
async fn next_outbox(outbox: &Option<Arc<Outbox>>) -> Option<Utf8Bytes> {
    match outbox {
        Some(outbox) => outbox.pop().await,
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
                    Box::pin(self.close(CLOSE_GOING_AWAY, "server shutting down")).await;
                    return End::Shutdown;
                }
                frame = next_outbox(&self.conn.outbox) => match frame {
                    Some(frame) => Box::pin(self.write_outbox(frame)).await,
                    // The registry closed our outbox: we were too slow.
                    None => {
                        Box::pin(self.close(CLOSE_POLICY, "too slow to read")).await;
                        return End::TooSlow;
                    }
                },
                frame = self.socket.next() => match frame {
                    None | Some(Ok(Message::Close(_))) => return End::ClientLeft,
                    Some(Ok(message)) => {
                        self.awaiting_pong = false;
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
                return end;
            }
            let next = if self.conn.name.is_none() {
                login_deadline.min(next_ping)
            } else {
                next_ping
            };
            if timer.deadline() != next {
                timer.as_mut().reset(next);
            }
        }
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
            // tungstenite answers pings itself; a pong (or any frame) proves the peer alive.
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
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
        let registry = &self.state.registry;
        match decode(&text).and_then(|frame| dispatch(&mut self.conn, registry, frame)) {
            Ok(replies) if replies.is_empty() => Ok(()),
            Ok(replies) => Box::pin(self.write_replies(replies)).await,
            Err(refusal) => Box::pin(self.write_error(refusal)).await,
        }
    }

    /// Rate limiting: `Ok(false)` when the frame must be dropped.
    async fn take_token(&mut self) -> Result<bool, End> {
        if self.bucket.try_take(Instant::now()) {
            self.told_rate_limited = false;
            return Ok(true);
        }
        if !self.told_rate_limited {
            self.told_rate_limited = true;
            let refusal = Refusal::new(ErrorCode::RateLimited, "too many frames; dropped");
            Box::pin(self.write_error(refusal)).await?;
        }
        Ok(false)
    }

    fn ice_servers(&self) -> FromServer {
        self.state
            .settings
            .ice
            .frame_for(&self.conn.id.to_string(), SystemTime::now())
    }

    async fn write_replies(&mut self, replies: Replies) -> Step {
        if let Some(frame) = replies.renamed {
            self.write_frame(&frame).await?;
        }
        if replies.ice_servers {
            self.write_frame(&self.ice_servers()).await?;
        }
        Ok(())
    }

    /// Writes an outbox frame and whatever else is already waiting, with one flush.
    async fn write_outbox(&mut self, first: Utf8Bytes) -> Step {
        let write_timeout = self.state.settings.limits.write_timeout;
        let Some(outbox) = self.conn.outbox.as_ref() else {
            return Ok(());
        };
        let socket = &mut self.socket;
        let batch = async {
            socket.feed(Message::Text(first)).await?;
            for _ in 1..WRITE_BATCH {
                match outbox.try_pop() {
                    Some(frame) => socket.feed(Message::Text(frame)).await?,
                    None => break,
                }
            }
            socket.flush().await
        };
        match timeout(write_timeout, batch).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::SocketError),
            Err(_) => Err(End::TooSlow),
        }
    }

    async fn write_error(&mut self, refusal: Refusal) -> Step {
        tracing::debug!(conn = self.conn.id, code = ?refusal.code, message = %refusal.message, "refused a frame");
        self.write_frame(&FromServer::Error {
            code: refusal.code,
            message: refusal.message,
        })
        .await
    }

    async fn write_frame(&mut self, frame: &FromServer) -> Step {
        self.write(Message::Text(frame.to_json().into())).await
    }

    /// One write with the write timeout: a client that does not read cannot hold the session.
    async fn write(&mut self, message: Message) -> Step {
        match timeout(
            self.state.settings.limits.write_timeout,
            self.socket.send(message),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::SocketError),
            Err(_) => Err(End::TooSlow),
        }
    }

    async fn too_large(&mut self) -> End {
        let refusal = Refusal::new(
            ErrorCode::TooLarge,
            format!("frames are limited to {MAX_FRAME_BYTES} bytes; closing"),
        );
        let _ = self.write_error(refusal).await;
        self.close(CLOSE_TOO_BIG, "frame too large").await;
        End::TooLarge
    }

    /// Sends a Close frame and waits briefly for the client's reply (the closing handshake),
    /// so that the client reads our Close before the TCP connection goes. Best effort: the
    /// connection ends either way.
    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        if self.write(Message::Close(Some(frame))).await.is_ok() {
            let socket = &mut self.socket;
            let drain = async { while let Some(Ok(_)) = socket.next().await {} };
            let _ = timeout(CLOSE_LINGER, drain).await;
        }
    }
}

/// Whether a socket error is tungstenite refusing a frame or message over the size limit.
fn is_too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(tungstenite::Error::Capacity(_)) = e.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = e.source();
    }
    false
}
