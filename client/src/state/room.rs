//! The page's room (issue 13) as the state holds it: where the page is ([`Route`]), the passcode
//! and capacity its `username` logins carry there, and going to another place.
//!
//! Rules (`docs/PROTOCOL.md`, "Rooms"):
//! - A place is the public lobby or one room for the socket's whole life: going elsewhere (a new
//!   private room, the browser's Back) drops everything of the old place — socket, login, session,
//!   list, chat — and logs in again there under the name the page had, if it had one.
//! - A session kept in `sessionStorage` belongs to its room: a page that starts elsewhere does
//!   not resume it.
//! - A room's passcode is sent with every `username` login into it (never in the lobby); the
//!   capacity too (it only counts when the login creates the room). A refused passcode makes the
//!   login form ask for one; the passcode is never stored beyond the page's memory.

use shared::limits::{MAX_PASSCODE_CHARS, ROOM_CAPACITY};
use shared::room::PRIVATE_ROOM_CHARS;
use shared::{ErrorCode, RoomName};

use super::AppState;
use super::session::StoredSession;
use crate::route::Route;

/// Where the page is, and what its logins into a room carry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub route: Route,
    /// The room's passcode: set by whoever makes the room, or typed when the room asks for it.
    pub passcode: Option<String>,
    /// The capacity asked for when making the room.
    pub capacity: Option<u32>,
    /// The login form asked for the passcode here (it keeps asking).
    pub(super) prompted: bool,
}

/// Why the "New private room" form cannot make a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomFormError {
    /// More than `MAX_PASSCODE_CHARS` characters.
    PasscodeTooLong,
    /// Not a whole number in `ROOM_CAPACITY`.
    BadCapacity,
}

impl Entry {
    /// The place at `route`, with nothing to send yet.
    pub fn at(route: Route) -> Self {
        Self {
            route,
            ..Self::default()
        }
    }

    /// A new private room named from `random` bytes (from `crypto.getRandomValues`), with the
    /// form's passcode and capacity as typed (both optional: blank is none).
    pub fn new_room(
        random: &[u8; PRIVATE_ROOM_CHARS],
        passcode: &str,
        capacity: &str,
    ) -> Result<Self, RoomFormError> {
        let capacity = match capacity.trim() {
            "" => None,
            raw => Some(
                raw.parse::<u32>()
                    .ok()
                    .filter(|c| ROOM_CAPACITY.contains(c))
                    .ok_or(RoomFormError::BadCapacity)?,
            ),
        };
        Ok(Self {
            route: Route::Room(RoomName::private_from(random)),
            passcode: passcode_from(passcode)?,
            capacity,
            prompted: false,
        })
    }
}

/// A passcode as typed: trimmed (a copied passcode often brings a space), blank is none.
pub fn passcode_from(raw: &str) -> Result<Option<String>, RoomFormError> {
    let passcode = raw.trim();
    if passcode.chars().count() > MAX_PASSCODE_CHARS {
        return Err(RoomFormError::PasscodeTooLong);
    }
    Ok((!passcode.is_empty()).then(|| passcode.to_owned()))
}

impl AppState {
    /// The page's state when it loads at `route`, taking back the session this tab kept if it
    /// belongs to the same place (a lobby session is not resumed in a room, nor the reverse).
    pub fn start(route: Route, stored: Option<StoredSession>) -> Self {
        let entry = Entry::at(route);
        let here = entry.route != Route::BadLink;
        match stored.filter(|s| here && s.room.as_ref() == entry.route.room()) {
            Some(stored) => Self {
                entry,
                ..Self::restored(stored)
            },
            None => Self {
                entry,
                ..Self::default()
            },
        }
    }

    /// Goes to `entry`'s place (nothing happens if the page is there already). Everything of the
    /// old place is dropped; the call layer is told the session is gone (a call ends) and a new
    /// socket opens; the login goes out again under the name the page had.
    pub(super) fn enter(&mut self, entry: Entry) {
        if entry.route == self.entry.route {
            return;
        }
        let was_in = self.me.is_some() || self.session.is_some();
        let wanted = match entry.route {
            Route::BadLink => None,
            Route::Lobby | Route::Room(_) => self.login_name(),
        };
        *self = Self {
            entry,
            wanted,
            attempt: self.attempt.wrapping_add(1),
            lost_sessions: self.lost_sessions.wrapping_add(u32::from(was_in)),
            call: std::mem::take(&mut self.call),
            ..Self::default()
        };
    }

    /// The passcode typed into the login form, for the logins that follow.
    pub(super) fn set_passcode(&mut self, raw: &str) {
        if let Ok(passcode) = passcode_from(raw) {
            self.entry.passcode = passcode;
            self.entry.prompted = true;
        }
    }

    /// The login form asks for the room's passcode: the room refused a login without it or with
    /// a wrong one (and keeps asking after that).
    pub fn asks_passcode(&self) -> bool {
        self.entry.route.room().is_some()
            && (self.entry.prompted
                || self.login_refused(&[ErrorCode::PasscodeRequired, ErrorCode::BadPasscode]))
    }

    /// The room refused the login because it is full.
    pub fn room_full(&self) -> bool {
        self.login_refused(&[ErrorCode::RoomFull])
    }

    fn login_refused(&self, codes: &[ErrorCode]) -> bool {
        self.login_error
            .as_ref()
            .is_some_and(|error| codes.contains(&error.code))
    }

    /// What a `username` login carries here: the room's passcode and capacity (none in the
    /// lobby, which ignores them).
    pub(super) fn room_login(&self) -> (Option<String>, Option<u32>) {
        match self.entry.route {
            Route::Room(_) => (self.entry.passcode.clone(), self.entry.capacity),
            Route::Lobby | Route::BadLink => (None, None),
        }
    }
}
