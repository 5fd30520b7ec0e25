//! The browser driver of the group call (issue 13): [`GroupDriver`], the page's handle, and
//! the message loop that owns the [`Mesh`](crate::group::mesh::Mesh) and one [`Peer`](super::peer::Peer)
//! per other member (`group/core.rs`).
//!
//! It reuses the 1:1 call's browser pieces as they are: `Peer` (one `RTCPeerConnection` and its
//! listeners), its negotiation effects (`peer_run`), the promise tasks, `getUserMedia` and the
//! ICE servers. Those post the 1:1 [`Msg`]s to an [`Inbox`] of this loop's own; the page's
//! commands and frames come on a second queue; the loop takes one message at a time from both.
//!
//! Everything is RAII, as in the 1:1 driver: dropping the last handle stops the loop, which
//! leaves the call (telling the server), closes every pair and stops the tracks.

mod core;

use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{self, UnboundedSender};
use gloo_timers::callback::Interval;
use shared::{FromServer, ToServer};
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;
use yew::Callback;

use self::core::GroupCore;
use super::inbox::{self, Msg};
use crate::group::GroupView;
use crate::group::mesh::GroupInput;

/// How often each pair's stats are read (quality level, audio energy for the speaker).
const STATS_EVERY_MS: u32 = 1000;

/// What the page draws: the view plus the streams (our preview, each member's by name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupUpdate {
    pub view: GroupView,
    pub local: Option<MediaStream>,
    pub remotes: Vec<(String, MediaStream)>,
}

/// What the page and timers post to the loop.
enum Cmd {
    Input(GroupInput),
    IceServers(Vec<shared::IceServer>),
    /// Read every pair's stats.
    Tick,
    /// One of the 1:1 driver's messages from a peer, a promise or the camera.
    Peer(Msg),
    Close,
}

/// A handle on the group call; clones share it, equality is identity.
#[derive(Clone)]
pub struct GroupDriver {
    tx: UnboundedSender<Cmd>,
    closer: Rc<CloseOnDrop>,
}

impl PartialEq for GroupDriver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.closer, &other.closer)
    }
}

struct CloseOnDrop(UnboundedSender<Cmd>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        // The only failure is a loop that stopped already.
        let _ = self.0.unbounded_send(Cmd::Close);
    }
}

impl GroupDriver {
    /// Starts the group call layer: `send` sends on the WebSocket, `on_update` gets the view
    /// and the streams after every change.
    pub fn new(send: Callback<ToServer>, on_update: Callback<GroupUpdate>) -> Self {
        let (tx, commands) = mpsc::unbounded();
        let (inbox, peers) = inbox::channel();
        let ticker = tx.clone();
        // Dropped with the loop (it owns it).
        let tick = Interval::new(STATS_EVERY_MS, move || {
            let _ = ticker.unbounded_send(Cmd::Tick);
        });
        let posted = tx.clone();
        let post = Callback::from(move |input| {
            let _ = posted.unbounded_send(Cmd::Input(input));
        });
        let core = GroupCore::new(inbox, send, post);
        let mut queue = futures::stream::select(commands, peers.map(Cmd::Peer));
        spawn_local(async move {
            let _tick = tick;
            let mut core = core;
            let mut last = None;
            while let Some(cmd) = queue.next().await {
                let mut next = Some(cmd);
                while let Some(cmd) = next {
                    match cmd {
                        Cmd::Input(input) => core.handle(input),
                        Cmd::IceServers(servers) => core.set_ice_servers(servers),
                        Cmd::Tick => core.read_stats(),
                        Cmd::Peer(msg) => core.peer_msg(msg),
                        Cmd::Close => return,
                    }
                    next = futures::FutureExt::now_or_never(queue.next()).flatten();
                }
                let update = core.update();
                if last.as_ref() != Some(&update) {
                    last = Some(update.clone());
                    on_update.emit(update);
                }
            }
        });
        Self {
            closer: Rc::new(CloseOnDrop(tx.clone())),
            tx,
        }
    }

    fn input(&self, input: GroupInput) {
        let _ = self.tx.unbounded_send(Cmd::Input(input));
    }

    pub fn set_me(&self, name: &str) {
        self.input(GroupInput::SetMe(name.to_owned()));
    }

    pub fn join(&self) {
        self.input(GroupInput::Join);
    }

    pub fn leave(&self) {
        self.input(GroupInput::Leave);
    }

    pub fn set_mic(&self, on: bool) {
        self.input(GroupInput::SetMic(on));
    }

    pub fn set_camera(&self, on: bool) {
        self.input(GroupInput::SetCamera(on));
    }

    /// The session is gone: the call ends here.
    pub fn socket_lost(&self) {
        self.input(GroupInput::SocketLost);
    }

    /// Every frame from the server (the group call picks its own; a 1:1 offer while in the
    /// group call is answered busy by the page, see `AppState::in_group_call`).
    pub fn on_server_message(&self, frame: &FromServer) {
        match frame {
            FromServer::IceServers { ice_servers, .. } => {
                let _ = self.tx.unbounded_send(Cmd::IceServers(ice_servers.clone()));
            }
            FromServer::GroupCall { .. }
            | FromServer::GroupSignal { .. }
            | FromServer::MediaState { .. }
            | FromServer::Error { .. } => self.input(GroupInput::Server(frame.clone())),
            _ => {}
        }
    }
}
