//! The group call of one registry (one room, the lobby included; issue 13): who is in it, in
//! the order they joined, at most [`GROUP_CALL_MAX`], and the transitions that change it,
//! applied under the registry's lock like every other.
//!
//! Every change of the list is delivered, under the same lock, as a `group-call` frame to every
//! client of the registry that announced the `group-call` feature (members and onlookers alike).
//! Because `group-signal` is relayed under that lock too, a newcomer's first signal is always
//! queued after the list that names it, in every member's outbox: a client has always heard of
//! a member before that member's first signal reaches it.
//!
//! A member leaves by `group-leave`, when its session ends (a `resume` session that is away
//! stays in until it ends, as a 1:1 call does) or when it takes another name (the other
//! members know it by its name).

use axum::extract::ws::Utf8Bytes;
use shared::limits::GROUP_CALL_MAX;
use shared::{ErrorCode, FromServer, UserName};

use super::{Inner, Registry, deliver};
use crate::members::ConnId;

/// The members of the group call, in join order.
#[derive(Debug, Default)]
pub struct GroupCall {
    members: Vec<ConnId>,
}

/// The group call already has [`GROUP_CALL_MAX`] members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl GroupCall {
    /// Adds `id` at the end; `Ok(false)` when it is already in (nothing changes).
    pub fn join(&mut self, id: ConnId) -> Result<bool, Full> {
        if self.contains(id) {
            return Ok(false);
        }
        if self.members.len() >= GROUP_CALL_MAX {
            return Err(Full);
        }
        self.members.push(id);
        Ok(true)
    }

    /// Takes `id` out, keeping the others' order; whether it was in.
    pub fn leave(&mut self, id: ConnId) -> bool {
        let before = self.members.len();
        self.members.retain(|&m| m != id);
        self.members.len() != before
    }

    pub fn contains(&self, id: ConnId) -> bool {
        self.members.contains(&id)
    }

    /// The members in join order.
    pub fn ids(&self) -> &[ConnId] {
        &self.members
    }
}

impl Registry {
    /// `group-join` from `id`: refused with `call-full` when the call is full and with
    /// `in-call` while `id` is in a 1:1 call, rings or is rung; a no-op when already in.
    pub fn group_join(&self, id: ConnId) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let Inner { members, calls, .. } = &*inner;
        // A partner pointer to someone online is a call in progress or an open offer, either
        // way round (an offer points both ends at each other; a busy callee's caller points at
        // the callee alone).
        if calls.partner(id).is_some_and(|p| members.contains(p)) {
            return Err(ErrorCode::InCall);
        }
        match inner.group.join(id) {
            Ok(true) => inner.group_broadcast(),
            Ok(false) => {}
            Err(Full) => return Err(ErrorCode::CallFull),
        }
        self.settle(inner);
        Ok(())
    }

    /// `group-leave` from `id` (a no-op when not in the call).
    pub fn group_leave(&self, id: ConnId) {
        let mut inner = self.lock();
        inner.group_left(id);
        self.settle(inner);
    }

    /// Relays `frame` (a `group-signal` naming the sender) from `from` to the client named
    /// `target`, when both are in the group call; else `not-in-call` and nobody gets it.
    pub fn group_signal(
        &self,
        from: ConnId,
        target: &str,
        frame: Utf8Bytes,
    ) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let to = inner.members.target_id(from, target)?;
        if !(inner.group.contains(from) && inner.group.contains(to)) {
            return Err(ErrorCode::NotInCall);
        }
        inner.send(to, frame);
        self.settle(inner);
        Ok(())
    }

    /// The group call's members' names, in join order.
    pub fn group_members(&self) -> Vec<String> {
        self.lock().group_names()
    }
}

impl Inner {
    /// Whether `a` and `b` are both in the group call (`media-state` goes between them).
    pub(super) fn in_group_together(&self, a: ConnId, b: ConnId) -> bool {
        self.group.contains(a) && self.group.contains(b)
    }

    fn group_names(&self) -> Vec<String> {
        let ids = self.group.ids().iter();
        ids.filter_map(|&id| self.members.get(id))
            .map(|m| m.name.to_string())
            .collect()
    }

    fn group_frame(&self) -> Utf8Bytes {
        let members = self.group_names();
        FromServer::GroupCall { members }.to_json().into()
    }

    /// Tells every `group-call` client the list (sessions loaded from the state file and not
    /// resumed yet excepted: they get it when they resume).
    fn group_broadcast(&mut self) {
        let frame = self.group_frame();
        let Self { members, kicks, .. } = self;
        let hears = members
            .iter()
            .filter(|(_, m)| m.features.group_call && !m.is_restored());
        for (id, member) in hears {
            deliver(id, &member.outbox, frame.clone(), kicks);
        }
    }

    /// `id` leaves the group call if it is in it (the others are told).
    pub(super) fn group_left(&mut self, id: ConnId) {
        if self.group.leave(id) {
            self.group_broadcast();
        }
    }

    /// `id` logged in (or renamed, or changed features; it was called `was` before): a member
    /// that renamed or dropped the feature leaves, and a `group-call` client gets the list.
    pub(super) fn group_login(&mut self, id: ConnId, was: Option<&UserName>) {
        let Some(member) = self.members.get(id) else {
            return;
        };
        let (renamed, feature) = (
            was.is_some_and(|w| *w != member.name),
            member.features.group_call,
        );
        if self.group.contains(id) && (renamed || !feature) {
            // The broadcast tells this client too.
            self.group_left(id);
        } else {
            self.group_list_to(id);
        }
    }

    /// Sends the list to `id` alone, if it has the feature (after its login or resume).
    pub(super) fn group_list_to(&mut self, id: ConnId) {
        if self.members.get(id).is_some_and(|m| m.features.group_call) {
            let frame = self.group_frame();
            self.send(id, frame);
        }
    }
}

#[cfg(test)]
mod props_tests;
#[cfg(test)]
mod tests;
