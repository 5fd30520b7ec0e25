//! Membership: who is logged in, under which unique name, in which order, with which features,
//! and the log of names that joined and left since presence was last broadcast.
//!
//! Plain data with no lock and no delivery: the [`crate::registry`] holds a [`Members`] under its
//! lock and applies each transition whole. Call pairing is apart, in [`crate::calls`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use shared::{ErrorCode, Feature, UserName};

use crate::outbox::Outbox;
use crate::resumable::{Handle, Resumable};

mod names;
use names::Names;

/// A connection's id: the `id` sent in the first frame. Never reused within a process.
pub type ConnId = u64;

/// What a client said it understands (the `features` of `username`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    pub userlist_delta: bool,
    pub plain_text: bool,
    pub ice_servers: bool,
    pub resume: bool,
    pub heartbeat: bool,
    /// It shows its call partner's media state (`media-state` frames, issue 12).
    pub media_state: bool,
    /// It takes part in group calls (`group-call` frames, issue 13).
    pub group_call: bool,
}

impl Features {
    pub fn from_list(list: &[Feature]) -> Self {
        let mut features = Self::default();
        for feature in list {
            match feature {
                Feature::UserlistDelta => features.userlist_delta = true,
                Feature::PlainText => features.plain_text = true,
                Feature::IceServers => features.ice_servers = true,
                Feature::Resume => features.resume = true,
                Feature::Heartbeat => features.heartbeat = true,
                Feature::MediaState => features.media_state = true,
                Feature::GroupCall => features.group_call = true,
                Feature::Unknown => {}
            }
        }
        features
    }

    /// The list again (for the state file).
    pub fn to_list(self) -> Vec<Feature> {
        [
            (self.userlist_delta, Feature::UserlistDelta),
            (self.plain_text, Feature::PlainText),
            (self.ice_servers, Feature::IceServers),
            (self.resume, Feature::Resume),
            (self.heartbeat, Feature::Heartbeat),
            (self.media_state, Feature::MediaState),
            (self.group_call, Feature::GroupCall),
        ]
        .into_iter()
        .filter_map(|(on, feature)| on.then_some(feature))
        .collect()
    }
}

/// One logged-in client.
#[derive(Debug)]
pub struct Member {
    pub name: UserName,
    pub features: Features,
    /// Where frames for this client go; closed when the client is removed.
    pub outbox: Arc<Outbox>,
    /// Position in the login order (key of `Members::order`).
    seq: u64,
    /// Gets the full `userlist` at the next presence broadcast (its first list, or its features
    /// changed).
    pub needs_full_list: bool,
    /// A `resume` session: its token, numbered stream and socket (`None` for other clients).
    pub resume: Option<Box<Resumable>>,
}

impl Member {
    /// Away: a `resume` session whose socket is lost.
    pub fn is_away(&self) -> bool {
        self.resume.as_ref().is_some_and(|r| r.is_away())
    }

    /// Loaded from the state file and not resumed yet.
    pub fn is_restored(&self) -> bool {
        self.resume.as_ref().is_some_and(|r| r.restored)
    }
}

/// Result of a login: the name given and, on a first login only, the new outbox.
#[derive(Debug)]
pub struct Joined {
    pub name: UserName,
    pub outbox: Option<Arc<Outbox>>,
    /// A new `resume` session (filled by the registry): its token and the session task's
    /// handle.
    pub session: Option<(String, Handle)>,
}

/// Everyone logged in. Invariants (kept by every method): a name maps to exactly one member,
/// no two online names look alike (see [`names`]), and the login order holds exactly the
/// members.
#[derive(Debug, Default)]
pub struct Members {
    clients: HashMap<ConnId, Member>,
    /// Online names and their look-alike keys.
    names: Names<ConnId>,
    /// Logged-in clients in login order: the order of `userlist`.
    order: BTreeMap<u64, ConnId>,
    next_seq: u64,
    changes: PresenceChanges,
}

