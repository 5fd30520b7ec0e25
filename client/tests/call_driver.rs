//! Browser tests of the call driver in headless Chromium with fake camera and microphone.
//!
//! Several [`CallDriver`]s live in one page and reach each other through an in-page relay that
//! does what the server does with their frames (stamps the sender's name, delivers to the
//! target, asynchronously). The drivers negotiate with their own code; the tests only click
//! and then read `getStats()` to see remote video decoded. Every wait polls with short timers
//! up to a deadline.

#![cfg(target_arch = "wasm32")]
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use client::call::driver::{CallDriver, CallUpdate};
use client::call::{CallCommand, CallPhase, Route};
use gloo_timers::future::TimeoutFuture;
use js_sys::Reflect;
use shared::{FromServer, ToServer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use wasm_bindgen_test::*;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcPeerConnection};

wasm_bindgen_test_configure!(run_in_browser);

/// The in-page stand-in for the signaling server.
#[derive(Default)]
struct Net {
    drivers: RefCell<HashMap<String, CallDriver>>,
    updates: RefCell<HashMap<String, CallUpdate>>,
    /// Every frame relayed, as (sender, frame type).
    log: RefCell<Vec<(String, &'static str)>>,
}

impl Net {
    fn join(self: &Rc<Self>, name: &str) -> CallDriver {
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
        let driver = CallDriver::new(send, on_update);
        driver.set_me(name);
        self.drivers
            .borrow_mut()
            .insert(name.to_owned(), driver.clone());
        let users: Vec<String> = self.drivers.borrow().keys().cloned().collect();
        for d in self.drivers.borrow().values() {
            d.on_server_message(&FromServer::UserList {
                users: users.clone(),
            });
        }
        driver
    }

    /// Turns a client frame into what the target receives, as the server would.
    fn relay(self: &Rc<Self>, from: &str, msg: ToServer) {
        let name = from.to_owned();
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
            } => (
                target.clone(),
                FromServer::HangUp {
                    name,
                    target,
                    reason,
                },
                "hang-up",
            ),
            ToServer::GetIceServers => {
                self.log
                    .borrow_mut()
                    .push((from.to_owned(), "get-ice-servers"));
                return;
            }
            _ => return,
        };
        self.log.borrow_mut().push((from.to_owned(), kind));
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            let Some(net) = weak.upgrade() else { return };
            let driver = net.drivers.borrow().get(&target).cloned();
            if let Some(driver) = driver {
                driver.on_server_message(&frame);
            }
        });
    }

    fn count(&self, from: &str, kind: &str) -> usize {
        self.log
            .borrow()
            .iter()
            .filter(|(f, k)| f == from && *k == kind)
            .count()
    }
}

fn phase(driver: &CallDriver) -> CallPhase {
    driver.view().phase
}

fn in_call_with(driver: &CallDriver, peer: &str) -> bool {
    matches!(phase(driver), CallPhase::InCall { peer: p, .. } if p == peer)
}

