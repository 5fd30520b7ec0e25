//! The registry: who is online, under which name, who is in a call with whom, and delivery of
//! frames to their outboxes.
//!
//! Every transition (login, rename, relay, departure) is applied whole under one lock, so
//! invariants that span the maps (a name maps to exactly one online client, the login order
//! holds exactly the online clients) can never be seen half-done. It is a `std` mutex on
//! purpose: every method is synchronous, nothing awaits while holding it, and critical sections
//! are short (map lookups and non-blocking `try_send`s).
//!
//! Delivery never waits for a client: a full outbox means that client is not reading fast
//! enough, and it is disconnected on the spot (removed here, and its outbox closed, so its
//! session sees the outbox end and closes the socket).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use shared::{ErrorCode, Feature, FromServer, HangUpReason, UserName};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::outbox::{Outbox, PushError};
use crate::presence::{PresenceChanges, delta_frames, full_list_frames};

/// A connection's id: the `id` sent in the first frame. Never reused within a process.
pub type ConnId = u64;

/// What a client said it understands (the `features` of `username`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    pub userlist_delta: bool,
    pub plain_text: bool,
    pub ice_servers: bool,
}

impl Features {
    pub fn from_list(list: &[Feature]) -> Self {
        let mut features = Self::default();
        for feature in list {
            match feature {
                Feature::UserlistDelta => features.userlist_delta = true,
                Feature::PlainText => features.plain_text = true,
                Feature::IceServers => features.ice_servers = true,
                Feature::Unknown => {}
            }
        }
        features
    }
}

/// How a relayed frame changes who is in a call with whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEvent {
    /// `video-offer`: the sender calls (or renegotiates with) the target.
    Offer,
    /// `video-answer`: the two are in a call.
    Answer,
    /// `new-ice-candidate`: no change.
    Candidate,
    /// `hang-up` with a target: the call between the two ends.
    HangUp,
}

/// A chat line in the two forms clients need.
#[derive(Debug, Clone)]
pub struct ChatFrames {
    /// For clients with the `plain-text` feature.
    pub raw: Utf8Bytes,
    /// For legacy clients (MDN's inserts chat as HTML): `name` and `text` HTML-escaped.
    pub escaped: Utf8Bytes,
}

/// Result of a `username` frame.
#[derive(Debug)]
pub struct LoginOutcome {
    /// The name actually given (unique).
    pub name: UserName,
    /// The client's outbox, on its first login only.
    pub outbox: Option<Arc<Outbox>>,
}

struct Client {
    name: UserName,
    features: Features,
    /// Where frames for this client go; closed when the client is removed.
    outbox: Arc<Outbox>,
    /// Position in the login order (key of `Inner::order`).
    seq: u64,
    /// Who this client last called or is in a call with. May name a client that has gone: ids
    /// are never reused, so a stale one just finds nobody.
    partner: Option<ConnId>,
    /// Gets the full `userlist` at the next presence flush (its first list).
    needs_full_list: bool,
}

#[derive(Default)]
struct Inner {
    clients: HashMap<ConnId, Client>,
    by_name: HashMap<UserName, ConnId>,
    /// Logged-in clients in login order: the order of `userlist`.
    order: BTreeMap<u64, ConnId>,
    next_seq: u64,
    presence: PresenceChanges,
    /// Clients found too slow during the current transition, removed before it ends.
    kicks: Vec<ConnId>,
}

/// Who is online. Shared by every session (behind an `Arc`).
pub struct Registry {
    inner: Mutex<Inner>,
    /// Wakes the presence task (a stored permit, so a change is never missed).
    presence_wake: Notify,
    outbox_frames: usize,
}

