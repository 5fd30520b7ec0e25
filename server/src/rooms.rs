//! Rooms (issue 13): `/r/<room>` pages and `/ws?room=<room>` sockets. Each room is a
//! [`Registry`] of its own (members, unique names, calls, chat, presence, away sessions) plus
//! its [`RoomSettings`]; the public lobby is [`crate::AppState::registry`] and is no room.
//!
//! A room exists while it has a member (an away `resume` session counts until its grace ends):
//! the first login into a room that does not exist creates it with that login's settings, and
//! it is forgotten when its registry is empty again — checked when a member's session ends and
//! by the room's own task after every presence change (which every departure makes), so no way
//! out (socket closed, too slow, grace over) leaves an empty room behind.
//!
//! Joining a room and forgetting it are both decided under this map's lock (joining: the login
//! itself runs under it), so a login can never land in a room that was just forgotten while
//! the next login creates a new one of the same name. The order is always this lock, then a
//! registry's; the registries never call back here. A slow passcode check runs before, outside
//! every lock ([`passcode`]), and the join then confirms the room is still the one it checked.
//!
//! Each room has one background task (`rooms/tasks.rs`): its presence broadcasts, its away
//! sessions' expiry and a wake-up for the state-file writer, ended with the room. Nothing here
//! lists rooms to anyone: only their number leaves this file (`/metrics`) and, for the state
//! file, their settings and sessions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use shared::{ErrorCode, RoomName};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Settings;
use crate::inbound::Refusal;
use crate::registry::{FanoutBudget, Registry, SavedSession};
use crate::resumable::ResumeLimits;

pub mod passcode;
mod seat;
mod tasks;

pub use passcode::{Passcode, PasscodeHash};
pub use seat::Seat;

/// What the first login sets for a room.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomSettings {
    /// Only a salted slow hash, never the passcode itself.
    pub passcode: Option<PasscodeHash>,
    /// Most members at once (`shared::limits::ROOM_CAPACITY`).
    pub capacity: Option<u32>,
}

/// One room.
pub struct Room {
    pub name: RoomName,
    pub registry: Arc<Registry>,
    pub settings: RoomSettings,
    /// Wrong passcodes tried against this room, from every socket.
    pub failures: passcode::FailureBudget,
    /// Ends the room's task (a child of the server's shutdown).
    stop: CancellationToken,
}

/// A room as the state file keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRoom {
    pub name: RoomName,
    pub settings: RoomSettings,
    pub sessions: Vec<SavedSession>,
}

/// Why a join did not happen.
#[derive(Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The login was refused (its name, or the room is full).
    Refused(Refusal),
    /// The room checked before is gone, or a room appeared where none was: check again.
    Changed,
}

/// Every room, by name.
pub struct Rooms {
    map: Mutex<HashMap<RoomName, Arc<Room>>>,
    settings: Arc<Settings>,
    /// The server-wide chat budget, shared with the lobby.
    fanout: Option<FanoutBudget>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
    /// Wakes the state-file writer: a room's sessions changed, or a room was forgotten.
    persist_wake: Notify,
    /// Always empty: what a room socket's frames meet before it is in its room (they are all
    /// refused as before a login), so none can ever reach the lobby or another room.
    outside: Registry,
}

/// A registry with the server's limits; `fanout` is the budget it shares (else its own).
pub fn new_registry(settings: &Settings, fanout: Option<FanoutBudget>) -> Registry {
    let limits = &settings.limits;
    let registry = Registry::with_resume(limits.outbox_frames, ResumeLimits::from(limits))
        .with_decline_cooldown(limits.decline_cooldown)
        .with_flood(&settings.flood);
    match fanout {
        Some(budget) => registry.with_fanout(Some(budget)),
        None => registry,
    }
}

