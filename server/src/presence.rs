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

    #[test]
    fn mark_alone_gives_an_empty_batch() {
        let mut changes = PresenceChanges::default();
        assert!(changes.take().is_none());
        changes.mark();
        assert_eq!(changes.take(), Some((vec![], vec![])));
    }
}
