//! The state file: the `resume` sessions written to disk so that a restarted server can give
//! clients back their names and calls (`docs/PROTOCOL.md`, "Server restart").
//!
//! For every session: its id, name, features, the hash of its current token secret (never the
//! secret) and its call partner. Sessions of rooms (issue 13) are kept under their room, with
//! the room's settings: its capacity and its passcode's salted hash (never the passcode); such
//! a file has version 2, which servers without rooms refuse rather than put those sessions in
//! the lobby. Version 1 files (no rooms) still load. [`run`] writes it within [`WRITE_EVERY`] of a change, on a
//! blocking thread, to a temporary file then renamed over the old one (a crash leaves the old
//! file or the new, never half of one), and once more at shutdown. [`load`] reads it at start; a
//! missing file is an empty start, a bad one too (with a warning): the server never refuses to
//! start over it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use shared::Feature;
use tokio_util::sync::CancellationToken;

use crate::members::Features;
use crate::registry::{Registry, SavedSession};
use crate::rooms::{PasscodeHash, RoomSettings, Rooms, SavedRoom};
use crate::token::SecretHash;

/// The longest a change waits before it is written (writes are coalesced).
pub const WRITE_EVERY: Duration = Duration::from_millis(100);

/// A file without rooms; with rooms, [`ROOMS_VERSION`].
const VERSION: u32 = 1;
const ROOMS_VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    /// The lobby's.
    sessions: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rooms: Vec<RoomEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RoomEntry {
    name: String,
    /// The passcode's Argon2 hash as a PHC string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capacity: Option<u32>,
    sessions: Vec<Entry>,
}

/// Everything a state file keeps.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Saved {
    /// The lobby's sessions.
    pub sessions: Vec<SavedSession>,
    pub rooms: Vec<SavedRoom>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    id: u64,
    name: String,
    #[serde(default)]
    features: Vec<Feature>,
    /// SHA-256 of the token secret, base64url.
    hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner: Option<u64>,
}

/// The file's text for the lobby's `sessions` (no rooms).
pub fn encode(sessions: &[SavedSession]) -> String {
    encode_all(sessions, &[])
}

/// The file's text for the lobby's `sessions` and `rooms`.
pub fn encode_all(sessions: &[SavedSession], rooms: &[SavedRoom]) -> String {
    let entries = |sessions: &[SavedSession]| sessions.iter().map(Entry::from).collect();
    let file = File {
        version: if rooms.is_empty() {
            VERSION
        } else {
            ROOMS_VERSION
        },
        sessions: entries(sessions),
        rooms: rooms
            .iter()
            .map(|room| RoomEntry {
                name: room.name.to_string(),
                passcode: room
                    .settings
                    .passcode
                    .as_ref()
                    .map(|h| h.as_phc().to_owned()),
                capacity: room.settings.capacity,
                sessions: entries(&room.sessions),
            })
            .collect(),
    };
    serde_json::to_string(&file).unwrap_or_default()
}

impl From<&SavedSession> for Entry {
    fn from(s: &SavedSession) -> Self {
        Entry {
            id: s.id,
            name: s.name.clone(),
            features: s.features.to_list(),
            hash: s.hash.to_base64(),
            partner: s.partner,
        }
    }
}

fn sessions(entries: Vec<Entry>) -> Result<Vec<SavedSession>, String> {
    entries
        .into_iter()
        .map(|e| {
            Ok(SavedSession {
                id: e.id,
                name: e.name,
                features: Features::from_list(&e.features),
                hash: SecretHash::from_base64(&e.hash).ok_or("a bad hash")?,
                partner: e.partner,
            })
        })
        .collect()
}

/// The lobby's sessions in a file's text.
pub fn decode(text: &str) -> Result<Vec<SavedSession>, String> {
    decode_all(text).map(|saved| saved.sessions)
}

/// Everything in a file's text. A room whose name or passcode hash cannot be read is left out
/// (never given back without its passcode).
pub fn decode_all(text: &str) -> Result<Saved, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.version != VERSION && file.version != ROOMS_VERSION {
        return Err(format!("unknown version {}", file.version));
    }
    let mut rooms = Vec::with_capacity(file.rooms.len());
    for room in file.rooms {
        let name = shared::RoomName::parse(&room.name).ok();
        let passcode = room.passcode.as_deref().map(PasscodeHash::from_phc);
        let (Some(name), None | Some(Some(_))) = (name, &passcode) else {
            tracing::warn!("state file: a room with a bad name or passcode hash; left out");
            continue;
        };
        rooms.push(SavedRoom {
            name,
            settings: RoomSettings {
                passcode: passcode.flatten(),
                capacity: room.capacity,
            },
            sessions: sessions(room.sessions)?,
        });
    }
    Ok(Saved {
        sessions: sessions(file.sessions)?,
        rooms,
    })
}

/// The lobby's sessions kept in `path` (see [`load_all`]).
pub fn load(path: &Path) -> Vec<SavedSession> {
    load_all(path).sessions
}

/// What `path` keeps: nothing when there is no file, or (with a warning) a bad one.
pub fn load_all(path: &Path) -> Saved {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Saved::default(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the state file; starting empty");
            return Saved::default();
        }
    };
    match decode_all(&text) {
        Ok(saved) => saved,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "bad state file; starting empty");
            Saved::default()
        }
    }
}

/// Writes `text` to `path` through a temporary file renamed over it.
pub fn save(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Writes the lobby's and the rooms' sessions to `path` after every change (coalesced over
/// [`WRITE_EVERY`]) until `shutdown`, then once more. Nothing is written while nothing changed,
/// so a server that never had a `resume` client leaves no file behind.
pub async fn run(
    registry: Arc<Registry>,
    rooms: Arc<Rooms>,
    path: PathBuf,
    shutdown: CancellationToken,
) {
    let path = Arc::new(path);
    // What the file holds as far as we know: nothing to write while it stays the same.
    let mut last = (!path.exists()).then(|| encode(&[]));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = registry.persist_changed() => {}
            () = rooms.persist_changed() => {}
        }
        write(&registry, &rooms, &path, &mut last).await;
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(WRITE_EVERY) => {}
        }
    }
    write(&registry, &rooms, &path, &mut last).await;
}

/// Writes the sessions if they differ from `last`; the encoding and the file work run on a
/// blocking thread (the snapshot, taken under the registry's lock, is plain data).
async fn write(registry: &Registry, rooms: &Rooms, path: &Arc<PathBuf>, last: &mut Option<String>) {
    let (sessions, rooms) = (registry.snapshot(), rooms.snapshot());
    let path = path.clone();
    let known = last.take();
    let written = tokio::task::spawn_blocking(move || {
        let text = encode_all(&sessions, &rooms);
        if known.as_ref() == Some(&text) {
            return (Ok(()), known);
        }
        match save(&path, &text) {
            Ok(()) => (Ok(()), Some(text)),
            Err(e) => (Err(e), None),
        }
    })
    .await;
    match written {
        Ok((Ok(()), known)) => *last = known,
        Ok((Err(e), _)) => tracing::warn!(error = %e, "cannot write the state file"),
        Err(e) => tracing::warn!(error = %e, "the state-file writer failed"),
    }
}

#[cfg(test)]
mod tests;
