//! Messages the server sends to clients.
//!
//! On relayed messages `name` is always the sender's real, server-known name, never what the
//! sender wrote.

use serde::{Deserialize, Serialize};

use crate::payload::{HangUpReason, IceCandidate, IceServer, Presence, SessionDescription};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromServer {
    /// First frame after connecting: the connection's id.
    #[serde(rename = "id")]
    Id { id: u64 },
    /// The name asked for was taken: `name` is the one actually given.
    #[serde(rename = "rejectusername")]
    RejectUsername { id: u64, name: String },
    /// Everyone logged in, in login order.
    #[serde(rename = "userlist")]
    UserList { users: Vec<String> },
    /// Extension (feature `userlist-delta`): changes since the last list this client got.
    /// Apply each frame in order: remove every name in `left`, then append `joined`. A large
    /// list arrives as a `userlist` with the first names followed by deltas appending the rest.
    #[serde(rename = "userlist-delta")]
    UserListDelta {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        joined: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        left: Vec<String>,
    },
    /// Chat. `target` is present on private messages (extension).
    #[serde(rename = "message")]
    Message {
        id: u64,
        name: String,
        text: String,
        date: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    #[serde(rename = "video-offer")]
    VideoOffer {
        name: String,
        target: String,
        sdp: SessionDescription,
    },
    #[serde(rename = "video-answer")]
    VideoAnswer {
        name: String,
        target: String,
        sdp: SessionDescription,
    },
    #[serde(rename = "new-ice-candidate")]
    NewIceCandidate {
        name: String,
        target: String,
        candidate: IceCandidate,
    },
    #[serde(rename = "hang-up")]
    HangUp {
        name: String,
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<HangUpReason>,
    },
    /// Extension (feature `ice-servers`): the ICE servers to use; TURN credentials in it stop
    /// working at `expires` (Unix seconds).
    #[serde(rename = "ice-servers")]
    IceServers {
        #[serde(rename = "iceServers")]
        ice_servers: Vec<IceServer>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<u64>,
    },
    /// Extension: the last frame from this client was refused. Nothing was relayed; the session
    /// goes on unless the code says it was closed.
    #[serde(rename = "error")]
    Error { code: ErrorCode, message: String },
    /// Extension (feature `resume`), right after a login: the token to resume this session
    /// with, and the grace window in seconds. Frames after this one are numbered 1, 2, 3, ….
    #[serde(rename = "session")]
    Session { token: String, grace: u64 },
    /// Extension (feature `resume`): the session is back on this socket. `token` replaces the
    /// used one; `ack` is where the frame count stands (the client's own `ack`, or 0 after a
    /// server restart, when numbering starts again); `partner` is who the server has this
    /// client in a call with. The frames the client missed follow, in order, with their
    /// numbers (after a restart: a full `userlist` instead).
    #[serde(rename = "resumed")]
    Resumed {
        name: String,
        token: String,
        grace: u64,
        ack: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partner: Option<String>,
    },
    /// Extension (feature `heartbeat`): the answer to `ping`.
    #[serde(rename = "pong")]
    Pong,
    /// Extension (feature `resume`): `name` lost its socket and may come back within the grace
    /// window (`reconnecting`), or is back (`online`). A user who does not come back leaves as
    /// usual (a `userlist` change, and `hang-up` with reason `left` to its call partner).
    /// `fresh` (with `online`): the user came back from a new page (a reload), so a call with
    /// them starts over with a new peer connection, offered by them.
    #[serde(rename = "user-state")]
    UserState {
        name: String,
        state: Presence,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh: bool,
    },
    /// Extension (feature `media-state`): the call partner `name` changed what it sends (or
    /// says it again): microphone on (`audio`), camera on (`video`), sharing a screen
    /// (`screen`). Only clients that announced `media-state` get it.
    #[serde(rename = "media-state")]
    MediaState {
        name: String,
        target: String,
        audio: bool,
        video: bool,
        screen: bool,
    },
    /// Extension (feature `group-call`): who is in the room's group call, in the order they
    /// joined (empty: no group call). Sent to every `group-call` client of the room after its
    /// login and whenever the list changes.
    #[serde(rename = "group-call")]
    GroupCall { members: Vec<String> },
    /// Extension (feature `group-call`): signaling from `name` for the peer connection between
    /// `name` and `target` in the room's group call (see `ToServer::GroupSignal`).
    #[serde(rename = "group-signal")]
    GroupSignal {
        name: String,
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp: Option<SessionDescription>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        candidate: Option<IceCandidate>,
    },
}

/// Machine-readable error codes of the `error` frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// Not JSON, or no `type`, or fields missing or of the wrong type.
    BadMessage,
    /// A `type` this server does not know.
    UnknownType,
    /// A `type` only the server may send (`id`, `rejectusername`, `userlist`, …).
    ServerOnlyType,
    /// Binary frames are not part of the protocol.
    BinaryFrame,
    /// The frame is larger than the limit; the connection is closed.
    TooLarge,
    /// Anything but `username` before logging in.
    NotLoggedIn,
    /// The name breaks the name rules.
    BadName,
    /// An `id` that is not this connection's.
    BadId,
    /// Chat text over the limit.
    TextTooLong,
    /// The `target` is not logged in.
    UnknownTarget,
    /// A relay to oneself.
    SelfTarget,
    /// Too many frames too fast; this one was dropped.
    RateLimited,
    /// No login before the deadline; the connection is closed.
    LoginTimeout,
    /// A `hang-up` with no target from a client that is in no call; or a `video-answer`,
    /// `new-ice-candidate` or `hang-up` to someone the sender is neither in a call nor at the
    /// ends of an open offer with (an answer needs an open offer from its target). It reached
    /// nobody.
    NotInCall,
    /// A `video-offer` to someone who declined the sender's call moments ago (the cool-down,
    /// 30 s by default); it reached nobody.
    RecentlyDeclined,
    /// `resume` with a token that is unknown, already used, expired, or whose session could not
    /// keep what was sent to it; the client logs in afresh with `username`.
    ResumeFailed,
    /// Chat lines faster than the chat rate (its own, lower limit: 2 lines/s, bursts of 10 by
    /// default); this line reached nobody. Other frames are unaffected.
    ChatRateLimited,
    /// The server's fan-out budget for chat (bytes written per second across all senders) is
    /// spent; this line reached nobody. Try again in a moment.
    ServerBusy,
    /// Rooms: not a room name. Kept for clients; our server refuses a bad `/ws?room=` with HTTP
    /// 400 before the upgrade, so it never sends this code.
    BadRoom,
    /// Rooms: the room has as many people as its capacity; the login was refused.
    RoomFull,
    /// Rooms: the room has a passcode and the login sent none; the client may try again.
    PasscodeRequired,
    /// Rooms: the login's passcode is wrong; the client may try again (a few times).
    BadPasscode,
    /// Group call: `group-join` while the group call has `limits::GROUP_CALL_MAX` people.
    CallFull,
    /// Group call: `group-join` from someone in a one-to-one call (or ringing), or a
    /// `video-offer` from someone in the group call.
    InCall,
}

impl FromServer {
    /// Parses one text frame.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The frame's JSON text.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        serde_json::to_string(self).unwrap_or_default()
    }
}
