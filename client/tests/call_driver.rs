//! Browser tests of the call driver in headless Chromium with fake camera and microphone.
//!
//! Several [`CallDriver`]s live in one page and reach each other through an in-page relay that
//! does what the server does with their frames (stamps the sender's name, delivers to the
//! target, asynchronously). The drivers negotiate with their own code; the tests only click,
//! read what each driver published to its page, and read `getStats()` to see remote video
//! decoded. Every wait polls with short timers up to a deadline. Helpers: `driver_support`.
//!
//! [`CallDriver`]: client::call::driver::CallDriver

#![cfg(target_arch = "wasm32")]
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod driver_support;

use std::cell::Cell;
use std::rc::Rc;

use client::call::machine::PeerState;
use client::call::{CallCommand, CallNotice, CallPhase, MediaError, Route};
use driver_support::*;
use gloo_timers::future::TimeoutFuture;
use js_sys::Reflect;
use shared::{FromServer, HangUpReason, Presence};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MediaStream, MediaStreamConstraints};

wasm_bindgen_test_configure!(run_in_browser);

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

    alice.call("bob");
    wait_until("alice to be calling", 1_000.0, || {
        alice.phase() != CallPhase::Idle
    })
    .await;
    assert_eq!(
        alice.phase(),
        CallPhase::Calling {
            peer: "bob".to_owned()
        }
    );
    let ring_ms = wait_until("bob to ring", 5_000.0, || {
        bob.phase()
            == CallPhase::Ringing {
                peer: "alice".to_owned(),
            }
    })
    .await;
    // Nothing answers by itself: still ringing a little later.
    TimeoutFuture::new(200).await;
    assert_eq!(
        bob.phase(),
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
        [&alice, &bob].iter().all(|u| {
            u.update().is_some_and(|u| {
                u.local.is_some() && u.remote.is_some() && u.view.route == Some(Route::Direct)
            })
        })
    })
    .await;
    let remote = alice.remote().unwrap();
    assert_eq!(tracks(&remote).len(), 2);

    // Mute and camera off flip `enabled` on the local tracks.
    let local_alice = alice.local().unwrap();
    alice.command(CallCommand::SetMicEnabled(false));
    alice.command(CallCommand::SetCameraEnabled(false));
    wait_until("mic and camera off", 1_000.0, || {
        tracks(&local_alice).iter().all(|t| !t.enabled())
    })
    .await;
    alice.command(CallCommand::SetCameraEnabled(true));
    wait_until("the camera on again", 1_000.0, || {
        tracks(&local_alice)
            .iter()
            .any(|t| t.kind() == "video" && t.enabled())
    })
    .await;

    // Hang up: both back to idle, every track stopped, both peer connections closed.
    let local_bob = bob.local().unwrap();
    let (pc_alice, pc_bob) = (alice.pc().await.unwrap(), bob.pc().await.unwrap());
    alice.command(CallCommand::HangUp);
    wait_until("alice idle", 1_000.0, || alice.is_idle()).await;
    wait_until("bob to hear the hang-up", 5_000.0, || bob.is_idle()).await;
    assert_eq!(
        bob.notice(),
        Some(CallNotice::HungUp {
            peer: "alice".into()
        })
    );
    assert_eq!(alice.notice(), None);
    for stream in [&local_alice, &local_bob] {
        assert!(tracks(stream).iter().all(ended), "a local track still runs");
    }
    for pc in [&pc_alice, &pc_bob] {
        assert_eq!(pc_field(pc, "signalingState"), "closed");
    }
    assert!(alice.pc().await.is_none() && bob.pc().await.is_none());
    assert!(alice.local().is_none() && bob.local().is_none());
}

#[wasm_bindgen_test]
async fn glare_through_the_drivers_gives_exactly_one_call() {
    let (net, alice, bob) = alice_and_bob();
    // Both click in the same moment, before either offer arrives.
    bob.call("alice");
    alice.call("bob");
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
    wait_until("alice idle", 5_000.0, || alice.is_idle()).await;
}

