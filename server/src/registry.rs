//! The registry: the [`Members`] and their [`Calls`] under one lock, and delivery of frames into
//! the members' outboxes.
//!
//! Every transition (login, rename, relay, chat, departure) is applied whole under one lock, so
//! invariants that span the maps (a name maps to exactly one online client; a partner pointing
//! back is a logged-in client) can never be seen half-done. It is a `std` mutex on purpose: every
//! method is synchronous, nothing awaits while holding it, and critical sections are short (map
//! lookups and non-blocking pushes).
//!
//! Delivery never waits for a client: a full outbox means that client is not reading fast
//! enough, and it is disconnected on the spot (removed here, and its outbox closed, so its
//! session sees the outbox end and closes the socket).
//!
//! Presence is broadcast by [`crate::presence`]: the registry only hands out the pending changes
//! and who should hear of them ([`Registry::take_presence`]); the frames are built and delivered
//! after the lock is released.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use shared::{ErrorCode, FromServer, HangUpReason, UserName};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::calls::{CallEvent, CallRefusal, Calls};
use crate::limits::FloodLimits;
use crate::members::{ConnId, Features, Joined, Members};
use crate::outbox::{Outbox, PushError, Slowness};
use crate::resumable::ResumeLimits;

pub mod away;
mod fanout;
mod media_state;
mod resume;
mod user_state;

pub use fanout::FanoutBudget;
pub use resume::{Resumed, SavedSession};

pub use user_state::USER_STATE_LOBBY_MAX;

#[derive(Default)]
struct Inner {
    members: Members,
    calls: Calls,
    /// Clients found too slow during the current transition, removed before it ends.
    kicks: Vec<ConnId>,
    /// Away sessions by the time they end (entries whose session resumed are skipped).
    away: BTreeSet<(Instant, ConnId)>,
    /// A `resume` session changed in a way the state file keeps.
    persist: bool,
    /// The server-wide chat budget, in bytes written (`registry/fanout.rs`).
    fanout: Option<fanout::FanoutBudget>,
}

/// Who is online. Shared by every session (behind an `Arc`).
pub struct Registry {
    inner: Mutex<Inner>,
    /// Wakes the presence task (a stored permit, so a change is never missed).
    presence_wake: Notify,
    /// Wakes the task that ends away sessions (a session went away).
    away_wake: Notify,
    /// Wakes the state-file writer.
    persist_wake: Notify,
    outbox_frames: usize,
    resume: ResumeLimits,
    /// How long a declined caller may not ring the same callee again.
    decline_cooldown: std::time::Duration,
    /// When a client is too slow (given to every outbox).
    slow: Slowness,
}

/// Pending presence changes and everyone who is to hear of them, taken by
/// [`Registry::take_presence`].
#[derive(Debug)]
pub struct PresenceBatch {
    /// Names that joined since the last batch, in order.
    pub joined: Vec<String>,
    /// Names that left since the last batch.
    pub left: Vec<String>,
    /// Every name in login order, when some client will need the whole list: one waiting for
    /// its first list or, when names changed, one without `userlist-delta` (it only knows whole
    /// lists).
    pub names: Option<Vec<String>>,
    /// Every logged-in client (sessions loaded from the state file and not resumed yet
    /// excepted: they get a full list when they resume).
    pub recipients: Vec<Recipient>,
    /// Away users, when some `resume` client is getting its first list (it then gets a
    /// `user-state` frame for each).
    pub away: Vec<String>,
}

/// A logged-in client, as presence sees it.
#[derive(Debug)]
pub struct Recipient {
    pub id: ConnId,
    pub outbox: Arc<Outbox>,
    /// It announced the `userlist-delta` feature.
    pub userlist_delta: bool,
    /// It has not had a full list since it logged in (or changed its features).
    pub first_list: bool,
    /// It announced `resume` (it hears of users who are away).
    pub resume: bool,
}

impl Registry {
    pub fn new(outbox_frames: usize) -> Self {
        Self::with_resume(outbox_frames, ResumeLimits::default())
    }

