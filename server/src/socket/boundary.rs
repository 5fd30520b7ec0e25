//! The raw connection under tungstenite, watched frame by frame so the socket adapter knows when
//! tungstenite's read buffer is empty (and tungstenite can then be replaced by a fresh one with
//! small buffers, see [`super::Socket`]).
//!
//! Bytes pass through unchanged. The frame headers in them are parsed as they pass (RFC 6455
//! §5.2: two bytes, 2 or 8 bytes of extended length, 4 bytes of mask) to know where each frame
//! ends, and to count the items tungstenite will return for them (one per message, one per
//! control frame): once it has returned as many as were handed to it, and no frame or fragmented
//! message is half-way, its read buffer holds nothing. When a read runs past the end of a *large*
//! frame (payload over [`LARGE_FRAME`]), the bytes after it are kept back in a small stash and
//! handed out by the next read, so that this moment comes right after every large frame.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A frame with a payload over this many bytes grows tungstenite's read buffer to its size, for
/// the connection's life: the adapter replaces the buffer after such a frame.
pub const LARGE_FRAME: u64 = 4096;

/// Where the parser is in the byte stream.
#[derive(Debug, Clone, Copy)]
enum Parse {
    /// Reading a header: `have` of `need` bytes so far (`need` is 2 until the length byte is
    /// known).
    Header {
        bytes: [u8; 14],
        have: usize,
        need: usize,
    },
    /// Inside a payload: `left` bytes to go.
    Payload {
        left: u64,
        large: bool,
        fin: bool,
        data: bool,
    },
}

const START: Parse = Parse::Header {
    bytes: [0; 14],
    have: 0,
    need: 2,
};

/// The connection, with its frame boundaries tracked (see the module doc).
pub struct Boundary<S> {
    /// `None` only for the moment the adapter moves the connection into a new tungstenite.
    inner: Option<S>,
    parse: Parse,
    /// Bytes read past the end of a large frame, not yet handed to tungstenite.
    stash: Vec<u8>,
    /// A fragmented message is under way (a data frame without FIN was seen, no final one yet).
    in_message: bool,
    /// Items (messages and control frames) complete in the bytes handed to tungstenite.
    items: u64,
}

impl<S> Boundary<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner: Some(inner),
            parse: START,
            stash: Vec::new(),
            in_message: false,
            items: 0,
        }
    }

    /// Whether tungstenite's read buffer is empty, given how many items it has returned since
    /// this boundary was made (see the module doc).
    pub fn drained(&self, returned: u64) -> bool {
        let between_frames = matches!(self.parse, Parse::Header { have: 0, .. });
        between_frames && !self.in_message && self.items == returned
    }

    /// Moves the connection (with the parser state and stash; the item count starts again) out,
    /// for a new tungstenite; this one is left without a connection and must be dropped.
    pub fn take(&mut self) -> Option<Self> {
        let inner = self.inner.take()?;
        Some(Self {
            inner: Some(inner),
            parse: self.parse,
            stash: std::mem::take(&mut self.stash),
            in_message: self.in_message,
            items: 0,
        })
    }

    fn inner(&mut self) -> io::Result<&mut S> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "connection moved"))
    }

    /// Follows the frames in `bytes` (just handed out); returns where to cut them: after the
    /// end of a large frame, if one ends before the last byte.
    fn follow(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut pos = 0;
        while pos < bytes.len() {
            match &mut self.parse {
                Parse::Header {
                    bytes: h,
                    have,
                    need,
                } => {
                    h[*have] = bytes[pos];
                    *have += 1;
                    pos += 1;
                    if *have == 2 {
                        let ext = match h[1] & 0x7f {
                            126 => 2,
                            127 => 8,
                            _ => 0,
                        };
                        let mask = if h[1] & 0x80 != 0 { 4 } else { 0 };
                        *need = 2 + ext + mask;
                    }
                    if *have == *need {
                        let len = match h[1] & 0x7f {
                            126 => u64::from(u16::from_be_bytes([h[2], h[3]])),
                            127 => {
                                u64::from_be_bytes([h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]])
                            }
                            n => u64::from(n),
                        };
                        let fin = h[0] & 0x80 != 0;
                        // Opcodes 0x0-0x7 are data (continuation, text, binary, reserved).
                        let data = h[0] & 0x08 == 0;
                        self.parse = Parse::Payload {
                            left: len,
                            large: len > LARGE_FRAME,
                            fin,
                            data,
                        };
                    }
                }
                Parse::Payload { left, .. } => {
                    let step = (*left).min((bytes.len() - pos) as u64);
                    *left -= step;
                    pos += step as usize;
                }
            }
            if let Parse::Payload {
                left: 0,
                large,
                fin,
                data,
            } = self.parse
            {
                self.parse = START;
                if data {
                    self.in_message = !fin;
                }
                if !self.in_message {
                    self.items += 1;
                }
                if large && pos < bytes.len() {
                    return Some(pos);
                }
            }
        }
        None
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Boundary<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        if this.stash.is_empty() {
            std::task::ready!(Pin::new(this.inner()?).poll_read(cx, buf))?;
        } else {
            let n = this.stash.len().min(buf.remaining());
            buf.put_slice(&this.stash[..n]);
            this.stash.drain(..n);
            if this.stash.is_empty() {
                // Give the memory back: the stash is for the rare read that runs past a large
                // frame.
                this.stash = Vec::new();
            }
        }
        let after = buf.filled().len();
        if let Some(cut) = this.follow(&buf.filled()[before..after]) {
            let excess = buf.filled()[before + cut..after].to_vec();
            this.stash.splice(0..0, excess);
            buf.set_filled(before + cut);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Boundary<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(self.get_mut().inner()?).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.get_mut().inner()?).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.get_mut().inner()?).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(self.get_mut().inner()?).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.as_ref().is_some_and(|s| s.is_write_vectored())
    }
}
