//! Where a connection belongs: the public lobby, or a room named by its socket's `?room=` for
//! its whole life, which it is in once it logged in (or resumed) there.

use std::sync::Arc;

use shared::RoomName;

use super::Room;
use crate::registry::Registry;

/// A connection's place.
pub enum Seat {
    /// The public lobby (no `room` in the socket's address).
    Lobby,
    /// The room named `name`; `joined` once this connection is one of its members.
    /// `wrong_passcodes` counts this connection's wrong passcodes.
    Room {
        name: RoomName,
        joined: Option<Arc<Room>>,
        wrong_passcodes: u32,
    },
}

impl Seat {
    pub fn new(room: Option<RoomName>) -> Self {
        match room {
            None => Self::Lobby,
            Some(name) => Self::Room {
                name,
                joined: None,
                wrong_passcodes: 0,
            },
        }
    }

    /// The registry this connection's frames go to: the lobby's, or its room's once joined
    /// (`None` before: a room is only found, or made, by a login or a resume).
    pub fn registry<'a>(&'a self, lobby: &'a Registry) -> Option<&'a Registry> {
        match self {
            Self::Lobby => Some(lobby),
            Self::Room { joined, .. } => joined.as_deref().map(|room| &*room.registry),
        }
    }

    /// The room this connection is a member of, if any.
    pub fn joined(&self) -> Option<&Arc<Room>> {
        match self {
            Self::Lobby => None,
            Self::Room { joined, .. } => joined.as_ref(),
        }
    }

    /// Whether this is a room socket whose connection is not in its room yet.
    pub fn outside_room(&self) -> bool {
        matches!(self, Self::Room { joined: None, .. })
    }

    /// The room this socket belongs to (`None`: the lobby).
    pub fn room_name(&self) -> Option<&RoomName> {
        match self {
            Self::Lobby => None,
            Self::Room { name, .. } => Some(name),
        }
    }
}
