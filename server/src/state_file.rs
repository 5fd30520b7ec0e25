//! The state file: the `resume` sessions written to disk so that a restarted server can give
//! clients back their names and calls (`docs/PROTOCOL.md`, "Server restart").
//!
//! For every session: its id, name, features, the hash of its current token secret (never the
//! secret) and its call partner. [`run`] writes it within [`WRITE_EVERY`] of a change, on a
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
use crate::token::SecretHash;

/// The longest a change waits before it is written (writes are coalesced).
pub const WRITE_EVERY: Duration = Duration::from_millis(100);

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    sessions: Vec<Entry>,
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

/// The file's text for `sessions`.
pub fn encode(sessions: &[SavedSession]) -> String {
    let file = File {
        version: VERSION,
        sessions: sessions
            .iter()
            .map(|s| Entry {
                id: s.id,
                name: s.name.clone(),
                features: s.features.to_list(),
                hash: s.hash.to_base64(),
                partner: s.partner,
            })
            .collect(),
    };
    serde_json::to_string(&file).unwrap_or_default()
}

/// The sessions in a file's text.
pub fn decode(text: &str) -> Result<Vec<SavedSession>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.version != VERSION {
        return Err(format!("unknown version {}", file.version));
    }
    file.sessions
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

/// The sessions kept in `path`: none when there is no file, or (with a warning) a bad one.
pub fn load(path: &Path) -> Vec<SavedSession> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the state file; starting empty");
            return Vec::new();
        }
    };
    match decode(&text) {
        Ok(sessions) => sessions,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "bad state file; starting empty");
            Vec::new()
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

/// Writes the registry's sessions to `path` after every change (coalesced over
/// [`WRITE_EVERY`]) until `shutdown`, then once more. Nothing is written while nothing changed,
/// so a server that never had a `resume` client leaves no file behind.
pub async fn run(registry: Arc<Registry>, path: PathBuf, shutdown: CancellationToken) {
    let path = Arc::new(path);
    // What the file holds as far as we know: nothing to write while it stays the same.
    let mut last = (!path.exists()).then(|| encode(&[]));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = registry.persist_changed() => {}
        }
        write(&registry, &path, &mut last).await;
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(WRITE_EVERY) => {}
        }
    }
    write(&registry, &path, &mut last).await;
}

/// Writes the sessions if they differ from `last`; the encoding and the file work run on a
/// blocking thread (the snapshot, taken under the registry's lock, is plain data).
async fn write(registry: &Registry, path: &Arc<PathBuf>, last: &mut Option<String>) {
    let sessions = registry.snapshot();
    let path = path.clone();
    let known = last.take();
    let written = tokio::task::spawn_blocking(move || {
        let text = encode(&sessions);
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
