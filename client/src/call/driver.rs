//! The browser driver of the call: the one owner of the browser objects of a call.
//!
//! [`CallDriver`] holds the [`Machine`] and carries out its effects on the real objects: the
//! `RTCPeerConnection` ([`peer::Peer`]), the local `MediaStream` ([`media`]), timers
//! (`gloo-timers`), `getStats` ([`stats`]) and the `pagehide` listener. Browser callbacks and
//! finished promises only turn into machine inputs and go through one queue, so the machine
//! sees one input at a time even when an effect causes an event synchronously.
//!
//! Everything is RAII: when the last clone of the driver is dropped, the peer is told we left
//! (if in a call), the tracks are stopped, the connection closed, listeners and timers dropped.
//! Pending promises hold only a weak reference and find nothing when they finish.

mod error;
mod media;
mod peer;
mod stats;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::Promise;
use shared::{FromServer, IceServer, ToServer};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    MediaStream, RtcBundlePolicy, RtcConfiguration, RtcIceServer, RtcIceTransportPolicy,
    RtcPeerConnection,
};
use yew::Callback;

pub use error::JsError;

use self::peer::{Peer, PeerEvent};
use super::ice;
use super::machine::{Effect, Env, Input, Machine, Signaling, Timer};
use super::{CallCommand, CallView};

/// What the UI draws: the view plus the media streams (which only exist in the browser).
#[derive(Debug, Clone, PartialEq)]
pub struct CallUpdate {
    pub view: CallView,
    pub local: Option<MediaStream>,
    pub remote: Option<MediaStream>,
}

/// A handle on the call. Clones share one call; equality is identity.
#[derive(Clone)]
pub struct CallDriver {
    inner: Rc<Inner>,
}

impl PartialEq for CallDriver {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Debug for CallDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallDriver")
            .field("view", self.inner.machine.borrow().view())
            .finish()
    }
}

struct Inner {
    machine: RefCell<Machine>,
    browser: RefCell<Browser>,
    /// Inputs waiting for the machine; drained at once by [`dispatch`], so it stays short.
    queue: RefCell<VecDeque<Input>>,
    /// `dispatch` is running (an input caused while handling one is queued, not nested).
    busy: Cell<bool>,
    send: Callback<ToServer>,
    on_update: Callback<CallUpdate>,
    last_update: RefCell<Option<CallUpdate>>,
    pagehide: RefCell<Option<EventListener>>,
}

/// The browser objects of the call.
#[derive(Default)]
struct Browser {
    ice_servers: Vec<IceServer>,
    relay_only: bool,
    ice_refresh: Option<Timeout>,
    peer: Option<Peer>,
    local: Option<MediaStream>,
    timers: [Option<Timeout>; Timer::ALL.len()],
}

impl CallDriver {
    /// `send` sends synchronously on the WebSocket (it is also called from `pagehide`);
    /// `on_update` gets the view and streams after every change.
    pub fn new(send: Callback<ToServer>, on_update: Callback<CallUpdate>) -> Self {
        let relay_only = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .is_some_and(|q| ice::relay_only_from_query(&q));
        let inner = Rc::new(Inner {
            machine: RefCell::new(Machine::new()),
            browser: RefCell::new(Browser {
                relay_only,
                ..Browser::default()
            }),
            queue: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
            send,
            on_update,
            last_update: RefCell::new(None),
            pagehide: RefCell::new(None),
        });
        if let Some(window) = web_sys::window() {
            let weak = Rc::downgrade(&inner);
            let listener = EventListener::new(&window, "pagehide", move |_| {
                if let Some(inner) = weak.upgrade() {
                    dispatch(&inner, Input::PageHide);
                }
            });
            *inner.pagehide.borrow_mut() = Some(listener);
        }
        Self { inner }
    }

    /// Our own name, after login or `rejectusername`.
    pub fn set_me(&self, name: &str) {
        dispatch(&self.inner, Input::SetMe(name.to_owned()));
    }

    /// A button or the user list.
    pub fn command(&self, cmd: CallCommand) {
        dispatch(&self.inner, Input::Command(cmd));
    }

