//! Presence broadcasting policy: which clients get the whole user list and which a delta, the
//! frames for each, and the task that broadcasts them, coalesced.
//!
//! MDN's server re-sends the whole list to everyone on every login, which is quadratic: 1,000
//! logins cost a million list frames. Here the registry keeps the changes (see
//! [`crate::members::PresenceChanges`]) and [`run`] broadcasts them at most once per
//! `presence_interval`: the full `userlist` is serialised once and its bytes shared by every
//! legacy client, and clients with the `userlist-delta` feature get one small shared
//! `userlist-delta` frame instead.
//!
//! [`flush`] takes the batch from the registry under its lock (names and outbox handles only),
//! then builds the JSON and delivers it after the lock is released, so sessions relaying meanwhile
//! never wait for a list to be serialised. Clients found too slow are then disconnected through
//! the registry.
//!
//! Consistency: a client that logged in since the last flush gets the full list of the state at
//! that flush, and from then on every delta is exactly the change from one flushed state to the
//! next (applying a delta: remove every name in `left`, then append every name in `joined`).
//! Only the presence task flushes, one batch after the other, so batches reach every outbox in
//! order.
//!
//! Legacy clients get a bounded list: the most recent logins whose names fit in
//! [`LEGACY_LIST_BYTES`] of JSON (see [`legacy_window`]). MDN's client only knows whole lists, so
//! without a bound each of them would get (and its connection's write buffer would keep) a frame
//! as large as the whole lobby on every change: 10,000 legacy clients cost 169 KiB each that way.
//! The window is the same for every legacy client, so it is still serialised once.
//!
//! A `resume` client's first list is followed by a `user-state` `reconnecting` frame for each
//! user who is away at that moment (later changes reach it from the registry as they happen).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use shared::{FromServer, Presence};
use tokio_util::sync::CancellationToken;

use crate::outbox::PushError;
use crate::registry::{PresenceBatch, Recipient, Registry};

/// Broadcasts presence changes until `shutdown`: the first change after a quiet period goes out
/// at once, later ones are batched for `interval`.
pub async fn run(registry: Arc<Registry>, interval: Duration, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = registry.presence_changed() => {}
        }
        flush(&registry);
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// Broadcasts the pending presence changes, if any: the full `userlist` (serialised once) to
/// newcomers and legacy clients, one shared `userlist-delta` to the others.
pub fn flush(registry: &Registry) {
    let Some(batch) = registry.take_presence() else {
        return;
    };
    let frames = Frames::for_batch(&batch);
    let mut slow = Vec::new();
    for recipient in &batch.recipients {
        let away: &[Utf8Bytes] = if recipient.first_list && recipient.resume {
            &frames.away
        } else {
            &[]
        };
        for frame in frames.for_recipient(recipient).iter().chain(away) {
            match recipient.outbox.push(frame.clone()) {
                Ok(()) => {}
                Err(PushError::Full) => {
                    tracing::debug!(
                        conn = recipient.id,
                        "outbox full: disconnecting a client that does not read"
                    );
                    slow.push(recipient.id);
                    break;
                }
                // The session has ended and is about to unregister.
                Err(PushError::Closed) => break,
            }
        }
    }
    if !slow.is_empty() {
        registry.disconnect(&slow);
    }
}

/// The frames of one batch, each serialised once and shared by all who get it.
struct Frames {
    changed: bool,
    /// The whole list in one `userlist`, for clients without `userlist-delta`: MDN's client only
    /// knows the whole list in one frame.
    legacy_full: Option<Utf8Bytes>,
    /// The whole list in small frames (see [`full_list_frames`]) for delta clients' first list.
    newcomer_full: Vec<Utf8Bytes>,
    /// The change, for every other client.
    deltas: Vec<Utf8Bytes>,
    /// `user-state` `reconnecting` for each away user, after the first list of a `resume`
    /// client.
    away: Vec<Utf8Bytes>,
}

impl Frames {
    fn for_batch(batch: &PresenceBatch) -> Self {
        let changed = !batch.joined.is_empty() || !batch.left.is_empty();
        let mut frames = Self {
            changed,
            legacy_full: None,
            newcomer_full: Vec::new(),
            deltas: Vec::new(),
            away: batch
                .away
                .iter()
                .map(|name| {
                    let frame = FromServer::UserState {
                        name: name.clone(),
                        state: Presence::Reconnecting,
                        fresh: false,
                    };
                    frame.to_json().into()
                })
                .collect(),
        };
        let (any_legacy, any_newcomer) = batch.recipients.iter().fold((false, false), |acc, r| {
            (
                acc.0 || frames.legacy_wants(r),
                acc.1 || frames.newcomer_wants(r),
            )
        });
        let names = batch.names.as_deref().unwrap_or_default();
        if any_legacy {
            let list = FromServer::UserList {
                users: legacy_window(names).to_vec(),
            };
            frames.legacy_full = Some(list.to_json().into());
        }
        if any_newcomer {
            frames.newcomer_full = full_list_frames(names);
        }
        if changed {
            frames.deltas = delta_frames(&batch.joined, &batch.left);
        }
        frames
    }

    fn legacy_wants(&self, r: &Recipient) -> bool {
        !r.userlist_delta && (r.first_list || self.changed)
    }

    fn newcomer_wants(&self, r: &Recipient) -> bool {
        r.userlist_delta && r.first_list
    }

    fn for_recipient(&self, r: &Recipient) -> &[Utf8Bytes] {
        if self.legacy_wants(r) {
            self.legacy_full.as_slice()
        } else if self.newcomer_wants(r) {
            &self.newcomer_full
        } else {
            &self.deltas
        }
    }
}

/// Most JSON bytes of names in the `userlist` a legacy client (no `userlist-delta`) gets: about
/// 300 names of 10 letters, at least 30 of the longest (32 four-byte characters). With the
/// frame's own 30 bytes it stays under the 4 KiB the socket writes in one frame
/// ([`crate::socket::FRAGMENT_BYTES`]), so each list is one write.
pub const LEGACY_LIST_BYTES: usize = 4000;

/// The names a legacy client is shown: the most recent logins (the end of `names`, in login
/// order) that fit in [`LEGACY_LIST_BYTES`]. Everyone else can still call and be called by
/// them; they only do not appear in their list.
pub fn legacy_window(names: &[String]) -> &[String] {
    let mut bytes = 0;
    let mut start = names.len();
    for name in names.iter().rev() {
        // Serialised, as the frame will carry it (escapes included), with quotes and comma.
        let cost = serde_json::to_string(name).map_or(name.len() + 2, |s| s.len()) + 1;
        if bytes + cost > LEGACY_LIST_BYTES {
            break;
        }
        bytes += cost;
        start -= 1;
    }
    &names[start..]
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

#[cfg(test)]
mod tests;
