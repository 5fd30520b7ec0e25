//! Host tests of the transitions that let a call outlive its signaling: the socket going and
//! coming back, the partner reconnecting or reloading, a reloaded page rebuilding its call,
//! and the repair of a broken media path by ICE restarts (schedule, deferral, giving up).

use shared::{FromServer, HangUpReason, Presence, SdpType, ToServer};

use super::*;

fn at(now_ms: f64) -> Env {
    Env { now_ms, ..STABLE }
}

fn user_state(name: &str, state: Presence, fresh: bool) -> Input {
    Input::Server(FromServer::UserState {
        name: name.to_owned(),
        state,
        fresh,
    })
}

fn resumed(partner: Option<&str>) -> Input {
    Input::Server(FromServer::Resumed {
        name: "alice".to_owned(),
        token: "1.secret".to_owned(),
        grace: 30,
        ack: 0,
        partner: partner.map(str::to_owned),
    })
}

fn restart_in(ms: u32) -> Effect {
    Effect::StartTimer {
        timer: Timer::IceRestart,
        ms,
    }
}

fn give_up_in(ms: u32) -> Effect {
    Effect::StartTimer {
        timer: Timer::GiveUp,
        ms,
    }
}

/// What entering a repair does while signaling works.
fn repair_begins() -> Vec<Effect> {
    vec![
        Effect::CancelTimer(Timer::Connect),
        give_up_in(REPAIR_LIMIT_MS),
    ]
}

fn repaired() -> Vec<Effect> {
    vec![
        Effect::CancelTimer(Timer::IceRestart),
        Effect::CancelTimer(Timer::GiveUp),
        Effect::ProbeRoute,
        Effect::StartTimer {
            timer: Timer::RouteProbe,
            ms: ROUTE_PROBE_MS,
        },
    ]
}

fn reconnecting() -> CallPhase {
    CallPhase::Reconnecting {
        peer: bob(),
        since_ms: 1000.0,
    }
}

fn in_call() -> CallPhase {
    CallPhase::InCall {
        peer: bob(),
        since_ms: 1000.0,
    }
}

fn with(mut fx: Vec<Effect>, more: impl IntoIterator<Item = Effect>) -> Vec<Effect> {
    fx.extend(more);
    fx
}

// ---- signaling down and up ----

#[test]
fn losing_signaling_keeps_the_call_and_its_media() {
    let mut m = in_call_with_bob();
    assert_eq!(m.handle(Input::SignalingDown, STABLE), vec![]);
    assert_eq!(m.view().phase, in_call());
    assert_eq!(notice(&m), None);
    // Issue 12: the partner is told our media state again (a frame may have been lost).
    let told = m.handle(Input::SignalingUp, STABLE);
    assert!(matches!(
        told[..],
        [Effect::Send(ToServer::MediaState { .. })]
    ));
    assert_eq!(m.view().phase, in_call());
    // The call still ends by hang-up, as ever.
    m.handle(hang_up_from("bob", Some(HangUpReason::Ended)), STABLE);
    assert_eq!(notice(&m), Some(&CallNotice::HungUp { peer: bob() }));
}

#[test]
fn a_resumable_page_hides_without_hanging_up_and_an_old_one_as_today() {
    let mut m = in_call_with_bob();
    m.handle(Input::SetResumable(true), STABLE);
    assert_eq!(m.handle(Input::PageHide, STABLE), ending(None));
    assert_eq!(notice(&m), None);
    let mut m = in_call_with_bob();
    m.handle(Input::SetResumable(true), STABLE);
    m.handle(Input::SetResumable(false), STABLE);
    assert_eq!(
        m.handle(Input::PageHide, STABLE),
        ending(Some(hang_up("bob", HangUpReason::Left)))
    );
}

#[test]
fn a_lost_session_still_ends_the_call_and_the_next_one_signals_again() {
    let (mut m, _) = caller_in_call_with_bob();
    m.handle(Input::SignalingDown, STABLE);
    assert_eq!(m.handle(Input::SocketLost, STABLE), ending(None));
    assert_eq!(notice(&m), Some(&CallNotice::ServerLost));
    // A new session: a repair of a new call restarts at once (signaling is not "down").
    m.handle(cmd(CallCommand::Call { peer: bob() }), STABLE);
    m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    let pc = m.pc_id().unwrap();
    m.handle(remote_set(pc, SdpType::Answer), STABLE);
    m.handle(peer_state(pc, PeerState::Connected), STABLE);
    let fx = m.handle(peer_state(pc, PeerState::Failed), STABLE);
    assert!(fx.contains(&Effect::RestartIce), "{fx:?}");
}