#[wasm_bindgen_test]
async fn decline_and_busy_are_told_to_the_caller() {
    let (net, alice, bob) = alice_and_bob();
    let carol = net.join("carol");

    ring(&alice, &bob).await;
    bob.command(CallCommand::Decline);
    wait_until("alice to hear", 5_000.0, || alice.is_idle()).await;
    assert_eq!(
        alice.notice(),
        Some(CallNotice::Declined { peer: "bob".into() })
    );
    assert!(bob.pc().await.is_none() && alice.pc().await.is_none());

    accepted_call(&alice, &bob).await;
    carol.call("bob");
    // Carol's "Calling" may be over before a poll sees it: wait for the end with its notice.
    wait_until("carol to hear busy", 5_000.0, || {
        carol.is_idle() && carol.notice().is_some()
    })
    .await;
    assert_eq!(
        carol.notice(),
        Some(CallNotice::Busy { peer: "bob".into() })
    );
    assert!(both_in_call(&alice, &bob));
    assert!(carol.local().is_none());
    alice.command(CallCommand::HangUp);
    wait_until("bob idle", 5_000.0, || bob.is_idle()).await;
}

#[wasm_bindgen_test]
async fn dropping_the_driver_releases_everything_and_tells_the_peer() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;
    let local = alice.camera().await;
    let pc = alice.pc().await.unwrap();

    // Only the test's own handle keeps it now; the page forgets it without logging out.
    drop(net.forget("alice"));
    assert_eq!(
        net.count("alice", "hang-up"),
        0,
        "told before the last handle went"
    );
    drop(alice);
    wait_until("the peer to be told", 1_000.0, || {
        net.count("alice", "hang-up") > 0
    })
    .await;
    assert_eq!(
        net.count("alice", "hang-up"),
        1,
        "the peer was not told once"
    );
    assert_eq!(net.hang_up_reasons("alice"), [Some(HangUpReason::Left)]);
    assert!(
        tracks(&local).iter().all(ended),
        "tracks still run after the driver was dropped"
    );
    assert_eq!(pc_field(&pc, "signalingState"), "closed");
    wait_until("bob to hear alice left", 5_000.0, || bob.is_idle()).await;
    assert_eq!(
        bob.notice(),
        Some(CallNotice::Left {
            peer: "alice".into()
        })
    );
}

#[wasm_bindgen_test]
async fn closing_the_driver_explicitly_does_what_dropping_it_does() {
    let (net, alice, bob) = alice_and_bob();
    ring(&alice, &bob).await;
    let local = alice.camera().await;
    // The page still holds handles; closing ends the call layer all the same.
    alice.driver.close();
    wait_until("bob to hear alice left", 5_000.0, || bob.is_idle()).await;
    assert_eq!(net.hang_up_reasons("alice"), [Some(HangUpReason::Left)]);
    assert!(tracks(&local).iter().all(ended));
    assert!(alice.pc().await.is_none(), "a closed driver still answers");
    // Nothing reaches a closed driver any more: a new call sends no offer.
    let offers = net.count("alice", "video-offer");
    alice.call("bob");
    TimeoutFuture::new(50).await;
    assert_eq!(net.count("alice", "video-offer"), offers);
    assert!(bob.is_idle());
}

#[wasm_bindgen_test]
async fn a_lost_socket_ends_the_call_locally() {
    let (_net, alice, bob) = alice_and_bob();
    ring(&alice, &bob).await;
    let local = alice.camera().await;
    alice.driver.socket_lost();
    wait_until("alice idle", 1_000.0, || alice.is_idle()).await;
    assert!(tracks(&local).iter().all(ended));
    assert!(alice.pc().await.is_none());
}