    pub fn with_resume(outbox_frames: usize, resume: ResumeLimits) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            presence_wake: Notify::new(),
            away_wake: Notify::new(),
            persist_wake: Notify::new(),
            outbox_frames: outbox_frames.max(1),
            resume,
            decline_cooldown: crate::limits::Limits::default().decline_cooldown,
            slow: Slowness::from(&FloodLimits::default()),
        }
    }

    /// Sets the chat fan-out budget and when a client counts as too slow.
    pub fn with_flood(mut self, flood: &FloodLimits) -> Self {
        self.slow = Slowness::from(flood);
        self.lock().fanout = Some(fanout::budget(flood));
        self
    }

    /// Sets how long a declined caller may not ring the same callee again.
    pub fn with_decline_cooldown(mut self, cooldown: std::time::Duration) -> Self {
        self.decline_cooldown = cooldown;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under this lock would be a bug in a synchronous map update; the maps are still
        // usable, so keep serving rather than poisoning every later connection.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Logs `id` in as `requested`, or renames it (see [`Members::login`]). A client with
    /// `resume` becomes a session with a token (on its first login with the feature).
    pub fn login(&self, id: ConnId, requested: &UserName, features: Features) -> Joined {
        let frames = if features.resume {
            self.outbox_frames.max(self.resume.frames)
        } else {
            self.outbox_frames
        };
        let mut inner = self.lock();
        let mut joined = inner.members.login(id, requested, features, frames);
        if let Some(outbox) = &joined.outbox {
            outbox.set_slowness(self.slow);
        }
        joined.session = self.issue(&mut inner, id, features);
        let persist = inner.members.get(id).is_some_and(|m| m.resume.is_some());
        drop(inner);
        self.presence_wake.notify_one();
        if persist {
            self.persist_wake.notify_one();
        }
        joined
    }

    /// Relays `frame` to the client named `target` and updates call pairs; a frame the pairing
    /// rules refuse ([`Calls::check`]) reaches nobody.
    pub fn relay(
        &self,
        from: ConnId,
        target: &str,
        frame: Utf8Bytes,
        event: CallEvent,
    ) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let to = inner.members.target_id(from, target)?;
        let now = Instant::now();
        let Inner { members, calls, .. } = &mut *inner;
        calls.check(from, to, event, now).map_err(refusal_code)?;
        calls.on_relay(from, to, event, |id| members.contains(id));
        if event == CallEvent::Decline {
            calls.decline(to, from, now + self.decline_cooldown, now);
        }
        if event != CallEvent::Candidate && (inner.is_resume(from) || inner.is_resume(to)) {
            inner.persist = true;
        }
        inner.send(to, frame);
        self.settle(inner);
        Ok(())
    }

    /// A `hang-up` without a target (MDN's client): delivered to the sender's call partner only.
    pub fn hang_up_partner(
        &self,
        from: ConnId,
        reason: Option<HangUpReason>,
    ) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let Inner { members, calls, .. } = &mut *inner;
        let (Some(to), Some(me)) = (calls.partner(from), members.get(from)) else {
            return Err(ErrorCode::NotInCall);
        };
        let Some(them) = members.get(to) else {
            // The partner has gone (and was already told); nothing to deliver.
            calls.remove(from);
            return Err(ErrorCode::NotInCall);
        };
        let frame = FromServer::HangUp {
            name: me.name.to_string(),
            target: them.name.to_string(),
            reason,
        };
        calls.clear_pair(from, to);
        if reason == Some(HangUpReason::Declined) {
            let now = Instant::now();
            calls.decline(to, from, now + self.decline_cooldown, now);
        }
        inner.persist |= inner.is_resume(from) || inner.is_resume(to);
        inner.send(to, frame.to_json().into());
        self.settle(inner);
        Ok(())
    }

    /// Removes `id` (its session ended). Idempotent: a client already disconnected as too slow
    /// is simply not found.
    pub fn unregister(&self, id: ConnId) {
        self.disconnect(&[id]);
    }

    /// Removes the clients `ids` (found too slow outside a transition, or gone); those not
    /// logged in any more are skipped.
    pub fn disconnect(&self, ids: &[ConnId]) {
        let mut inner = self.lock();
        let Inner { members, kicks, .. } = &mut *inner;
        kicks.extend(ids.iter().filter(|&&id| members.contains(id)));
        if !inner.kicks.is_empty() {
            self.settle(inner);
        }
    }

    /// Whether `id` is logged in.
    pub fn is_online(&self, id: ConnId) -> bool {
        self.lock().members.contains(id)
    }

    /// How many clients are logged in.
    pub fn online_count(&self) -> usize {
        self.lock().members.len()
    }

    /// How many calls are ringing or in progress (for `/metrics`).
    pub fn calls_in_progress(&self) -> usize {
        self.lock().calls.pairs()
    }

    /// Resolves when presence changed since the last [`Registry::take_presence`].
    pub async fn presence_changed(&self) {
        self.presence_wake.notified().await;
    }

    /// Takes the pending presence changes, with a snapshot of who is to hear of them; `None`
    /// when nothing is pending. Every client counts as having had its first list from here on.
    /// Only handles are copied under the lock: the frames are built after it is released.
    pub fn take_presence(&self) -> Option<PresenceBatch> {
        let mut inner = self.lock();
        let members = &mut inner.members;
        let (joined, left) = members.take_changes()?;
        let changed = !joined.is_empty() || !left.is_empty();
        let recipients: Vec<Recipient> = members
            .iter_mut()
            .filter(|(_, member)| !member.is_restored())
            .map(|(id, member)| Recipient {
                id,
                outbox: member.outbox.clone(),
                userlist_delta: member.features.userlist_delta,
                first_list: std::mem::take(&mut member.needs_full_list),
                resume: member.features.resume,
            })
            .collect();
        let needs_names = recipients
            .iter()
            .any(|r| r.first_list || (changed && !r.userlist_delta));
        let names = needs_names.then(|| members.names());
        let needs_away = members.len() <= USER_STATE_LOBBY_MAX
            && recipients.iter().any(|r| r.first_list && r.resume);
        let away = if needs_away {
            let away = members.iter().filter(|(_, m)| m.is_away());
            away.map(|(_, m)| m.name.to_string()).collect()
        } else {
            Vec::new()
        };
        Some(PresenceBatch {
            joined,
            left,
            names,
            recipients,
            away,
        })
    }

    /// Ends a transition: disconnects every client found too slow (which may tell their call
    /// partners, who may in turn be too slow…), then wakes the presence task if needed.
    fn settle(&self, mut inner: MutexGuard<'_, Inner>) {
        let mut presence_changed = false;
        while let Some(id) = inner.kicks.pop() {
            presence_changed |= inner.remove(id);
        }
        let persist = std::mem::take(&mut inner.persist);
        drop(inner);
        if presence_changed {
            self.presence_wake.notify_one();
        }
        if persist {
            self.persist_wake.notify_one();
        }
    }

    /// Resolves when the state file should be written again.
    pub async fn persist_changed(&self) {
        self.persist_wake.notified().await;
    }
}