// ---- the partner's presence ----

#[test]
fn the_partner_reconnecting_keeps_the_call_and_shows_it_until_online() {
    let mut m = in_call_with_bob();
    assert_eq!(
        m.handle(user_state("bob", Presence::Reconnecting, false), STABLE),
        vec![]
    );
    assert!(m.view().peer_reconnecting);
    assert_eq!(m.view().phase, in_call());
    // Someone else's presence is not the call's business.
    m.handle(user_state("carol", Presence::Online, false), STABLE);
    assert!(m.view().peer_reconnecting);
    assert_eq!(
        m.handle(user_state("bob", Presence::Online, false), STABLE),
        vec![]
    );
    assert!(!m.view().peer_reconnecting);
    assert_eq!(m.view().phase, in_call());
    // The partner leaving after the grace window arrives as a hang-up, as today.
    m.handle(user_state("bob", Presence::Reconnecting, false), STABLE);
    m.handle(hang_up_from("bob", Some(HangUpReason::Left)), STABLE);
    assert_eq!(notice(&m), Some(&CallNotice::Left { peer: bob() }));
    assert!(!m.view().peer_reconnecting);
}

#[test]
fn a_partner_who_reloaded_gets_a_new_peer_connection_and_is_answered() {
    let mut m = in_call_with_bob();
    let old = m.pc_id().unwrap();
    m.handle(
        Input::MediaReady {
            call: m.call_id().unwrap(),
        },
        STABLE,
    );
    m.handle(user_state("bob", Presence::Reconnecting, false), STABLE);
    let fx = m.handle(user_state("bob", Presence::Online, true), STABLE);
    let new = m.pc_id().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        fx,
        with(
            vec![
                Effect::ClosePeer,
                Effect::CreatePeer {
                    pc: new,
                    role: Role::Callee
                },
                Effect::CancelTimer(Timer::IceRestart),
            ],
            repair_begins()
        )
    );
    assert_eq!(m.view().phase, reconnecting());
    assert!(!m.view().peer_reconnecting);
    // Late events of the old connection are dropped.
    assert_eq!(m.handle(peer_state(old, PeerState::Failed), STABLE), vec![]);
    // Bob's new page offers; we answer at once with the media we have.
    assert_eq!(
        m.handle(offer_from("bob"), STABLE),
        vec![Effect::SetRemoteDescription(sdp(
            SdpType::Offer,
            "offer-bob"
        ))]
    );
    assert_eq!(
        m.handle(
            remote_set(new, SdpType::Offer),
            env(Signaling::HaveRemoteOffer)
        ),
        vec![
            Effect::EnableSending,
            Effect::AttachMedia,
            Effect::SetLocalDescription
        ]
    );
    let fx = m.handle(local_set(new, sdp(SdpType::Answer, "answer-2")), STABLE);
    assert_eq!(
        fx,
        vec![Effect::Send(ToServer::VideoAnswer {
            name: Some("alice".to_owned()),
            target: bob(),
            sdp: sdp(SdpType::Answer, "answer-2"),
        })]
    );
    // Media flows: back in the call, which keeps its start time.
    assert_eq!(
        m.handle(peer_state(new, PeerState::Connected), at(7000.0)),
        repaired()
    );
    assert_eq!(m.view().phase, in_call());
}

#[test]
fn a_partner_who_reloaded_before_the_call_was_accepted_ends_it_and_is_refused_once() {
    let mut m = calling_bob();
    let fx = m.handle(user_state("bob", Presence::Online, true), STABLE);
    assert_eq!(fx, ending(None));
    assert_eq!(notice(&m), Some(&CallNotice::HungUp { peer: bob() }));
    // The new page offers (it cannot know the call was never accepted): refused.
    assert_eq!(
        m.handle(offer_from("bob"), STABLE),
        vec![hang_up("bob", HangUpReason::Cancelled)]
    );
    assert_eq!(m.view().phase, CallPhase::Idle);
    // Only once: a later call from Bob rings.
    m.handle(offer_from("bob"), STABLE);
    assert_eq!(m.view().phase, CallPhase::Ringing { peer: bob() });

    // Ringing when the caller reloads: a missed call; an offer long after is a new call.
    let mut m = ringing_from_bob();
    m.handle(user_state("bob", Presence::Online, true), STABLE);
    assert_eq!(notice(&m), Some(&CallNotice::Missed { peer: bob() }));
    m.handle(offer_from("bob"), at(60_000.0));
    assert_eq!(m.view().phase, CallPhase::Ringing { peer: bob() });
}

// ---- a reloaded page ----

