//! What goes in and out of the call machine: [`Input`]s (commands, server frames, browser
//! results, timers), the [`Env`] snapshot handed over with each, and the [`Effect`]s the driver
//! carries out. Plain data, no browser types.

use shared::{FromServer, IceCandidate, SdpType, SessionDescription, ToServer};

use crate::call::notice::MediaError;
use crate::call::{CallCommand, Route};

/// Names one peer connection, so results from a closed one are recognised and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PcId(pub u32);

/// Names one call attempt (its media request), for the same reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallId(pub u32);

/// Our side of the call. The callee is the polite peer of perfect negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Caller,
    Callee,
}

/// `RTCPeerConnection.signalingState` as the driver read it for this input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Signaling {
    /// `stable`, or no peer connection at all.
    #[default]
    Stable,
    HaveLocalOffer,
    HaveRemoteOffer,
    /// `have-local-pranswer`, `have-remote-pranswer`, `closed`.
    Other,
}

/// The world as the driver sees it when it hands over an input.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Env {
    /// `Date.now()`.
    pub now_ms: f64,
    pub signaling: Signaling,
    /// The current peer connection's `connectionState` (`New` without one). An ICE restart
    /// on a path that never really broke brings no state change; this tells the machine the
    /// connection works once the restart's negotiation is over.
    pub connection: PeerState,
}

/// `RTCPeerConnection.connectionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeerState {
    #[default]
    New,
    Connecting,
    Connected,
    Disconnected,
    Failed,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    Audio,
    Video,
}

/// The timers a call uses; starting one that runs restarts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    Ring,
    Connect,
    /// The next ICE restart of a call being repaired.
    IceRestart,
    /// The end of a repair's budget (it only runs while signaling reaches the peer).
    GiveUp,
    RouteProbe,
}

impl Timer {
    pub const ALL: [Timer; 5] = [
        Timer::Ring,
        Timer::Connect,
        Timer::IceRestart,
        Timer::GiveUp,
        Timer::RouteProbe,
    ];
}

/// Everything that can happen to a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Our own name (after login, or as `rejectusername` gave it).
    SetMe(String),
    Command(CallCommand),
    /// Any frame from the server; the machine picks what concerns calls.
    Server(FromServer),
    /// The session is gone (its socket dropped and it cannot be resumed): the call ends.
    SocketLost,
    /// The session can be resumed (`true`): a `pagehide` then tells the peer nothing (the page
    /// sends `leaving`; a reload comes back). `false`: as an old server needs.
    SetResumable(bool),
    /// The socket dropped but the session will be resumed: the call and its media go on, what
    /// needs the peer's answer (an ICE restart) waits.
    SignalingDown,
    /// The session is back (resumed, or a new login).
    SignalingUp,
    /// This page is a reload that resumes a session: a `resumed` naming a partner brings the
    /// call back, this side offering on a new peer connection.
    FreshPage,
    /// The page is going away (`pagehide`).
    PageHide,
    /// `getUserMedia` for this call succeeded (the driver keeps the stream).
    MediaReady {
        call: CallId,
    },
    MediaFailed {
        call: CallId,
        error: MediaError,
    },
    /// The screen of `call` is on the video sender (`on`), or its share ended: the browser's
    /// own "Stop sharing" (the track's `ended`), or `getDisplayMedia` refused or cancelled.
    ScreenShare {
        call: CallId,
        on: bool,
    },
    NegotiationNeeded {
        pc: PcId,
    },
    /// `setLocalDescription()` finished; `sdp` is the resulting `localDescription`.
    LocalDescriptionSet {
        pc: PcId,
        sdp: SessionDescription,
    },
    LocalDescriptionFailed {
        pc: PcId,
        error: String,
    },
    RemoteDescriptionSet {
        pc: PcId,
        kind: SdpType,
    },
    RemoteDescriptionFailed {
        pc: PcId,
        error: String,
    },
    /// `icecandidate`: `None` when gathering is complete.
    LocalCandidate {
        pc: PcId,
        candidate: Option<IceCandidate>,
    },
    /// `icecandidateerror` (e.g. 401 from a TURN server that refused the credentials).
    CandidateError {
        pc: PcId,
        code: u16,
        url: String,
    },
    ConnectionState {
        pc: PcId,
        state: PeerState,
    },
    TimerFired(Timer),
    /// What the selected candidate pair says, `None` when not known yet.
    RouteProbed {
        pc: PcId,
        route: Option<Route>,
    },
}

impl Input {
    /// The peer connection a peer event or result belongs to (`None` for other inputs), so that
    /// a late event of a closed or replaced connection can be dropped.
    pub fn peer_connection(&self) -> Option<PcId> {
        match self {
            Input::NegotiationNeeded { pc }
            | Input::LocalDescriptionSet { pc, .. }
            | Input::LocalDescriptionFailed { pc, .. }
            | Input::RemoteDescriptionSet { pc, .. }
            | Input::RemoteDescriptionFailed { pc, .. }
            | Input::LocalCandidate { pc, .. }
            | Input::CandidateError { pc, .. }
            | Input::ConnectionState { pc, .. }
            | Input::RouteProbed { pc, .. } => Some(*pc),
            _ => None,
        }
    }
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send(ToServer),
    /// Create the peer connection `pc` (closing any other). A caller's gets `sendrecv` audio and
    /// video transceivers at once; a callee's gets its transceivers from the offer.
    CreatePeer {
        pc: PcId,
        role: Role,
    },
    /// Close the peer connection and forget its remote stream and listeners.
    ClosePeer,
    /// Start `getUserMedia` (audio and video) for this call.
    AcquireMedia {
        call: CallId,
    },
    /// Stop every local track and forget the stream (a shared screen's too).
    ReleaseMedia,
    /// Start `getDisplayMedia` for this call; its video track replaces the camera's on the
    /// video sender (`replaceTrack`, no renegotiation) and is the local preview.
    StartScreenShare {
        call: CallId,
    },
    /// Stop the shared screen (if any) and put the camera's track back on the video sender
    /// (as it is: a camera that was off stays off).
    StopScreenShare,
    /// Put the local tracks on the senders of the matching kind (`replaceTrack`).
    AttachMedia,
    /// Switch every audio/video transceiver to `sendrecv` (before answering an offer that
    /// created them as `recvonly`).
    EnableSending,
    /// `setLocalDescription()` without arguments: the offer or the answer the state calls for.
    SetLocalDescription,
    /// `setLocalDescription({type: "rollback"})`.
    Rollback,
    SetRemoteDescription(SessionDescription),
    AddIceCandidate(IceCandidate),
    SetTrackEnabled {
        kind: TrackKind,
        enabled: bool,
    },
    StartTimer {
        timer: Timer,
        ms: u32,
    },
    CancelTimer(Timer),
    /// Read `getStats()` for the selected candidate pair and report [`Input::RouteProbed`].
    ProbeRoute,
    /// `restartIce()`: new ICE credentials on the next offer (`negotiationneeded` follows), so
    /// a call whose network changed can find a new path.
    RestartIce,
}