impl Rooms {
    /// No rooms yet. Rooms share `lobby`'s chat budget; their tasks run on `tracker` and end
    /// with `shutdown`.
    pub fn new(
        settings: Arc<Settings>,
        lobby: &Registry,
        tracker: TaskTracker,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            settings,
            fanout: lobby.fanout_budget(),
            tracker,
            shutdown,
            persist_wake: Notify::new(),
            outside: Registry::new(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<RoomName, Arc<Room>>> {
        // Map inserts and removals only: still consistent after a panic elsewhere.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn new_room(&self, name: &RoomName, settings: RoomSettings) -> Arc<Room> {
        Arc::new(Room {
            name: name.clone(),
            registry: Arc::new(new_registry(&self.settings, self.fanout.clone())),
            settings,
            failures: passcode::FailureBudget::default(),
            stop: self.shutdown.child_token(),
        })
    }

    /// The empty registry of room sockets not in their room yet.
    pub fn outside(&self) -> &Registry {
        &self.outside
    }

    /// The room named `name`, if it exists now.
    pub fn get(&self, name: &RoomName) -> Option<Arc<Room>> {
        self.lock().get(name).cloned()
    }

    /// Joins `name` under the map's lock: when `seen` is the room now named so, or `seen` is
    /// `None` and no room has that name (then a new room with `create()`'s settings), `login`
    /// runs with it unless the room is full. A new room is kept only if `login` succeeded.
    pub fn join<T>(
        self: &Arc<Self>,
        name: &RoomName,
        seen: Option<&Arc<Room>>,
        create: impl FnOnce() -> RoomSettings,
        login: impl FnOnce(&Registry) -> Result<T, Refusal>,
    ) -> Result<(Arc<Room>, T), JoinError> {
        let mut map = self.lock();
        match (map.get(name), seen) {
            (Some(now), Some(seen)) if Arc::ptr_eq(now, seen) => {
                let room = now.clone();
                if let Some(capacity) = room.settings.capacity
                    && room.registry.online_count() >= capacity as usize
                {
                    return Err(JoinError::Refused(room_full()));
                }
                let done = login(&room.registry).map_err(JoinError::Refused)?;
                Ok((room, done))
            }
            (None, None) => {
                let room = self.new_room(name, create());
                let done = login(&room.registry).map_err(JoinError::Refused)?;
                map.insert(name.clone(), room.clone());
                drop(map);
                self.start(&room);
                Ok((room, done))
            }
            _ => Err(JoinError::Changed),
        }
    }

    /// Forgets `room` if it is still the room of its name and nobody is in it any more.
    /// Returns whether it is gone.
    pub fn forget_if_empty(&self, room: &Arc<Room>) -> bool {
        let mut map = self.lock();
        let current = map.get(&room.name).is_some_and(|r| Arc::ptr_eq(r, room));
        if current && room.registry.online_count() > 0 {
            return false;
        }
        if current {
            map.remove(&room.name);
        }
        drop(map);
        room.stop.cancel();
        self.persist_wake.notify_one();
        true
    }

    /// How many rooms exist.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn all(&self) -> Vec<Arc<Room>> {
        self.lock().values().cloned().collect()
    }

    /// Members of every room (away sessions included).
    pub fn online_count(&self) -> usize {
        self.all().iter().map(|r| r.registry.online_count()).sum()
    }

    /// Calls ringing or in progress in every room.
    pub fn calls_in_progress(&self) -> usize {
        self.all()
            .iter()
            .map(|r| r.registry.calls_in_progress())
            .sum()
    }

    /// Every room with a session the state file keeps, with its settings.
    pub fn snapshot(&self) -> Vec<SavedRoom> {
        self.all()
            .into_iter()
            .filter_map(|room| {
                let sessions = room.registry.snapshot();
                (!sessions.is_empty()).then(|| SavedRoom {
                    name: room.name.clone(),
                    settings: room.settings.clone(),
                    sessions,
                })
            })
            .collect()
    }

    /// Puts back the rooms of a state file with their sessions, all away until `until` (their
    /// tasks start with [`Rooms::start_all`]). Returns the highest session id.
    pub fn restore(&self, saved: &[SavedRoom], until: tokio::time::Instant) -> u64 {
        let mut highest = 0;
        let mut map = self.lock();
        for saved in saved {
            if saved.sessions.is_empty() || map.contains_key(&saved.name) {
                continue;
            }
            let room = self.new_room(&saved.name, saved.settings.clone());
            highest = highest.max(room.registry.restore(&saved.sessions, until));
            map.insert(saved.name.clone(), room);
        }
        highest
    }

    /// Starts the task of every room there is (those restored from the state file).
    pub fn start_all(self: &Arc<Self>) {
        for room in self.all() {
            self.start(&room);
        }
    }

    /// Resolves when a room's sessions changed (for the state file).
    pub async fn persist_changed(&self) {
        self.persist_wake.notified().await;
    }
}

/// The refusal of a login into a full room.
pub fn room_full() -> Refusal {
    Refusal::new(ErrorCode::RoomFull, "this room is full")
}

#[cfg(test)]
mod tests;
