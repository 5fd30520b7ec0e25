//! Pieces carried inside messages in both directions: session descriptions and ICE candidates
//! (the browser's own JSON shapes), ICE server entries, hang-up reasons and client features.

use serde::{Deserialize, Serialize};

/// `RTCSessionDescriptionInit` as the browser serialises it: `{"type":"offer","sdp":"v=0…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDescription {
    #[serde(rename = "type")]
    pub kind: SdpType,
    #[serde(default)]
    pub sdp: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SdpType {
    Offer,
    Answer,
    Pranswer,
    Rollback,
}

/// `RTCIceCandidateInit` as `RTCIceCandidate.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    pub candidate: String,
    #[serde(default)]
    pub sdp_mid: Option<String>,
    #[serde(default, rename = "sdpMLineIndex")]
    pub sdp_m_line_index: Option<u16>,
    #[serde(default)]
    pub username_fragment: Option<String>,
}

/// Extension: why a call ended, sent as the optional `reason` of `hang-up`.
/// MDN's client sends none and ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HangUpReason {
    /// A normal end of a call by the person who hung up.
    Ended,
    /// The caller gave up before the callee answered.
    Cancelled,
    /// The callee refused the call.
    Declined,
    /// The callee is already in another call.
    Busy,
    /// Camera or microphone could not be used on the sender's side.
    MediaError,
    /// The connection failed (ICE failed or did not recover).
    ConnectionFailed,
    /// The sender left: its page closed or its socket dropped (the server sends this one).
    Left,
}

/// Extension: one entry of `RTCConfiguration.iceServers`, handed out by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Extension: what a client says it understands, in the optional `features` of `username`.
/// Unknown feature names are ignored, so newer clients work with older servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// After the first full `userlist`, send `userlist-delta` frames instead of full lists.
    UserlistDelta,
    /// The client renders chat text and names as text: send them raw, not HTML-escaped.
    PlainText,
    /// Send the `ice-servers` frame after login (and on `get-ice-servers`).
    IceServers,
    /// The client can resume its session after losing its socket: the server sends `session`
    /// (a resume token) after login, numbers the frames it sends from then on, keeps the ones
    /// not yet acknowledged, keeps the client's name and call through a grace window, and sends
    /// `user-state` frames about others who are reconnecting.
    Resume,
    /// The client sends `ping` at least every few seconds and the server answers `pong`; the
    /// server treats a client silent for longer than its heartbeat deadline as gone.
    Heartbeat,
    /// The client shows its call partner's microphone, camera and screen sharing: it may get
    /// `media-state` frames from the partner of a call it is in.
    MediaState,
    /// The client takes part in group calls: it gets `group-call` and `group-signal` frames,
    /// and `media-state` frames from the members of its room's group call.
    GroupCall,
    /// Any feature name this version does not know.
    #[serde(other)]
    Unknown,
}

/// Extension (feature `resume`): whether a logged-in user is connected right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// Connected (again).
    Online,
    /// The user's socket dropped; the server keeps their name and call through the grace window.
    Reconnecting,
}
