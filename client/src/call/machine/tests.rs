//! Host tests of the call state machine: every transition one input at a time, then whole calls
//! between two machines over a simulated server and a simulated browser (signaling states and
//! the order of asynchronous results as the browser has them).

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;

use shared::{FromServer, HangUpReason, IceCandidate, SdpType, SessionDescription, ToServer};

use super::*;
use crate::call::{CallCommand, CallNotice, CallPhase, Route};

fn sdp(kind: SdpType, text: &str) -> SessionDescription {
    SessionDescription {
        kind,
        sdp: text.to_owned(),
    }
}

fn cand(n: u32) -> IceCandidate {
    IceCandidate {
        candidate: format!("candidate:{n} 1 udp 1 127.0.0.1 {n} typ host"),
        sdp_mid: Some("0".to_owned()),
        sdp_m_line_index: Some(0),
        username_fragment: None,
    }
}

fn env(signaling: Signaling) -> Env {
    Env {
        now_ms: 1000.0,
        signaling,
        connection: PeerState::New,
    }
}

const STABLE: Env = Env {
    now_ms: 1000.0,
    signaling: Signaling::Stable,
    connection: PeerState::New,
};

fn hang_up(to: &str, reason: HangUpReason) -> Effect {
    Effect::Send(ToServer::HangUp {
        name: Some("alice".to_owned()),
        target: Some(to.to_owned()),
        reason: Some(reason),
    })
}

fn offer_from(name: &str) -> Input {
    Input::Server(FromServer::VideoOffer {
        name: name.to_owned(),
        target: "alice".to_owned(),
        sdp: sdp(SdpType::Offer, &format!("offer-{name}")),
    })
}

fn answer_from(name: &str) -> Input {
    Input::Server(FromServer::VideoAnswer {
        name: name.to_owned(),
        target: "alice".to_owned(),
        sdp: sdp(SdpType::Answer, &format!("answer-{name}")),
    })
}

fn hang_up_from(name: &str, reason: Option<HangUpReason>) -> Input {
    Input::Server(FromServer::HangUp {
        name: name.to_owned(),
        target: "alice".to_owned(),
        reason,
    })
}

fn candidate_from(name: &str, n: u32) -> Input {
    Input::Server(FromServer::NewIceCandidate {
        name: name.to_owned(),
        target: "alice".to_owned(),
        candidate: cand(n),
    })
}

fn cmd(c: CallCommand) -> Input {
    Input::Command(c)
}

/// The effects every ending has after the optional hang-up.
fn teardown() -> Vec<Effect> {
    let mut fx: Vec<Effect> = Timer::ALL.map(Effect::CancelTimer).to_vec();
    fx.push(Effect::ClosePeer);
    fx.push(Effect::ReleaseMedia);
    fx
}

fn ending(tell: Option<Effect>) -> Vec<Effect> {
    tell.into_iter().chain(teardown()).collect()
}

fn alice() -> Machine {
    let mut m = Machine::new();
    m.handle(Input::SetMe("alice".to_owned()), STABLE);
    m.handle(
        Input::Server(FromServer::UserList {
            users: vec!["alice".to_owned(), "bob".to_owned(), "carol".to_owned()],
        }),
        STABLE,
    );
    m
}

/// Alice calls Bob; returns the machine in Calling with her offer sent.
fn calling_bob() -> Machine {
    let mut m = alice();
    m.handle(
        cmd(CallCommand::Call {
            peer: "bob".to_owned(),
        }),
        STABLE,
    );
    let pc = m.pc_id().unwrap();
    m.handle(Input::NegotiationNeeded { pc }, STABLE);
    m.handle(
        local_set(pc, sdp(SdpType::Offer, "offer-alice")),
        env(Signaling::HaveLocalOffer),
    );
    m
}

/// Bob calls Alice; Alice is ringing with the offer applied.
fn ringing_from_bob() -> Machine {
    let mut m = alice();
    m.handle(offer_from("bob"), STABLE);
    let pc = m.pc_id().unwrap();
    m.handle(
        remote_set(pc, SdpType::Offer),
        env(Signaling::HaveRemoteOffer),
    );
    m
}

/// Alice accepted Bob's call and sent her answer.
fn connecting_with_bob() -> Machine {
    let mut m = ringing_from_bob();
    m.handle(cmd(CallCommand::Accept), env(Signaling::HaveRemoteOffer));
    let pc = m.pc_id().unwrap();
    m.handle(local_set(pc, sdp(SdpType::Answer, "answer-alice")), STABLE);
    m
}

fn in_call_with_bob() -> Machine {
    let mut m = connecting_with_bob();
    let pc = m.pc_id().unwrap();
    m.handle(peer_state(pc, PeerState::Connected), STABLE);
    m
}

/// Alice called Bob, applied his answer and is connected; returns her peer connection too.
fn caller_in_call_with_bob() -> (Machine, PcId) {
    let mut m = calling_bob();
    m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    let pc = m.pc_id().unwrap();
    m.handle(remote_set(pc, SdpType::Answer), STABLE);
    m.handle(peer_state(pc, PeerState::Connected), STABLE);
    (m, pc)
}

/// The browser reports `pc`'s connection state.
fn peer_state(pc: PcId, state: PeerState) -> Input {
    Input::ConnectionState { pc, state }
}

/// The browser finished making and applying our local description `desc` on `pc`.
fn local_set(pc: PcId, desc: SessionDescription) -> Input {
    Input::LocalDescriptionSet { pc, sdp: desc }
}

/// The browser finished applying the remote description of `kind` on `pc`.
fn remote_set(pc: PcId, kind: SdpType) -> Input {
    Input::RemoteDescriptionSet { pc, kind }
}

fn bob() -> String {
    "bob".to_owned()
}

/// The notice the machine shows now.
fn notice(m: &Machine) -> Option<&CallNotice> {
    m.view().notice.as_ref()
}

// ---- calling ----

#[test]
fn call_creates_the_peer_and_opens_the_camera_at_once() {
    let mut m = alice();
    let fx = m.handle(cmd(CallCommand::Call { peer: bob() }), STABLE);
    let pc = m.pc_id().unwrap();
    let call = m.call_id().unwrap();
    assert_eq!(
        fx,
        vec![
            Effect::CreatePeer {
                pc,
                role: Role::Caller
            },
            Effect::AcquireMedia { call },
            Effect::StartTimer {
                timer: Timer::Ring,
                ms: RING_TIMEOUT_MS
            },
        ]
    );
    assert_eq!(m.view().phase, CallPhase::Calling { peer: bob() });
}