impl Registry {
    pub fn new(outbox_frames: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            presence_wake: Notify::new(),
            outbox_frames: outbox_frames.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under this lock would be a bug in a synchronous map update; the maps are still
        // usable, so keep serving rather than poisoning every later connection.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Logs `id` in as `requested`, or renames it. The name is made unique by numbering
    /// (`alice`, `alice2`, `alice3`, …); names are compared exactly (case-sensitive).
    pub fn login(&self, id: ConnId, requested: &UserName, features: Features) -> LoginOutcome {
        let mut inner = self.lock();
        let name = inner.unique_name(id, requested);
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let Inner {
            clients,
            by_name,
            order,
            presence,
            ..
        } = &mut *inner;
        let outbox = match clients.get_mut(&id) {
            Some(client) => {
                if client.name != name {
                    // A rename is a departure and an arrival: the new name goes to the end of
                    // the list, as the delta rule says.
                    by_name.remove(&client.name);
                    presence.left(client.name.as_str());
                    order.remove(&client.seq);
                    client.seq = seq;
                    order.insert(seq, id);
                    by_name.insert(name.clone(), id);
                    presence.joined(name.as_str());
                    client.name = name.clone();
                }
                if client.features != features {
                    client.features = features;
                    client.needs_full_list = true;
                    presence.mark();
                }
                None
            }
            None => {
                let outbox = Arc::new(Outbox::new(self.outbox_frames));
                clients.insert(
                    id,
                    Client {
                        name: name.clone(),
                        features,
                        outbox: outbox.clone(),
                        seq,
                        partner: None,
                        needs_full_list: true,
                    },
                );
                by_name.insert(name.clone(), id);
                order.insert(seq, id);
                presence.joined(name.as_str());
                Some(outbox)
            }
        };
        drop(inner);
        self.presence_wake.notify_one();
        LoginOutcome { name, outbox }
    }

    /// Relays `frame` to the client named `target` and updates call pairs.
    pub fn relay(
        &self,
        from: ConnId,
        target: &str,
        frame: Utf8Bytes,
        event: CallEvent,
    ) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let to = inner.target_id(from, target)?;
        match event {
            CallEvent::Offer => {
                inner.set_partner(from, to);
                // The callee points back at the caller unless it is busy with someone else, so
                // that a caller who leaves while ringing ends the ringing.
                let callee_free = inner
                    .clients
                    .get(&to)
                    .and_then(|c| c.partner)
                    .is_none_or(|p| p == from || !inner.clients.contains_key(&p));
                if callee_free {
                    inner.set_partner(to, from);
                }
            }
            CallEvent::Answer => {
                inner.set_partner(from, to);
                inner.set_partner(to, from);
            }
            CallEvent::Candidate => {}
            CallEvent::HangUp => inner.clear_pair(from, to),
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
        let partner = inner.clients.get(&from).and_then(|c| c.partner);
        let (Some(to), Some(me)) = (partner, inner.clients.get(&from)) else {
            return Err(ErrorCode::NotInCall);
        };
        let Some(them) = inner.clients.get(&to) else {
            // The partner has gone (and was already told); nothing to deliver.
            if let Some(me) = inner.clients.get_mut(&from) {
                me.partner = None;
            }
            return Err(ErrorCode::NotInCall);
        };
        let frame = FromServer::HangUp {
            name: me.name.to_string(),
            target: them.name.to_string(),
            reason,
        };
        inner.clear_pair(from, to);
        inner.send(to, frame.to_json().into());
        self.settle(inner);
        Ok(())
    }

    /// A chat line to everyone logged in (sender included), or to `target` and the sender.
    pub fn chat(
        &self,
        from: ConnId,
        target: Option<&str>,
        frames: &ChatFrames,
    ) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        match target {
            Some(target) => {
                let to = inner.target_id(from, target)?;
                for id in [to, from] {
                    let frame = inner.chat_frame_for(id, frames);
                    inner.send(id, frame);
                }
            }
            None => {
                let Inner { clients, kicks, .. } = &mut *inner;
                for (&id, client) in clients.iter() {
                    let frame = if client.features.plain_text {
                        &frames.raw
                    } else {
                        &frames.escaped
                    };
                    deliver(id, client, frame.clone(), kicks);
                }
            }
        }
        self.settle(inner);
        Ok(())
    }

    /// Removes `id` (its session ended). Idempotent: a client already disconnected as too slow
    /// is simply not found.
    pub fn unregister(&self, id: ConnId) {
        let mut inner = self.lock();
        if inner.clients.contains_key(&id) {
            inner.kicks.push(id);
            self.settle(inner);
        }
    }

    /// Whether `id` is logged in.
    pub fn is_online(&self, id: ConnId) -> bool {
        self.lock().clients.contains_key(&id)
    }

    /// How many clients are logged in.
    pub fn online_count(&self) -> usize {
        self.lock().clients.len()
    }

    /// Resolves when presence changed since the last flush.
    pub async fn presence_changed(&self) {
        self.presence_wake.notified().await;
    }