    /// Every frame from the server.
    pub fn on_server_message(&self, msg: &FromServer) {
        match msg {
            FromServer::IceServers {
                ice_servers,
                expires,
            } => {
                set_ice_servers(&self.inner, ice_servers.clone(), *expires);
            }
            FromServer::Id { .. } | FromServer::Message { .. } | FromServer::Error { .. } => {}
            other => dispatch(&self.inner, Input::Server(other.clone())),
        }
    }

    /// The socket dropped: end any call locally.
    pub fn socket_lost(&self) {
        self.inner.browser.borrow_mut().ice_refresh = None;
        dispatch(&self.inner, Input::SocketLost);
    }

    /// The view as it is now.
    pub fn view(&self) -> CallView {
        self.inner.machine.borrow().view().clone()
    }

    /// The current peer connection (for tests reading `getStats`).
    #[doc(hidden)]
    pub fn peer_connection(&self) -> Option<RtcPeerConnection> {
        self.inner
            .browser
            .borrow()
            .peer
            .as_ref()
            .map(|p| p.pc.clone())
    }

    /// The local stream, if the camera is open.
    pub fn local_stream(&self) -> Option<MediaStream> {
        self.inner.browser.borrow().local.clone()
    }

    /// The remote stream, once a remote track arrived.
    pub fn remote_stream(&self) -> Option<MediaStream> {
        self.inner
            .browser
            .borrow()
            .peer
            .as_ref()
            .and_then(|p| p.remote.clone())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Tell the peer we are gone, as `pagehide` would; the objects below then close
        // themselves (peer, timers, listener) and the tracks are stopped.
        let env = Env {
            now_ms: js_sys::Date::now(),
            signaling: Signaling::Stable,
        };
        for effect in self.machine.get_mut().handle(Input::PageHide, env) {
            if let Effect::Send(msg) = effect {
                self.send.emit(msg);
            }
        }
        let browser = self.browser.get_mut();
        browser.peer = None;
        if let Some(stream) = browser.local.take() {
            media::stop(&stream);
        }
    }
}

/// Hands an input to the machine and carries out its effects; inputs caused meanwhile are
/// queued and handled in the same loop. Publishes the view once the queue is empty.
fn dispatch(inner: &Rc<Inner>, input: Input) {
    inner.queue.borrow_mut().push_back(input);
    if inner.busy.replace(true) {
        return;
    }
    loop {
        let next = inner.queue.borrow_mut().pop_front();
        let Some(input) = next else {
            break;
        };
        let env = Env {
            now_ms: js_sys::Date::now(),
            signaling: inner
                .browser
                .borrow()
                .peer
                .as_ref()
                .map_or(Signaling::Stable, Peer::signaling),
        };
        let effects = inner.machine.borrow_mut().handle(input, env);
        for effect in effects {
            execute(inner, effect);
        }
    }
    inner.busy.set(false);
    publish(inner);
}

/// Tells the UI, when anything it shows changed.
fn publish(inner: &Rc<Inner>) {
    let update = {
        let browser = inner.browser.borrow();
        CallUpdate {
            view: inner.machine.borrow().view().clone(),
            local: browser.local.clone(),
            remote: browser.peer.as_ref().and_then(|p| p.remote.clone()),
        }
    };
    let changed = inner.last_update.borrow().as_ref() != Some(&update);
    if changed {
        *inner.last_update.borrow_mut() = Some(update.clone());
        inner.on_update.emit(update);
    }
}