#[test]
fn the_offer_is_made_on_negotiationneeded_and_sent_with_our_name() {
    let mut m = alice();
    m.handle(cmd(CallCommand::Call { peer: bob() }), STABLE);
    let pc = m.pc_id().unwrap();
    assert_eq!(
        m.handle(Input::NegotiationNeeded { pc }, STABLE),
        vec![Effect::SetLocalDescription]
    );
    // A second event while the offer is being made does nothing (makingOffer).
    assert_eq!(m.handle(Input::NegotiationNeeded { pc }, STABLE), vec![]);
    let fx = m.handle(
        local_set(pc, sdp(SdpType::Offer, "o")),
        env(Signaling::HaveLocalOffer),
    );
    assert_eq!(
        fx,
        vec![Effect::Send(ToServer::VideoOffer {
            name: Some("alice".to_owned()),
            target: bob(),
            sdp: sdp(SdpType::Offer, "o"),
        })]
    );
}

#[test]
fn media_is_attached_to_a_callers_senders_when_it_arrives() {
    let mut m = calling_bob();
    m.handle(cmd(CallCommand::SetMicEnabled(false)), STABLE);
    let call = m.call_id().unwrap();
    let fx = m.handle(Input::MediaReady { call }, STABLE);
    assert_eq!(
        fx,
        vec![
            Effect::AttachMedia,
            Effect::SetTrackEnabled {
                kind: TrackKind::Audio,
                enabled: false
            },
            Effect::SetTrackEnabled {
                kind: TrackKind::Video,
                enabled: true
            },
        ]
    );
}

#[test]
fn cannot_call_oneself_or_while_in_a_call() {
    let mut m = alice();
    assert_eq!(
        m.handle(
            cmd(CallCommand::Call {
                peer: "alice".to_owned()
            }),
            STABLE
        ),
        vec![]
    );
    assert_eq!(m.view().phase, CallPhase::Idle);
    let mut m = calling_bob();
    assert_eq!(
        m.handle(
            cmd(CallCommand::Call {
                peer: "carol".to_owned()
            }),
            STABLE
        ),
        vec![]
    );
    assert_eq!(m.view().phase, CallPhase::Calling { peer: bob() });
}

#[test]
fn answer_moves_the_caller_to_connecting_then_connected_to_in_call() {
    let mut m = calling_bob();
    let fx = m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    assert_eq!(
        fx,
        vec![
            Effect::SetRemoteDescription(sdp(SdpType::Answer, "answer-bob")),
            Effect::CancelTimer(Timer::Ring),
            Effect::StartTimer {
                timer: Timer::Connect,
                ms: CONNECT_TIMEOUT_MS
            },
        ]
    );
    assert_eq!(m.view().phase, CallPhase::Connecting { peer: bob() });
    let pc = m.pc_id().unwrap();
    m.handle(remote_set(pc, SdpType::Answer), STABLE);
    let fx = m.handle(
        peer_state(pc, PeerState::Connected),
        Env {
            now_ms: 5000.0,
            signaling: Signaling::Stable,
            connection: PeerState::Connected,
        },
    );
    assert_eq!(
        m.view().phase,
        CallPhase::InCall {
            peer: bob(),
            since_ms: 5000.0
        }
    );
    assert_eq!(
        fx,
        vec![
            Effect::CancelTimer(Timer::Connect),
            Effect::ProbeRoute,
            Effect::StartTimer {
                timer: Timer::RouteProbe,
                ms: ROUTE_PROBE_MS
            },
        ]
    );
    m.handle(
        Input::RouteProbed {
            pc,
            route: Some(Route::Relayed),
        },
        STABLE,
    );
    assert_eq!(m.view().route, Some(Route::Relayed));
    assert_eq!(
        m.handle(Input::TimerFired(Timer::RouteProbe), STABLE),
        vec![
            Effect::ProbeRoute,
            Effect::StartTimer {
                timer: Timer::RouteProbe,
                ms: ROUTE_PROBE_MS
            }
        ]
    );
}

#[test]
fn answers_from_others_or_without_our_offer_are_ignored() {
    let mut m = calling_bob();
    assert_eq!(
        m.handle(answer_from("carol"), env(Signaling::HaveLocalOffer)),
        vec![]
    );
    assert_eq!(m.handle(answer_from("bob"), STABLE), vec![]);
    assert_eq!(m.view().phase, CallPhase::Calling { peer: bob() });
}

// ---- ringing ----

#[test]
fn an_offer_rings_and_is_applied_but_never_answered_by_itself() {
    let mut m = alice();
    let fx = m.handle(offer_from("bob"), STABLE);
    let pc = m.pc_id().unwrap();
    assert_eq!(
        fx,
        vec![
            Effect::CreatePeer {
                pc,
                role: Role::Callee
            },
            Effect::SetRemoteDescription(sdp(SdpType::Offer, "offer-bob")),
        ]
    );
    assert_eq!(m.view().phase, CallPhase::Ringing { peer: bob() });
    // The offer applied: still nothing until the person accepts.
    let fx = m.handle(
        remote_set(pc, SdpType::Offer),
        env(Signaling::HaveRemoteOffer),
    );
    assert_eq!(fx, vec![]);
    assert_eq!(m.view().phase, CallPhase::Ringing { peer: bob() });
}

#[test]
fn accept_answers_without_waiting_for_the_camera() {
    let mut m = ringing_from_bob();
    let call = m.call_id().unwrap();
    let fx = m.handle(cmd(CallCommand::Accept), env(Signaling::HaveRemoteOffer));
    assert_eq!(
        fx,
        vec![
            Effect::AcquireMedia { call },
            Effect::StartTimer {
                timer: Timer::Connect,
                ms: CONNECT_TIMEOUT_MS
            },
            Effect::EnableSending,
            Effect::SetLocalDescription,
        ]
    );
    assert_eq!(m.view().phase, CallPhase::Connecting { peer: bob() });
    let pc = m.pc_id().unwrap();
    let fx = m.handle(local_set(pc, sdp(SdpType::Answer, "a")), STABLE);
    assert_eq!(
        fx,
        vec![Effect::Send(ToServer::VideoAnswer {
            name: Some("alice".to_owned()),
            target: bob(),
            sdp: sdp(SdpType::Answer, "a"),
        })]
    );
    // The camera arrives after the answer: its tracks go on the senders.
    assert_eq!(
        m.handle(Input::MediaReady { call }, STABLE)[0],
        Effect::AttachMedia
    );
}

#[test]
fn accept_before_the_offer_is_applied_answers_once_it_is() {
    let mut m = alice();
    m.handle(offer_from("bob"), STABLE);
    let pc = m.pc_id().unwrap();
    let fx = m.handle(cmd(CallCommand::Accept), STABLE);
    assert!(!fx.contains(&Effect::SetLocalDescription));
    let fx = m.handle(
        remote_set(pc, SdpType::Offer),
        env(Signaling::HaveRemoteOffer),
    );
    assert_eq!(fx, vec![Effect::EnableSending, Effect::SetLocalDescription]);
}

