//! `user-state` frames: telling `resume` clients that a user is reconnecting (its socket was
//! lost) or back, delivered under the registry's lock as part of the transition.

use axum::extract::ws::Utf8Bytes;
use shared::{FromServer, Presence};

use super::{Inner, deliver};
use crate::members::{ConnId, Member};

/// Above this many logged-in users, `user-state` frames go only to the user's call partner:
/// when many sockets drop at once (a proxy restarting), telling everyone about everyone would
/// be a number of frames that grows with the square of the lobby.
pub const USER_STATE_LOBBY_MAX: usize = 256;

impl Inner {
    /// Tells `resume` clients that `about` is reconnecting or back: everyone when the lobby is
    /// small, else only its call partner. Clients still waiting for their first list learn it
    /// with that list.
    pub(super) fn tell_state(&mut self, about: ConnId, state: Presence, fresh: bool) {
        let Some(member) = self.members.get(about) else {
            return;
        };
        let frame: Utf8Bytes = FromServer::UserState {
            name: member.name.to_string(),
            state,
            fresh,
        }
        .to_json()
        .into();
        let hears = |id: ConnId, other: &Member| {
            other.features.resume && id != about && !other.needs_full_list && !other.is_restored()
        };
        let Self {
            members,
            kicks,
            calls,
            ..
        } = self;
        if members.len() <= USER_STATE_LOBBY_MAX {
            for (id, other) in members.iter().filter(|(id, other)| hears(*id, other)) {
                deliver(id, &other.outbox, frame.clone(), kicks);
            }
        } else if let Some(id) = calls.partner(about)
            && let Some(other) = members.get(id).filter(|other| hears(id, other))
        {
            deliver(id, &other.outbox, frame, kicks);
        }
    }
}
