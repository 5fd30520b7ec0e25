//! Helpers of the call driver's browser tests: an in-page stand-in for the signaling server,
//! a [`User`] per driver that reads what the driver published, waits with deadlines, and
//! `getStats()` readers.
//!
//! The relay can also stand for a socket that is away ([`Net::hold`]: frames from and to that
//! user wait, in order, as the page's queue and the server's session keep them, until
//! [`Net::release`]) and for a page that is gone ([`Net::cut`]: its frames are lost), and it
//! hands server frames of its own to a user ([`Net::deliver`]: `user-state`, `resumed`).
//!
//! A driver only tells the page what happened through its `CallUpdate`s, so a [`User`] reads
//! the last update the page got (never the driver's insides); the peer connection comes from
//! the driver's async query. Each user has its own page (an `EventTarget` standing for its
//! window), so a `pagehide` reaches one driver only, as with two real browsers.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use client::call::driver::{CallDriver, CallUpdate};
use client::call::{CallCommand, CallNotice, CallPhase};
use gloo_timers::future::TimeoutFuture;
use js_sys::Reflect;
use shared::{FromServer, HangUpReason, ToServer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{EventTarget, MediaStream, MediaStreamTrack, RtcPeerConnection};

/// One frame the relay passed on.
pub struct Relayed {
    pub from: String,
    pub kind: &'static str,
    /// For `hang-up`: the reason given.
    pub reason: Option<HangUpReason>,
}

/// The in-page stand-in for the signaling server.
#[derive(Default)]
pub struct Net {
    drivers: RefCell<HashMap<String, CallDriver>>,
    pages: RefCell<HashMap<String, EventTarget>>,
    pub updates: RefCell<HashMap<String, CallUpdate>>,
    /// Every frame relayed, in order.
    log: RefCell<Vec<Relayed>>,
    /// Users whose socket is away: frames from and to them wait in `waiting`.
    held: RefCell<HashSet<String>>,
    /// Frames waiting for a held user: (from, to, frame), in order.
    waiting: RefCell<Vec<(String, String, FromServer)>>,
    /// Users whose page is gone: what they send is lost.
    cut: RefCell<HashSet<String>>,
}

/// One person on the in-page network: their driver and what it last published.
pub struct User {
    pub name: String,
    pub driver: CallDriver,
    net: Rc<Net>,
}

impl Net {
    pub fn join(self: &Rc<Self>, name: &str) -> User {
        let weak = Rc::downgrade(self);
        let me = name.to_owned();
        let send = yew::Callback::from(move |msg: ToServer| {
            if let Some(net) = weak.upgrade() {
                net.relay(&me, msg);
            }
        });
        let weak = Rc::downgrade(self);
        let me = name.to_owned();
        let on_update = yew::Callback::from(move |update: CallUpdate| {
            if let Some(net) = weak.upgrade() {
                net.updates.borrow_mut().insert(me.clone(), update);
            }
        });
        let page = EventTarget::new().unwrap();
        let driver = CallDriver::with_page(Some(&page), send, on_update);
        driver.set_me(name);
        self.pages.borrow_mut().insert(name.to_owned(), page);
        self.drivers
            .borrow_mut()
            .insert(name.to_owned(), driver.clone());
        let users: Vec<String> = self.drivers.borrow().keys().cloned().collect();
        for d in self.drivers.borrow().values() {
            d.on_server_message(&FromServer::UserList {
                users: users.clone(),
            });
        }
        User {
            name: name.to_owned(),
            driver,
            net: self.clone(),
        }
    }

    /// The network forgets `name`'s driver (the page drops it without logging out).
    pub fn forget(&self, name: &str) -> Option<CallDriver> {
        self.drivers.borrow_mut().remove(name)
    }

    /// The page standing for `name`'s window.
    pub fn page(&self, name: &str) -> EventTarget {
        self.pages.borrow().get(name).cloned().unwrap()
    }

    /// `name`'s socket goes away: frames from and to them wait.
    pub fn hold(&self, name: &str) {
        self.held.borrow_mut().insert(name.to_owned());
    }

    /// `name`'s socket is back: what waited is delivered, in order.
    pub fn release(self: &Rc<Self>, name: &str) {
        self.held.borrow_mut().remove(name);
        let held = self.held.borrow().clone();
        let (go, stay): (Vec<_>, Vec<_>) = self
            .waiting
            .take()
            .into_iter()
            .partition(|(from, to, _)| !held.contains(from) && !held.contains(to));
        *self.waiting.borrow_mut() = stay;
        for (_, to, frame) in go {
            self.send_later(to, frame);
        }
    }

    /// `name`'s page is gone: what it sends is lost (until [`Net::uncut`]).
    pub fn cut(&self, name: &str) {
        self.cut.borrow_mut().insert(name.to_owned());
    }

    pub fn uncut(&self, name: &str) {
        self.cut.borrow_mut().remove(name);
    }

    /// Hands `frame` to `name`'s driver now, as the server sends it.
    pub fn deliver(&self, name: &str, frame: FromServer) {
        let driver = self.drivers.borrow().get(name).cloned();
        if let Some(driver) = driver {
            driver.on_server_message(&frame);
        }
    }

    /// Delivers `frame` to `to` in a task of its own, as a socket would.
    fn send_later(self: &Rc<Self>, to: String, frame: FromServer) {
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            if let Some(net) = weak.upgrade() {
                net.deliver(&to, frame);
            }
        });
    }

    /// Turns a client frame into what the target receives, as the server would.
    fn relay(self: &Rc<Self>, from: &str, msg: ToServer) {
        if self.cut.borrow().contains(from) {
            return;
        }
        let name = from.to_owned();
        let mut reason_given = None;
        let (target, frame, kind) = match msg {
            ToServer::VideoOffer { target, sdp, .. } => (
                target.clone(),
                FromServer::VideoOffer { name, target, sdp },
                "video-offer",
            ),
            ToServer::VideoAnswer { target, sdp, .. } => (
                target.clone(),
                FromServer::VideoAnswer { name, target, sdp },
                "video-answer",
            ),
            ToServer::NewIceCandidate {
                target, candidate, ..
            } => (
                target.clone(),
                FromServer::NewIceCandidate {
                    name,
                    target,
                    candidate,
                },
                "new-ice-candidate",
            ),
            ToServer::HangUp {
                target: Some(target),
                reason,
                ..
            } => {
                reason_given = reason;
                (
                    target.clone(),
                    FromServer::HangUp {
                        name,
                        target,
                        reason,
                    },
                    "hang-up",
                )
            }
            ToServer::GetIceServers => {
                self.record(from, "get-ice-servers", None);
                return;
            }
            _ => return,
        };
        self.record(from, kind, reason_given);
        let held = self.held.borrow().contains(from) || self.held.borrow().contains(&target);
        if held {
            self.waiting
                .borrow_mut()
                .push((from.to_owned(), target, frame));
        } else {
            self.send_later(target, frame);
        }
    }

    fn record(&self, from: &str, kind: &'static str, reason: Option<HangUpReason>) {
        self.log.borrow_mut().push(Relayed {
            from: from.to_owned(),
            kind,
            reason,
        });
    }

    /// How many frames of type `kind` `from` sent.
    pub fn count(&self, from: &str, kind: &str) -> usize {
        self.log
            .borrow()
            .iter()
            .filter(|r| r.from == from && r.kind == kind)
            .count()
    }

    /// The reasons of every `hang-up` `from` sent, in order.
    pub fn hang_up_reasons(&self, from: &str) -> Vec<Option<HangUpReason>> {
        self.log
            .borrow()
            .iter()
            .filter(|r| r.from == from && r.kind == "hang-up")
            .map(|r| r.reason)
            .collect()
    }
}

