//! Writing to the socket: the session's own frames and the outbox's, each with the write
//! timeout; for a `resume` session every frame after `session`/`resumed` is numbered and kept
//! ([`crate::replay`]) as it is written, and a session that has been taken over writes nothing
//! more. Closing with the closing handshake; on shutdown, what is already queued for the client
//! (a hang-up or a chat line) goes first.

use std::time::{Duration, SystemTime};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use shared::ErrorCode;
use shared::FromServer;
use shared::limits::MAX_FRAME_BYTES;
use tokio::time::{Instant, timeout};

use super::{CLOSE_GOING_AWAY, CLOSE_LINGER, CLOSE_TOO_BIG, End, Session, Step, WRITE_BATCH};
use crate::dispatch::Replies;
use crate::escape::{code_name, for_log};
use crate::inbound::Refusal;
use crate::registry::Resumed;
use crate::replay::{self, Take};

/// On shutdown, how long a session may take to write what is queued for its client and close:
/// a client that does not read costs the shutdown this much at most, not the write timeout.
const SHUTDOWN_FLUSH: Duration = Duration::from_secs(2);

/// The grace window in whole seconds, for the client (rounded up: never less than it is).
fn grace_secs(grace: Duration) -> u64 {
    grace.as_secs_f64().ceil() as u64
}