fn execute(inner: &Rc<Inner>, effect: Effect) {
    match effect {
        Effect::Send(msg) => inner.send.emit(msg),
        Effect::CreatePeer { pc, role } => {
            let weak = Rc::downgrade(inner);
            let sink: peer::Sink = Rc::new(move |event| {
                if let Some(inner) = weak.upgrade() {
                    on_peer_event(&inner, event);
                }
            });
            let mut browser = inner.browser.borrow_mut();
            // Close the old one before the new one exists.
            browser.peer = None;
            let config = rtc_configuration(&browser.ice_servers, browser.relay_only);
            match Peer::new(pc, role, &config, sink) {
                Ok(peer) => browser.peer = Some(peer),
                Err(error) => {
                    drop(browser);
                    let error = error.to_string();
                    inner
                        .queue
                        .borrow_mut()
                        .push_back(Input::LocalDescriptionFailed { pc, error });
                }
            }
        }
        Effect::ClosePeer => {
            let old = inner.browser.borrow_mut().peer.take();
            drop(old);
        }
        Effect::AcquireMedia { call } => {
            let weak = Rc::downgrade(inner);
            spawn_local(async move {
                let result = media::open().await;
                let Some(inner) = weak.upgrade() else {
                    if let Ok(stream) = result {
                        media::stop(&stream);
                    }
                    return;
                };
                let current = inner.machine.borrow().call_id() == Some(call);
                match result {
                    Ok(stream) => {
                        let mut browser = inner.browser.borrow_mut();
                        if !current || browser.local.is_some() {
                            // The call ended (or has its stream) while the camera opened.
                            media::stop(&stream);
                            return;
                        }
                        browser.local = Some(stream);
                        drop(browser);
                        dispatch(&inner, Input::MediaReady { call });
                    }
                    Err(error) => dispatch(&inner, Input::MediaFailed { call, error }),
                }
            });
        }
        Effect::ReleaseMedia => {
            let stream = inner.browser.borrow_mut().local.take();
            if let Some(stream) = stream {
                media::stop(&stream);
            }
        }
        Effect::AttachMedia => {
            let browser = inner.browser.borrow();
            if let (Some(peer), Some(stream)) = (&browser.peer, &browser.local) {
                for promise in peer.attach(stream) {
                    spawn_local(log_failure("replaceTrack", promise));
                }
            }
        }
        Effect::EnableSending => {
            if let Some(peer) = &inner.browser.borrow().peer {
                peer.enable_sending();
            }
        }
        Effect::SetLocalDescription => with_peer(inner, |inner, peer| {
            let pc = peer.id;
            let promise = peer.set_local();
            let weak = Rc::downgrade(inner);
            spawn_local(async move {
                let result = match promise {
                    Ok(promise) => JsFuture::from(promise).await.map_err(JsError::from),
                    Err(error) => Err(error),
                };
                let Some(inner) = weak.upgrade() else { return };
                let input = match result {
                    Ok(_) => {
                        let browser = inner.browser.borrow();
                        let desc = browser
                            .peer
                            .as_ref()
                            .filter(|p| p.id == pc)
                            .and_then(Peer::local_description);
                        match desc {
                            Some(sdp) => Input::LocalDescriptionSet { pc, sdp },
                            // The connection was replaced meanwhile: nothing to report.
                            None => return,
                        }
                    }
                    Err(error) => Input::LocalDescriptionFailed {
                        pc,
                        error: error.to_string(),
                    },
                };
                dispatch(&inner, input);
            });
        }),
        Effect::Rollback => with_peer(inner, |_, peer| {
            spawn_local(log_failure("rollback", peer.rollback()));
        }),
        Effect::SetRemoteDescription(desc) => with_peer(inner, |inner, peer| {
            let pc = peer.id;
            let kind = desc.kind;
            let promise = peer.set_remote(&desc);
            let weak = Rc::downgrade(inner);
            spawn_local(async move {
                let result = JsFuture::from(promise).await;
                let Some(inner) = weak.upgrade() else { return };
                let input = match result {
                    Ok(_) => Input::RemoteDescriptionSet { pc, kind },
                    Err(e) => Input::RemoteDescriptionFailed {
                        pc,
                        error: JsError::from(e).to_string(),
                    },
                };
                dispatch(&inner, input);
            });
        }),
        Effect::AddIceCandidate(candidate) => with_peer(inner, |_, peer| {
            // A candidate can fail harmlessly (one for an offer that lost a collision):
            // perfect negotiation ignores those errors.
            match peer.add_candidate(&candidate) {
                Ok(promise) => spawn_local(log_failure("addIceCandidate", promise)),
                Err(error) => debug(&format!("addIceCandidate: {error}")),
            }
        }),
        Effect::SetTrackEnabled { kind, enabled } => {
            if let Some(stream) = &inner.browser.borrow().local {
                for track in media::tracks_of(stream, kind) {
                    track.set_enabled(enabled);
                }
            }
        }
        Effect::StartTimer { timer, ms } => {
            let weak = Rc::downgrade(inner);
            let timeout = Timeout::new(ms, move || {
                if let Some(inner) = weak.upgrade() {
                    dispatch(&inner, Input::TimerFired(timer));
                }
            });
            inner.browser.borrow_mut().timers[timer_slot(timer)] = Some(timeout);
        }
        Effect::CancelTimer(timer) => {
            let old = inner.browser.borrow_mut().timers[timer_slot(timer)].take();
            drop(old);
        }
        Effect::RestartIce => with_peer(inner, |_, peer| {
            if let Err(error) = peer.restart_ice() {
                debug(&format!("restartIce: {error}"));
            }
        }),
        Effect::ProbeRoute => with_peer(inner, |inner, peer| {
            let pc_id = peer.id;
            let pc = peer.pc.clone();
            let weak = Rc::downgrade(inner);
            spawn_local(async move {
                let route = match stats::route(&pc).await {
                    Ok(route) => route,
                    Err(error) => {
                        debug(&format!("getStats: {error}"));
                        None
                    }
                };
                if let Some(inner) = weak.upgrade() {
                    dispatch(&inner, Input::RouteProbed { pc: pc_id, route });
                }
            });
        }),
    }
}

