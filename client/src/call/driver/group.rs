//! The browser driver of the group call (issue 13): [`GroupDriver`], the page's handle, and
//! the message loop that owns the [`Mesh`](crate::group::mesh::Mesh) and one [`Peer`](super::peer::Peer)
//! per other member (`group/core.rs`).
//!
//! It reuses the 1:1 call's browser pieces as they are: `Peer` (one `RTCPeerConnection` and its
//! listeners), its negotiation effects (`peer_run`), the promise tasks, `getUserMedia` and the
//! ICE servers. Those post the 1:1 [`Msg`]s to an [`Inbox`] of this loop's own; the page's
//! commands and frames and the stats tick come on the same queue (`Msg::Group`,
//! `Msg::IceServers`, `Msg::GroupTick`, `Msg::Close`), one message at a time.
//!
//! Everything is RAII, as in the 1:1 driver: dropping the last handle stops the loop, which
//! leaves the call (telling the server), closes every pair and stops the tracks.

mod core;

use std::rc::Rc;

use futures::StreamExt;
use gloo_timers::callback::Interval;
use shared::{FromServer, ToServer};
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;
use yew::Callback;

use self::core::GroupCore;
use super::inbox::{self, Inbox, Msg};
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

/// A handle on the group call; clones share it, equality is identity.
#[derive(Clone)]
pub struct GroupDriver {
    tx: Inbox,
    closer: Rc<CloseOnDrop>,
}

impl PartialEq for GroupDriver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.closer, &other.closer)
    }
}

struct CloseOnDrop(Inbox);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.post(Msg::Close);
    }
}

impl GroupDriver {
    /// Starts the group call layer: `send` sends on the WebSocket, `on_update` gets the view
    /// and the streams after every batch of messages (the page keeps it with `use_state_eq`).
    pub fn new(send: Callback<ToServer>, on_update: Callback<GroupUpdate>) -> Self {
        let (tx, mut queue) = inbox::channel();
        let ticker = tx.clone();
        // Dropped with the loop (it owns it).
        let tick = Interval::new(STATS_EVERY_MS, move || ticker.post(Msg::GroupTick));
        let posted = tx.clone();
        let post = Callback::from(move |input| posted.post(Msg::Group(input)));
        let core = GroupCore::new(tx.clone(), send, post);
        spawn_local(async move {
            let _tick = tick;
            let mut core = core;
            while let Some(msg) = queue.next().await {
                let mut next = Some(msg);
                while let Some(msg) = next {
                    match msg {
                        Msg::Group(input) => core.handle(input),
                        Msg::IceServers { servers, .. } => core.set_ice_servers(servers),
                        Msg::GroupTick => core.read_stats(),
                        Msg::Close => return,
                        msg => core.peer_msg(msg),
                    }
                    next = queue.try_recv().ok();
                }
                // The page keeps it with `use_state_eq`: an unchanged update draws nothing.
                on_update.emit(core.update());
            }
        });
        Self {
            closer: Rc::new(CloseOnDrop(tx.clone())),
            tx,
        }
    }

    fn input(&self, input: GroupInput) {
        self.tx.post(Msg::Group(input));
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
                self.tx.post(Msg::IceServers {
                    servers: ice_servers.clone(),
                    expires: None,
                });
            }
            FromServer::GroupCall { .. }
            | FromServer::GroupSignal { .. }
            | FromServer::MediaState { .. }
            | FromServer::Error { .. } => self.input(GroupInput::Server(frame.clone())),
            _ => {}
        }
    }
}
