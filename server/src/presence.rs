//! Presence broadcasting: who joined and left since the last broadcast, and the task that
//! broadcasts it, coalesced.
//!
//! MDN's server re-sends the whole list to everyone on every login, which is quadratic: 1,000
//! logins cost a million list frames. Here changes accumulate in [`PresenceChanges`] (under the
//! registry's lock), and [`run`] flushes them at most once per `presence_interval`: the full
//! `userlist` is serialised once and its bytes shared by every legacy client, and clients with
//! the `userlist-delta` feature get one small shared `userlist-delta` frame instead.
//!
//! Consistency: a client that logged in since the last flush gets the full list of the state at
//! that flush, and from then on every delta is exactly the change from one flushed state to the
//! next. Applying a delta means: remove every name in `left`, then append every name in
//! `joined` (in order). [`PresenceChanges`] keeps its lists so that this rule is exact even when
//! a name comes and goes several times within one batch.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use shared::FromServer;
use tokio_util::sync::CancellationToken;

use crate::registry::Registry;

/// Name changes since the last broadcast.
#[derive(Debug, Default)]
pub struct PresenceChanges {
    joined: Vec<String>,
    left: Vec<String>,
    /// Something must be broadcast (changes, or a client waiting for its first full list).
    dirty: bool,
}

impl PresenceChanges {
    pub fn joined(&mut self, name: &str) {
        self.joined.push(name.to_owned());
        self.dirty = true;
    }

    pub fn left(&mut self, name: &str) {
        // A name that joined within this batch was never seen by anyone: forget it instead of
        // announcing a departure (which, applied before `joined`, would be wrong).
        match self.joined.iter().position(|n| n == name) {
            Some(pos) => {
                self.joined.remove(pos);
            }
            None => self.left.push(name.to_owned()),
        }
        self.dirty = true;
    }

    /// A client needs its first full list even if no name changed.
    pub fn mark(&mut self) {
        self.dirty = true;
    }

    /// Takes the batch: `None` when there is nothing to broadcast, else `(joined, left)`
    /// (both empty when only a newcomer waits for its list).
    pub fn take(&mut self) -> Option<(Vec<String>, Vec<String>)> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        Some((
            std::mem::take(&mut self.joined),
            std::mem::take(&mut self.left),
        ))
    }
}

/// Smallest budget of names (in JSON bytes) per presence frame for delta clients.
const CHUNK_BYTES: usize = 1024;
/// Most frames one list or delta is split into (about 10,000 names at the smallest budget), so a
/// huge lobby cannot fill an outbox (see `Limits::outbox_frames`).
const MAX_CHUNKS: usize = 128;

