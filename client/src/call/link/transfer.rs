//! One file transfer's bookkeeping, in bytes: the sender's chunking plan and flow-control
//! decisions, and the receiver's checks on what arrives. No bytes are held here (the browser
//! glue keeps them as JS buffers); only counts and limits.
//!
//! - Sending: the file is read in slices of [`READ_BYTES`] (`Blob.slice` + `arrayBuffer()`),
//!   each sent as binary messages of at most [`CHUNK_BYTES`]. One slice is read at a time, and
//!   the next only while the channel's `bufferedAmount` is under [`HIGH_WATER`]; otherwise the
//!   sender waits for `bufferedamountlow` (the threshold is [`LOW_WATER`]).
//! - Receiving: a file over [`MAX_FILE_BYTES`] is refused; a chunk with no transfer under way,
//!   more bytes than announced, or an `end` before all of them are errors.

use std::ops::Range;

/// The largest file sent or accepted: 100 MB.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// The largest binary message we send (every browser takes 16 KiB messages).
pub const CHUNK_BYTES: u64 = 16 * 1024;
/// How much of the file is read at once.
pub const READ_BYTES: u64 = 16 * CHUNK_BYTES;
/// Above this `bufferedAmount` the sender reads no more until `bufferedamountlow`.
pub const HIGH_WATER: u64 = 1024 * 1024;
/// `bufferedAmountLowThreshold`: `bufferedamountlow` fires when the buffer drains to this.
pub const LOW_WATER: u64 = 256 * 1024;

/// The byte ranges of `size` bytes cut into pieces of at most `piece` bytes (none for 0).
pub fn pieces(size: u64, piece: u64) -> impl Iterator<Item = Range<u64>> {
    let piece = piece.max(1);
    (0..size.div_ceil(piece)).map(move |i| i * piece..((i + 1) * piece).min(size))
}

/// Whether the sender may read (and then send) more with `buffered` bytes queued.
pub fn may_send(buffered: u64) -> bool {
    buffered < HIGH_WATER
}

/// Where the sending side of a transfer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: u32,
    pub size: u64,
    /// Bytes handed to the channel.
    pub sent: u64,
    /// The receiver accepted: bytes may flow.
    pub accepted: bool,
    /// A slice is being read (one at a time).
    pub reading: bool,
}

impl Outgoing {
    pub fn new(id: u32, size: u64) -> Self {
        Self {
            id,
            size,
            sent: 0,
            accepted: false,
            reading: false,
        }
    }

    /// The next slice to read, when one may be read now with `buffered` bytes queued.
    pub fn next_read(&mut self, buffered: u64) -> Option<Range<u64>> {
        if !self.accepted || self.reading || self.sent >= self.size || !may_send(buffered) {
            return None;
        }
        self.reading = true;
        Some(self.sent..(self.sent + READ_BYTES).min(self.size))
    }

    /// A slice of `len` bytes was read and sent. Returns false when it does not fit the plan
    /// (a read that finished after the transfer moved on).
    pub fn slice_sent(&mut self, len: u64) -> bool {
        if !self.reading || self.sent + len > self.size {
            return false;
        }
        self.reading = false;
        self.sent += len;
        true
    }

    pub fn finished(&self) -> bool {
        self.accepted && !self.reading && self.sent >= self.size
    }
}

/// What the receiver makes of a binary message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkVerdict {
    /// Keep it: it belongs to the file.
    Keep,
    /// More bytes than the offer said.
    TooMany,
}

/// What the receiver makes of `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndVerdict {
    /// Every announced byte arrived: the file is whole.
    Complete,
    /// Fewer bytes than announced.
    Short,
}

/// Where the receiving side of a transfer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub id: u32,
    pub size: u64,
    pub received: u64,
}

impl Incoming {
    /// An offer of `size` bytes: `None` when it is over [`MAX_FILE_BYTES`].
    pub fn offered(id: u32, size: u64) -> Option<Self> {
        (size <= MAX_FILE_BYTES).then_some(Self {
            id,
            size,
            received: 0,
        })
    }

    pub fn chunk(&mut self, len: u64) -> ChunkVerdict {
        if self.received + len > self.size {
            return ChunkVerdict::TooMany;
        }
        self.received += len;
        ChunkVerdict::Keep
    }

    pub fn end(&self) -> EndVerdict {
        if self.received == self.size {
            EndVerdict::Complete
        } else {
            EndVerdict::Short
        }
    }
}