impl User {
    /// The last update the page got from this driver.
    pub fn update(&self) -> Option<CallUpdate> {
        self.net.updates.borrow().get(&self.name).cloned()
    }

    pub fn phase(&self) -> CallPhase {
        self.update().map(|u| u.view.phase).unwrap_or_default()
    }

    /// The call's notice as a fact (the words are text.rs's, pinned by its own tests).
    pub fn notice(&self) -> Option<CallNotice> {
        self.update().and_then(|u| u.view.notice)
    }

    pub fn local(&self) -> Option<MediaStream> {
        self.update().and_then(|u| u.local)
    }

    pub fn remote(&self) -> Option<MediaStream> {
        self.update().and_then(|u| u.remote)
    }

    pub fn in_call_with(&self, peer: &str) -> bool {
        matches!(self.phase(), CallPhase::InCall { peer: p, .. } if p == peer)
    }

    pub fn is_idle(&self) -> bool {
        self.phase() == CallPhase::Idle
    }

    /// The driver's current peer connection (asked of its loop).
    pub async fn pc(&self) -> Option<RtcPeerConnection> {
        self.driver.peer_connection().await
    }

    pub fn command(&self, cmd: CallCommand) {
        self.driver.command(cmd);
    }

    /// Clicks "call" on `peer`.
    pub fn call(&self, peer: &str) {
        self.command(CallCommand::Call {
            peer: peer.to_owned(),
        });
    }

    /// Waits for the local camera and microphone stream.
    pub async fn camera(&self) -> MediaStream {
        wait_until("the local camera", 5_000.0, || self.local().is_some()).await;
        self.local().unwrap()
    }
}

/// A fresh in-page network with Alice and Bob on it.
pub fn alice_and_bob() -> (Rc<Net>, User, User) {
    let net = Rc::new(Net::default());
    let alice = net.join("alice");
    let bob = net.join("bob");
    (net, alice, bob)
}

/// Alice and Bob are in one call with each other.
pub fn both_in_call(alice: &User, bob: &User) -> bool {
    alice.in_call_with("bob") && bob.in_call_with("alice")
}

/// Alice calls Bob and waits until his phone rings.
pub async fn ring(alice: &User, bob: &User) {
    alice.call("bob");
    wait_until("bob to ring", 5_000.0, || {
        matches!(bob.phase(), CallPhase::Ringing { .. })
    })
    .await;
}

