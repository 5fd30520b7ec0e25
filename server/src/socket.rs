//! The WebSocket a session talks through: tungstenite (via tokio-tungstenite) with bounded
//! buffers, behind the same `Stream` + `Sink` of axum messages the session is written against.
//!
//! tungstenite keeps two buffers per connection that grow to the largest frame and never shrink:
//! the write buffer (a `Vec` drained in place) and the read buffer (a `BytesMut` that keeps its
//! capacity). With axum's socket one 60 KB frame each way left a connection at ~130 KiB for life.
//! Here:
//! - **Writes**: a message over [`FRAGMENT_BYTES`] is sent as fragments of that size (RFC 6455
//!   §5.4; browsers and MDN's client reassemble them), each written before the next is buffered,
//!   so the write buffer never grows past one fragment.
//! - **Both**: [`Boundary`] watches frame boundaries under tungstenite. After a large frame was
//!   read, or a frame over [`SHRINK_AFTER_WRITE`] written, tungstenite is replaced by a fresh one
//!   with small buffers on the same connection ([`Socket::shrink`]) as soon as it holds no state
//!   worth keeping: everything it was handed returned (no partial frame or message), everything
//!   written flushed (no pending pong). Bytes read past a large frame wait in the boundary,
//!   which moves along. Replacing costs a few small allocations, so it is done only after
//!   frames larger than most relays: an idle connection then keeps no write buffer at all.
//!
//! Both are observable: [`Socket::shrinks`] counts the replacements, and the integration test
//! `server/tests/buffers.rs` measures the memory a connection keeps.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::{FutureExt, Sink, Stream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tungstenite::Bytes;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{Data, OpCode};
use tungstenite::protocol::{Role, WebSocketConfig};

mod boundary;
mod upgrade;

pub use boundary::{Boundary, LARGE_FRAME};
pub use upgrade::{accept_key, upgrade};

/// The upgraded HTTP connection.
pub type Connection = hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>;

/// Largest frame written: longer messages go out as fragments of this size.
pub const FRAGMENT_BYTES: usize = 4096;

/// Writing a frame larger than this (a user list, a session description) leaves a write buffer
/// of its size: tungstenite is replaced once flushed. ICE candidates and chat stay below.
pub const SHRINK_AFTER_WRITE: usize = 1024;

type Ws<S> = WebSocketStream<Boundary<S>>;