#[wasm_bindgen_test]
async fn pagehide_tells_the_peer_we_left() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;

    // Only Alice's page goes away, from a task of its own as in a browser. What Alice sent is
    // read in a microtask of that same task: the hang-up must be out before the page can go.
    let sent_in_the_task = Rc::new(Cell::new(None));
    let record = {
        let (net, sent) = (net.clone(), sent_in_the_task.clone());
        Closure::once(move || sent.set(Some(net.count("alice", "hang-up"))))
    };
    let hide = js_sys::Function::new_with_args(
        "page, record",
        "setTimeout(() => { page.dispatchEvent(new Event('pagehide')); queueMicrotask(record); })",
    );
    hide.call2(&JsValue::NULL, &net.page("alice"), record.as_ref())
        .unwrap();
    wait_until("the pagehide task", 1_000.0, || {
        sent_in_the_task.get().is_some()
    })
    .await;
    assert_eq!(
        sent_in_the_task.get(),
        Some(1),
        "no hang-up during pagehide"
    );

    // Bob's call ends because Alice's hang-up reached him, not because he saw the page go.
    wait_until("alice idle", 1_000.0, || alice.is_idle()).await;
    wait_until("bob to hear alice left", 5_000.0, || bob.is_idle()).await;
    assert_eq!(net.hang_up_reasons("alice"), [Some(HangUpReason::Left)]);
    assert_eq!(net.count("bob", "hang-up"), 0, "bob ended the call himself");
    assert_eq!(
        bob.notice(),
        Some(CallNotice::Left {
            peer: "alice".into()
        })
    );
    assert!(bob.pc().await.is_none() && bob.local().is_none());
}

#[wasm_bindgen_test]
async fn ice_servers_from_the_server_are_used_and_refreshed_before_expiry() {
    let (net, alice, _bob) = alice_and_bob();
    let now_s = (js_sys::Date::now() / 1000.0) as u64;
    alice
        .driver
        .on_server_message(&shared::FromServer::IceServers {
            ice_servers: vec![shared::IceServer {
                urls: vec!["turn:127.0.0.1:3478?transport=udp".to_owned()],
                username: Some(format!("{now_s}:alice")),
                credential: Some("secret".to_owned()),
            }],
            // Already expired: fresh ones are asked for after the minimum delay.
            expires: Some(now_s),
        });
    alice.call("bob");
    let config = configuration(&alice.pc().await.unwrap());
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

    alice.call("bob");
    let config = configuration(&alice.pc().await.unwrap());
    let policy = Reflect::get(&config, &"iceTransportPolicy".into()).unwrap();
    assert_eq!(policy.as_string().as_deref(), Some("relay"));
    // No relay configured, so no candidate at all: the call ends without waiting for a timeout.
    wait_until("alice to give up", 5_000.0, || {
        alice.is_idle() && alice.notice().is_some()
    })
    .await;
    assert_eq!(
        alice.notice(),
        Some(CallNotice::NoPath {
            peer: "bob".into(),
            relay_refused: false
        })
    );
    wait_until("bob to hear", 5_000.0, || {
        bob.is_idle() && bob.notice().is_some()
    })
    .await;
    assert_eq!(
        bob.notice(),
        Some(CallNotice::ConnectionFailed {
            peer: "alice".into(),
            relay_refused: false
        })
    );
}

#[wasm_bindgen_test]
async fn renegotiation_from_both_sides_at_once_keeps_the_call() {
    let (net, alice, bob) = alice_and_bob();
    ring(&alice, &bob).await;
    bob.command(CallCommand::Accept);
    wait_decoding(&alice, &bob, 10_000.0).await;
    let (pa, pb) = (alice.pc().await.unwrap(), bob.pc().await.unwrap());
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
    wait_until("both in the call", 1_000.0, || both_in_call(&alice, &bob)).await;
    assert!(both_in_call(&alice, &bob));
    // Still the same peer connections, and video still decodes.
    assert!(alice.pc().await.unwrap() == pa && bob.pc().await.unwrap() == pb);
    let before = frames_decoded(&pa).await;
    wait_until_more_frames(&pa, before).await;
    alice.command(CallCommand::HangUp);
    wait_until("bob idle", 5_000.0, || bob.is_idle()).await;
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
        ("NotAllowedError", MediaError::NotAllowed),
        ("NotFoundError", MediaError::NotFound),
        ("NotReadableError", MediaError::NotReadable),
    ];
    let mut seen = Vec::new();
    for (name, _) in &cases {
        // The browser's own refusal, as getUserMedia gives it (after a moment, as a prompt
        // would, so the callee is already ringing when it comes).
        let body = format!(
            "return new Promise((_, reject) => setTimeout(() => \
             reject(new DOMException('test', '{name}')), 100))"
        );
        let failing = js_sys::Function::new_no_args(&body);
        Reflect::set(&devices, &"getUserMedia".into(), &failing).unwrap();

        let (net, alice, bob) = alice_and_bob();
        alice.call("bob");
        // No panics before the real getUserMedia is back: wait without asserting.
        let finished = wait_for(5_000.0, || matches!(bob.phase(), CallPhase::Ringing { .. })).await
            && wait_for(5_000.0, || alice.is_idle()).await
            && wait_for(5_000.0, || bob.is_idle()).await;
        seen.push((
            finished,
            alice.notice(),
            bob.notice(),
            alice.pc().await.is_none() && bob.pc().await.is_none(),
            net.count("alice", "hang-up"),
        ));
    }
    Reflect::set(&devices, &"getUserMedia".into(), &original).unwrap();
    for ((_, error), (finished, alice_notice, bob_notice, closed, hang_ups)) in
        cases.into_iter().zip(seen)
    {
        assert!(finished, "the call did not end");
        assert_eq!(alice_notice, Some(CallNotice::Media(error)));
        assert_eq!(
            bob_notice,
            Some(CallNotice::PeerMediaFailed {
                peer: "alice".into()
            })
        );
        assert!(closed);
        assert_eq!(hang_ups, 1);
    }
}

