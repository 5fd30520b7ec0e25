//! Where the page is (issue 13): the public lobby at `/`, a room at `/r/<room>`, or a room link
//! that is not valid. Read from `location.pathname` (by `crate::net::place` in the page);
//! pure, so host-tested.
//!
//! The room name is checked with the server's own rule (`shared::RoomName::parse`), so the page
//! never opens a socket the server would refuse with `bad-room`. Any path that is not under `/r/`
//! is the lobby (the server serves the page only at `/` and `/r/<room>`; `trunk serve` at any).

use shared::RoomName;

/// The page's place.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    /// `/`: today's public lobby.
    #[default]
    Lobby,
    /// `/r/<room>`.
    Room(RoomName),
    /// `/r/<something that is no room name>`: the page says so and links to `/`.
    BadLink,
}

/// The path prefix of a room.
const ROOM_PREFIX: &str = "/r/";

impl Route {
    /// The route for a `location.pathname` (percent-encoded as the browser gives it: an encoded
    /// character is no room-name character, so such a link is not valid).
    pub fn from_path(path: &str) -> Self {
        match path.strip_prefix(ROOM_PREFIX) {
            None => Route::Lobby,
            Some(raw) => RoomName::parse(raw).map_or(Route::BadLink, Route::Room),
        }
    }

    /// The room, if the page is in one.
    pub fn room(&self) -> Option<&RoomName> {
        match self {
            Route::Room(room) => Some(room),
            Route::Lobby | Route::BadLink => None,
        }
    }

    /// The page's path for this route (a bad link has none of its own: the lobby's).
    pub fn path(&self) -> String {
        match self {
            Route::Room(room) => [ROOM_PREFIX, room.as_str()].concat(),
            Route::Lobby | Route::BadLink => "/".into(),
        }
    }

    /// What `room-name` says: "Public lobby", or the room's name, shortened when it is long
    /// (a private room's 20 random characters say nothing to a person; the link carries them).
    pub fn label(&self) -> String {
        match self {
            Route::Room(room) => {
                let name = room.as_str();
                // Room names are ASCII, so byte offsets are character offsets.
                if name.len() > SHORT_NAME {
                    [&name[..SHORT_NAME - 2], "…"].concat()
                } else {
                    name.into()
                }
            }
            Route::Lobby | Route::BadLink => "Public lobby".into(),
        }
    }
}

/// Longest room name `room-name` shows in full.
const SHORT_NAME: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    fn room(raw: &str) -> Route {
        Route::Room(RoomName::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}")))
    }

    #[test]
    fn paths_become_routes() {
        assert_eq!(Route::from_path("/"), Route::Lobby);
        assert_eq!(Route::from_path(""), Route::Lobby);
        assert_eq!(Route::from_path("/index.html"), Route::Lobby);
        assert_eq!(Route::from_path("/r"), Route::Lobby);
        assert_eq!(Route::from_path("/r/family"), room("family"));
        assert_eq!(Route::from_path("/r/Team-2_a"), room("team-2_a"));
        for bad in [
            "/r/",
            "/r/a%20b",
            "/r/a/b",
            "/r/family/",
            "/r/caf%C3%A9",
            &format!("/r/{}", "a".repeat(65)),
        ] {
            assert_eq!(Route::from_path(bad), Route::BadLink, "{bad}");
        }
    }

    #[test]
    fn routes_give_their_path_and_label() {
        assert_eq!(Route::Lobby.path(), "/");
        assert_eq!(Route::BadLink.path(), "/");
        let family = room("Family");
        assert_eq!(family.path(), "/r/family");
        assert_eq!(Route::from_path(&family.path()), family);
        assert_eq!(family.room().map(RoomName::as_str), Some("family"));
        assert_eq!(Route::Lobby.room(), None);

        assert_eq!(Route::Lobby.label(), "Public lobby");
        assert_eq!(family.label(), "family");
        assert_eq!(room("abcdefghijkl").label(), "abcdefghijkl");
        let private = Route::Room(RoomName::private_from(&[7; 20]));
        assert_eq!(private.label(), "hhhhhhhhhh…");
    }
}