impl Members {
    /// Logs `id` in as `requested`, or renames it. The name is made unique by numbering
    /// (`alice`, `alice2`, `alice3`, …); names are compared on their look-alike keys, so
    /// `Alice` or `аlice` (Cyrillic а) while `alice` is online get a number too. A new
    /// member gets an outbox of `outbox_frames` frames.
    pub fn login(
        &mut self,
        id: ConnId,
        requested: &UserName,
        features: Features,
        outbox_frames: usize,
    ) -> Joined {
        let name = self.names.unique(id, requested);
        let seq = self.next_seq;
        self.next_seq += 1;
        let Self {
            clients,
            names,
            order,
            changes,
            ..
        } = self;
        let outbox = match clients.get_mut(&id) {
            Some(member) => {
                if member.name != name {
                    // A rename is a departure and an arrival: the new name goes to the end of
                    // the list, as the delta rule says.
                    names.remove(&member.name, id);
                    changes.left(member.name.as_str());
                    order.remove(&member.seq);
                    member.seq = seq;
                    order.insert(seq, id);
                    names.insert(&name, id);
                    changes.joined(name.as_str());
                    member.name = name.clone();
                }
                if member.features != features {
                    member.features = features;
                    member.needs_full_list = true;
                    changes.mark();
                }
                None
            }
            None => {
                let outbox = Arc::new(Outbox::new(outbox_frames));
                clients.insert(
                    id,
                    Member {
                        name: name.clone(),
                        features,
                        outbox: outbox.clone(),
                        seq,
                        needs_full_list: true,
                        resume: None,
                    },
                );
                names.insert(&name, id);
                order.insert(seq, id);
                changes.joined(name.as_str());
                Some(outbox)
            }
        };
        Joined {
            name,
            outbox,
            session: None,
        }
    }

    /// Takes `id` out; its outbox is closed, which wakes its session if it still runs (a slow
    /// client), so that it closes the socket.
    pub fn remove(&mut self, id: ConnId) -> Option<Member> {
        let member = self.clients.remove(&id)?;
        member.outbox.close();
        self.names.remove(&member.name, id);
        self.order.remove(&member.seq);
        self.changes.left(member.name.as_str());
        Some(member)
    }

    pub fn get(&self, id: ConnId) -> Option<&Member> {
        self.clients.get(&id)
    }

    pub fn get_mut(&mut self, id: ConnId) -> Option<&mut Member> {
        self.clients.get_mut(&id)
    }

    /// Puts back a `resume` session loaded from the state file, under `name` if free (else
    /// numbered; free means no online name looks alike), at the end of the login order. Returns the name given.
    pub fn restore(
        &mut self,
        id: ConnId,
        name: &UserName,
        features: Features,
        outbox_frames: usize,
        resume: Resumable,
    ) -> UserName {
        let name = self.names.unique(id, name);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.clients.insert(
            id,
            Member {
                name: name.clone(),
                features,
                outbox: Arc::new(Outbox::new(outbox_frames)),
                seq,
                needs_full_list: false,
                resume: Some(Box::new(resume)),
            },
        );
        // Keys are never saved: they are rebuilt here, so a state file written by an older
        // version (or a change of the key rules) still leaves no two look-alikes online.
        self.names.insert(&name, id);
        self.order.insert(seq, id);
        self.changes.joined(name.as_str());
        name
    }

    /// A client needs its first full list again (a session resumed after a restart).
    pub fn mark_full_list(&mut self, id: ConnId) {
        if let Some(member) = self.clients.get_mut(&id) {
            member.needs_full_list = true;
            self.changes.mark();
        }
    }

    pub fn contains(&self, id: ConnId) -> bool {
        self.clients.contains_key(&id)
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (ConnId, &Member)> {
        self.clients.iter().map(|(&id, member)| (id, member))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (ConnId, &mut Member)> {
        self.clients.iter_mut().map(|(&id, member)| (id, member))
    }

    /// Ids in login order.
    pub fn ids(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.order.values().copied()
    }

    /// Names in login order: the `userlist`.
    pub fn names(&self) -> Vec<String> {
        let ids = self.order.values();
        ids.filter_map(|id| self.clients.get(id))
            .map(|member| member.name.to_string())
            .collect()
    }

    /// The recipient of a frame `from` addresses to `target`.
    pub fn target_id(&self, from: ConnId, target: &str) -> Result<ConnId, ErrorCode> {
        // Looked up as `&str` (no allocation on the relay path); names are stored trimmed.
        let to = self
            .names
            .get(target.trim())
            .ok_or(ErrorCode::UnknownTarget)?;
        if to == from {
            return Err(ErrorCode::SelfTarget);
        }
        Ok(to)
    }

    /// The name changes since the last call: `None` when there is nothing to broadcast.
    pub fn take_changes(&mut self) -> Option<(Vec<String>, Vec<String>)> {
        self.changes.take()
    }
}

/// Name changes since the last presence broadcast.
///
/// Applying a batch means: remove every name in `left`, then append every name in `joined` (in
/// order). The lists are kept so that this rule is exact even when a name comes and goes several
/// times within one batch.
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

#[cfg(test)]
mod tests;