#[test]
fn a_reloaded_page_rebuilds_the_call_with_its_partner_and_offers() {
    let mut m = alice();
    m.handle(Input::FreshPage, STABLE);
    let fx = m.handle(resumed(Some("bob")), STABLE);
    let pc = m.pc_id().unwrap();
    let call = m.call_id().unwrap();
    assert_eq!(
        fx,
        with(
            vec![
                Effect::CreatePeer {
                    pc,
                    role: Role::Caller
                },
                Effect::AcquireMedia { call },
            ],
            repair_begins()
        )
    );
    assert_eq!(m.view().phase, reconnecting());
    // The offer goes out on negotiationneeded, before the camera is open.
    assert_eq!(
        m.handle(Input::NegotiationNeeded { pc }, STABLE),
        vec![Effect::SetLocalDescription]
    );
    let fx = m.handle(
        local_set(pc, sdp(SdpType::Offer, "offer-2")),
        env(Signaling::HaveLocalOffer),
    );
    assert!(
        matches!(&fx[..], [Effect::Send(ToServer::VideoOffer { target, .. })] if target == "bob")
    );
    // An offer of Bob's old connection, queued for us while we were away, is dropped.
    assert_eq!(m.handle(offer_from("bob"), STABLE), vec![]);
    // His answer is applied; the camera arrives and is attached.
    assert_eq!(
        m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer)),
        vec![Effect::SetRemoteDescription(sdp(
            SdpType::Answer,
            "answer-bob"
        ))]
    );
    m.handle(remote_set(pc, SdpType::Answer), STABLE);
    let fx = m.handle(Input::MediaReady { call }, STABLE);
    assert_eq!(fx[0], Effect::AttachMedia);
    assert_eq!(
        m.handle(peer_state(pc, PeerState::Connected), STABLE),
        repaired()
    );
    assert_eq!(m.view().phase, in_call());
    // Later offers of Bob (renegotiation) are answered again.
    assert_eq!(
        m.handle(offer_from("bob"), STABLE),
        vec![Effect::SetRemoteDescription(sdp(
            SdpType::Offer,
            "offer-bob"
        ))]
    );
}

#[test]
fn only_a_reloaded_page_rebuilds_and_only_with_a_partner() {
    // Not fresh: `resumed` names the partner of the call that is still up; nothing to do.
    let mut m = alice();
    assert_eq!(m.handle(resumed(Some("bob")), STABLE), vec![]);
    assert_eq!(m.view().phase, CallPhase::Idle);
    let mut m = in_call_with_bob();
    assert_eq!(m.handle(resumed(Some("bob")), STABLE), vec![]);
    assert_eq!(m.view().phase, in_call());
    // Fresh but no partner: idle.
    let mut m = alice();
    m.handle(Input::FreshPage, STABLE);
    assert_eq!(m.handle(resumed(None), STABLE), vec![]);
    // Fresh, but the resume failed and the page logged in anew: `session` ends the freshness.
    let mut m = alice();
    m.handle(Input::FreshPage, STABLE);
    m.handle(
        Input::Server(FromServer::Session {
            token: "2.x".to_owned(),
            grace: 30,
        }),
        STABLE,
    );
    assert_eq!(m.handle(resumed(Some("bob")), STABLE), vec![]);
}

// ---- ICE restarts ----

#[test]
fn the_impolite_side_restarts_after_three_seconds_then_backs_off() {
    let (mut m, pc) = caller_in_call_with_bob();
    let fx = m.handle(peer_state(pc, PeerState::Disconnected), STABLE);
    assert_eq!(
        fx,
        with(repair_begins(), [restart_in(RESTART_AFTER_DISCONNECTED_MS)])
    );
    assert_eq!(m.view().phase, reconnecting());
    // Staying disconnected or failing now changes no plan that is already made...
    assert_eq!(
        m.handle(peer_state(pc, PeerState::Disconnected), STABLE),
        vec![]
    );
    for wait in [2_000, 4_000, 8_000, 8_000] {
        assert_eq!(
            m.handle(Input::TimerFired(Timer::IceRestart), STABLE),
            vec![Effect::RestartIce, restart_in(wait)]
        );
    }
    assert_eq!(RESTART_BACKOFF_MS, [2_000, 4_000, 8_000]);
    // The restart's offer goes out as any offer.
    assert_eq!(
        m.handle(Input::NegotiationNeeded { pc }, STABLE),
        vec![Effect::SetLocalDescription]
    );
    assert_eq!(
        m.handle(peer_state(pc, PeerState::Connected), STABLE),
        repaired()
    );
    assert_eq!(m.view().phase, in_call());
    assert_eq!(
        m.handle(Input::TimerFired(Timer::IceRestart), STABLE),
        vec![]
    );
}

