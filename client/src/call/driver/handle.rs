//! [`CallDriver`], the page's handle on the call: a cheap, cloneable sender into the driver's
//! loop. Every method only posts a message; what the call looks like comes back through the
//! `on_update` callback as [`CallUpdate`]s, and the one thing tests ask directly (the peer
//! connection) is an async query the loop answers.
//!
//! Dropping the last clone (or [`CallDriver::close`]) stops the loop, which tells the peer we
//! left (if in a call), stops the tracks, closes the connection and drops listeners and timers.

use std::rc::Rc;

use futures::channel::oneshot;
use gloo_events::EventListener;
use shared::{FromServer, ToServer};
use wasm_bindgen_futures::spawn_local;
use web_sys::{EventTarget, RtcPeerConnection};
use yew::Callback;

use super::effects::Core;
use super::event_loop::{self, CallUpdate};
use super::ice_servers::IceServers;
use super::inbox::{self, Inbox, Msg};
use crate::call::CallCommand;
use crate::call::machine::{Input, PeerState};

/// A handle on the call. Clones share one call; equality is identity.
#[derive(Debug, Clone)]
pub struct CallDriver {
    inbox: Inbox,
    /// Shared by every clone: the last one dropped closes the call.
    closer: Rc<CloseOnDrop>,
}

impl PartialEq for CallDriver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.closer, &other.closer)
    }
}

/// Posts [`Msg::Close`] when dropped.
#[derive(Debug)]
struct CloseOnDrop(Inbox);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.post(Msg::Close);
    }
}

impl CallDriver {
    /// Starts the call layer of this page: `send` sends synchronously on the WebSocket;
    /// `on_update` gets the view and streams after every change. The window's `pagehide`
    /// tells the peer we left.
    pub fn new(send: Callback<ToServer>, on_update: Callback<CallUpdate>) -> Self {
        let window = web_sys::window();
        Self::with_page(window.as_ref().map(AsRef::as_ref), send, on_update)
    }

    /// As [`CallDriver::new`], with `pagehide` heard on `page` (tests give each driver its
    /// own, since all drivers of a test page share one window).
    pub fn with_page(
        page: Option<&EventTarget>,
        send: Callback<ToServer>,
        on_update: Callback<CallUpdate>,
    ) -> Self {
        let (inbox, queue) = inbox::channel();
        let pagehide = page.map(|page| {
            let inbox = inbox.clone();
            EventListener::new(page, "pagehide", move |_| {
                inbox.post(Msg::Input(Input::PageHide));
            })
        });
        let core = Core::new(inbox.clone(), send, IceServers::from_page());
        spawn_local(event_loop::run(queue, core, on_update, pagehide));
        Self {
            closer: Rc::new(CloseOnDrop(inbox.clone())),
            inbox,
        }
    }

    /// Our own name, after login or `rejectusername`.
    pub fn set_me(&self, name: &str) {
        self.input(Input::SetMe(name.to_owned()));
    }

    /// A button or the user list.
    pub fn command(&self, cmd: CallCommand) {
        match cmd {
            CallCommand::UseDevice { kind, id } => self.inbox.post(Msg::UseDevice { kind, id }),
            cmd => self.input(Input::Command(cmd)),
        }
    }

    /// Every frame from the server.
    pub fn on_server_message(&self, msg: &FromServer) {
        match msg {
            FromServer::IceServers {
                ice_servers,
                expires,
            } => self.inbox.post(Msg::IceServers {
                servers: ice_servers.clone(),
                expires: *expires,
            }),
            FromServer::Id { .. }
            | FromServer::Message { .. }
            | FromServer::Error { .. }
            | FromServer::Pong => {}
            other => self.input(Input::Server(other.clone())),
        }
    }

    /// The session is gone (its socket dropped and it cannot be resumed): end any call
    /// locally, with a notice.
    pub fn socket_lost(&self) {
        self.inbox.post(Msg::SocketLost);
    }

    /// Whether the page has a session it can resume (it got `session` or `resumed`). When it
    /// has, `pagehide` tells the peer nothing (the page sends `leaving`: it may be a reload).
    pub fn set_resumable(&self, resumable: bool) {
        self.input(Input::SetResumable(resumable));
    }

    /// The socket dropped but the session will be resumed: the call and its media go on; an
    /// ICE restart waits until [`CallDriver::signaling_up`].
    pub fn signaling_down(&self) {
        self.input(Input::SignalingDown);
    }

    /// The session is back (after `resumed`, or a fresh login).
    pub fn signaling_up(&self) {
        self.input(Input::SignalingUp);
    }

    /// This page is a reload resuming a session: a `resumed` naming a partner rebuilds the call
    /// with them (new peer connection, the camera again, our offer).
    pub fn set_fresh_page(&self) {
        self.input(Input::FreshPage);
    }

    /// Ends the call layer now, as dropping the last handle does.
    pub fn close(&self) {
        self.inbox.post(Msg::Close);
    }

    /// The current peer connection, as the loop has it once the messages posted before
    /// were handled (for `quality_stats` and tests reading `getStats`); `None` after close.
    #[doc(hidden)]
    pub async fn peer_connection(&self) -> Option<RtcPeerConnection> {
        let (answer, answered) = oneshot::channel();
        self.inbox.post(Msg::PeerConnection(answer));
        answered.await.ok().flatten()
    }

    /// Tells the machine the current peer connection reached `state`, as its
    /// `connectionstatechange` would (for tests: a `failed` that no loopback network gives).
    #[doc(hidden)]
    pub fn simulate_peer_state(&self, state: PeerState) {
        self.inbox.post(Msg::SimulatePeerState(state));
    }

    fn input(&self, input: Input) {
        self.inbox.post(Msg::Input(input));
    }
}