    /// Broadcasts the pending presence changes: the full `userlist` (serialised once) to
    /// newcomers and legacy clients, one shared `userlist-delta` to the others.
    pub fn flush_presence(&self) {
        let mut inner = self.lock();
        let Some((joined, left)) = inner.presence.take() else {
            return;
        };
        let changed = !joined.is_empty() || !left.is_empty();
        let legacy_wants =
            |c: &Client| !c.features.userlist_delta && (c.needs_full_list || changed);
        let newcomer_wants = |c: &Client| c.features.userlist_delta && c.needs_full_list;
        let (any_legacy, any_newcomer) = inner.clients.values().fold((false, false), |acc, c| {
            (acc.0 || legacy_wants(c), acc.1 || newcomer_wants(c))
        });
        let names: Vec<String> = if any_legacy || any_newcomer {
            let ids = inner.order.values();
            ids.filter_map(|id| inner.clients.get(id))
                .map(|c| c.name.to_string())
                .collect()
        } else {
            Vec::new()
        };
        // MDN's client only knows the whole list in one frame.
        let legacy_full: Option<Utf8Bytes> = any_legacy.then(|| {
            FromServer::UserList {
                users: names.clone(),
            }
            .to_json()
            .into()
        });
        // Delta clients get the list in small frames (see `presence::full_list_frames`).
        let newcomer_full = if any_newcomer {
            full_list_frames(&names)
        } else {
            Vec::new()
        };
        let deltas = if changed {
            delta_frames(&joined, &left)
        } else {
            Vec::new()
        };
        let Inner { clients, kicks, .. } = &mut *inner;
        for (&id, client) in clients.iter_mut() {
            let frames: &[Utf8Bytes] = if legacy_wants(client) {
                legacy_full.as_slice()
            } else if newcomer_wants(client) {
                &newcomer_full
            } else {
                &deltas
            };
            client.needs_full_list = false;
            for frame in frames {
                if !deliver(id, client, frame.clone(), kicks) {
                    break;
                }
            }
        }
        self.settle(inner);
    }

    /// Ends a transition: disconnects every client found too slow (which may tell their call
    /// partners, who may in turn be too slow…), then wakes the presence task if needed.
    fn settle(&self, mut inner: MutexGuard<'_, Inner>) {
        let mut presence_changed = false;
        while let Some(id) = inner.kicks.pop() {
            presence_changed |= inner.remove(id);
        }
        drop(inner);
        if presence_changed {
            self.presence_wake.notify_one();
        }
    }
}

/// Puts `frame` in `client`'s outbox; a full outbox marks the client for disconnection.
/// Returns whether the frame was queued.
fn deliver(id: ConnId, client: &Client, frame: Utf8Bytes, kicks: &mut Vec<ConnId>) -> bool {
    match client.outbox.push(frame) {
        Ok(()) => true,
        Err(PushError::Full) => {
            tracing::debug!(
                conn = id,
                "outbox full: disconnecting a client that does not read"
            );
            kicks.push(id);
            false
        }
        // The session has ended and is about to unregister.
        Err(PushError::Closed) => false,
    }
}

impl Inner {
    /// `requested` if free (or already this client's), else the first free numbered variant.
    fn unique_name(&self, id: ConnId, requested: &UserName) -> UserName {
        let free = |name: &UserName| self.by_name.get(name).is_none_or(|&owner| owner == id);
        if free(requested) {
            return requested.clone();
        }
        // At most `clients.len() + 1` variants can be tried before one is free.
        let mut n: u32 = 2;
        loop {
            let candidate = requested.numbered(n);
            if free(&candidate) {
                return candidate;
            }
            n = n.saturating_add(1);
        }
    }

    fn target_id(&self, from: ConnId, target: &str) -> Result<ConnId, ErrorCode> {
        // Looked up as `&str` (no allocation on the relay path); names are stored trimmed.
        let to = self
            .by_name
            .get(target.trim())
            .copied()
            .ok_or(ErrorCode::UnknownTarget)?;
        if to == from {
            return Err(ErrorCode::SelfTarget);
        }
        Ok(to)
    }

    fn chat_frame_for(&self, id: ConnId, frames: &ChatFrames) -> Utf8Bytes {
        match self.clients.get(&id) {
            Some(client) if client.features.plain_text => frames.raw.clone(),
            _ => frames.escaped.clone(),
        }
    }

    fn send(&mut self, to: ConnId, frame: Utf8Bytes) {
        if let Some(client) = self.clients.get(&to) {
            deliver(to, client, frame, &mut self.kicks);
        }
    }

    /// `a` now calls / talks to `b`. If `a` was paired with someone else who pointed back at
    /// it, that one is freed.
    fn set_partner(&mut self, a: ConnId, b: ConnId) {
        let old = self.clients.get(&a).and_then(|c| c.partner);
        if let Some(old) = old.filter(|&old| old != b)
            && let Some(o) = self.clients.get_mut(&old).filter(|o| o.partner == Some(a))
        {
            o.partner = None;
        }
        if let Some(client) = self.clients.get_mut(&a) {
            client.partner = Some(b);
        }
    }

    fn clear_pair(&mut self, a: ConnId, b: ConnId) {
        for (x, y) in [(a, b), (b, a)] {
            if let Some(c) = self.clients.get_mut(&x).filter(|c| c.partner == Some(y)) {
                c.partner = None;
            }
        }
    }