#[test]
fn failed_makes_the_impolite_side_restart_at_once() {
    let (mut m, pc) = caller_in_call_with_bob();
    let fx = m.handle(peer_state(pc, PeerState::Failed), STABLE);
    assert_eq!(
        fx,
        with(repair_begins(), [Effect::RestartIce, restart_in(2_000)])
    );
    // Disconnected first, then failed before the first restart: it is due now.
    let (mut m, pc) = caller_in_call_with_bob();
    m.handle(peer_state(pc, PeerState::Disconnected), STABLE);
    assert_eq!(
        m.handle(peer_state(pc, PeerState::Failed), STABLE),
        vec![Effect::RestartIce, restart_in(2_000)]
    );
    // After a restart, failed again waits for the planned retry.
    assert_eq!(m.handle(peer_state(pc, PeerState::Failed), STABLE), vec![]);
}

#[test]
fn the_polite_side_restarts_only_as_a_late_fallback() {
    let mut m = in_call_with_bob();
    let pc = m.pc_id().unwrap();
    assert_eq!(
        m.handle(peer_state(pc, PeerState::Failed), STABLE),
        with(repair_begins(), [restart_in(POLITE_FALLBACK_MS)])
    );
    assert!(POLITE_FALLBACK_MS > RESTART_AFTER_DISCONNECTED_MS + RESTART_BACKOFF_MS[0]);
    assert_eq!(m.view().phase, reconnecting());
    // The impolite side's restart offer is answered as any renegotiation.
    assert_eq!(
        m.handle(offer_from("bob"), STABLE),
        vec![Effect::SetRemoteDescription(sdp(
            SdpType::Offer,
            "offer-bob"
        ))]
    );
    // Still broken: the fallback restarts.
    assert_eq!(
        m.handle(Input::TimerFired(Timer::IceRestart), STABLE),
        vec![Effect::RestartIce, restart_in(2_000)]
    );
}

#[test]
fn restarts_wait_for_signaling_and_are_made_when_it_is_back() {
    let (mut m, pc) = caller_in_call_with_bob();
    m.handle(Input::SignalingDown, STABLE);
    // The repair begins, but its budget does not run while the peer cannot be reached.
    assert_eq!(
        m.handle(peer_state(pc, PeerState::Failed), STABLE),
        vec![Effect::CancelTimer(Timer::Connect)]
    );
    assert_eq!(m.view().phase, reconnecting());
    assert_eq!(
        m.handle(Input::TimerFired(Timer::IceRestart), STABLE),
        vec![]
    );
    assert_eq!(
        m.handle(Input::SignalingUp, STABLE),
        vec![
            give_up_in(REPAIR_LIMIT_MS),
            Effect::RestartIce,
            restart_in(2_000)
        ]
    );
    // The partner away defers as well.
    m.handle(user_state("bob", Presence::Reconnecting, false), at(2000.0));
    assert_eq!(
        m.handle(Input::TimerFired(Timer::IceRestart), STABLE),
        vec![]
    );
    assert_eq!(
        m.handle(user_state("bob", Presence::Online, false), at(2000.0)),
        vec![
            give_up_in(REPAIR_LIMIT_MS - 1000),
            Effect::RestartIce,
            restart_in(4_000)
        ]
    );
}

#[test]
fn a_repair_gives_up_after_its_budget_of_time_with_signaling() {
    let (mut m, pc) = caller_in_call_with_bob();
    m.handle(peer_state(pc, PeerState::Disconnected), at(1000.0));
    // 10 s of trying, then signaling goes for a minute: the clock stops.
    assert_eq!(
        m.handle(Input::SignalingDown, at(11_000.0)),
        vec![Effect::CancelTimer(Timer::GiveUp)]
    );
    assert_eq!(
        m.handle(Input::SignalingUp, at(71_000.0)),
        vec![give_up_in(REPAIR_LIMIT_MS - 10_000)]
    );
    let fx = m.handle(Input::TimerFired(Timer::GiveUp), at(91_000.0));
    assert_eq!(
        fx,
        ending(Some(hang_up("bob", HangUpReason::ConnectionFailed)))
    );
    assert_eq!(
        notice(&m),
        Some(&CallNotice::ConnectionFailed {
            peer: bob(),
            relay_refused: false
        })
    );
}

