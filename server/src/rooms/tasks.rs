//! A room's background task, which ends with the room (or the server): its presence broadcasts
//! (coalesced over `presence_interval`, as the lobby's, see [`crate::presence`]), the expiry of
//! its away sessions ([`crate::registry::away::run`]) and a wake-up of the state-file writer
//! when its sessions change. After each presence broadcast it checks whether the room is empty
//! (every departure is a presence change) and forgets it if so. One task per room, woken only
//! by its own room's events: nothing here scales with the number of rooms.

use std::sync::Arc;

use super::{Room, Rooms};
use crate::presence;
use crate::registry::away;

impl Rooms {
    /// Spawns `room`'s task on the server's tracker.
    pub(super) fn start(self: &Arc<Self>, room: &Arc<Room>) {
        let interval = self.settings.limits.presence_interval;
        let (rooms, room) = (self.clone(), room.clone());
        self.tracker.spawn(async move {
            tokio::join!(
                broadcast(&rooms, &room, interval),
                away::run(room.registry.clone(), room.stop.clone()),
                persist(&rooms, &room),
            );
        });
    }
}

/// Presence, as [`presence::run`] does for the lobby, then forgets the room once it is empty.
async fn broadcast(rooms: &Rooms, room: &Arc<Room>, interval: std::time::Duration) {
    loop {
        tokio::select! {
            () = room.stop.cancelled() => return,
            () = room.registry.presence_changed() => {}
        }
        presence::flush(&room.registry);
        if room.registry.online_count() == 0 && rooms.forget_if_empty(room) {
            return;
        }
        tokio::select! {
            () = room.stop.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// Passes the room's state-file wake-ups on to the one writer of every room.
async fn persist(rooms: &Rooms, room: &Room) {
    loop {
        tokio::select! {
            () = room.stop.cancelled() => return,
            () = room.registry.persist_changed() => rooms.persist_wake.notify_one(),
        }
    }
}