    /// Removes a client; a partner that pointed back at it gets `hang-up` with reason `left`.
    /// Returns whether presence changed.
    fn remove(&mut self, id: ConnId) -> bool {
        let Some(client) = self.clients.remove(&id) else {
            return false;
        };
        // Wakes the session if it is still running (a slow client): it closes the socket.
        client.outbox.close();
        self.by_name.remove(&client.name);
        self.order.remove(&client.seq);
        self.presence.left(client.name.as_str());
        if let Some(partner_id) = client.partner
            && let Some(partner) = self
                .clients
                .get_mut(&partner_id)
                .filter(|p| p.partner == Some(id))
        {
            partner.partner = None;
            let frame = FromServer::HangUp {
                name: client.name.to_string(),
                target: partner.name.to_string(),
                reason: Some(HangUpReason::Left),
            };
            self.send(partner_id, frame.to_json().into());
        }
        true
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn name(n: &str) -> UserName {
        UserName::parse(n).unwrap()
    }

    fn frames(outbox: &mut Arc<Outbox>) -> Vec<FromServer> {
        let mut out = Vec::new();
        while let Some(frame) = outbox.try_pop() {
            out.push(FromServer::from_json(&frame).unwrap());
        }
        out
    }

    #[test]
    fn a_full_outbox_disconnects_that_client_and_tells_its_partner() {
        let registry = Registry::new(2);
        let mut alice = registry
            .login(1, &name("alice"), Features::default())
            .outbox
            .unwrap();
        let _bob = registry
            .login(2, &name("bob"), Features::default())
            .outbox
            .unwrap();
        let offer: Utf8Bytes = "{}".into();
        registry
            .relay(1, "bob", offer.clone(), CallEvent::Offer)
            .unwrap();
        registry
            .relay(1, "bob", offer.clone(), CallEvent::Candidate)
            .unwrap();
        // bob's outbox (2 frames) is full: the next relay disconnects him at once.
        registry
            .relay(1, "bob", offer, CallEvent::Candidate)
            .unwrap();
        assert!(!registry.is_online(2));
        assert_eq!(
            frames(&mut alice),
            vec![FromServer::HangUp {
                name: "bob".into(),
                target: "alice".into(),
                reason: Some(HangUpReason::Left)
            }]
        );
        assert_eq!(
            registry.relay(1, "bob", "{}".into(), CallEvent::Candidate),
            Err(ErrorCode::UnknownTarget)
        );
        // Unregistering an already dropped client is harmless.
        registry.unregister(2);
        assert_eq!(registry.online_count(), 1);
    }

    #[test]
    fn names_are_numbered_and_renames_free_the_old_name() {
        let registry = Registry::new(8);
        assert_eq!(
            registry
                .login(1, &name("a"), Features::default())
                .name
                .as_str(),
            "a"
        );
        assert_eq!(
            registry
                .login(2, &name("a"), Features::default())
                .name
                .as_str(),
            "a2"
        );
        // Renaming to one's own name keeps it.
        assert_eq!(
            registry
                .login(2, &name("a2"), Features::default())
                .name
                .as_str(),
            "a2"
        );
        assert_eq!(
            registry
                .login(1, &name("z"), Features::default())
                .name
                .as_str(),
            "z"
        );
        assert_eq!(
            registry
                .login(3, &name("a"), Features::default())
                .name
                .as_str(),
            "a"
        );
    }

    #[test]
    fn presence_flush_sends_full_lists_to_newcomers_and_legacy_and_deltas_to_others() {
        let registry = Registry::new(8);
        let delta = Features {
            userlist_delta: true,
            ..Features::default()
        };
        let mut d = registry.login(1, &name("d"), delta).outbox.unwrap();
        registry.flush_presence();
        assert_eq!(
            frames(&mut d),
            vec![FromServer::UserList {
                users: vec!["d".into()]
            }]
        );
        let mut legacy = registry
            .login(2, &name("m"), Features::default())
            .outbox
            .unwrap();
        let _x = registry.login(3, &name("x"), delta).outbox.unwrap();
        registry.unregister(3);
        registry.flush_presence();
        assert_eq!(
            frames(&mut d),
            vec![FromServer::UserListDelta {
                joined: vec!["m".into()],
                left: vec![]
            }]
        );
        assert_eq!(
            frames(&mut legacy),
            vec![FromServer::UserList {
                users: vec!["d".into(), "m".into()]
            }]
        );
        // Nothing pending: nothing sent.
        registry.flush_presence();
        assert!(frames(&mut d).is_empty());
    }
}
