//! The driver's one queue: everything the loop hears arrives here as a [`Msg`], whether it
//! comes from the page (commands, server frames, a dropped socket), from the browser (peer
//! connection events, `pagehide`, timers) or from a promise the loop started (the camera
//! opening, `setLocalDescription` finishing, `getStats`).
//!
//! The channel is unbounded on purpose. Every producer is a synchronous browser callback on
//! the page's one thread, so it can neither wait for room nor drop an input the machine needs;
//! and the loop is woken in the microtask right after the callback returns, so the queue never
//! holds more than what one browser task produced. Queries carry their own `oneshot` answer.

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::channel::oneshot;
use shared::IceServer;
use web_sys::{MediaStream, MediaStreamTrack, RtcPeerConnection};

use crate::call::devices::DeviceKind;
use crate::call::machine::{CallId, Input, MediaError, PcId, PeerState, Timer};
use crate::error::ClientError;
use crate::group::mesh::GroupInput;

/// One thing for the loop to handle.
#[derive(Debug)]
pub enum Msg {
    /// An input the machine takes as it is (a command, a server frame, a peer connection
    /// event, a promise's outcome, `pagehide`).
    Input(Input),
    /// The ICE servers for the next peer connection; their credentials expire at `expires`
    /// (Unix seconds).
    IceServers {
        servers: Vec<IceServer>,
        expires: Option<u64>,
    },
    /// The ICE credentials are about to expire: ask the server for fresh ones.
    RefreshIceServers,
    /// The socket dropped: no refresh any more, and the call ends locally.
    SocketLost,
    /// A call timer went off; `generation` names the start it belongs to, so a timer that
    /// was cancelled or restarted after it fired is recognised as stale.
    TimerFired {
        timer: Timer,
        generation: u32,
    },
    /// `getUserMedia` for `call` finished.
    MediaOpened {
        call: CallId,
        result: Result<MediaStream, MediaError>,
    },
    /// Send from device `id` of `kind` from now on (`CallCommand::UseDevice`).
    UseDevice {
        kind: DeviceKind,
        id: String,
    },
    /// The device asked for by [`Msg::UseDevice`] opened (or failed).
    DeviceOpened {
        kind: DeviceKind,
        result: Result<MediaStreamTrack, ClientError>,
    },
    /// `getDisplayMedia` for `call` finished (issue 12: screen sharing).
    ScreenOpened {
        call: CallId,
        result: Result<MediaStream, String>,
    },
    /// A remote track arrived on peer connection `pc`.
    RemoteTrack {
        pc: PcId,
        track: MediaStreamTrack,
    },
    /// The short authentication string of peer connection `pc`, made from `transcript`.
    Sas {
        pc: PcId,
        transcript: String,
        code: String,
    },
    /// For tests: the current peer connection reports this state.
    SimulatePeerState(PeerState),
    /// A query: the current peer connection.
    PeerConnection(oneshot::Sender<Option<RtcPeerConnection>>),
    /// The group call's loop only (issue 13; it shares this queue with the pieces of the 1:1
    /// call it reuses): an input for its mesh, and its stats tick.
    Group(GroupInput),
    GroupTick,
    /// The last handle was dropped, or the page closed the call layer: tell the peer we left,
    /// release everything and stop.
    Close,
}

/// Where callbacks post their [`Msg`]s; cheap to clone.
#[derive(Debug, Clone)]
pub struct Inbox(UnboundedSender<Msg>);

impl Inbox {
    /// Posts `msg`; nothing happens once the loop has stopped (there is no call any more).
    pub fn post(&self, msg: Msg) {
        // The only failure is a stopped loop, which has nothing left to do with it.
        let _ = self.0.unbounded_send(msg);
    }

    /// Posts `msg`, or gives it back when the loop has stopped (so a stream in it can still
    /// be stopped by the sender).
    pub fn try_post(&self, msg: Msg) -> Result<(), Msg> {
        self.0.unbounded_send(msg).map_err(|e| e.into_inner())
    }
}

/// A new queue: the inbox for the callbacks and the receiving end for the loop.
pub fn channel() -> (Inbox, UnboundedReceiver<Msg>) {
    let (tx, rx) = mpsc::unbounded();
    (Inbox(tx), rx)
}
