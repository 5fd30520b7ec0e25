//! The in-call link's vocabulary: what the page sees ([`LinkView`], [`TransferView`]), what the
//! glue feeds in ([`LinkInput`]) and what it is asked to do ([`LinkEffect`]).

use std::ops::Range;

use super::frame::{CancelReason, Frame, FrameError};

/// Chat lines kept in the view (the oldest go first).
pub const MAX_LINES: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Out,
    In,
}

/// Something that went wrong with the channel or a transfer (words in `crate::text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// The peer sent a text message that is not a frame.
    BadFrame(FrameError),
    /// A binary message with no transfer under way.
    UnexpectedChunk,
    /// More bytes than the offer announced.
    TooManyBytes,
    /// `end` before every announced byte arrived.
    ShortFile,
    /// A file over the 100 MB limit (ours or the peer's).
    TooLarge,
    /// The channel closed during the transfer.
    Interrupted,
    /// The file could not be read.
    ReadFailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferState {
    /// Offered, not accepted yet.
    Waiting,
    Active,
    Done,
    Cancelled {
        by_peer: bool,
    },
    /// The peer refused our offer.
    Refused(CancelReason),
    Failed(LinkError),
}

impl TransferState {
    pub fn is_live(self) -> bool {
        matches!(self, TransferState::Waiting | TransferState::Active)
    }
}

/// One transfer as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferView {
    pub id: u32,
    pub direction: Direction,
    pub name: String,
    pub mime: String,
    pub size: u64,
    /// Bytes sent (outgoing) or received (incoming).
    pub done: u64,
    pub state: TransferState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub mine: bool,
    pub text: String,
}

/// What the page draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkView {
    /// The channel is open.
    pub open: bool,
    /// The peer said `hello`: chat and files work.
    pub ready: bool,
    pub lines: Vec<Line>,
    pub outgoing: Option<TransferView>,
    pub incoming: Option<TransferView>,
    /// The last protocol error, until the next one.
    pub error: Option<LinkError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkInput {
    Opened,
    Closed,
    /// A text message from the peer.
    Message(String),
    /// A binary message of `len` bytes from the peer.
    Chunk {
        len: u64,
    },
    SendText(String),
    SendFile {
        name: String,
        size: u64,
        mime: String,
    },
    Cancel(Direction),
    /// Forget a finished transfer (for a received file: its download goes away).
    Dismiss(Direction),
    /// The slice read for transfer `id` is there (`len` bytes); `buffered` is the channel's
    /// `bufferedAmount` before it is sent.
    SliceRead {
        id: u32,
        len: u64,
        buffered: u64,
    },
    ReadFailed {
        id: u32,
    },
    /// `bufferedamountlow`.
    BufferLow {
        buffered: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEffect {
    Send(Frame),
    /// Read this byte range of the file being sent (then post `SliceRead`).
    Read {
        id: u32,
        range: Range<u64>,
    },
    /// Send the slice just read, as binary messages.
    SendSlice,
    /// Keep the binary message just received.
    KeepChunk,
    /// Start afresh: drop every received chunk kept.
    DropChunks,
    /// The received file is whole: make it a download (and drop the chunks).
    Deliver,
    /// The download is no longer offered: revoke its URL.
    Revoke,
    /// Done with the file being sent.
    ReleaseFile,
}