/// Polls `cond` every few milliseconds until it holds; panics after `deadline_ms`.
async fn wait_until(what: &str, deadline_ms: f64, mut cond: impl FnMut() -> bool) -> f64 {
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
async fn wait_for(deadline_ms: f64, mut cond: impl FnMut() -> bool) -> bool {
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
async fn frames_decoded(pc: &RtcPeerConnection) -> f64 {
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
async fn wait_decoding(a: &CallDriver, b: &CallDriver, deadline_ms: f64) -> (f64, f64) {
    let start = js_sys::Date::now();
    let (mut a_ms, mut b_ms) = (None, None);
    loop {
        let (Some(pa), Some(pb)) = (a.peer_connection(), b.peer_connection()) else {
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

fn tracks(stream: &MediaStream) -> Vec<MediaStreamTrack> {
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into().ok())
        .collect()
}

fn ended(track: &MediaStreamTrack) -> bool {
    Reflect::get(track, &JsValue::from_str("readyState"))
        .ok()
        .and_then(|s| s.as_string())
        .is_some_and(|s| s == "ended")
}

/// `history.replaceState(null, "", url)` (the driver reads `?relay=1` when it is created).
fn replace_url(url: &str) {
    let history = Reflect::get(&web_sys::window().unwrap(), &"history".into()).unwrap();
    let replace = Reflect::get(&history, &"replaceState".into()).unwrap();
    let replace: js_sys::Function = replace.dyn_into().unwrap();
    replace
        .call3(&history, &JsValue::NULL, &"".into(), &url.into())
        .unwrap();
}

/// The call notice as the page words it.
fn notice(driver: &CallDriver) -> Option<String> {
    driver.view().notice.as_ref().map(client::text::call_notice)
}

/// A fresh in-page network with Alice and Bob on it.
fn alice_and_bob() -> (Rc<Net>, CallDriver, CallDriver) {
    let net = Rc::new(Net::default());
    let alice = net.join("alice");
    let bob = net.join("bob");
    (net, alice, bob)
}

/// `caller` clicks "call" on `peer`.
fn call(caller: &CallDriver, peer: &str) {
    caller.command(CallCommand::Call {
        peer: peer.to_owned(),
    });
}

/// Alice calls Bob and waits until his phone rings.
async fn ring(alice: &CallDriver, bob: &CallDriver) {
    call(alice, "bob");
    wait_until("bob to ring", 5_000.0, || {
        matches!(phase(bob), CallPhase::Ringing { .. })
    })
    .await;
}

/// Alice calls Bob, he accepts, and both are in the call with each other.
async fn accepted_call(alice: &CallDriver, bob: &CallDriver) {
    ring(alice, bob).await;
    bob.command(CallCommand::Accept);
    wait_until("alice and bob in a call", 10_000.0, || {
        both_in_call(alice, bob)
    })
    .await;
}

/// Waits for `driver`'s local camera and microphone stream.
async fn camera_of(driver: &CallDriver) -> MediaStream {
    wait_until("the local camera", 5_000.0, || {
        driver.local_stream().is_some()
    })
    .await;
    driver.local_stream().unwrap()
}

/// Alice and Bob are in one call with each other.
fn both_in_call(alice: &CallDriver, bob: &CallDriver) -> bool {
    in_call_with(alice, "bob") && in_call_with(bob, "alice")
}

/// `pc.getConfiguration()` (not bound by web-sys).
fn configuration(pc: &RtcPeerConnection) -> JsValue {
    let get_config = Reflect::get(pc, &"getConfiguration".into()).unwrap();
    get_config
        .unchecked_into::<js_sys::Function>()
        .call0(pc)
        .unwrap()
}

#[wasm_bindgen_test]
async fn get_user_media_gives_fake_camera_and_microphone() {
    let devices = web_sys::window()
        .unwrap()
        .navigator()
        .media_devices()
        .unwrap();
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    constraints.set_video(&JsValue::TRUE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .unwrap();
    let stream: MediaStream = JsFuture::from(promise).await.unwrap().dyn_into().unwrap();
    let kinds: Vec<String> = tracks(&stream).iter().map(|t| t.kind()).collect();
    assert!(kinds.contains(&"audio".to_owned()) && kinds.contains(&"video".to_owned()));
    for t in tracks(&stream) {
        t.stop();
    }
}

#[wasm_bindgen_test]
async fn two_drivers_ring_connect_decode_video_and_hang_up() {
    let (net, alice, bob) = alice_and_bob();

    call(&alice, "bob");
    assert_eq!(
        phase(&alice),
        CallPhase::Calling {
            peer: "bob".to_owned()
        }
    );
    let ring_ms = wait_until("bob to ring", 5_000.0, || {
        phase(&bob)
            == CallPhase::Ringing {
                peer: "alice".to_owned(),
            }
    })
    .await;
    // Nothing answers by itself: still ringing a little later.
    TimeoutFuture::new(200).await;
    assert_eq!(
        phase(&bob),
        CallPhase::Ringing {
            peer: "alice".to_owned()
        }
    );
    assert_eq!(net.count("bob", "video-answer"), 0);

    bob.command(CallCommand::Accept);
    let (alice_ms, bob_ms) = wait_decoding(&alice, &bob, 10_000.0).await;
    wait_until("both in the call", 5_000.0, || both_in_call(&alice, &bob)).await;
    console_log!(
        "click→ring {ring_ms:.0} ms; accept→decoding: caller {alice_ms:.0} ms, callee {bob_ms:.0} ms"
    );
    // One negotiation set the call up.
    assert_eq!(
        net.count("alice", "video-offer") + net.count("bob", "video-offer"),
        1
    );
    // Trickle ICE both ways.
    assert!(net.count("alice", "new-ice-candidate") > 0);
    assert!(net.count("bob", "new-ice-candidate") > 0);
    // The UI got both streams, and the route is known (loopback: direct).
    wait_until("streams and route in the updates", 5_000.0, || {
        let updates = net.updates.borrow();
        ["alice", "bob"].iter().all(|n| {
            updates.get(*n).is_some_and(|u| {
                u.local.is_some() && u.remote.is_some() && u.view.route == Some(Route::Direct)
            })
        })
    })
    .await;
    let remote = alice.remote_stream().unwrap();
    assert_eq!(tracks(&remote).len(), 2);

    // Mute and camera off flip `enabled` on the local tracks.
    let local_alice = alice.local_stream().unwrap();
    alice.command(CallCommand::SetMicEnabled(false));
    alice.command(CallCommand::SetCameraEnabled(false));
    assert!(tracks(&local_alice).iter().all(|t| !t.enabled()));
    alice.command(CallCommand::SetCameraEnabled(true));
    assert!(
        tracks(&local_alice)
            .iter()
            .any(|t| t.kind() == "video" && t.enabled())
    );

    // Hang up: both back to idle, every track stopped, both peer connections closed.
    let local_bob = bob.local_stream().unwrap();
    let (pc_alice, pc_bob) = (
        alice.peer_connection().unwrap(),
        bob.peer_connection().unwrap(),
    );
    alice.command(CallCommand::HangUp);
    assert_eq!(phase(&alice), CallPhase::Idle);
    wait_until("bob to hear the hang-up", 5_000.0, || {
        phase(&bob) == CallPhase::Idle
    })
    .await;
    assert_eq!(notice(&bob).as_deref(), Some("alice hung up."));
    assert_eq!(notice(&alice), None);
    for stream in [&local_alice, &local_bob] {
        assert!(tracks(stream).iter().all(ended), "a local track still runs");
    }
    for pc in [&pc_alice, &pc_bob] {
        assert_eq!(
            Reflect::get(pc, &"signalingState".into()).unwrap(),
            "closed"
        );
    }
    assert!(alice.peer_connection().is_none() && bob.peer_connection().is_none());
    assert!(alice.local_stream().is_none() && bob.local_stream().is_none());
}

#[wasm_bindgen_test]
async fn glare_through_the_drivers_gives_exactly_one_call() {
    let (net, alice, bob) = alice_and_bob();
    // Both click in the same moment, before either offer arrives.
    call(&bob, "alice");
    call(&alice, "bob");
    wait_until("one call between them", 10_000.0, || {
        both_in_call(&alice, &bob)
    })
    .await;
    wait_decoding(&alice, &bob, 10_000.0).await;
    // Bob (the larger name) answered Alice's offer; Alice never answered his.
    assert_eq!(net.count("bob", "video-answer"), 1);
    assert_eq!(net.count("alice", "video-answer"), 0);
    assert_eq!(
        net.count("alice", "hang-up") + net.count("bob", "hang-up"),
        0
    );
    bob.command(CallCommand::HangUp);
    wait_until("alice idle", 5_000.0, || phase(&alice) == CallPhase::Idle).await;
}

#[wasm_bindgen_test]
async fn decline_and_busy_are_told_to_the_caller() {
    let (net, alice, bob) = alice_and_bob();
    let carol = net.join("carol");

    ring(&alice, &bob).await;
    bob.command(CallCommand::Decline);
    wait_until("alice to hear", 5_000.0, || {
        phase(&alice) == CallPhase::Idle
    })
    .await;
    assert_eq!(notice(&alice).as_deref(), Some("bob declined."));
    assert!(bob.peer_connection().is_none() && alice.peer_connection().is_none());

    accepted_call(&alice, &bob).await;
    call(&carol, "bob");
    wait_until("carol to hear busy", 5_000.0, || {
        phase(&carol) == CallPhase::Idle
    })
    .await;
    assert_eq!(notice(&carol).as_deref(), Some("bob is busy."));
    assert!(both_in_call(&alice, &bob));
    assert!(carol.local_stream().is_none());
    alice.command(CallCommand::HangUp);
    wait_until("bob idle", 5_000.0, || phase(&bob) == CallPhase::Idle).await;
}

#[wasm_bindgen_test]
async fn dropping_the_driver_releases_everything_and_tells_the_peer() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;
    let local = camera_of(&alice).await;
    let pc = alice.peer_connection().unwrap();

    // Only the test's own handles keep it now; the page forgets it without logging out.
    let gone = net.drivers.borrow_mut().remove("alice");
    drop(gone);
    drop(alice);
    assert_eq!(net.count("alice", "hang-up"), 1, "the peer was not told");
    assert!(
        tracks(&local).iter().all(ended),
        "tracks still run after the driver was dropped"
    );
    assert_eq!(
        Reflect::get(&pc, &"signalingState".into()).unwrap(),
        "closed"
    );
    wait_until("bob to hear alice left", 5_000.0, || {
        phase(&bob) == CallPhase::Idle
    })
    .await;
    assert_eq!(notice(&bob).as_deref(), Some("alice left."));
}

#[wasm_bindgen_test]
async fn a_lost_socket_ends_the_call_locally() {
    let (_net, alice, bob) = alice_and_bob();
    ring(&alice, &bob).await;
    let local = camera_of(&alice).await;
    alice.socket_lost();
    assert_eq!(phase(&alice), CallPhase::Idle);
    assert!(tracks(&local).iter().all(ended));
    assert!(alice.peer_connection().is_none());
}

#[wasm_bindgen_test]
async fn pagehide_tells_the_peer_we_left() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;
    let event = web_sys::Event::new("pagehide").unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
    assert_eq!(phase(&alice), CallPhase::Idle);
    assert_eq!(phase(&bob), CallPhase::Idle);
    // Both sent `hang-up` (each driver saw the page go), and each heard the other leave.
    assert_eq!(net.count("alice", "hang-up"), 1);
    assert_eq!(net.count("bob", "hang-up"), 1);
}

#[wasm_bindgen_test]
async fn ice_servers_from_the_server_are_used_and_refreshed_before_expiry() {
    let (net, alice, _bob) = alice_and_bob();
    let now_s = (js_sys::Date::now() / 1000.0) as u64;
    alice.on_server_message(&FromServer::IceServers {
        ice_servers: vec![shared::IceServer {
            urls: vec!["turn:127.0.0.1:3478?transport=udp".to_owned()],
            username: Some(format!("{now_s}:alice")),
            credential: Some("secret".to_owned()),
        }],
        // Already expired: fresh ones are asked for after the minimum delay.
        expires: Some(now_s),
    });
    call(&alice, "bob");
    let config = configuration(&alice.peer_connection().unwrap());
    let servers = js_sys::Array::from(&Reflect::get(&config, &"iceServers".into()).unwrap());
    assert_eq!(servers.length(), 1);
    let username = Reflect::get(&servers.get(0), &"username".into()).unwrap();
    assert_eq!(username.as_string(), Some(format!("{now_s}:alice")));
    let policy = Reflect::get(&config, &"iceTransportPolicy".into()).unwrap();
    assert_eq!(policy.as_string().as_deref(), Some("all"));
    alice.command(CallCommand::Cancel);
    wait_until("a request for fresh ICE servers", 10_000.0, || {
        net.count("alice", "get-ice-servers") == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn relay_only_without_a_relay_fails_at_once_and_clearly() {
    let original = web_sys::window().unwrap().location().href().unwrap();
    replace_url("?relay=1");
    let (_net, alice, bob) = alice_and_bob();
    replace_url(&original);

    call(&alice, "bob");
    let config = configuration(&alice.peer_connection().unwrap());
    let policy = Reflect::get(&config, &"iceTransportPolicy".into()).unwrap();
    assert_eq!(policy.as_string().as_deref(), Some("relay"));
    // No relay configured, so no candidate at all: the call ends without waiting for a timeout.
    wait_until("alice to give up", 5_000.0, || {
        phase(&alice) == CallPhase::Idle
    })
    .await;
    assert_eq!(
        notice(&alice).as_deref(),
        Some("No network path to bob could be found.")
    );
    wait_until("bob to hear", 5_000.0, || phase(&bob) == CallPhase::Idle).await;
    assert_eq!(
        notice(&bob).as_deref(),
        Some("The connection to alice failed.")
    );
}

fn pc_field(pc: &RtcPeerConnection, key: &str) -> JsValue {
    Reflect::get(pc, &key.into()).unwrap()
}

fn local_ufrag(pc: &RtcPeerConnection) -> String {
    let sdp = pc.local_description().map(|d| d.sdp()).unwrap_or_default();
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .unwrap_or_default()
        .to_owned()
}

#[wasm_bindgen_test]
async fn renegotiation_from_both_sides_at_once_keeps_the_call() {
    let (net, alice, bob) = alice_and_bob();
    ring(&alice, &bob).await;
    bob.command(CallCommand::Accept);
    wait_decoding(&alice, &bob, 10_000.0).await;
    let (pa, pb) = (
        alice.peer_connection().unwrap(),
        bob.peer_connection().unwrap(),
    );
    let (ufrag_a, ufrag_b) = (local_ufrag(&pa), local_ufrag(&pb));
    let offers_before = net.count("alice", "video-offer") + net.count("bob", "video-offer");

    // Both restart ICE in the same moment: both make offers, which collide. Perfect
    // negotiation settles it (Bob, polite, rolls back; Alice ignores his offer).
    for pc in [&pa, &pb] {
        let restart: js_sys::Function = pc_field(pc, "restartIce").dyn_into().unwrap();
        restart.call0(pc).unwrap();
    }
    wait_until(
        "new ICE credentials on both sides, stable",
        10_000.0,
        || {
            pc_field(&pa, "signalingState") == "stable"
                && pc_field(&pb, "signalingState") == "stable"
                && local_ufrag(&pa) != ufrag_a
                && local_ufrag(&pb) != ufrag_b
        },
    )
    .await;
    assert!(net.count("alice", "video-offer") + net.count("bob", "video-offer") > offers_before);
    assert!(both_in_call(&alice, &bob));
    // Still the same peer connections, and video still decodes.
    assert!(alice.peer_connection().unwrap() == pa && bob.peer_connection().unwrap() == pb);
    let before = frames_decoded(&pa).await;
    wait_until_async_frames(&pa, before).await;
    alice.command(CallCommand::HangUp);
    wait_until("bob idle", 5_000.0, || phase(&bob) == CallPhase::Idle).await;
}

/// Waits until `pc` has decoded more frames than `before`.
async fn wait_until_async_frames(pc: &RtcPeerConnection, before: f64) {
    let start = js_sys::Date::now();
    while frames_decoded(pc).await <= before {
        assert!(
            js_sys::Date::now() - start < 10_000.0,
            "video stopped after renegotiation"
        );
        TimeoutFuture::new(20).await;
    }
}

#[wasm_bindgen_test]
async fn camera_problems_are_explained_and_end_the_call_on_both_sides() {
    let devices = web_sys::window()
        .unwrap()
        .navigator()
        .media_devices()
        .unwrap();
    let original = Reflect::get(&devices, &"getUserMedia".into()).unwrap();
    let cases = [
        (
            "NotAllowedError",
            "Permission to use the camera and microphone was denied.",
        ),
        ("NotFoundError", "No camera or microphone was found."),
        (
            "NotReadableError",
            "The camera or microphone is in use by another application.",
        ),
    ];
    let mut seen = Vec::new();
    for (name, _) in cases {
        // The browser's own refusal, as getUserMedia gives it (after a moment, as a prompt
        // would, so the callee is already ringing when it comes).
        let body = format!(
            "return new Promise((_, reject) => setTimeout(() => \
             reject(new DOMException('test', '{name}')), 100))"
        );
        let failing = js_sys::Function::new_no_args(&body);
        Reflect::set(&devices, &"getUserMedia".into(), &failing).unwrap();

        let (net, alice, bob) = alice_and_bob();
        call(&alice, "bob");
        // No panics before the real getUserMedia is back: wait without asserting.
        let finished = wait_for(5_000.0, || matches!(phase(&bob), CallPhase::Ringing { .. })).await
            && wait_for(5_000.0, || phase(&alice) == CallPhase::Idle).await
            && wait_for(5_000.0, || phase(&bob) == CallPhase::Idle).await;
        seen.push((
            finished,
            notice(&alice),
            notice(&bob),
            alice.peer_connection().is_none() && bob.peer_connection().is_none(),
            net.count("alice", "hang-up"),
        ));
    }
    Reflect::set(&devices, &"getUserMedia".into(), &original).unwrap();
    for ((_, sentence), (finished, alice_notice, bob_notice, closed, hang_ups)) in
        cases.iter().zip(seen)
    {
        assert!(finished, "the call did not end");
        assert_eq!(alice_notice.as_deref(), Some(*sentence));
        assert_eq!(
            bob_notice.as_deref(),
            Some("alice's camera or microphone could not be used.")
        );
        assert!(closed);
        assert_eq!(hang_ups, 1);
    }
}