#[test]
fn clicking_the_caller_in_the_list_accepts() {
    let mut m = ringing_from_bob();
    m.handle(
        cmd(CallCommand::Call { peer: bob() }),
        env(Signaling::HaveRemoteOffer),
    );
    assert_eq!(m.view().phase, CallPhase::Connecting { peer: bob() });
}

#[test]
fn decline_tells_the_caller_and_cleans_up() {
    let mut m = ringing_from_bob();
    let fx = m.handle(cmd(CallCommand::Decline), STABLE);
    assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::Declined))));
    assert_eq!(*m.view(), CallView::default());
}

#[test]
fn the_caller_hears_declined_busy_and_silence() {
    for (reason, told) in [
        (
            Some(HangUpReason::Declined),
            CallNotice::Declined { peer: bob() },
        ),
        (Some(HangUpReason::Busy), CallNotice::Busy { peer: bob() }),
        (
            Some(HangUpReason::MediaError),
            CallNotice::PeerMediaFailed { peer: bob() },
        ),
        (
            Some(HangUpReason::ConnectionFailed),
            CallNotice::ConnectionFailed {
                peer: bob(),
                relay_refused: false,
            },
        ),
        (None, CallNotice::HungUp { peer: bob() }),
    ] {
        let mut m = calling_bob();
        let fx = m.handle(hang_up_from("bob", reason), STABLE);
        assert_eq!(fx, ending(None));
        assert_eq!(m.view().phase, CallPhase::Idle);
        assert_eq!(notice(&m), Some(&told));
    }
}

#[test]
fn cancel_tells_the_callee_who_sees_a_missed_call() {
    let mut m = calling_bob();
    assert_eq!(
        m.handle(cmd(CallCommand::Cancel), STABLE),
        ending(Some(hang_up("bob", HangUpReason::Cancelled)))
    );
    let mut m = ringing_from_bob();
    m.handle(hang_up_from("bob", Some(HangUpReason::Cancelled)), STABLE);
    assert_eq!(m.view().phase, CallPhase::Idle);
    assert_eq!(notice(&m), Some(&CallNotice::Missed { peer: bob() }));
}

#[test]
fn an_unanswered_call_gives_up() {
    let mut m = calling_bob();
    let fx = m.handle(Input::TimerFired(Timer::Ring), STABLE);
    assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::Cancelled))));
    assert_eq!(notice(&m), Some(&CallNotice::NoAnswer { peer: bob() }));
}

// ---- busy ----

#[test]
fn an_offer_from_someone_else_gets_busy_and_leaves_the_call_alone() {
    for mut m in [
        calling_bob(),
        ringing_from_bob(),
        connecting_with_bob(),
        in_call_with_bob(),
    ] {
        let before = m.view().clone();
        let pc = m.pc_id();
        let fx = m.handle(offer_from("carol"), STABLE);
        assert_eq!(fx, vec![hang_up("carol", HangUpReason::Busy)]);
        assert_eq!(*m.view(), before);
        assert_eq!(m.pc_id(), pc);
        // Carol's candidates, answers and hang-ups don't concern us either.
        assert_eq!(m.handle(candidate_from("carol", 1), STABLE), vec![]);
        assert_eq!(
            m.handle(answer_from("carol"), env(Signaling::HaveLocalOffer)),
            vec![]
        );
        assert_eq!(m.handle(hang_up_from("carol", None), STABLE), vec![]);
        assert_eq!(*m.view(), before);
    }
}

// ---- hanging up ----

#[test]
fn hang_up_in_each_phase_sends_the_fitting_reason() {
    let cases = [
        (calling_bob(), HangUpReason::Cancelled),
        (ringing_from_bob(), HangUpReason::Declined),
        (connecting_with_bob(), HangUpReason::Ended),
        (in_call_with_bob(), HangUpReason::Ended),
    ];
    for (mut m, reason) in cases {
        let fx = m.handle(cmd(CallCommand::HangUp), STABLE);
        assert_eq!(fx, ending(Some(hang_up("bob", reason))));
        assert_eq!(*m.view(), CallView::default());
        assert_eq!(m.pc_id(), None);
    }
    let mut m = in_call_with_bob();
    let pc = m.pc_id().unwrap();
    m.handle(peer_state(pc, PeerState::Disconnected), STABLE);
    let fx = m.handle(cmd(CallCommand::HangUp), STABLE);
    assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::Ended))));
    assert_eq!(alice().handle(cmd(CallCommand::HangUp), STABLE), vec![]);
}

#[test]
fn the_peer_hanging_up_or_leaving_ends_every_phase() {
    let phases = || {
        [
            calling_bob(),
            ringing_from_bob(),
            connecting_with_bob(),
            in_call_with_bob(),
        ]
    };
    for mut m in phases() {
        assert_eq!(
            m.handle(hang_up_from("bob", Some(HangUpReason::Left)), STABLE),
            ending(None)
        );
        assert_eq!(notice(&m), Some(&CallNotice::Left { peer: bob() }));
    }
    for mut m in phases() {
        let fx = m.handle(
            Input::Server(FromServer::UserList {
                users: vec!["alice".to_owned()],
            }),
            STABLE,
        );
        assert_eq!(fx, ending(None));
        assert_eq!(notice(&m), Some(&CallNotice::Left { peer: bob() }));
    }
    for mut m in phases() {
        let fx = m.handle(
            Input::Server(FromServer::UserListDelta {
                joined: vec![],
                left: vec![bob()],
            }),
            STABLE,
        );
        assert_eq!(fx, ending(None));
        assert_eq!(notice(&m), Some(&CallNotice::Left { peer: bob() }));
    }
    // Someone else leaving, or bob leaving and coming back in one delta, changes nothing.
    for mut m in phases() {
        let before = m.view().clone();
        for users in [
            (vec![], vec!["carol".to_owned()]),
            (vec![bob()], vec![bob()]),
        ] {
            let fx = m.handle(
                Input::Server(FromServer::UserListDelta {
                    joined: users.0,
                    left: users.1,
                }),
                STABLE,
            );
            assert_eq!(fx, vec![]);
        }
        assert_eq!(*m.view(), before);
    }
    let mut m = in_call_with_bob();
    m.handle(hang_up_from("bob", Some(HangUpReason::Ended)), STABLE);
    assert_eq!(notice(&m), Some(&CallNotice::HungUp { peer: bob() }));
}

