//! The wire contract between the browser client and the signaling server.
//!
//! The protocol is the JSON one of MDN's "Signaling and video calling" guide (its
//! webrtc-from-chat sample): every frame is a JSON text message with a `type` field.
//! Our extensions are additive (optional fields, new types that MDN's client ignores) and are
//! described with their exact JSON in `docs/PROTOCOL.md`.
//!
//! Layout, named by direction as in matchbox:
//! - [`to_server`]: what a client sends ([`ToServer`]).
//! - [`from_server`]: what the server sends ([`FromServer`]).
//! - [`payload`]: the pieces both directions carry (session descriptions, ICE candidates, …).
//! - [`name`]: the user-name rules, shared so the page validates exactly as the server does.
//! - [`room`]: room names (issue 13), shared so the page checks links as the server does.
//! - [`limits`]: the documented protocol limits.

pub mod from_server;
pub mod limits;
pub mod name;
pub mod payload;
pub mod room;
pub mod to_server;

pub use from_server::{ErrorCode, FromServer};
pub use name::{NameError, NameKey, UserName};
pub use payload::{
    Feature, HangUpReason, IceCandidate, IceServer, Presence, SdpType, SessionDescription,
};
pub use room::{RoomError, RoomName};
pub use to_server::ToServer;