/// Runs `f` on the current peer connection, if there is one.
fn with_peer(inner: &Rc<Inner>, f: impl FnOnce(&Rc<Inner>, &Peer)) {
    let browser = inner.browser.borrow();
    if let Some(peer) = &browser.peer {
        f(inner, peer);
    }
}

fn on_peer_event(inner: &Rc<Inner>, event: PeerEvent) {
    match event {
        PeerEvent::Input(input) => dispatch(inner, input),
        PeerEvent::RemoteTrack(pc, track) => {
            let changed = {
                let mut browser = inner.browser.borrow_mut();
                match browser.peer.as_mut().filter(|p| p.id == pc) {
                    Some(peer) => peer.add_remote_track(track).unwrap_or_else(|error| {
                        debug(&format!("remote stream: {error}"));
                        false
                    }),
                    None => false,
                }
            };
            if changed && !inner.busy.get() {
                publish(inner);
            }
        }
    }
}

fn timer_slot(timer: Timer) -> usize {
    Timer::ALL.iter().position(|t| *t == timer).unwrap_or(0)
}

/// Keeps the ICE servers for the next peer connection and asks for fresh ones before the
/// credentials in them expire.
fn set_ice_servers(inner: &Rc<Inner>, servers: Vec<IceServer>, expires: Option<u64>) {
    let refresh = expires.map(|expires| {
        let delay = ice::refresh_delay_ms(expires, js_sys::Date::now());
        let weak = Rc::downgrade(inner);
        Timeout::new(delay, move || {
            if let Some(inner) = weak.upgrade() {
                inner.send.emit(ToServer::GetIceServers);
            }
        })
    });
    let mut browser = inner.browser.borrow_mut();
    browser.ice_servers = servers;
    browser.ice_refresh = refresh;
}

fn rtc_configuration(servers: &[IceServer], relay_only: bool) -> RtcConfiguration {
    let config = RtcConfiguration::new();
    let list: js_sys::Array = servers
        .iter()
        .map(|server| {
            let entry = RtcIceServer::new();
            let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
            entry.set_urls(&urls);
            if let Some(username) = &server.username {
                entry.set_username(username);
            }
            if let Some(credential) = &server.credential {
                entry.set_credential(credential);
            }
            entry
        })
        .collect();
    config.set_ice_servers(&list);
    // One transport for audio and video from the first offer: half the candidates and checks
    // of "balanced", so the call connects sooner. Every current browser bundles.
    config.set_bundle_policy(RtcBundlePolicy::MaxBundle);
    if relay_only {
        config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
    }
    config
}

/// Awaits a promise whose failure is not worth more than a debug line.
async fn log_failure(what: &'static str, promise: Promise) {
    if let Err(error) = JsFuture::from(promise).await {
        debug(&format!("{what}: {}", JsError::from(error)));
    }
}

/// Expected, harmless failures go to the debug console only (normal use shows no warnings).
fn debug(message: &str) {
    web_sys::console::debug_1(&JsValue::from_str(message));
}