#[test]
fn pagehide_says_we_left_and_a_lost_socket_ends_quietly() {
    let mut m = in_call_with_bob();
    assert_eq!(
        m.handle(Input::PageHide, STABLE),
        ending(Some(hang_up("bob", HangUpReason::Left)))
    );
    let mut m = in_call_with_bob();
    m.handle(Input::SignalingDown, STABLE);
    assert_eq!(m.handle(Input::SocketLost, STABLE), ending(None));
    assert_eq!(notice(&m), Some(&CallNotice::ServerLost));
    assert_eq!(alice().handle(Input::PageHide, STABLE), vec![]);
}

// ---- ICE ----

#[test]
fn ice_failure_before_the_call_connected_ends_it_and_tells_the_peer() {
    let mut m = connecting_with_bob();
    let pc = m.pc_id().unwrap();
    let fx = m.handle(peer_state(pc, PeerState::Failed), STABLE);
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
fn a_connection_that_never_comes_up_times_out() {
    let mut m = connecting_with_bob();
    let fx = m.handle(Input::TimerFired(Timer::Connect), STABLE);
    assert_eq!(
        fx,
        ending(Some(hang_up("bob", HangUpReason::ConnectionFailed)))
    );
    // Stale timers after the end do nothing.
    assert_eq!(m.handle(Input::TimerFired(Timer::GiveUp), STABLE), vec![]);
    assert_eq!(
        m.handle(Input::TimerFired(Timer::IceRestart), STABLE),
        vec![]
    );
}

#[test]
fn no_local_candidates_ends_at_once_and_names_a_refusing_relay() {
    let mut m = calling_bob();
    let pc = m.pc_id().unwrap();
    m.handle(
        Input::CandidateError {
            pc,
            code: 401,
            url: "turn:127.0.0.1:3478?transport=udp".into(),
        },
        STABLE,
    );
    let fx = m.handle(
        Input::LocalCandidate {
            pc,
            candidate: None,
        },
        STABLE,
    );
    assert_eq!(
        fx,
        ending(Some(hang_up("bob", HangUpReason::ConnectionFailed)))
    );
    assert_eq!(
        notice(&m),
        Some(&CallNotice::NoPath {
            peer: bob(),
            relay_refused: true
        })
    );
    // With candidates, the end of gathering is nothing special.
    let mut m = calling_bob();
    let pc = m.pc_id().unwrap();
    let fx = m.handle(
        Input::LocalCandidate {
            pc,
            candidate: Some(cand(1)),
        },
        STABLE,
    );
    assert_eq!(
        fx,
        vec![Effect::Send(ToServer::NewIceCandidate {
            name: Some("alice".to_owned()),
            target: bob(),
            candidate: cand(1),
        })]
    );
    assert_eq!(
        m.handle(
            Input::LocalCandidate {
                pc,
                candidate: None
            },
            STABLE
        ),
        vec![]
    );
}

#[test]
fn candidates_before_the_remote_description_are_queued_then_added_in_order() {
    let mut m = calling_bob();
    assert_eq!(m.handle(candidate_from("bob", 1), STABLE), vec![]);
    assert_eq!(m.handle(candidate_from("bob", 2), STABLE), vec![]);
    let fx = m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    assert_eq!(
        fx[..3],
        [
            Effect::SetRemoteDescription(sdp(SdpType::Answer, "answer-bob")),
            Effect::AddIceCandidate(cand(1)),
            Effect::AddIceCandidate(cand(2)),
        ]
    );
    assert_eq!(
        m.handle(candidate_from("bob", 3), STABLE),
        vec![Effect::AddIceCandidate(cand(3))]
    );
}

#[test]
fn the_candidate_queue_is_bounded() {
    let mut m = calling_bob();
    let extra = 10;
    for n in 0..(MAX_QUEUED_CANDIDATES as u32 + extra) {
        m.handle(candidate_from("bob", n), STABLE);
    }
    let fx = m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    let added: Vec<_> = fx
        .iter()
        .filter(|e| matches!(e, Effect::AddIceCandidate(_)))
        .collect();
    assert_eq!(added.len(), MAX_QUEUED_CANDIDATES);
    assert_eq!(*added[0], Effect::AddIceCandidate(cand(extra)));
}

#[test]
fn a_callee_adds_candidates_right_away_since_the_offer_is_applied_while_ringing() {
    let mut m = alice();
    m.handle(offer_from("bob"), STABLE);
    assert_eq!(
        m.handle(candidate_from("bob", 7), STABLE),
        vec![Effect::AddIceCandidate(cand(7))]
    );
}

// ---- media ----

#[test]
fn a_media_error_is_explained_and_ends_both_sides() {
    for mut m in [calling_bob(), connecting_with_bob()] {
        let call = m.call_id().unwrap();
        let fx = m.handle(
            Input::MediaFailed {
                call,
                error: MediaError::NotAllowed,
            },
            STABLE,
        );
        assert_eq!(fx, ending(Some(hang_up("bob", HangUpReason::MediaError))));
        assert_eq!(notice(&m), Some(&CallNotice::Media(MediaError::NotAllowed)));
    }
    // A late failure of an attempt that is over changes nothing.
    let mut m = calling_bob();
    let old = m.call_id().unwrap();
    m.handle(cmd(CallCommand::Cancel), STABLE);
    m.handle(cmd(CallCommand::Call { peer: bob() }), STABLE);
    assert_eq!(
        m.handle(
            Input::MediaFailed {
                call: old,
                error: MediaError::NotFound
            },
            STABLE
        ),
        vec![]
    );
    assert_eq!(m.view().phase, CallPhase::Calling { peer: bob() });
}

#[test]
fn dom_exception_names_map_to_media_errors() {
    let cases = [
        ("NotFoundError", MediaError::NotFound),
        ("NotAllowedError", MediaError::NotAllowed),
        ("SecurityError", MediaError::NotAllowed),
        ("NotReadableError", MediaError::NotReadable),
        ("AbortError", MediaError::NotReadable),
        ("OverconstrainedError", MediaError::Overconstrained),
    ];
    for (name, error) in cases {
        assert_eq!(MediaError::from_dom_name(name, "x"), error);
    }
    assert_eq!(
        MediaError::from_dom_name("TypeError", "bad"),
        MediaError::Other("TypeError: bad".into())
    );
    assert_eq!(
        MediaError::from_dom_name("TypeError", ""),
        MediaError::Other("TypeError".into())
    );
}

#[test]
fn toggles_flip_tracks_only_during_a_call_and_reset_after() {
    let mut m = in_call_with_bob();
    assert_eq!(
        m.handle(cmd(CallCommand::SetCameraEnabled(false)), STABLE),
        vec![
            Effect::SetTrackEnabled {
                kind: TrackKind::Video,
                enabled: false
            },
            // Issue 12: the partner is told (`machine/tests/media_state.rs`).
            Effect::Send(ToServer::MediaState {
                target: "bob".into(),
                audio: true,
                video: false,
                screen: false
            })
        ]
    );
    assert!(!m.view().camera_enabled);
    m.handle(cmd(CallCommand::HangUp), STABLE);
    assert!(m.view().camera_enabled);
    assert_eq!(
        m.handle(cmd(CallCommand::SetMicEnabled(false)), STABLE),
        vec![]
    );
    assert!(m.view().mic_enabled);
}

#[test]
fn dismissing_a_notice_clears_it() {
    let mut m = calling_bob();
    m.handle(hang_up_from("bob", Some(HangUpReason::Busy)), STABLE);
    m.handle(cmd(CallCommand::DismissNotice), STABLE);
    assert_eq!(m.view().notice, None);
}

// ---- perfect negotiation ----

#[test]
fn glare_the_smaller_name_keeps_calling_and_ignores_the_other_offer() {
    let mut m = calling_bob();
    let pc = m.pc_id();
    assert_eq!(
        m.handle(offer_from("bob"), env(Signaling::HaveLocalOffer)),
        vec![]
    );
    assert_eq!(m.view().phase, CallPhase::Calling { peer: bob() });
    assert_eq!(m.pc_id(), pc);
    // Bob's candidates for his dropped offer wait and later fail harmlessly; the answer to our
    // offer goes on as usual.
    m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    assert_eq!(m.view().phase, CallPhase::Connecting { peer: bob() });
}

#[test]
fn glare_the_larger_name_yields_and_answers_on_a_fresh_peer() {
    // "bob" calls "alice" here from Bob's side: alice < bob, so Bob yields.
    let mut m = Machine::new();
    m.handle(Input::SetMe(bob()), STABLE);
    m.handle(
        cmd(CallCommand::Call {
            peer: "alice".to_owned(),
        }),
        STABLE,
    );
    let old_pc = m.pc_id().unwrap();
    let call = m.call_id().unwrap();
    m.handle(Input::MediaReady { call }, STABLE);
    m.handle(Input::NegotiationNeeded { pc: old_pc }, STABLE);
    let alice_offer = FromServer::VideoOffer {
        name: "alice".to_owned(),
        target: bob(),
        sdp: sdp(SdpType::Offer, "offer-alice"),
    };
    let fx = m.handle(Input::Server(alice_offer), env(Signaling::HaveLocalOffer));
    let new_pc = m.pc_id().unwrap();
    assert_ne!(new_pc, old_pc);
    assert_eq!(m.call_id(), Some(call));
    assert_eq!(
        fx,
        vec![
            Effect::ClosePeer,
            Effect::CreatePeer {
                pc: new_pc,
                role: Role::Callee
            },
            Effect::SetRemoteDescription(sdp(SdpType::Offer, "offer-alice")),
            Effect::CancelTimer(Timer::Ring),
            Effect::StartTimer {
                timer: Timer::Connect,
                ms: CONNECT_TIMEOUT_MS
            },
        ]
    );
    assert_eq!(
        m.view().phase,
        CallPhase::Connecting {
            peer: "alice".to_owned()
        }
    );
    // The old peer connection's offer finishing late is not sent.
    let late = Input::LocalDescriptionSet {
        pc: old_pc,
        sdp: sdp(SdpType::Offer, "late"),
    };
    assert_eq!(m.handle(late, env(Signaling::HaveLocalOffer)), vec![]);
    // The offer applied: answer at once with the camera we already have.
    let fx = m.handle(
        Input::RemoteDescriptionSet {
            pc: new_pc,
            kind: SdpType::Offer,
        },
        env(Signaling::HaveRemoteOffer),
    );
    assert_eq!(
        fx,
        vec![
            Effect::EnableSending,
            Effect::AttachMedia,
            Effect::SetLocalDescription
        ]
    );
}

#[test]
fn polite_callee_rolls_back_its_own_offer_for_the_callers() {
    let mut m = in_call_with_bob();
    let pc = m.pc_id().unwrap();
    assert_eq!(
        m.handle(Input::NegotiationNeeded { pc }, STABLE),
        vec![Effect::SetLocalDescription]
    );
    let fx = m.handle(offer_from("bob"), STABLE);
    assert_eq!(
        fx,
        vec![
            Effect::Rollback,
            Effect::SetRemoteDescription(sdp(SdpType::Offer, "offer-bob"))
        ]
    );
    let fx = m.handle(
        remote_set(pc, SdpType::Offer),
        env(Signaling::HaveRemoteOffer),
    );
    assert_eq!(fx, vec![Effect::EnableSending, Effect::SetLocalDescription]);
}

#[test]
fn impolite_caller_ignores_a_colliding_offer_and_answers_a_calm_one() {
    let (mut m, pc) = caller_in_call_with_bob();
    // We are making an offer: theirs collides and we are impolite.
    m.handle(Input::NegotiationNeeded { pc }, STABLE);
    assert_eq!(m.handle(offer_from("bob"), STABLE), vec![]);
    m.handle(
        local_set(pc, sdp(SdpType::Offer, "o2")),
        env(Signaling::HaveLocalOffer),
    );
    assert_eq!(
        m.handle(offer_from("bob"), env(Signaling::HaveLocalOffer)),
        vec![]
    );
    m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    m.handle(remote_set(pc, SdpType::Answer), STABLE);
    // Calm: MDN's callee sends its own offer after answering; we answer it.
    let fx = m.handle(offer_from("bob"), STABLE);
    assert_eq!(
        fx,
        vec![Effect::SetRemoteDescription(sdp(
            SdpType::Offer,
            "offer-bob"
        ))]
    );
    let fx = m.handle(
        remote_set(pc, SdpType::Offer),
        env(Signaling::HaveRemoteOffer),
    );
    // (No camera yet in this test, so nothing to attach.)
    assert_eq!(fx, vec![Effect::EnableSending, Effect::SetLocalDescription]);
    assert!(matches!(m.view().phase, CallPhase::InCall { .. }));
}

#[test]
fn an_offer_arriving_while_an_answer_is_being_applied_is_not_a_collision() {
    let mut m = calling_bob();
    m.handle(answer_from("bob"), env(Signaling::HaveLocalOffer));
    // setRemoteDescription(answer) still running: the state still says have-local-offer.
    let fx = m.handle(offer_from("bob"), env(Signaling::HaveLocalOffer));
    assert_eq!(
        fx,
        vec![Effect::SetRemoteDescription(sdp(
            SdpType::Offer,
            "offer-bob"
        ))]
    );
}

#[test]
fn a_failed_description_before_the_call_connects_ends_it() {
    let mut m = ringing_from_bob();
    let pc = m.pc_id().unwrap();
    let fx = m.handle(
        Input::RemoteDescriptionFailed {
            pc,
            error: "bad sdp".into(),
        },
        STABLE,
    );
    assert_eq!(
        fx,
        ending(Some(hang_up("bob", HangUpReason::ConnectionFailed)))
    );
    // In a call, a failed renegotiation leaves the call alone.
    let mut m = in_call_with_bob();
    let pc = m.pc_id().unwrap();
    assert_eq!(
        m.handle(
            Input::LocalDescriptionFailed {
                pc,
                error: "x".into()
            },
            STABLE
        ),
        vec![]
    );
    assert!(matches!(m.view().phase, CallPhase::InCall { .. }));
}

#[test]
fn events_of_a_closed_peer_connection_are_dropped() {
    let mut m = calling_bob();
    let old = m.pc_id().unwrap();
    m.handle(cmd(CallCommand::Cancel), STABLE);
    m.handle(cmd(CallCommand::Call { peer: bob() }), STABLE);
    for input in [
        Input::NegotiationNeeded { pc: old },
        Input::LocalCandidate {
            pc: old,
            candidate: Some(cand(1)),
        },
        Input::ConnectionState {
            pc: old,
            state: PeerState::Failed,
        },
        Input::RemoteDescriptionFailed {
            pc: old,
            error: "x".into(),
        },
    ] {
        assert_eq!(m.handle(input, STABLE), vec![]);
    }
    assert_eq!(m.view().phase, CallPhase::Calling { peer: bob() });
}

// ---- whole calls between two machines ----

/// One person's machine and a model of their browser's peer connection.
struct Side {
    name: &'static str,
    m: Machine,
    pc: Option<PcId>,
    sig: Signaling,
    peers_created: u32,
    attached: bool,
    /// The browser's negotiation-needed flag: something changed that only an offer of ours
    /// carries (a new track, `restartIce`). Cleared when our offer is answered.
    wants_offer: bool,
    /// The descriptions both sides agreed on last (`currentLocalDescription`,
    /// `currentRemoteDescription`).
    current_local: Option<SessionDescription>,
    current_remote: Option<SessionDescription>,
    /// An offer of ours, or the peer's, that is applied but not answered yet.
    pending_local: Option<SessionDescription>,
    pending_remote: Option<SessionDescription>,
}

/// A simulated world: two sides, a server that stamps names and relays, and a browser that
/// completes operations asynchronously in order (a FIFO of tasks).
struct World {
    sides: [Side; 2],
    tasks: VecDeque<(usize, Task)>,
    offers_sent: u32,
    sdp_counter: u32,
    /// Every effect either machine asked for, in order, with the side that asked.
    log: Vec<(usize, Effect)>,
    /// Browser operations that failed (a description in the wrong signaling state).
    failures: u32,
}

enum Task {
    Input(Input),
    /// A browser operation completing: applied to the model, then reported.
    Op(PcId, Op),
    Deliver(FromServer),
}

enum Op {
    SetLocal,
    SetRemote(SessionDescription),
    Rollback,
}

impl World {
    fn new() -> Self {
        let side = |name| Side {
            name,
            m: {
                let mut m = Machine::new();
                m.handle(Input::SetMe(String::from(name)), STABLE);
                m
            },
            pc: None,
            sig: Signaling::Stable,
            peers_created: 0,
            attached: false,
            wants_offer: false,
            current_local: None,
            current_remote: None,
            pending_local: None,
            pending_remote: None,
        };
        Self {
            sides: [side("alice"), side("bob")],
            tasks: VecDeque::new(),
            offers_sent: 0,
            sdp_counter: 0,
            log: Vec::new(),
            failures: 0,
        }
    }

    fn input(&mut self, who: usize, input: Input) {
        let side = &mut self.sides[who];
        let env = Env {
            now_ms: 0.0,
            signaling: side.sig,
            connection: PeerState::New,
        };
        let fx = side.m.handle(input, env);
        for effect in fx {
            self.log.push((who, effect.clone()));
            self.execute(who, effect);
        }
    }

    /// The browser of `who` needs a new offer (as after `restartIce()` or a new track): it
    /// raises its flag and fires `negotiationneeded` when stable, as a task.
    fn needs_renegotiation(&mut self, who: usize) {
        let side = &mut self.sides[who];
        side.wants_offer = true;
        if let (Some(pc), Signaling::Stable) = (side.pc, side.sig) {
            self.tasks
                .push_back((who, Task::Input(Input::NegotiationNeeded { pc })));
        }
    }

    fn execute(&mut self, who: usize, effect: Effect) {
        let other = 1 - who;
        let side = &mut self.sides[who];
        match effect {
            Effect::Send(msg) => {
                let me = side.name.to_owned();
                let relayed = match msg {
                    ToServer::VideoOffer { target, sdp, .. } => {
                        self.offers_sent += 1;
                        FromServer::VideoOffer {
                            name: me,
                            target,
                            sdp,
                        }
                    }
                    ToServer::VideoAnswer { target, sdp, .. } => FromServer::VideoAnswer {
                        name: me,
                        target,
                        sdp,
                    },
                    ToServer::NewIceCandidate {
                        target, candidate, ..
                    } => FromServer::NewIceCandidate {
                        name: me,
                        target,
                        candidate,
                    },
                    ToServer::HangUp { target, reason, .. } => FromServer::HangUp {
                        name: me,
                        target: target.unwrap_or_default(),
                        reason,
                    },
                    _ => return,
                };
                self.tasks.push_back((other, Task::Deliver(relayed)));
            }
            Effect::CreatePeer { pc, role } => {
                side.pc = Some(pc);
                side.sig = Signaling::Stable;
                side.peers_created += 1;
                side.attached = false;
                side.wants_offer = false;
                side.current_local = None;
                side.current_remote = None;
                side.pending_local = None;
                side.pending_remote = None;
                if role == Role::Caller {
                    self.tasks
                        .push_back((who, Task::Input(Input::NegotiationNeeded { pc })));
                }
            }
            Effect::ClosePeer => {
                side.pc = None;
                side.sig = Signaling::Stable;
            }
            Effect::AcquireMedia { call } => {
                self.tasks
                    .push_back((who, Task::Input(Input::MediaReady { call })));
            }
            Effect::AttachMedia => side.attached = true,
            Effect::RestartIce => self.needs_renegotiation(who),
            Effect::SetLocalDescription => {
                if let Some(pc) = side.pc {
                    self.tasks.push_back((who, Task::Op(pc, Op::SetLocal)));
                }
            }
            Effect::SetRemoteDescription(sdp) => {
                if let Some(pc) = side.pc {
                    self.tasks
                        .push_back((who, Task::Op(pc, Op::SetRemote(sdp))));
                }
            }
            Effect::Rollback => {
                if let Some(pc) = side.pc {
                    self.tasks.push_back((who, Task::Op(pc, Op::Rollback)));
                }
            }
            _ => {}
        }
    }

    fn run(&mut self) {
        let mut steps = 0;
        while let Some((who, task)) = self.tasks.pop_front() {
            steps += 1;
            assert!(steps < 10_000, "the simulation does not settle");
            match task {
                Task::Input(input) => self.input(who, input),
                Task::Deliver(msg) => self.input(who, Input::Server(msg)),
                Task::Op(pc, op) => self.complete(who, pc, op),
            }
        }
    }

    /// A browser operation completes on `pc` (if that peer connection is still open).
    fn complete(&mut self, who: usize, pc: PcId, op: Op) {
        let side = &mut self.sides[who];
        if side.pc != Some(pc) {
            return;
        }
        let result = match op {
            Op::SetLocal => match side.sig {
                Signaling::Stable => {
                    side.sig = Signaling::HaveLocalOffer;
                    self.sdp_counter += 1;
                    let sdp = sdp(
                        SdpType::Offer,
                        &format!("{}-offer-{}", side.name, self.sdp_counter),
                    );
                    side.pending_local = Some(sdp.clone());
                    Input::LocalDescriptionSet { pc, sdp }
                }
                Signaling::HaveRemoteOffer => {
                    side.sig = Signaling::Stable;
                    self.sdp_counter += 1;
                    let sdp = sdp(
                        SdpType::Answer,
                        &format!("{}-answer-{}", side.name, self.sdp_counter),
                    );
                    side.current_local = Some(sdp.clone());
                    side.current_remote = side.pending_remote.take();
                    // Both descriptions are in place on this side: its ICE connects.
                    self.connect_later(who, pc);
                    self.stable_again(who, pc);
                    Input::LocalDescriptionSet { pc, sdp }
                }
                _ => {
                    self.failures += 1;
                    Input::LocalDescriptionFailed {
                        pc,
                        error: "wrong state".into(),
                    }
                }
            },
            Op::Rollback => {
                side.sig = Signaling::Stable;
                side.pending_local = None;
                side.pending_remote = None;
                return;
            }
            Op::SetRemote(desc) => match (desc.kind, side.sig) {
                (SdpType::Offer, Signaling::Stable | Signaling::HaveRemoteOffer) => {
                    side.sig = Signaling::HaveRemoteOffer;
                    side.pending_remote = Some(desc);
                    remote_set(pc, SdpType::Offer)
                }
                (SdpType::Answer, Signaling::HaveLocalOffer) => {
                    side.sig = Signaling::Stable;
                    side.current_local = side.pending_local.take();
                    side.current_remote = Some(desc);
                    // Our offer went through: what it carried is negotiated.
                    side.wants_offer = false;
                    self.connect_later(who, pc);
                    self.stable_again(who, pc);
                    remote_set(pc, SdpType::Answer)
                }
                _ => {
                    self.failures += 1;
                    Input::RemoteDescriptionFailed {
                        pc,
                        error: "wrong state".into(),
                    }
                }
            },
        };
        self.input(who, result);
    }

    fn connect_later(&mut self, who: usize, pc: PcId) {
        let input = peer_state(pc, PeerState::Connected);
        self.tasks.push_back((who, Task::Input(input)));
    }

    /// Back to stable after a negotiation: a browser whose flag is still up fires
    /// `negotiationneeded` again.
    fn stable_again(&mut self, who: usize, pc: PcId) {
        if self.sides[who].wants_offer {
            self.tasks
                .push_back((who, Task::Input(Input::NegotiationNeeded { pc })));
        }
    }

    /// Runs until `who` sent an offer (it stays queued for the other side).
    fn run_until_offer_from(&mut self, who: usize) {
        let offers = self.offers_sent;
        while self.offers_sent == offers {
            let Some((side, task)) = self.tasks.pop_front() else {
                panic!("no offer from side {who}");
            };
            match task {
                Task::Input(input) => self.input(side, input),
                Task::Deliver(msg) => self.input(side, Input::Server(msg)),
                Task::Op(pc, op) => self.complete(side, pc, op),
            }
        }
    }

    /// Takes the first frame queued for `who` out of the simulated server.
    fn take_delivery_to(&mut self, who: usize) -> Option<FromServer> {
        let at = self
            .tasks
            .iter()
            .position(|(side, task)| *side == who && matches!(task, Task::Deliver(_)))?;
        match self.tasks.remove(at) {
            Some((_, Task::Deliver(msg))) => Some(msg),
            _ => None,
        }
    }

    fn phase(&self, who: usize) -> &CallPhase {
        &self.sides[who].m.view().phase
    }

    /// The effects `who` asked for since the log was last cleared.
    fn effects_of(&self, who: usize) -> Vec<&Effect> {
        self.log
            .iter()
            .filter(|(side, _)| *side == who)
            .map(|(_, effect)| effect)
            .collect()
    }

    /// Both sides stable, nothing pending, each side's descriptions the other's, both in the
    /// call on their first peer connection, and no operation failed.
    fn assert_settled_in_call(&self) {
        let [a, b] = &self.sides;
        for side in [a, b] {
            assert_eq!(side.sig, Signaling::Stable, "{} not stable", side.name);
            assert!(
                side.pending_local.is_none() && side.pending_remote.is_none(),
                "{} has a description pending",
                side.name
            );
            assert!(!side.wants_offer, "{} still needs an offer", side.name);
            assert_eq!(side.peers_created, 1, "{} replaced its peer", side.name);
            assert!(side.current_local.is_some() && side.current_remote.is_some());
        }
        assert_eq!(a.current_local, b.current_remote, "alice's side is bob's");
        assert_eq!(a.current_remote, b.current_local, "bob's side is alice's");
        assert!(matches!(self.phase(0), CallPhase::InCall { peer, .. } if peer == "bob"));
        assert!(matches!(self.phase(1), CallPhase::InCall { peer, .. } if peer == "alice"));
        assert_eq!(
            self.failures, 0,
            "a description was applied in the wrong state"
        );
    }
}

/// Alice called Bob, he accepted, and the call is up on both sides.
fn world_in_call() -> World {
    let mut w = World::new();
    w.input(0, cmd(CallCommand::Call { peer: bob() }));
    w.run();
    w.input(1, cmd(CallCommand::Accept));
    w.run();
    w.assert_settled_in_call();
    w
}

fn is_offer(effect: &Effect) -> bool {
    matches!(effect, Effect::Send(ToServer::VideoOffer { .. }))
}

fn is_answer(effect: &Effect) -> bool {
    matches!(effect, Effect::Send(ToServer::VideoAnswer { .. }))
}

#[test]
fn a_whole_call_rings_connects_and_hangs_up_on_both_sides() {
    let mut w = World::new();
    w.input(0, cmd(CallCommand::Call { peer: bob() }));
    w.run();
    assert_eq!(*w.phase(0), CallPhase::Calling { peer: bob() });
    assert_eq!(
        *w.phase(1),
        CallPhase::Ringing {
            peer: "alice".to_owned()
        }
    );
    w.input(1, cmd(CallCommand::Accept));
    w.run();
    assert!(matches!(w.phase(0), CallPhase::InCall { peer, .. } if peer == "bob"));
    assert!(matches!(w.phase(1), CallPhase::InCall { peer, .. } if peer == "alice"));
    assert_eq!(w.offers_sent, 1, "one negotiation sets the call up");
    assert!(w.sides[0].attached && w.sides[1].attached);
    w.input(1, cmd(CallCommand::HangUp));
    w.run();
    assert_eq!(*w.phase(0), CallPhase::Idle);
    assert_eq!(*w.phase(1), CallPhase::Idle);
    assert_eq!(
        notice(&w.sides[0].m),
        Some(&CallNotice::HungUp { peer: bob() })
    );
    assert_eq!(w.sides[1].m.view().notice, None);
    assert_eq!((w.sides[0].pc, w.sides[1].pc), (None, None));
}

#[test]
fn glare_between_two_machines_gives_exactly_one_call() {
    for first in [0, 1] {
        let mut w = World::new();
        // Both click before anything arrives from the other.
        w.input(
            first,
            cmd(CallCommand::Call {
                peer: w.sides[1 - first].name.to_owned(),
            }),
        );
        w.input(
            1 - first,
            cmd(CallCommand::Call {
                peer: w.sides[first].name.to_owned(),
            }),
        );
        w.run();
        assert!(matches!(w.phase(0), CallPhase::InCall { peer, .. } if peer == "bob"));
        assert!(matches!(w.phase(1), CallPhase::InCall { peer, .. } if peer == "alice"));
        // Alice (the smaller name) kept her peer connection; Bob answered on a fresh one.
        assert_eq!(w.sides[0].peers_created, 1);
        assert_eq!(w.sides[1].peers_created, 2);
        assert_eq!(w.sides[0].sig, Signaling::Stable);
        assert_eq!(w.sides[1].sig, Signaling::Stable);
    }
}

#[test]
fn a_declined_call_leaves_both_idle_with_the_callers_notice() {
    let mut w = World::new();
    w.input(0, cmd(CallCommand::Call { peer: bob() }));
    w.run();
    w.input(1, cmd(CallCommand::Decline));
    w.run();
    assert_eq!(*w.phase(0), CallPhase::Idle);
    assert_eq!(*w.phase(1), CallPhase::Idle);
    assert_eq!(
        notice(&w.sides[0].m),
        Some(&CallNotice::Declined { peer: bob() })
    );
}

#[test]
fn renegotiation_from_either_side_mid_call_settles() {
    // One side at a time (Alice impolite, Bob polite): one offer, one answer, no rollback.
    for who in [0, 1] {
        let mut w = world_in_call();
        let (offers, before) = (w.offers_sent, w.sides[who].current_local.clone());
        w.log.clear();
        w.needs_renegotiation(who);
        w.run();
        w.assert_settled_in_call();
        assert_eq!(w.offers_sent, offers + 1, "side {who}: one new offer");
        assert_ne!(
            w.sides[who].current_local, before,
            "side {who}: renegotiated"
        );
        let (mine, theirs) = (w.effects_of(who), w.effects_of(1 - who));
        assert_eq!(mine.iter().filter(|e| is_offer(e)).count(), 1);
        assert!(
            matches!(
                mine[..],
                [
                    Effect::SetLocalDescription,
                    Effect::Send(ToServer::VideoOffer { .. }),
                    Effect::SetRemoteDescription(SessionDescription {
                        kind: SdpType::Answer,
                        ..
                    })
                ]
            ),
            "side {who} offers and applies the answer: {mine:?}"
        );
        assert!(
            matches!(
                theirs[..],
                [
                    Effect::SetRemoteDescription(SessionDescription {
                        kind: SdpType::Offer,
                        ..
                    }),
                    Effect::EnableSending,
                    Effect::AttachMedia,
                    Effect::SetLocalDescription,
                    Effect::Send(ToServer::VideoAnswer { .. })
                ]
            ),
            "the other side applies the offer and answers: {theirs:?}"
        );
    }

    // Both at once (e.g. both restart ICE): the offers collide. Bob, polite, rolls back and
    // answers Alice's; Alice ignores Bob's; then Bob, still needing his, offers again.
    let mut w = world_in_call();
    let offers = w.offers_sent;
    w.log.clear();
    w.needs_renegotiation(0);
    w.needs_renegotiation(1);
    w.run();
    w.assert_settled_in_call();
    assert_eq!(
        w.offers_sent,
        offers + 3,
        "Alice's, Bob's ignored one, Bob's again"
    );
    let (alice, bob) = (w.effects_of(0), w.effects_of(1));
    assert!(
        !alice.contains(&&Effect::Rollback),
        "the impolite side never rolls back"
    );
    assert_eq!(bob.iter().filter(|e| ***e == Effect::Rollback).count(), 1);
    // Bob's rollback comes right before he applies Alice's offer.
    let rollback = bob.iter().position(|e| **e == Effect::Rollback).unwrap();
    assert!(matches!(
        bob[rollback + 1],
        Effect::SetRemoteDescription(SessionDescription {
            kind: SdpType::Offer,
            ..
        })
    ));
    // Alice applied exactly one offer (Bob's second) and one answer; Bob the reverse.
    let applied = |effects: &[&Effect], kind: SdpType| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::SetRemoteDescription(d) if d.kind == kind))
            .count()
    };
    assert_eq!(applied(&alice, SdpType::Offer), 1);
    assert_eq!(applied(&alice, SdpType::Answer), 1);
    assert_eq!(applied(&bob, SdpType::Offer), 1);
    assert_eq!(applied(&bob, SdpType::Answer), 1);
    assert_eq!(alice.iter().filter(|e| is_answer(e)).count(), 1);
    assert_eq!(bob.iter().filter(|e| is_answer(e)).count(), 1);
    // The last word was Bob's offer: Alice's remote description is it.
    assert!(
        w.sides[0]
            .current_remote
            .as_ref()
            .is_some_and(|d| d.kind == SdpType::Offer && d.sdp.starts_with("bob-offer"))
    );
}

// The transitions of issue 9 (signaling away, partners and pages coming back, ICE restarts).
mod resume;

// Callers blocked for the session (issue 11).
mod block;

// Mute, camera and screen sharing told to the partner (issue 12).
mod media_state;
