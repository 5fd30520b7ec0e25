//! The call: everything between "call Alice" and "back in the lobby".
//!
//! - [`machine`]: the call as a pure state machine (`handle(input) -> effects`), no web-sys,
//!   unit-tested on the host. It owns every decision: phases, ringing, busy/decline/cancel,
//!   perfect negotiation (polite/impolite, makingOffer, ignoreOffer, rollback), candidate
//!   queueing, ICE restarts and giving up, a call that outlives its signaling and comes back
//!   after a partner's or our own reload, what to tell the other side and the person.
//! - [`notice`]: what the person is told when a call ends without their doing, as facts
//!   ([`CallNotice`], [`MediaError`]); `crate::text` words them.
//! - [`devices`]: choosing cameras, microphones and speakers (pure; the browser side is in
//!   the driver).

//! - [`link`]: chat and files inside the call over its data channel (pure, host-tested).
//! - [`ice`]: when to refresh TURN credentials and the `?relay=1` switch (pure, host-tested).
//! - [`quality`]: `getStats()` readings to figures, a quality level and a sentence (pure).
//! - [`ring`]: what a ringing call sets off (ringtone, notification, flashing title) and
//!   [`sas`]: the six digits that prove who you talk to (both pure, host-tested).
//! - `driver` (wasm only): the one owner of the browser objects (RTCPeerConnection, the local
//!   MediaStream, listeners), as one message loop: browser events become messages, and one
//!   task feeds them to the machine one at a time and executes its effects.
//!
//! This file is the interface the UI uses: [`CallCommand`] in, [`CallView`] out (plus the media
//! streams, which only exist in the browser, see `driver::CallUpdate`).

use std::collections::BTreeSet;

pub mod devices;
#[cfg(target_arch = "wasm32")]
pub mod driver;
pub mod ice;
pub mod link;
pub mod machine;
pub mod notice;
pub mod peer_media;
pub mod quality;

pub mod ring;
pub mod sas;

pub use notice::{CallNotice, MediaError};
pub use peer_media::{MediaChange, PeerMedia};

/// What the person asks of the call (from buttons and the user list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallCommand {
    /// Call this user (ignored when not idle or when it is oneself).
    Call { peer: String },
    /// Accept the ringing incoming call.
    Accept,
    /// Refuse the ringing incoming call (sends `hang-up` with reason `declined`).
    Decline,
    /// Give up an outgoing call before it is answered (sends `hang-up`, reason `cancelled`).
    Cancel,
    /// End the call in progress.
    HangUp,
    /// Mute or unmute the microphone (the track stays, `enabled` flips).
    SetMicEnabled(bool),
    /// Turn the camera off or on (the track stays, `enabled` flips).
    SetCameraEnabled(bool),
    /// Share a screen in place of the camera (`getDisplayMedia`), or stop sharing it.
    ShareScreen(bool),
    /// Forget the last notice ("Alice declined") once the person dismissed it.
    DismissNotice,
    /// Block this user for the session: their offers are declined without ringing, and a call
    /// with them ends.
    Block { peer: String },
    /// Let this user call again.
    Unblock { peer: String },
    /// Send from this camera or microphone from now on (the track is replaced in place, no
    /// renegotiation); handled by the driver, not the machine (issue 12, devices).
    UseDevice {
        kind: devices::DeviceKind,
        id: String,
    },
}

/// Where the call is, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CallPhase {
    /// No call: the lobby.
    #[default]
    Idle,
    /// We called `peer` and wait for an answer ("Calling Alice…", Cancel).
    Calling { peer: String },
    /// `peer` calls us (Accept / Decline).
    Ringing { peer: String },
    /// Accepted; media and ICE are being set up.
    Connecting { peer: String },
    /// Media flows. `since_ms` is `Date.now()` when the call connected (for the duration).
    InCall { peer: String, since_ms: f64 },
    /// The media path broke and is being repaired (ICE restarts), or the call is being rebuilt
    /// on a new peer connection after a reload ("Reconnecting media…").
    Reconnecting { peer: String, since_ms: f64 },
}

impl CallPhase {
    /// The other person, when there is a call in any phase.
    pub fn peer(&self) -> Option<&str> {
        match self {
            CallPhase::Idle => None,
            CallPhase::Calling { peer }
            | CallPhase::Ringing { peer }
            | CallPhase::Connecting { peer }
            | CallPhase::InCall { peer, .. }
            | CallPhase::Reconnecting { peer, .. } => Some(peer),
        }
    }
}

/// Whether media goes straight between the peers or through a TURN relay (from the selected
/// candidate pair).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Direct,
    Relayed,
}

/// Everything the UI needs to draw the call, except the media streams.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub phase: CallPhase,
    pub mic_enabled: bool,
    pub camera_enabled: bool,
    pub route: Option<Route>,
    /// The partner's socket is away (the server keeps them through its grace window): the
    /// call goes on, the page says "bob is reconnecting…".
    pub peer_reconnecting: bool,
    /// The last thing that happened and was not the person's own doing (Alice declined, is
    /// busy, hung up, the camera was refused …), until dismissed. `crate::text::call_notice`
    /// words it.
    pub notice: Option<CallNotice>,
    /// The users blocked for the session (`CallCommand::Block`), kept across calls.
    pub blocked: BTreeSet<String>,
    /// We share a screen (asked for, or on the video sender).
    pub sharing_screen: bool,
    /// What the partner says it sends (`media-state`), and what last changed in it.
    pub peer_media: PeerMedia,
    pub peer_media_news: Vec<MediaChange>,

    /// The short authentication string of the call's DTLS certificates ([`sas`]), filled in by
    /// the driver once both descriptions are known (the machine leaves it `None`).
    pub sas: Option<String>,
}

impl Default for CallView {
    fn default() -> Self {
        Self {
            phase: CallPhase::Idle,
            mic_enabled: true,
            camera_enabled: true,
            route: None,
            peer_reconnecting: false,
            notice: None,
            blocked: BTreeSet::new(),
            sharing_screen: false,
            peer_media: PeerMedia::default(),
            peer_media_news: Vec::new(),

            sas: None,
        }
    }
}
