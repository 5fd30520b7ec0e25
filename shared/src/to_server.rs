//! Messages a client sends to the server.
//!
//! Fields the server overwrites or ignores (`name` on relays, `id`, `date`) are optional so that
//! MDN's client, which omits some of them, parses. Unknown fields are ignored (browsers and other
//! clients add their own); missing or mistyped required fields are an error.

use serde::{Deserialize, Serialize};

use crate::payload::{Feature, HangUpReason, IceCandidate, SessionDescription};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToServer {
    /// Log in (or change name) as `name`. `id` must be the one the server assigned, if present.
    #[serde(rename = "username")]
    Username {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<u64>,
        /// Extension: features this client understands.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        features: Vec<Feature>,
        /// Extension (rooms): the room's passcode. Checked when the room has one; sets it when
        /// this login creates the room. Ignored in the public lobby.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        passcode: Option<String>,
        /// Extension (rooms): most people logged in to the room at once, when this login
        /// creates it (`limits::ROOM_CAPACITY`); ignored otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
    },
    /// Chat: to everyone, or only to `target` (extension) when given.
    #[serde(rename = "message")]
    Message {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    #[serde(rename = "video-offer")]
    VideoOffer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        target: String,
        sdp: SessionDescription,
    },
    #[serde(rename = "video-answer")]
    VideoAnswer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        target: String,
        sdp: SessionDescription,
    },
    #[serde(rename = "new-ice-candidate")]
    NewIceCandidate {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        target: String,
        candidate: IceCandidate,
    },
    /// MDN's client sends `"target": null`; the server then delivers it to the sender's call
    /// partner. `reason` is an extension.
    #[serde(rename = "hang-up")]
    HangUp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default)]
        target: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<HangUpReason>,
    },
    /// Extension: ask for fresh ICE servers (TURN credentials expire).
    #[serde(rename = "get-ice-servers")]
    GetIceServers,
    /// Extension (feature `resume`): instead of `username`, take back the session that `token`
    /// was issued for. `ack` is how many numbered frames of that session the client received;
    /// `fresh`: this is a new page (a reload), whose calls start over with new peer connections.
    #[serde(rename = "resume")]
    Resume {
        token: String,
        #[serde(default)]
        ack: u64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fresh: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        features: Vec<Feature>,
    },
    /// Extension (feature `resume`), from `pagehide`: the page is going away (closed, or being
    /// reloaded). The server keeps the session only for the short leave window.
    #[serde(rename = "leaving")]
    Leaving,
    /// Extension (feature `heartbeat`): "I am here"; answered with `pong`. `ack` (feature
    /// `resume`): how many numbered frames the client has received so far.
    #[serde(rename = "ping")]
    Ping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ack: Option<u64>,
    },
    /// Extension (feature `media-state`): what the sender sends its call partner `target` right
    /// now: microphone on (`audio`), camera on (`video`), a screen in place of the camera
    /// (`screen`). Relayed only between the two ends of a call, only to a `media-state` client.
    #[serde(rename = "media-state")]
    MediaState {
        target: String,
        audio: bool,
        video: bool,
        screen: bool,
    },
    /// Extension (feature `group-call`): join the room's group call (starting it if nobody is
    /// in it).
    #[serde(rename = "group-join")]
    GroupJoin,
    /// Extension (feature `group-call`): leave the room's group call.
    #[serde(rename = "group-leave")]
    GroupLeave,
    /// Extension (feature `group-call`): perfect-negotiation signaling for the peer connection
    /// between the sender and `target`, both in the room's group call: a description (`sdp`)
    /// or a trickled candidate (`candidate`, `null` for the end of candidates is not sent).
    #[serde(rename = "group-signal")]
    GroupSignal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp: Option<SessionDescription>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        candidate: Option<IceCandidate>,
    },
}

impl ToServer {
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
