//! The registry's side of `resume` sessions: issuing a session at login, taking one over from
//! a new socket with its token, and the sessions as the state file keeps them (snapshot and
//! restore after a restart).

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use shared::{Presence, UserName};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Inner, Registry};
use crate::members::{ConnId, Features};
use crate::outbox::Outbox;
use crate::replay;
use crate::resumable::{Attached, Handle, Resumable};
use crate::token::{self, SecretHash};

/// A session taken over by a new socket.
#[derive(Debug)]
pub struct Resumed {
    pub name: UserName,
    /// The new token (the one used is spent).
    pub token: String,
    /// Where the frame count stands: the client's `ack`, or 0 after a restart.
    pub ack: u64,
    pub partner: Option<String>,
    /// The frames after `ack`, already numbered, to send again in order.
    pub replay: Vec<Utf8Bytes>,
    pub outbox: Arc<Outbox>,
    pub handle: Handle,
    pub features: Features,
}

/// A `resume` session as the state file keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSession {
    pub id: ConnId,
    pub name: String,
    pub features: Features,
    pub hash: SecretHash,
    pub partner: Option<ConnId>,
}

impl Registry {
    /// Makes the newly logged-in `id` a `resume` session if it asked for one: its token and
    /// the handle its session task keeps.
    pub(super) fn issue(
        &self,
        inner: &mut Inner,
        id: ConnId,
        features: Features,
    ) -> Option<(String, Handle)> {
        let member = inner.members.get_mut(id)?;
        if !features.resume || member.resume.is_some() {
            return None;
        }
        let (token, hash) = token::mint(id)?;
        let limits = self.resume;
        let resumable = Resumable::new(id, Some(hash), limits.frames, limits.bytes);
        let handle = Handle {
            member: id,
            replay: resumable.replay.clone(),
            replaced: resumable.attached.as_ref()?.replaced.clone(),
        };
        member.resume = Some(Box::new(resumable));
        Some((token, handle))
    }

    /// Socket `socket` takes over the session `token` was issued for, its client having
    /// received `ack` frames. `None` (and nothing changes) when the token is not the session's
    /// current one or the frames after `ack` are no longer all kept. An older socket still
    /// attached is told to close (its `replaced` token is cancelled).
    pub fn resume(
        &self,
        socket: ConnId,
        token: &str,
        ack: u64,
        fresh: bool,
        features: Features,
    ) -> Option<Resumed> {
        let (id, secret) = token::parse(token)?;
        let (new_token, hash) = token::mint(id)?;
        let mut inner = self.lock();
        let Inner {
            members,
            calls,
            away,
            ..
        } = &mut *inner;
        let member = members.get_mut(id)?;
        let resume = member.resume.as_mut()?;
        if !resume.hash.is_some_and(|h| h.matches(secret)) {
            return None;
        }
        let restored = resume.restored;
        let frames = {
            let mut replay = replay::lock(&resume.replay);
            if restored {
                replay.restart(socket);
                Vec::new()
            } else {
                replay.resume(socket, ack)?
            }
        };
        if let Some(old) = resume.attached.take() {
            old.replaced.cancel();
        }
        let replaced = CancellationToken::new();
        resume.attached = Some(Attached {
            socket,
            replaced: replaced.clone(),
        });
        if let Some(until) = resume.away_until.take() {
            away.remove(&(until, id));
        }
        resume.restored = false;
        resume.hash = Some(hash);
        let handle = Handle {
            member: id,
            replay: resume.replay.clone(),
            replaced,
        };
        member.outbox.set_limits(None);
        let features = Features {
            resume: true,
            ..features
        };
        // A new list where the client cannot rebuild its own from the missed frames: after a
        // restart (nothing to replay), on a reloaded page (it starts with no list at all), or
        // when it now reads lists differently.
        let relist = restored || fresh || member.features.userlist_delta != features.userlist_delta;
        member.features = features;
        let (name, outbox) = (member.name.clone(), member.outbox.clone());
        let partner = calls
            .partner(id)
            .and_then(|p| members.get(p))
            .map(|p| p.name.to_string());
        if relist {
            members.mark_full_list(id);
        }
        inner.tell_state(id, Presence::Online, fresh);
        // Its group call list (issue 13), after the frames it missed.
        inner.group_login(id, None);
        inner.persist = true;
        self.settle(inner);
        if relist {
            self.presence_wake.notify_one();
        }
        Some(Resumed {
            name,
            token: new_token,
            ack: if restored { 0 } else { ack },
            partner,
            replay: frames,
            outbox,
            handle,
            features,
        })
    }

    /// Every `resume` session that can be resumed, in login order, for the state file.
    pub fn snapshot(&self) -> Vec<SavedSession> {
        let inner = self.lock();
        let resumable = |id: ConnId| inner.members.get(id).is_some_and(|m| m.resume.is_some());
        inner
            .members
            .ids()
            .filter_map(|id| {
                let member = inner.members.get(id)?;
                let hash = member.resume.as_ref()?.hash?;
                Some(SavedSession {
                    id,
                    name: member.name.to_string(),
                    features: member.features,
                    hash,
                    partner: inner.calls.partner(id).filter(|&p| resumable(p)),
                })
            })
            .collect()
    }

    /// Puts back the sessions of a state file, all away until `until`, with their call pairs.
    /// Returns the highest session id (new connection ids must come after it).
    pub fn restore(&self, sessions: &[SavedSession], until: Instant) -> ConnId {
        let mut inner = self.lock();
        let limits = self.resume;
        let frames = self.outbox_frames.max(limits.frames);
        let mut highest = 0;
        for saved in sessions {
            highest = highest.max(saved.id);
            let Ok(name) = UserName::parse(&saved.name) else {
                tracing::warn!(
                    session = saved.id,
                    "state file: a bad name; session skipped"
                );
                continue;
            };
            if inner.members.contains(saved.id) {
                continue;
            }
            let resume = Resumable::restored(saved.hash, until, limits.frames, limits.bytes);
            inner
                .members
                .restore(saved.id, &name, saved.features, frames, resume);
            if let Some(member) = inner.members.get(saved.id) {
                member.outbox.set_slowness(self.slow);
                member
                    .outbox
                    .set_limits(Some((limits.frames, limits.bytes)));
            }
            inner.away.insert((until, saved.id));
        }
        let Inner { members, calls, .. } = &mut *inner;
        for saved in sessions {
            if let Some(partner) = saved.partner {
                calls.restore(saved.id, partner, |id| members.contains(id));
            }
        }
        drop(inner);
        self.presence_wake.notify_one();
        self.away_wake.notify_one();
        highest
    }
}
