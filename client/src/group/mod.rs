//! Group calls (issue 13): a mesh of up to four people in a room, one peer connection per pair,
//! as plain Rust (no web-sys, host-tested).
//!
//! - [`mesh`]: the [`Mesh`](mesh::Mesh) machine: the members from `group-call` frames, which
//!   pairs to open and close, who offers first (the later joiner) and who is polite (the name
//!   that sorts first), each pair's perfect negotiation (the 1:1 call's
//!   [`Negotiation`](crate::call::machine::Negotiation), reused), what each member says it
//!   sends (`media-state`), each pair's quality level, and leaving.
//! - [`speaker`]: the active speaker from received audio energy, with hysteresis.
//! - this file: the bandwidth policy ([`caps`]), the view the page draws ([`GroupView`]) and
//!   its words.
//!
//! The browser side is `crate::call::driver::group` (wasm only); the tiles are drawn by
//! `crate::components::group_call`.

pub mod mesh;
pub mod speaker;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

use crate::call::PeerMedia;
use crate::call::quality::Level;

/// Total video upstream of a mesh, at most (bit/s): with audio, four people (three peers)
/// fit a 2.5 Mbit/s uplink.
pub const TOTAL_VIDEO_BPS: u32 = 2_300_000;

/// What each video sender may send when we have `peers` others in the call: `maxBitrate`
/// (bit/s) and `scaleResolutionDownBy`. `None` without peers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Caps {
    pub max_bitrate: u32,
    pub scale_down: f64,
    pub peers: usize,
}

/// The bandwidth policy: one peer 1.5 Mbit/s at full size, two 1.0 Mbit/s each at ÷1.5, three
/// 0.75 Mbit/s each at ÷2 (so `peers × max_bitrate` ≤ [`TOTAL_VIDEO_BPS`]).
pub fn caps(peers: usize) -> Option<Caps> {
    let (max_bitrate, scale_down) = match peers {
        0 => return None,
        1 => (1_500_000, 1.0),
        2 => (1_000_000, 1.5),
        _ => (750_000, 2.0),
    };
    Some(Caps {
        max_bitrate,
        scale_down,
        peers,
    })
}

/// The quality details' line: "Sending up to 750 kbit/s to each of 3 people".
pub fn caps_sentence(caps: &Caps) -> String {
    let kbit = caps.max_bitrate / 1000;
    if caps.peers == 1 {
        format!("Sending up to {kbit} kbit/s to 1 person")
    } else {
        format!(
            "Sending up to {kbit} kbit/s to each of {} people",
            caps.peers
        )
    }
}

/// One other member as the page shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub name: String,
    /// What they say they send (`media-state`).
    pub media: PeerMedia,
    /// From this pair's `getStats()`, once two readings exist.
    pub level: Option<Level>,
}

/// Why joining did not work (the server's refusal), until the next try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupNotice {
    /// `call-full`: "The call is full".
    Full,
    /// `in-call`: we are in a one-to-one call.
    InCall,
}

/// Everything the page needs to draw the group call, except the media streams.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// Our own name (for our own tile).
    pub me: String,
    /// The room's group call as the server last listed it, in join order (we may not be in it).
    pub members: Vec<String>,
    /// We joined (or asked to): the tiles are shown.
    pub joined: bool,
    /// The other members we have a pair with, in join order.
    pub tiles: Vec<Tile>,
    pub mic_enabled: bool,
    pub camera_enabled: bool,
    /// The active speaker (one of the tiles), if anyone speaks.
    pub speaker: Option<String>,
    /// What each video sender is capped at now.
    pub caps: Option<Caps>,
    pub notice: Option<GroupNotice>,
}

impl Default for GroupView {
    fn default() -> Self {
        Self {
            me: String::new(),
            members: Vec::new(),
            joined: false,
            tiles: Vec::new(),
            mic_enabled: true,
            camera_enabled: true,
            speaker: None,
            caps: None,
            notice: None,
        }
    }
}

impl GroupView {
    /// People in the call, us included once we joined (`data-count`).
    pub fn count(&self) -> usize {
        self.tiles.len() + usize::from(self.joined)
    }
}
