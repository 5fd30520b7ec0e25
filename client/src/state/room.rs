//! The page's room (issue 13) as the state holds it: where the page is ([`Route`]), the passcode
//! and capacity its `username` logins carry there, and how a page starts in its place.
//!
//! Rules (`docs/PROTOCOL.md`, "Rooms"):
//! - A page is in one place (the lobby or one room) for its whole life: going elsewhere is a
//!   page load. The new page logs in under the name of the session this tab kept, if any, but
//!   resumes that session only in its own place (a lobby session is not resumed in a room, nor
//!   the reverse).
//! - A room's passcode is sent with every `username` login into it (never in the lobby); the
//!   capacity too (it only counts when the login creates the room). Whoever makes a room hands
//!   both to the room's page (a hand-over text in `sessionStorage`, read once). A refused
//!   passcode makes the login form ask for one. The passcode is kept nowhere but in the page's
//!   memory (the hand-over holds it in the tab's `sessionStorage` only until the new page reads
//!   and removes it).

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

    /// The `sessionStorage` key of the hand-over to a new room's page.
    pub const HANDOVER_KEY: &'static str = "parley.room";

    /// The hand-over text: the room, the capacity (or nothing) and the passcode (or nothing),
    /// one a line (a passcode typed in a one-line field has no line break).
    pub fn handover_text(&self) -> String {
        let room = self.route.room().map_or("", |room| room.as_str());
        let capacity = self.capacity.map(|c| c.to_string()).unwrap_or_default();
        let passcode = self.passcode.as_deref().unwrap_or_default();
        [room, "\n", &capacity, "\n", passcode].concat()
    }

    /// The place at `route` with what a hand-over gives, if it is one for this room.
    fn from_handover(route: &Route, text: &str) -> Option<Self> {
        let mut lines = text.splitn(3, '\n');
        let room = lines.next()?;
        (route.room()?.as_str() == room).then_some(())?;
        let capacity = match lines.next()? {
            "" => None,
            raw => Some(raw.parse().ok().filter(|c| ROOM_CAPACITY.contains(c))?),
        };
        Some(Self {
            route: route.clone(),
            passcode: passcode_from(lines.next()?).ok()?,
            capacity,
            prompted: false,
        })
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
    /// The page's state when it loads at `route`: it takes back the session this tab kept if
    /// that session belongs to the same place, else logs in under its name; a `handover` from
    /// the page that made this room gives its passcode and capacity.
    pub fn start(route: Route, stored: Option<StoredSession>, handover: Option<&str>) -> Self {
        let entry = handover
            .and_then(|text| Entry::from_handover(&route, text))
            .unwrap_or_else(|| Entry::at(route));
        let stored = stored.filter(|_| entry.route != Route::BadLink);
        // One state built (the page's code builds the large default once).
        let mut state = match stored {
            Some(stored) if stored.room.as_ref() == entry.route.room() => Self::restored(stored),
            stored => Self {
                wanted: stored.map(|s| s.name),
                ..Self::default()
            },
        };
        state.entry = entry;
        state
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
