//! One simulated browser: connect to `/ws`, read the `id`, log in, and keep a view of the user
//! list exactly as a client would (a full `userlist`, then `userlist-delta` changes for clients
//! that asked for them), checking every frame for consistency.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use serde::de::IgnoredAny;
use shared::{Feature, FromServer, ToServer};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async_with_config};

use crate::error::{BenchError, Result};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What our own client asks for; MDN's client asks for nothing.
pub const OUR_FEATURES: [Feature; 2] = [Feature::UserlistDelta, Feature::PlainText];

/// tungstenite's read buffer is 128 KiB by default, and it zero-fills the free part of it
/// before every read attempt: with the default, memset was 42 % of the generator's time in the
/// throughput scenario. Relay clients get room for one SDP frame per read; the many clients of
/// the lobby and idle scenarios get a small buffer (10,000 × 128 KiB would also be 1.3 GB).
#[derive(Debug, Clone, Copy)]
pub enum Buffer {
    Relay,
    Small,
}

/// Connects with Nagle off (as browsers do).
pub async fn connect(url: &str, buffer: Buffer) -> Result<Ws> {
    let size = match buffer {
        Buffer::Relay => 8 * 1024,
        Buffer::Small => 2 * 1024,
    };
    let config = WebSocketConfig::default().read_buffer_size(size);
    let (ws, _response) = connect_async_with_config(url, Some(config), true).await?;
    Ok(ws)
}

/// The next text frame, skipping control frames; `Ok(None)` when the server closed.
pub async fn next_text(ws: &mut Ws, deadline: Instant) -> Result<Option<Utf8Bytes>> {
    loop {
        let frame = timeout_at(deadline, ws.next())
            .await
            .map_err(|_| BenchError::Timeout("waiting for a frame".into()))?;
        match frame {
            None | Some(Ok(Message::Close(_))) => return Ok(None),
            Some(Ok(Message::Text(text))) => return Ok(Some(text)),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
        }
    }
}

/// Reads the server's first frame, which must be `id`.
pub async fn read_id(ws: &mut Ws, deadline: Instant) -> Result<u64> {
    let text = next_text(ws, deadline)
        .await?
        .ok_or_else(|| BenchError::Protocol("closed before sending id".into()))?;
    match FromServer::from_json(&text) {
        Ok(FromServer::Id { id }) => Ok(id),
        other => Err(BenchError::Protocol(format!(
            "first frame is not id: {other:?}"
        ))),
    }
}

/// Sends `username` the way MDN's client does (`id`, `name`, `date`), plus our features.
pub async fn send_login(ws: &mut Ws, id: u64, name: &str, features: &[Feature]) -> Result<()> {
    let date = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let login = ToServer::Username {
        id: Some(id),
        name: name.to_owned(),
        date: Some(date),
        features: features.to_vec(),
        passcode: None,
        capacity: None,
    };
    ws.send(Message::text(login.to_json())).await?;
    Ok(())
}

/// How much of the list a client keeps: every name (to check correctness) or only the count
/// (10,000 clients × 10,000 names would cost the generator gigabytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    Names,
    Count,
}

/// A client's view of who is online, built from the frames it receives.
#[derive(Debug)]
pub struct Roster {
    track: Track,
    wants_deltas: bool,
    names: HashSet<String>,
    count: usize,
    /// Frames received by kind, and bytes, to show how much the server sent.
    pub lists: u32,
    pub deltas: u32,
    pub bytes: u64,
    /// `rejectusername` frames (a unique name should never be changed).
    pub renamed: u32,
    /// The first few inconsistencies seen (kept short: one bad server could flood it).
    pub faults: Vec<String>,
}

