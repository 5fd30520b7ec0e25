//! The resumable session as the page keeps it: the server's token, how many numbered frames
//! arrived (the `ack`), and the record kept in `sessionStorage` so a reloaded page can take the
//! session back (`docs/PROTOCOL.md`, "Resume and heartbeat").
//!
//! Pure: the record is read from and written to JSON text here; the page's storage glue
//! (`crate::net::session_store`, browser only) only moves that text.

use crate::net::frame::Json;
use crate::net::write::Obj;
use shared::{RoomName, UserName};

/// At most this many frames wait for the socket to come back; one more drops the session.
pub const MAX_OUTBOX: usize = 256;

/// A session the server gave this page (`session`), or one read back from `sessionStorage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The token for the next `resume` (single use: every `resumed` brings a new one).
    pub token: String,
    /// How many numbered frames of this session arrived.
    pub ack: u64,
    /// The current socket's frames are numbered (after `session`/`resumed` on it).
    pub(super) counting: bool,
    /// Read from `sessionStorage` by this page (a reload) and not resumed yet: the `resume`
    /// says `fresh`, and the server has not confirmed the session to this page.
    pub fresh: bool,
}

impl Session {
    /// A session the server just gave or gave back on the current socket.
    pub(super) fn live(token: String, ack: u64) -> Self {
        Self {
            token,
            ack,
            counting: true,
            fresh: false,
        }
    }
}

/// What `sessionStorage` holds: enough for a reloaded page to resume without typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub token: String,
    pub name: String,
    pub ack: u64,
    /// The room the session is in (`None`: the public lobby); it is resumed only there.
    pub room: Option<RoomName>,
}

impl StoredSession {
    /// The `sessionStorage` key.
    pub const KEY: &'static str = "parley.session";

    pub fn to_json(&self) -> String {
        // Written by hand (`net::write`'s object writer): serde_json's writer costs the page KBs.
        let mut o = Obj::new();
        o.str("token", &self.token);
        o.str("name", &self.name);
        o.opt_num("ack", Some(self.ack));
        o.opt_str("room", self.room.as_ref().map(RoomName::as_str));
        o.end()
    }

    /// The record in `text`, if it is one (anything else is ignored: the page then shows the
    /// login form).
    pub fn from_json(text: &str) -> Option<Self> {
        Self::from_record(&crate::net::parse_json(text)?)
    }

    /// The record in parsed JSON (the page parses with the browser's `JSON.parse`).
    pub fn from_record<J: Json>(value: &J) -> Option<Self> {
        let token = value.field("token")?.string()?;
        let name = UserName::parse(&value.field("name")?.string()?).ok()?;
        let ack = value.field("ack")?.whole()?;
        // No `room`: a lobby session (also every record kept before rooms existed).
        let room = match value.field("room") {
            None => None,
            Some(room) => Some(RoomName::parse(&room.string()?).ok()?),
        };
        (!token.is_empty()).then(|| Self {
            token,
            name: name.into_string(),
            ack,
            room,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_round_trips_and_bad_ones_are_ignored() {
        let stored = StoredSession {
            token: "17.q2v8TfJc0w9yZl1mXb4sAA".into(),
            name: "alice".into(),
            ack: 12,
            room: None,
        };
        assert_eq!(
            StoredSession::from_json(&stored.to_json()),
            Some(stored.clone())
        );
        assert!(
            !stored.to_json().contains("room"),
            "a lobby record has no room"
        );
        let in_room = StoredSession {
            room: RoomName::parse("family").ok(),
            ..stored
        };
        assert!(in_room.to_json().contains(r#""room":"family""#));
        assert_eq!(StoredSession::from_json(&in_room.to_json()), Some(in_room));
        for bad in [
            "",
            "null",
            "{}",
            r#"{"token":"","name":"alice","ack":1}"#,
            r#"{"token":"t","name":"","ack":1}"#,
            r#"{"token":"t","name":"alice","ack":-1}"#,
            r#"{"token":"t","name":"alice"}"#,
            r#"{"token":"t","name":"alice","ack":1,"room":"a b"}"#,
            r#"{"token":"t","name":"alice","ack":1,"room":7}"#,
        ] {
            assert_eq!(StoredSession::from_json(bad), None, "{bad}");
        }
    }
}