// ---- issue 9: calls that outlive their signaling ----

fn user_state(name: &str, state: Presence, fresh: bool) -> FromServer {
    FromServer::UserState {
        name: name.to_owned(),
        state,
        fresh,
    }
}

/// Both sides decode more frames than they had a moment ago.
async fn both_keep_decoding(a: &User, b: &User) {
    for user in [a, b] {
        let pc = user.pc().await.unwrap();
        let before = frames_decoded(&pc).await;
        wait_until_more_frames(&pc, before).await;
    }
}

fn peer_reconnecting(user: &User) -> bool {
    user.update().is_some_and(|u| u.view.peer_reconnecting)
}

#[wasm_bindgen_test]
async fn signaling_down_and_up_mid_call_keeps_the_call_and_its_video() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;
    wait_decoding(&alice, &bob, 10_000.0).await;
    let (pc_alice, pc_bob) = (alice.pc().await.unwrap(), bob.pc().await.unwrap());
    for user in [&alice, &bob] {
        user.driver.set_resumable(true);
    }

    // Alice's socket goes; the server tells Bob she is reconnecting.
    net.hold("alice");
    alice.driver.signaling_down();
    net.deliver("bob", user_state("alice", Presence::Reconnecting, false));
    wait_until("bob to see alice reconnecting", 1_000.0, || {
        peer_reconnecting(&bob)
    })
    .await;
    // For two seconds nothing ends and the video goes on, on the same connections.
    let ended = wait_for(2_000.0, || !both_in_call(&alice, &bob)).await;
    assert!(!ended, "the call did not outlive its signaling");
    both_keep_decoding(&alice, &bob).await;
    assert_eq!(alice.notice(), None);
    assert_eq!(bob.notice(), None);

    // Back: the partner state clears, the same connections carry on.
    net.release("alice");
    alice.driver.signaling_up();
    net.deliver("bob", user_state("alice", Presence::Online, false));
    wait_until("bob to see alice online", 1_000.0, || {
        !peer_reconnecting(&bob)
    })
    .await;
    both_keep_decoding(&alice, &bob).await;
    assert!(both_in_call(&alice, &bob));
    assert_eq!(pc_field(&pc_alice, "connectionState"), "connected");
    assert_eq!(pc_field(&pc_bob, "connectionState"), "connected");

    // A hang-up still reaches the partner.
    alice.command(CallCommand::HangUp);
    wait_until("bob to hear the hang-up", 5_000.0, || bob.is_idle()).await;
    assert_eq!(net.hang_up_reasons("alice"), [Some(HangUpReason::Ended)]);
}