#[test]
fn a_restart_negotiated_while_the_browser_says_connected_ends_the_repair() {
    let (mut m, pc) = caller_in_call_with_bob();
    let up = Env {
        connection: PeerState::Connected,
        ..STABLE
    };
    m.handle(peer_state(pc, PeerState::Failed), up);
    m.handle(Input::NegotiationNeeded { pc }, up);
    let offering = Env {
        signaling: Signaling::HaveLocalOffer,
        ..up
    };
    m.handle(local_set(pc, sdp(SdpType::Offer, "restart")), offering);
    assert_eq!(m.view().phase, reconnecting());
    m.handle(answer_from("bob"), offering);
    assert_eq!(m.handle(remote_set(pc, SdpType::Answer), up), repaired());
    assert_eq!(m.view().phase, in_call());
    // A description round while the connection is still down ends nothing.
    m.handle(peer_state(pc, PeerState::Failed), up);
    m.handle(remote_set(pc, SdpType::Answer), STABLE);
    assert_eq!(m.view().phase, reconnecting());
}

#[test]
fn a_hang_up_during_a_repair_ends_the_call_at_once() {
    let (mut m, pc) = caller_in_call_with_bob();
    m.handle(peer_state(pc, PeerState::Failed), STABLE);
    let fx = m.handle(hang_up_from("bob", Some(HangUpReason::Ended)), STABLE);
    assert_eq!(fx, ending(None));
    assert_eq!(m.view().phase, CallPhase::Idle);
    assert_eq!(m.handle(Input::TimerFired(Timer::GiveUp), STABLE), vec![]);
}

// ---- two machines over the simulated server and browser ----

#[test]
fn both_sides_restarting_at_once_settle_into_one_call() {
    let mut w = world_in_call();
    let pcs = [w.sides[0].pc.unwrap(), w.sides[1].pc.unwrap()];
    // Both connections fail; Alice restarts at once, Bob's fallback comes due at the same
    // moment: two restart offers cross.
    w.input(0, peer_state(pcs[0], PeerState::Failed));
    w.input(1, peer_state(pcs[1], PeerState::Failed));
    w.input(1, Input::TimerFired(Timer::IceRestart));
    assert!(w.effects_of(0).contains(&&Effect::RestartIce));
    assert!(w.effects_of(1).contains(&&Effect::RestartIce));
    w.run();
    w.assert_settled_in_call();
    assert!(w.offers_sent >= 2, "a restart was negotiated");
}

#[test]
fn a_reloaded_side_and_its_partner_rebuild_the_call_with_no_glare() {
    let mut w = world_in_call();
    // Alice's connection failed and her restart offer is on its way when Bob reloads: it is
    // queued for him by the server and reaches his new page after `resumed`.
    let pc = w.sides[0].pc.unwrap();
    w.input(0, peer_state(pc, PeerState::Failed));
    w.run_until_offer_from(0);
    let stale = w.take_delivery_to(1).expect("alice's restart offer");
    let FromServer::VideoOffer { sdp: stale_sdp, .. } = stale.clone() else {
        panic!("not an offer: {stale:?}");
    };
    // Bob's page is new: a machine and a browser of its own.
    let bob = &mut w.sides[1];
    bob.m = Machine::new();
    bob.m.handle(Input::SetMe("bob".to_owned()), STABLE);
    bob.pc = None;
    bob.sig = Signaling::Stable;
    bob.peers_created = 0;
    bob.current_local = None;
    bob.current_remote = None;
    bob.pending_local = None;
    bob.pending_remote = None;
    w.input(1, Input::FreshPage);
    // The server tells Alice first, then Bob's page learns its partner.
    w.input(0, user_state("bob", Presence::Online, true));
    w.input(
        1,
        Input::Server(FromServer::Resumed {
            name: "bob".to_owned(),
            token: "1.t".to_owned(),
            grace: 30,
            ack: 0,
            partner: Some("alice".to_owned()),
        }),
    );
    w.input(1, Input::Server(stale));
    w.run();
    let [a, b] = &w.sides;
    assert!(matches!(w.phase(0), CallPhase::InCall { peer, .. } if peer == "bob"));
    assert!(matches!(w.phase(1), CallPhase::InCall { peer, .. } if peer == "alice"));
    assert_eq!((a.peers_created, b.peers_created), (2, 1));
    assert_eq!(a.current_local, b.current_remote);
    assert_eq!(a.current_remote, b.current_local);
    assert!(a.current_local.is_some() && b.current_local.is_some());
    assert_eq!(
        w.failures, 0,
        "a description was applied in the wrong state"
    );
    assert!(a.attached && b.attached, "both send media again");
    // Bob's new connection never took the offer of Alice's old one.
    assert!(
        !w.effects_of(1)
            .contains(&&Effect::SetRemoteDescription(stale_sdp)),
        "the stale offer was applied"
    );
}