impl<S> Session<'_, S>
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    /// Writes `ice-servers`, or the refusal when this connection had its quota of TURN
    /// credentials for the minute.
    pub(super) async fn write_ice_servers(&mut self) -> Step {
        let granted = self.state.settings.ice.grant(
            &self.conn.id.to_string(),
            &mut self.turn_quota,
            Instant::now(),
            SystemTime::now(),
        );
        match granted {
            Ok(frame) => self.write_frame(&frame).await,
            Err(refusal) => self.write_error(refusal).await,
        }
    }

    pub(super) async fn write_replies(&mut self, replies: Replies) -> Step {
        if let Some(frame) = replies.renamed {
            self.write_frame(&frame).await?;
        }
        if replies.ice_servers {
            self.write_ice_servers().await?;
        }
        Ok(())
    }

    /// Writes an outbox frame and whatever else is already waiting, with one flush.
    pub(super) async fn write_outbox(&mut self, first: Utf8Bytes) -> Step {
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

    pub(super) async fn write_error(&mut self, refusal: Refusal) -> Step {
        crate::metrics::refused(refusal.code);
        tracing::debug!(
            conn = self.conn.id,
            code = %code_name(refusal.code),
            message = %for_log(&refusal.message),
            "refused a frame"
        );
        self.write_frame(&FromServer::Error {
            code: refusal.code,
            message: refusal.message,
        })
        .await
    }

    /// Writes a frame of this session's own (not from the outbox); numbered and kept for a
    /// `resume` session.
    pub(super) async fn write_frame(&mut self, frame: &FromServer) -> Step {
        let text: Utf8Bytes = frame.to_json().into();
        if let Some(handle) = &self.conn.resume
            && !replay::lock(&handle.replay).record(self.conn.socket, &text)
        {
            return Err(End::Replaced);
        }
        self.write(Message::Text(text)).await
    }

    /// After a login that made this a `resume` session: the `session` frame, after which
    /// frames are numbered.
    pub(super) async fn write_session(&mut self) -> Step {
        let Some((token, handle)) = self.conn.issued.take() else {
            return Ok(());
        };
        let grace = grace_secs(self.state.settings.limits.resume_grace);
        self.write_frame(&FromServer::Session { token, grace })
            .await?;
        self.conn.resume = Some(handle);
        Ok(())
    }

    /// A resume: `resumed`, then the frames the client missed (numbered already), then fresh
    /// ICE servers if it wants them; the live stream follows.
    pub(super) async fn write_resumed(&mut self, resumed: Resumed) -> Step {
        let frame = FromServer::Resumed {
            name: resumed.name.to_string(),
            token: resumed.token,
            grace: grace_secs(self.state.settings.limits.resume_grace),
            ack: resumed.ack,
            partner: resumed.partner,
        };
        self.write_frame(&frame).await?;
        let write_timeout = self.state.settings.limits.write_timeout;
        let socket = &mut self.socket;
        let again = async {
            for frame in resumed.replay {
                socket.feed(Message::Text(frame)).await?;
            }
            socket.flush().await
        };
        match timeout(write_timeout, again).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(End::SocketError),
            Err(_) => return Err(End::TooSlow),
        }
        self.conn.resume = Some(resumed.handle);
        if resumed.features.ice_servers {
            self.write_ice_servers().await?;
        }
        Ok(())
    }

    /// Writes the waiting outbox frames of a `resume` session, each numbered as it is taken,
    /// with one flush.
    pub(super) async fn write_numbered_outbox(&mut self) -> Step {
        let write_timeout = self.state.settings.limits.write_timeout;
        let (Some(outbox), Some(handle)) = (&self.conn.outbox, &self.conn.resume) else {
            return Ok(());
        };
        let me = self.conn.socket;
        let socket = &mut self.socket;
        let mut replaced = false;
        let batch = async {
            for _ in 0..WRITE_BATCH {
                let taken = replay::lock(&handle.replay).take(me, outbox);
                match taken {
                    Take::Frame(frame) => socket.feed(Message::Text(frame)).await?,
                    Take::Empty => break,
                    Take::Replaced => {
                        replaced = true;
                        break;
                    }
                }
            }
            socket.flush().await
        };
        let written = timeout(write_timeout, batch).await;
        if replaced {
            return Err(End::Replaced);
        }
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::SocketError),
            Err(_) => Err(End::TooSlow),
        }
    }

    /// One write with the write timeout: a client that does not read cannot hold the session.
    pub(super) async fn write(&mut self, message: Message) -> Step {
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

    pub(super) async fn too_large(&mut self) -> End {
        let refusal = Refusal::new(
            ErrorCode::TooLarge,
            format!("frames are limited to {MAX_FRAME_BYTES} bytes; closing"),
        );
        let _ = self.write_error(refusal).await;
        self.close(CLOSE_TOO_BIG, "frame too large").await;
        End::TooLarge
    }

    /// The server is shutting down: writes what was already queued for the client (a hang-up,
    /// a chat line), then the Close frame, all within [`SHUTDOWN_FLUSH`]. A client that does
    /// not read gets no Close frame (the write would not complete); the connection ends either
    /// way.
    pub(super) async fn shut_down(&mut self) {
        let session = async {
            if self.flush_outbox().await.is_ok() {
                self.close(CLOSE_GOING_AWAY, "server shutting down").await;
            }
        };
        if timeout(SHUTDOWN_FLUSH, session).await.is_err() {
            tracing::debug!(
                conn = self.conn.id,
                "shutdown: the client did not take its frames"
            );
        }
    }

    /// Writes the outbox until it is empty, or until a write makes no progress (the outbox was
    /// closed, or others fill it as fast as it is written).
    async fn flush_outbox(&mut self) -> Step {
        loop {
            let Some(outbox) = self.conn.outbox.clone() else {
                return Ok(());
            };
            let (before, _) = outbox.backlog();
            if before == 0 {
                return Ok(());
            }
            if self.conn.resume.is_some() {
                self.write_numbered_outbox().await?;
            } else {
                match outbox.try_pop() {
                    Some(frame) => self.write_outbox(frame).await?,
                    None => return Ok(()),
                }
            }
            if outbox.backlog().0 >= before {
                return Ok(());
            }
        }
    }

    /// Sends a Close frame and waits briefly for the client's reply (the closing handshake),
    /// so that the client reads our Close before the TCP connection goes. Best effort: the
    /// connection ends either way.
    pub(super) async fn close(&mut self, code: u16, reason: &'static str) {
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