impl Roster {
    pub fn new(track: Track, wants_deltas: bool) -> Self {
        Self {
            track,
            wants_deltas,
            names: HashSet::new(),
            count: 0,
            lists: 0,
            deltas: 0,
            bytes: 0,
            renamed: 0,
            faults: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn names(&self) -> &HashSet<String> {
        &self.names
    }

    fn fault(&mut self, what: String) {
        if self.faults.len() < 4 {
            self.faults.push(what);
        }
    }

    /// Applies one frame. Frames that are not about the list are ignored here.
    pub fn apply(&mut self, text: &str) {
        self.bytes += text.len() as u64;
        if self.track == Track::Count {
            return self.apply_count(text);
        }
        let frame = match FromServer::from_json(text) {
            Ok(frame) => frame,
            Err(e) => return self.fault(format!("unparsable frame ({e}): {:.80}", text)),
        };
        match frame {
            FromServer::UserList { users } => {
                self.lists += 1;
                self.count = users.len();
                self.names = users.into_iter().collect();
                if self.names.len() != self.count {
                    self.fault("duplicate names in a userlist".into());
                }
            }
            FromServer::UserListDelta { joined, left } => {
                self.deltas += 1;
                if !self.wants_deltas {
                    self.fault("userlist-delta sent to a client without the feature".into());
                }
                if self.lists == 0 {
                    self.fault("userlist-delta before any full userlist".into());
                }
                for name in left {
                    if !self.names.remove(&name) {
                        self.fault(format!("delta removes absent {name:?}"));
                    }
                }
                for name in joined {
                    if !self.names.insert(name.clone()) {
                        self.fault(format!("delta adds present {name:?}"));
                    }
                }
                self.count = self.names.len();
            }
            FromServer::RejectUsername { .. } => self.renamed += 1,
            FromServer::Error { code, message } => {
                self.fault(format!("error frame {code:?}: {message}"));
            }
            _ => {}
        }
    }
}

impl Roster {
    /// Counting without keeping names: the lists of 10,000 users that thousands of clients
    /// receive are skimmed, not turned into strings.
    fn apply_count(&mut self, text: &str) {
        #[derive(serde::Deserialize)]
        struct ListFrame<'a> {
            #[serde(rename = "type", borrow)]
            kind: &'a str,
            #[serde(default)]
            users: Vec<IgnoredAny>,
            #[serde(default)]
            joined: Vec<IgnoredAny>,
            #[serde(default)]
            left: Vec<IgnoredAny>,
        }
        match serde_json::from_str::<ListFrame>(text) {
            Ok(frame) if frame.kind == "userlist" => {
                self.lists += 1;
                self.count = frame.users.len();
            }
            Ok(frame) if frame.kind == "userlist-delta" => {
                self.deltas += 1;
                self.count = (self.count + frame.joined.len()).saturating_sub(frame.left.len());
            }
            Ok(frame) if frame.kind == "rejectusername" => self.renamed += 1,
            Ok(frame) if frame.kind == "error" => self.fault(format!("error frame: {text:.120}")),
            Ok(_) => {}
            Err(e) => self.fault(format!("unparsable frame ({e}): {text:.80}")),
        }
    }
}

/// Reads frames into `roster` until it holds `expected` names (and, when tracking names,
/// exactly `expect_names`). Returns the instant that happened.
pub async fn read_until_complete(
    ws: &mut Ws,
    roster: &mut Roster,
    expected: usize,
    expect_names: Option<&HashSet<String>>,
    deadline: Instant,
) -> Result<Instant> {
    let complete =
        |r: &Roster| r.len() == expected && expect_names.is_none_or(|names| r.names() == names);
    while !complete(roster) {
        let text = next_text(ws, deadline).await?.ok_or_else(|| {
            BenchError::Protocol(format!("closed with {} of {expected} names", roster.len()))
        })?;
        roster.apply(&text);
    }
    Ok(Instant::now())
}

/// The `type` of a server frame without parsing the rest (our server writes it first), so the
/// 10,000-name lists thousands of clients receive are not parsed; other JSON is parsed.
pub fn frame_kind(text: &str) -> &str {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: &'a str,
    }
    match text.strip_prefix("{\"type\":\"") {
        Some(rest) => rest.split('"').next().unwrap_or(""),
        None => serde_json::from_str::<Kind>(text).map_or("", |k| k.kind),
    }
}
