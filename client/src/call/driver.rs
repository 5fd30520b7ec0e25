//! The browser driver of the call: the one owner of the browser objects of a call, as one
//! message loop.
//!
//! - `handle`: [`CallDriver`], the page's cloneable handle; it only posts messages.
//! - `inbox`: the one queue every input goes through (`Msg`).
//! - `event_loop`: the `spawn_local` task that handles one message at a time and publishes
//!   [`CallUpdate`]s to the UI.
//! - `effects`: what the loop owns by value (the [`Machine`](super::machine::Machine), the
//!   peer connection, the local stream, timers, ICE servers) and how each effect is carried out.
//! - `tasks`: promises the loop starts (camera, descriptions, `getStats`), which post their
//!   outcome back.
//! - `channel`, `channel_io`: the call's data channel and the chat-and-files loop on it.
//! - `peer` (one `RTCPeerConnection` and its listeners), `media` (`getUserMedia`),
//!   `outgoing` (a shared screen in place of the camera, `replaceTrack`),
//!   `stats` (the route of the selected pair), `timers`, `ice_servers`, `js` (reading
//!   JS objects), `quality_stats` (the reading behind the quality indicator), `sas` (the short
//!   authentication string of the peer connection).
//! - `group`: the group call's driver (issue 13), reusing `peer`, `peer_run` (the
//!   negotiation effects both drivers carry out), `tasks`, `media` and `ice_servers`.
//! - `devices` (listing devices, the stored choices, `setSinkId`; also used by the pickers)
//!   and `switch` (a new camera or microphone mid-call through `replaceTrack`).
//!
//! The page tells the driver about its session as well as its frames: `set_resumable`,
//! `signaling_down` / `signaling_up` (a socket that will be resumed: the call goes on),
//! `socket_lost` (the session is gone: the call ends) and `set_fresh_page` (a reload: the
//! call is rebuilt when `resumed` names a partner).
//!
//! Browser callbacks never touch the call: they post a message. So nothing re-enters the
//! loop, and no state is shared. Everything is RAII: when the last handle is dropped the loop
//! stops, the peer is told we left (if in a call), the tracks are stopped, the connection is
//! closed, listeners and timers are dropped. Promises still pending then find the queue closed.

pub mod channel;
mod channel_io;
pub mod devices;
mod effects;
mod event_loop;
pub mod group;
mod handle;
mod ice_servers;
mod inbox;
mod js;
mod media;
mod outgoing;
mod peer;
mod peer_run;
mod quality_stats;
mod sas;
mod stats;
mod switch;
mod tasks;
mod timers;

pub use event_loop::CallUpdate;
pub use group::{GroupDriver, GroupUpdate};
pub use handle::CallDriver;