#[wasm_bindgen_test]
async fn a_partner_who_reloads_gets_the_call_back_on_new_peer_connections() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;
    wait_decoding(&alice, &bob, 10_000.0).await;
    let old_alice = alice.pc().await.unwrap();
    for user in [&alice, &bob] {
        user.driver.set_resumable(true);
    }

    // Bob's page goes away (a reload): a resumable page tells Alice nothing on pagehide.
    net.page("bob")
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    wait_until("bob's old page idle", 1_000.0, || bob.is_idle()).await;
    assert!(net.hang_up_reasons("bob").is_empty(), "a reload hung up");
    net.cut("bob");
    net.forget("bob");
    drop(bob);
    net.deliver("alice", user_state("bob", Presence::Reconnecting, false));
    wait_until("alice to see bob reconnecting", 1_000.0, || {
        peer_reconnecting(&alice)
    })
    .await;
    assert_eq!(alice.phase().peer(), Some("bob"), "alice's call went");

    // The new page resumes: Alice hears first, then the new page learns its partner.
    net.uncut("bob");
    let bob = net.join("bob");
    bob.driver.set_resumable(true);
    bob.driver.set_fresh_page();
    net.deliver("alice", user_state("bob", Presence::Online, true));
    net.deliver(
        "bob",
        FromServer::Resumed {
            name: "bob".to_owned(),
            token: "1.new".to_owned(),
            grace: 30,
            ack: 0,
            partner: Some("alice".to_owned()),
        },
    );
    wait_until("the call back on both sides", 10_000.0, || {
        both_in_call(&alice, &bob)
    })
    .await;
    wait_decoding(&alice, &bob, 10_000.0).await;
    assert!(!peer_reconnecting(&alice));
    assert_eq!(pc_field(&old_alice, "signalingState"), "closed");
    let new_alice = alice.pc().await.unwrap();
    assert_eq!(pc_field(&new_alice, "connectionState"), "connected");
    // The new page offered, once; nobody clicked.
    assert_eq!(net.count("bob", "video-offer"), 1);

    bob.command(CallCommand::HangUp);
    wait_until("alice to hear the hang-up", 5_000.0, || alice.is_idle()).await;
    assert_eq!(
        alice.notice(),
        Some(CallNotice::HungUp { peer: "bob".into() })
    );
}

#[wasm_bindgen_test]
async fn ice_restarts_wait_for_signaling_run_and_the_call_keeps_decoding() {
    let (net, alice, bob) = alice_and_bob();
    accepted_call(&alice, &bob).await;
    wait_decoding(&alice, &bob, 10_000.0).await;
    let (pc_alice, pc_bob) = (alice.pc().await.unwrap(), bob.pc().await.unwrap());
    let ufrags = || (local_ufrag(&pc_alice), local_ufrag(&pc_bob));
    let first = ufrags();
    let offers = || net.count("alice", "video-offer") + net.count("bob", "video-offer");
    assert_eq!(offers(), 1);

    // Alice (the caller, impolite) sees her connection fail while her socket is away: the
    // call shows "Reconnecting media…" and the restart waits.
    net.hold("alice");
    alice.driver.signaling_down();
    alice.driver.simulate_peer_state(PeerState::Failed);
    wait_until("alice reconnecting", 1_000.0, || {
        matches!(alice.phase(), CallPhase::Reconnecting { .. })
    })
    .await;
    assert!(
        !wait_for(500.0, || offers() > 1).await,
        "restarted while away"
    );
    assert_eq!(ufrags(), first);

    // Signaling back: the restart runs (new ICE credentials on both sides) and mends it.
    net.release("alice");
    alice.driver.signaling_up();
    wait_until("a restart offer", 2_000.0, || offers() == 2).await;
    wait_until("new ICE credentials on both sides", 5_000.0, || {
        let (a, b) = ufrags();
        a != first.0 && b != first.1
    })
    .await;
    wait_until("back in the call", 5_000.0, || both_in_call(&alice, &bob)).await;
    both_keep_decoding(&alice, &bob).await;

    // Once more with signaling up: at once.
    let second = ufrags();
    alice.driver.simulate_peer_state(PeerState::Failed);
    wait_until("a second restart", 5_000.0, || {
        let (a, b) = ufrags();
        a != second.0 && b != second.1
    })
    .await;
    wait_until("back in the call", 5_000.0, || both_in_call(&alice, &bob)).await;
    both_keep_decoding(&alice, &bob).await;
    assert_eq!(alice.notice(), None);
    assert_eq!(bob.notice(), None);
}
