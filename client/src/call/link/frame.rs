//! The in-call data channel's control frames (docs/PROTOCOL.md, "In-call data channel"): one
//! JSON object per text message, told apart by `type`. File bytes travel as binary messages
//! and are not frames (see `transfer`).
//!
//! Parsing never trusts the peer: unknown types, missing or mistyped fields and oversized
//! values are errors ([`FrameError`]), never panics.

use crate::net::frame::Json;
use crate::net::write::Obj;

/// The protocol version we speak (sent in `hello`).
pub const VERSION: u64 = 1;
/// The longest control frame we read, in bytes (a text line plus its JSON).
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// The longest chat line, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The longest file name kept, in characters (a longer one is cut).
pub const MAX_NAME_CHARS: usize = 200;
/// The longest MIME type kept, in characters (a longer one becomes empty).
pub const MAX_MIME_CHARS: usize = 100;

/// Why a transfer was called off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// The person clicked Cancel (or hung up).
    Cancelled,
    /// The file is over the size limit.
    TooLarge,
    /// Another transfer is under way in that direction.
    Busy,
    /// The peer sent what the protocol does not allow (too many bytes, a wrong size).
    Invalid,
}

impl CancelReason {
    fn as_str(self) -> &'static str {
        match self {
            CancelReason::Cancelled => "cancelled",
            CancelReason::TooLarge => "too-large",
            CancelReason::Busy => "busy",
            CancelReason::Invalid => "invalid",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "too-large" => CancelReason::TooLarge,
            "busy" => CancelReason::Busy,
            "invalid" => CancelReason::Invalid,
            _ => CancelReason::Cancelled,
        }
    }
}

/// One control frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Sent by each side when the channel opens: the chat works once the peer's arrives.
    Hello { version: u64 },
    /// A chat line.
    Text { text: String },
    /// The sender proposes a file; its bytes follow once the receiver sends `accept`.
    Offer {
        id: u32,
        name: String,
        size: u64,
        mime: String,
    },
    /// The receiver takes the offered file.
    Accept { id: u32 },
    /// Either side calls the transfer off; both stop.
    Cancel { id: u32, reason: CancelReason },
    /// The sender sent every byte of the file.
    End { id: u32 },
}

/// Why a text message from the peer is not a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    TooLong,
    NotJson,
    UnknownType,
    MissingField(&'static str),
}

impl Frame {
    /// The frame as it goes on the channel, keys in sorted order (as serde_json's map wrote
    /// them); written by hand (`net::write`'s object writer, no `format!`) so the page carries
    /// no JSON value tree.
    pub fn encode(&self) -> String {
        let mut o = Obj::new();
        let id = |o: &mut Obj, id: &u32| o.opt_num("id", Some(u64::from(*id)));
        match self {
            Frame::Hello { version } => {
                o.str("type", "hello");
                o.opt_num("version", Some(*version));
            }
            Frame::Text { text } => {
                o.str("text", text);
                o.str("type", "text");
            }
            Frame::Offer {
                id: n,
                name,
                size,
                mime,
            } => {
                id(&mut o, n);
                o.str("mime", mime);
                o.str("name", name);
                o.opt_num("size", Some(*size));
                o.str("type", "offer");
            }
            Frame::Accept { id: n } => {
                id(&mut o, n);
                o.str("type", "accept");
            }
            Frame::Cancel { id: n, reason } => {
                id(&mut o, n);
                o.str("reason", reason.as_str());
                o.str("type", "cancel");
            }
            Frame::End { id: n } => {
                id(&mut o, n);
                o.str("type", "end");
            }
        }
        o.end()
    }

    /// Reads a text message from the peer (parsed by the browser's `JSON.parse` in the page,
    /// by serde_json on the host: see [`crate::net::parse_json`]).
    pub fn parse(text: &str) -> Result<Frame, FrameError> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(FrameError::TooLong);
        }
        match crate::net::parse_json(text) {
            Some(value) if value.is_object() => Frame::read(&value),
            _ => Err(FrameError::NotJson),
        }
    }

    /// Reads a parsed JSON object.
    fn read<J: Json>(map: &J) -> Result<Frame, FrameError> {
        let kind = map
            .field("type")
            .and_then(|t| t.string())
            .unwrap_or_default();
        Ok(match kind.as_str() {
            "hello" => Frame::Hello {
                version: number(map, "version")?,
            },
            "text" => Frame::Text {
                text: string(map, "text")?,
            },
            "offer" => Frame::Offer {
                id: id(map)?,
                name: clean_name(&string(map, "name")?),
                size: number(map, "size")?,
                mime: map
                    .field("mime")
                    .and_then(|m| m.string())
                    .filter(|m| m.chars().count() <= MAX_MIME_CHARS && !m.contains(['\r', '\n']))
                    .unwrap_or_default(),
            },
            "accept" => Frame::Accept { id: id(map)? },
            "cancel" => Frame::Cancel {
                id: id(map)?,
                reason: CancelReason::parse(
                    &map.field("reason")
                        .and_then(|r| r.string())
                        .unwrap_or_default(),
                ),
            },
            "end" => Frame::End { id: id(map)? },
            _ => return Err(FrameError::UnknownType),
        })
    }
}

fn string<J: Json>(map: &J, field: &'static str) -> Result<String, FrameError> {
    map.field(field)
        .and_then(|v| v.string())
        .ok_or(FrameError::MissingField(field))
}

fn number<J: Json>(map: &J, field: &'static str) -> Result<u64, FrameError> {
    map.field(field)
        .and_then(|v| v.whole())
        .ok_or(FrameError::MissingField(field))
}

fn id<J: Json>(map: &J) -> Result<u32, FrameError> {
    number(map, "id").and_then(|n| u32::try_from(n).map_err(|_| FrameError::MissingField("id")))
}

/// A file name as offered by the peer, made safe to show and to save: only its last path
/// part, no control characters, at most [`MAX_NAME_CHARS`] characters, never empty.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}