/// Splits `names` into runs of about `budget` JSON bytes each (at least one name per run).
fn chunks(names: &[String], budget: usize) -> Vec<&[String]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, name) in names.iter().enumerate() {
        // Quotes and comma; escaping is rare in names and only makes a chunk a little larger.
        let cost = name.len() + 3;
        if i > start && bytes + cost > budget {
            out.push(&names[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += cost;
    }
    if start < names.len() {
        out.push(&names[start..]);
    }
    out
}

/// Bytes per frame: small, unless that would take more than [`MAX_CHUNKS`] frames.
fn budget(bytes: usize) -> usize {
    CHUNK_BYTES.max(bytes.div_ceil(MAX_CHUNKS))
}

fn json_bytes(names: &[String]) -> usize {
    names.iter().map(|n| n.len() + 3).sum()
}

/// The full list for a client with `userlist-delta`, in small frames: a `userlist` with the
/// first names, then `userlist-delta`s appending the rest in order.
///
/// Why: the WebSocket layer copies every outgoing frame into a per-connection buffer that keeps
/// its largest size for the connection's life, so one 120 KB list to each of 10,000 clients would
/// pin 1.2 GB. Small frames keep that buffer small; by the delta rule the client ends with
/// exactly the full list.
pub fn full_list_frames(names: &[String]) -> Vec<Utf8Bytes> {
    let runs = chunks(names, budget(json_bytes(names)));
    let mut frames = Vec::with_capacity(runs.len().max(1));
    let mut runs = runs.into_iter();
    let first = runs.next().unwrap_or_default();
    frames.push(
        FromServer::UserList {
            users: first.to_vec(),
        }
        .to_json()
        .into(),
    );
    for run in runs {
        let delta = FromServer::UserListDelta {
            joined: run.to_vec(),
            left: Vec::new(),
        };
        frames.push(delta.to_json().into());
    }
    frames
}

/// A change as `userlist-delta` frames of bounded size: every `left` run first, then the
/// `joined` runs, which applied in order is the same as the whole delta.
pub fn delta_frames(joined: &[String], left: &[String]) -> Vec<Utf8Bytes> {
    let budget = budget(json_bytes(joined) + json_bytes(left));
    let lefts = chunks(left, budget)
        .into_iter()
        .map(|run| FromServer::UserListDelta {
            joined: Vec::new(),
            left: run.to_vec(),
        });
    let joins = chunks(joined, budget)
        .into_iter()
        .map(|run| FromServer::UserListDelta {
            joined: run.to_vec(),
            left: Vec::new(),
        });
    lefts
        .chain(joins)
        .map(|frame| frame.to_json().into())
        .collect()
}

/// Broadcasts presence changes until `shutdown`: the first change after a quiet period goes out
/// at once, later ones are batched for `interval`.
pub async fn run(registry: Arc<Registry>, interval: Duration, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = registry.presence_changed() => {}
        }
        registry.flush_presence();
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Applies a delta the way the protocol says clients must.
    fn apply(list: &mut Vec<String>, joined: &[String], left: &[String]) {
        list.retain(|n| !left.contains(n));
        list.extend(joined.iter().cloned());
    }

    #[test]
    fn delta_rule_is_exact_when_names_come_and_go_within_a_batch() {
        let mut list = vec!["a".to_string(), "x".to_string()];
        let mut changes = PresenceChanges::default();
        // x leaves and comes back; y comes and goes; z comes; a leaves.
        changes.left("x");
        changes.joined("x");
        changes.joined("y");
        changes.left("y");
        changes.joined("z");
        changes.left("a");
        let (joined, left) = changes.take().unwrap();
        apply(&mut list, &joined, &left);
        assert_eq!(list, vec!["x", "z"]);
        assert!(changes.take().is_none());
    }

    /// Applies a sequence of list frames the way a delta client does.
    fn apply_frames(list: &mut Vec<String>, frames: &[Utf8Bytes]) {
        for frame in frames {
            match FromServer::from_json(frame).unwrap() {
                FromServer::UserList { users } => *list = users,
                FromServer::UserListDelta { joined, left } => apply(list, &joined, &left),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn big_lists_and_deltas_are_split_into_small_frames_that_add_up() {
        let names: Vec<String> = (0..5000).map(|i| format!("user{i:05}")).collect();
        let frames = full_list_frames(&names);
        assert!(
            frames.len() > 1 && frames.len() <= MAX_CHUNKS + 1,
            "{}",
            frames.len()
        );
        assert!(frames.iter().all(|f| f.len() <= 2 * CHUNK_BYTES));
        let mut list = vec!["stale".to_string()];
        apply_frames(&mut list, &frames);
        assert_eq!(list, names);

        let left: Vec<String> = names[..1000].to_vec();
        let joined: Vec<String> = (0..1000).map(|i| format!("new{i:04}")).collect();
        let frames = delta_frames(&joined, &left);
        assert!(frames.len() > 2);
        apply_frames(&mut list, &frames);
        let expected: Vec<String> = names[1000..].iter().chain(&joined).cloned().collect();
        assert_eq!(list, expected);

        // Small ones stay one frame; an empty list is still a list.
        assert_eq!(full_list_frames(&names[..3]).len(), 1);
        assert_eq!(full_list_frames(&[]).len(), 1);
        assert_eq!(delta_frames(&names[..2], &[]).len(), 1);
    }

    #[test]
    fn mark_alone_gives_an_empty_batch() {
        let mut changes = PresenceChanges::default();
        assert!(changes.take().is_none());
        changes.mark();
        assert_eq!(changes.take(), Some((vec![], vec![])));
    }
}