fn refusal_code(refusal: CallRefusal) -> ErrorCode {
    match refusal {
        CallRefusal::NotYourCall => ErrorCode::NotInCall,
        CallRefusal::RecentlyDeclined => ErrorCode::RecentlyDeclined,
    }
}

/// Puts `frame` in `outbox`; a full outbox marks client `id` for disconnection.
fn deliver(id: ConnId, outbox: &Outbox, frame: Utf8Bytes, kicks: &mut Vec<ConnId>) {
    match outbox.push(frame) {
        Ok(()) => {}
        Err(PushError::Full) => {
            tracing::debug!(
                conn = id,
                "outbox full: disconnecting a client that does not read"
            );
            kicks.push(id);
        }
        // The session has ended and is about to unregister.
        Err(PushError::Closed) => {}
    }
}

impl Inner {
    fn send(&mut self, to: ConnId, frame: Utf8Bytes) {
        if let Some(member) = self.members.get(to) {
            deliver(to, &member.outbox, frame, &mut self.kicks);
        }
    }

    /// Removes a client; a partner that pointed back at it gets `hang-up` with reason `left`.
    /// Returns whether presence changed.
    fn remove(&mut self, id: ConnId) -> bool {
        let Some(gone) = self.members.remove(id) else {
            return false;
        };
        self.persist |= gone.resume.is_some();
        if let Some(partner_id) = self.calls.remove(id)
            && let Some(partner) = self.members.get(partner_id)
        {
            let frame = FromServer::HangUp {
                name: gone.name.to_string(),
                target: partner.name.to_string(),
                reason: Some(HangUpReason::Left),
            };
            self.send(partner_id, frame.to_json().into());
        }
        true
    }

    /// Whether `id` is a `resume` session.
    fn is_resume(&self, id: ConnId) -> bool {
        self.members.get(id).is_some_and(|m| m.resume.is_some())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod props;
#[cfg(test)]
mod tests;