/// Alice calls Bob, he accepts, and both are in the call with each other.
pub async fn accepted_call(alice: &User, bob: &User) {
    ring(alice, bob).await;
    bob.command(CallCommand::Accept);
    wait_until("alice and bob in a call", 10_000.0, || {
        both_in_call(alice, bob)
    })
    .await;
}

/// Polls `cond` every few milliseconds until it holds; panics after `deadline_ms`.
pub async fn wait_until(what: &str, deadline_ms: f64, mut cond: impl FnMut() -> bool) -> f64 {
    let start = js_sys::Date::now();
    loop {
        if cond() {
            return js_sys::Date::now() - start;
        }
        assert!(
            js_sys::Date::now() - start < deadline_ms,
            "timed out waiting for {what}"
        );
        TimeoutFuture::new(5).await;
    }
}

/// Polls `cond` until it holds (true) or `deadline_ms` passes (false).
pub async fn wait_for(deadline_ms: f64, mut cond: impl FnMut() -> bool) -> bool {
    let start = js_sys::Date::now();
    while !cond() {
        if js_sys::Date::now() - start > deadline_ms {
            return false;
        }
        TimeoutFuture::new(5).await;
    }
    true
}

/// Sum of `framesDecoded` over the inbound video of `pc`.
pub async fn frames_decoded(pc: &RtcPeerConnection) -> f64 {
    let Ok(report) = JsFuture::from(pc.get_stats()).await else {
        return 0.0;
    };
    let Ok(Some(entries)) = js_sys::try_iter(&report) else {
        return 0.0;
    };
    let mut frames = 0.0;
    for entry in entries.flatten() {
        let value = js_sys::Array::from(&entry).get(1);
        let field = |k: &str| Reflect::get(&value, &JsValue::from_str(k)).unwrap_or_default();
        if field("type").as_string().as_deref() == Some("inbound-rtp")
            && field("kind").as_string().as_deref() == Some("video")
        {
            frames += field("framesDecoded").as_f64().unwrap_or(0.0);
        }
    }
    frames
}

/// Waits until both drivers decode the other's video; returns how long each took to start.
pub async fn wait_decoding(a: &User, b: &User, deadline_ms: f64) -> (f64, f64) {
    let start = js_sys::Date::now();
    let (mut a_ms, mut b_ms) = (None, None);
    loop {
        let (Some(pa), Some(pb)) = (a.pc().await, b.pc().await) else {
            panic!("a peer connection is gone while waiting for video");
        };
        let now = js_sys::Date::now() - start;
        if a_ms.is_none() && frames_decoded(&pa).await > 0.0 {
            a_ms = Some(now);
        }
        if b_ms.is_none() && frames_decoded(&pb).await > 0.0 {
            b_ms = Some(now);
        }
        if let (Some(a_ms), Some(b_ms)) = (a_ms, b_ms) {
            return (a_ms, b_ms);
        }
        assert!(now < deadline_ms, "timed out waiting for remote video");
        TimeoutFuture::new(5).await;
    }
}

/// Waits until `pc` has decoded more frames than `before`.
pub async fn wait_until_more_frames(pc: &RtcPeerConnection, before: f64) {
    let start = js_sys::Date::now();
    while frames_decoded(pc).await <= before {
        assert!(
            js_sys::Date::now() - start < 10_000.0,
            "video stopped after renegotiation"
        );
        TimeoutFuture::new(20).await;
    }
}

pub fn tracks(stream: &MediaStream) -> Vec<MediaStreamTrack> {
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into().ok())
        .collect()
}

pub fn ended(track: &MediaStreamTrack) -> bool {
    Reflect::get(track, &JsValue::from_str("readyState"))
        .ok()
        .and_then(|s| s.as_string())
        .is_some_and(|s| s == "ended")
}

/// `history.replaceState(null, "", url)` (the driver reads `?relay=1` when it is created).
pub fn replace_url(url: &str) {
    let history = Reflect::get(&web_sys::window().unwrap(), &"history".into()).unwrap();
    let replace = Reflect::get(&history, &"replaceState".into()).unwrap();
    let replace: js_sys::Function = replace.dyn_into().unwrap();
    replace
        .call3(&history, &JsValue::NULL, &"".into(), &url.into())
        .unwrap();
}

/// `pc.getConfiguration()` (not bound by web-sys).
pub fn configuration(pc: &RtcPeerConnection) -> JsValue {
    let get_config = Reflect::get(pc, &"getConfiguration".into()).unwrap();
    get_config
        .unchecked_into::<js_sys::Function>()
        .call0(pc)
        .unwrap()
}

pub fn pc_field(pc: &RtcPeerConnection, key: &str) -> JsValue {
    Reflect::get(pc, &key.into()).unwrap()
}

pub fn local_ufrag(pc: &RtcPeerConnection) -> String {
    let sdp = pc.local_description().map(|d| d.sdp()).unwrap_or_default();
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .unwrap_or_default()
        .to_owned()
}