/// A server-side WebSocket over `S` with bounded buffers (see the module doc).
pub struct Socket<S> {
    ws: Ws<S>,
    /// The rest of a long message being sent: its payload, how much is sent, its opcode.
    sending: Option<(Bytes, usize, Data)>,
    /// A large frame was read or written: shrink once tungstenite holds nothing.
    shrink_due: bool,
    /// Items tungstenite has returned since it was made (see [`Boundary::drained`]).
    returned: u64,
    /// A Close was sent or received: the connection is ending, nothing is replaced.
    closing: bool,
    shrinks: u64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Socket<S> {
    /// A socket over a connection whose handshake is done.
    pub fn new(io: S, config: WebSocketConfig) -> Self {
        Self {
            ws: new_ws(Boundary::new(io), config),
            sending: None,
            shrink_due: false,
            returned: 0,
            closing: false,
            shrinks: 0,
        }
    }

    /// How many times the buffers were replaced by small ones after a large frame.
    pub fn shrinks(&self) -> u64 {
        self.shrinks
    }

    /// Replaces tungstenite by a fresh one (small buffers) on the same connection, when it
    /// holds nothing: all it read returned, everything written flushed (the caller's part).
    /// Otherwise it stays due, for the next flush or read.
    fn shrink(&mut self) {
        if self.closing || self.sending.is_some() || !self.ws.get_mut().drained(self.returned) {
            return;
        }
        let config = *self.ws.get_config();
        if let Some(io) = self.ws.get_mut().take() {
            self.ws = new_ws(io, config);
            self.shrinks += 1;
            self.shrink_due = false;
            self.returned = 0;
        }
    }

    /// Flushes, then shrinks if one is due; what `poll_flush` returns.
    fn poll_flush_ws(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        ready!(Pin::new(&mut self.ws).poll_flush(cx)).map_err(axum::Error::new)?;
        if self.shrink_due {
            self.shrink();
        }
        Poll::Ready(Ok(()))
    }

    /// Feeds the fragments of the message being sent, each once tungstenite is ready for it.
    fn poll_fragments(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        while let Some((payload, sent, data)) = &mut self.sending {
            ready!(Pin::new(&mut self.ws).poll_ready(cx)).map_err(axum::Error::new)?;
            let end = payload.len().min(*sent + FRAGMENT_BYTES);
            let opcode = if *sent == 0 { *data } else { Data::Continue };
            let frame = Frame::message(
                payload.slice(*sent..end),
                OpCode::Data(opcode),
                end == payload.len(),
            );
            *sent = end;
            if end == payload.len() {
                self.sending = None;
            }
            Pin::new(&mut self.ws)
                .start_send(tungstenite::Message::Frame(frame))
                .map_err(axum::Error::new)?;
        }
        Poll::Ready(Ok(()))
    }
}

fn message_len(message: &Message) -> usize {
    match message {
        Message::Text(text) => text.len(),
        Message::Binary(data) => data.len(),
        _ => 0,
    }
}

/// A tungstenite over `io`, without a handshake (ours is done, see [`upgrade`]).
fn new_ws<S: AsyncRead + AsyncWrite + Unpin>(io: Boundary<S>, config: WebSocketConfig) -> Ws<S> {
    // The future is ready at once (it only wraps the connection); `None` cannot happen.
    WebSocketStream::from_raw_socket(io, Role::Server, Some(config))
        .now_or_never()
        .unwrap_or_else(|| unreachable!("from_raw_socket does no I/O"))
}

impl<S: AsyncRead + AsyncWrite + Unpin> Stream for Socket<S> {
    type Item = Result<Message, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.shrink_due && this.sending.is_none() {
            // Flushing also sends a pong tungstenite may owe; if the peer is not reading, the
            // shrink waits for a later flush.
            if let Poll::Ready(Err(e)) = this.poll_flush_ws(cx) {
                return Poll::Ready(Some(Err(e)));
            }
        }
        let message = match ready!(Pin::new(&mut this.ws).poll_next(cx)) {
            None => return Poll::Ready(None),
            Some(Err(e)) => return Poll::Ready(Some(Err(axum::Error::new(e)))),
            Some(Ok(message)) => message,
        };
        this.returned += 1;
        if message.len() > LARGE_FRAME as usize {
            this.shrink_due = true;
        }
        let message = match message {
            tungstenite::Message::Text(text) => {
                Message::Text(Utf8Bytes::try_from(Bytes::from(text)).map_err(axum::Error::new)?)
            }
            tungstenite::Message::Binary(data) => Message::Binary(data),
            tungstenite::Message::Ping(data) => Message::Ping(data),
            tungstenite::Message::Pong(data) => Message::Pong(data),
            tungstenite::Message::Close(frame) => {
                this.closing = true;
                Message::Close(frame.map(|f| CloseFrame {
                    code: f.code.into(),
                    reason: Utf8Bytes::from(f.reason.as_str()),
                }))
            }
            // tungstenite never returns raw frames when reading.
            tungstenite::Message::Frame(_) => Message::Binary(Bytes::new()),
        };
        Poll::Ready(Some(Ok(message)))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Sink<Message> for Socket<S> {
    type Error = axum::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        ready!(this.poll_fragments(cx))?;
        Pin::new(&mut this.ws)
            .poll_ready(cx)
            .map_err(axum::Error::new)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Self::Error> {
        let this = self.get_mut();
        if message_len(&message) > SHRINK_AFTER_WRITE {
            this.shrink_due = true;
        }
        let long =
            |payload: Bytes, data| (payload.len() > FRAGMENT_BYTES).then_some((payload, 0, data));
        let message = match message {
            Message::Text(text) => {
                let payload = Bytes::from(text);
                if let Some(sending) = long(payload.clone(), Data::Text) {
                    this.sending = Some(sending);
                    return Ok(());
                }
                tungstenite::Message::Text(
                    tungstenite::Utf8Bytes::try_from(payload).map_err(axum::Error::new)?,
                )
            }
            Message::Binary(data) => {
                if let Some(sending) = long(data.clone(), Data::Binary) {
                    this.sending = Some(sending);
                    return Ok(());
                }
                tungstenite::Message::Binary(data)
            }
            Message::Ping(data) => tungstenite::Message::Ping(data),
            Message::Pong(data) => tungstenite::Message::Pong(data),
            Message::Close(frame) => {
                this.closing = true;
                tungstenite::Message::Close(frame.map(|f| tungstenite::protocol::CloseFrame {
                    code: f.code.into(),
                    reason: f.reason.as_str().into(),
                }))
            }
        };
        Pin::new(&mut this.ws)
            .start_send(message)
            .map_err(axum::Error::new)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        ready!(this.poll_fragments(cx))?;
        this.poll_flush_ws(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        this.closing = true;
        ready!(this.poll_fragments(cx))?;
        Pin::new(&mut this.ws)
            .poll_close(cx)
            .map_err(axum::Error::new)
    }
}

#[cfg(test)]
mod tests;
