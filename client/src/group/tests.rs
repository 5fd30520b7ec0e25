//! Host tests of the group call: the bandwidth policy, the mesh machine and the speaker.

use shared::{ErrorCode, FromServer, IceCandidate, SdpType, SessionDescription, ToServer};

use super::mesh::{GroupEffect, GroupInput, Mesh};
use super::speaker::{Energy, HOLD_MS, Speaker};
use super::{GroupNotice, TOTAL_VIDEO_BPS, caps, caps_sentence};
use crate::call::machine::{Effect, Input, PcId, PeerState, Signaling, TrackKind};
use crate::call::quality::Sample;

fn stable(_: PcId) -> Signaling {
    Signaling::Stable
}

fn feed(mesh: &mut Mesh, input: GroupInput) -> Vec<GroupEffect> {
    mesh.handle(input, 1000.0, stable)
}

fn list(names: &[&str]) -> GroupInput {
    GroupInput::Server(FromServer::GroupCall {
        members: names.iter().map(|n| n.to_string()).collect(),
    })
}

fn sdp(kind: SdpType, text: &str) -> SessionDescription {
    SessionDescription {
        kind,
        sdp: text.to_owned(),
    }
}

fn signal_from(name: &str, sdp: Option<SessionDescription>, c: Option<IceCandidate>) -> GroupInput {
    GroupInput::Server(FromServer::GroupSignal {
        name: name.to_owned(),
        target: "me".to_owned(),
        sdp,
        candidate: c,
    })
}

fn candidate(n: u32) -> IceCandidate {
    IceCandidate {
        candidate: format!("candidate:{n}"),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
        username_fragment: None,
    }
}

fn created(fx: &[GroupEffect]) -> Vec<(String, PcId, bool)> {
    fx.iter()
        .filter_map(|e| match e {
            GroupEffect::CreatePair { name, pc, offerer } => Some((name.clone(), *pc, *offerer)),
            _ => None,
        })
        .collect()
}

/// `me` joined and the server listed `members`.
fn joined(me: &str, members: &[&str]) -> (Mesh, Vec<GroupEffect>) {
    let mut mesh = Mesh::new();
    feed(&mut mesh, GroupInput::SetMe(me.into()));
    let fx = feed(&mut mesh, GroupInput::Join);
    assert_eq!(
        fx,
        vec![
            GroupEffect::Send(ToServer::GroupJoin),
            GroupEffect::AcquireMedia
        ]
    );
    let fx = feed(&mut mesh, list(members));
    (mesh, fx)
}

fn pc_of(mesh: &Mesh, name: &str) -> PcId {
    (1..20)
        .map(PcId)
        .find(|pc| mesh.pair_name(*pc) == Some(name))
        .expect("a pair with that name")
}

#[test]
fn caps_keep_four_people_under_the_uplink() {
    assert_eq!(caps(0), None);
    let one = caps(1).unwrap();
    assert_eq!((one.max_bitrate, one.scale_down), (1_500_000, 1.0));
    let two = caps(2).unwrap();
    assert_eq!((two.max_bitrate, two.scale_down), (1_000_000, 1.5));
    let three = caps(3).unwrap();
    assert_eq!((three.max_bitrate, three.scale_down), (750_000, 2.0));
    for peers in 1..=3 {
        let c = caps(peers).unwrap();
        assert!(c.max_bitrate as usize * peers <= TOTAL_VIDEO_BPS as usize);
    }
    // With two 64 kbit/s audio streams and more on top, three peers still fit 2.5 Mbit/s.
    const { assert!(TOTAL_VIDEO_BPS + 3 * 64_000 <= 2_500_000) };
    assert_eq!(
        caps_sentence(&three),
        "Sending up to 750 kbit/s to each of 3 people"
    );
    assert_eq!(caps_sentence(&one), "Sending up to 1500 kbit/s to 1 person");
}

#[test]
fn the_later_joiner_offers_and_the_first_name_is_polite() {
    // carol joined after alice and bob: she offers to both.
    let (mesh, fx) = joined("carol", &["alice", "bob", "carol"]);
    let pairs = created(&fx);
    assert_eq!(pairs.len(), 2);
    assert!(pairs.iter().all(|(_, _, offerer)| *offerer));
    assert!(fx.contains(&GroupEffect::Send(ToServer::MediaState {
        target: "alice".into(),
        audio: true,
        video: true,
        screen: false,
    })));
    assert_eq!(fx.last(), Some(&GroupEffect::ApplyCaps(caps(2))));
    let view = mesh.view();
    assert_eq!(view.count(), 3);
    assert_eq!(view.tiles[0].name, "alice");

    // alice was first: she waits for the newcomers' offers.
    let (_, fx) = joined("alice", &["alice", "bob", "carol"]);
    assert!(created(&fx).iter().all(|(_, _, offerer)| !*offerer));
}

#[test]
fn an_answerer_applies_the_offer_then_sends_and_answers() {
    let (mut mesh, _) = joined("alice", &["alice", "bob"]);
    feed(&mut mesh, GroupInput::MediaReady);
    let pc = pc_of(&mesh, "bob");
    // A candidate before the offer waits for it.
    assert!(feed(&mut mesh, signal_from("bob", None, Some(candidate(1)))).is_empty());
    let offer = sdp(SdpType::Offer, "offer-bob");
    let fx = feed(&mut mesh, signal_from("bob", Some(offer.clone()), None));
    assert_eq!(
        fx,
        vec![
            GroupEffect::Pair(pc, Effect::SetRemoteDescription(offer)),
            GroupEffect::Pair(pc, Effect::AddIceCandidate(candidate(1))),
        ]
    );
    let fx = feed(
        &mut mesh,
        GroupInput::Pc(Input::RemoteDescriptionSet {
            pc,
            kind: SdpType::Offer,
        }),
    );
    assert_eq!(
        fx,
        vec![
            GroupEffect::Pair(pc, Effect::EnableSending),
            GroupEffect::Pair(pc, Effect::AttachMedia),
            GroupEffect::Pair(pc, Effect::SetLocalDescription),
        ]
    );
    let answer = sdp(SdpType::Answer, "answer-alice");
    let fx = feed(
        &mut mesh,
        GroupInput::Pc(Input::LocalDescriptionSet {
            pc,
            sdp: answer.clone(),
        }),
    );
    assert_eq!(
        fx,
        vec![GroupEffect::Send(ToServer::GroupSignal {
            name: None,
            target: "bob".into(),
            sdp: Some(answer),
            candidate: None,
        })]
    );
}

#[test]
fn an_offerer_offers_on_negotiationneeded_and_trickles() {
    let (mut mesh, _) = joined("bob", &["alice", "bob"]);
    let pc = pc_of(&mesh, "alice");
    let fx = feed(&mut mesh, GroupInput::Pc(Input::NegotiationNeeded { pc }));
    assert_eq!(fx, vec![GroupEffect::Pair(pc, Effect::SetLocalDescription)]);
    let fx = feed(&mut mesh, GroupInput::MediaReady);
    assert_eq!(fx, vec![GroupEffect::Pair(pc, Effect::AttachMedia)]);
    let fx = feed(
        &mut mesh,
        GroupInput::Pc(Input::LocalCandidate {
            pc,
            candidate: Some(candidate(2)),
        }),
    );
    assert!(matches!(
        &fx[..],
        [GroupEffect::Send(ToServer::GroupSignal { target, candidate: Some(_), sdp: None, .. })] if target == "alice"
    ));
    // A stale event of a closed pair is dropped.
    let stale = GroupInput::Pc(Input::NegotiationNeeded { pc: PcId(99) });
    assert!(feed(&mut mesh, stale).is_empty());
}

#[test]
fn in_glare_the_polite_side_rolls_back_and_the_other_ignores() {
    let making = |_: PcId| Signaling::HaveLocalOffer;
    // alice < bob: alice is polite.
    let (mut alice, _) = joined("alice", &["alice", "bob"]);
    let pc = pc_of(&alice, "bob");
    alice.handle(GroupInput::Pc(Input::NegotiationNeeded { pc }), 0.0, stable);
    let offer = sdp(SdpType::Offer, "offer-bob");
    let fx = alice.handle(signal_from("bob", Some(offer.clone()), None), 0.0, making);
    assert_eq!(
        fx,
        vec![
            GroupEffect::Pair(pc, Effect::Rollback),
            GroupEffect::Pair(pc, Effect::SetRemoteDescription(offer)),
        ]
    );
    let (mut bob, _) = joined("bob", &["alice", "bob"]);
    let pc = pc_of(&bob, "alice");
    bob.handle(GroupInput::Pc(Input::NegotiationNeeded { pc }), 0.0, stable);
    let fx = bob.handle(
        signal_from("alice", Some(sdp(SdpType::Offer, "offer-alice")), None),
        0.0,
        making,
    );
    assert!(fx.is_empty());
}

#[test]
fn someone_leaving_closes_only_their_pair_and_recaps() {
    let (mut mesh, fx) = joined("dave", &["alice", "bob", "carol", "dave"]);
    assert_eq!(fx.last(), Some(&GroupEffect::ApplyCaps(caps(3))));
    let bob = pc_of(&mesh, "bob");
    let fx = feed(&mut mesh, list(&["alice", "carol", "dave"]));
    assert_eq!(
        fx,
        vec![GroupEffect::ClosePair(bob), GroupEffect::ApplyCaps(caps(2))]
    );
    assert_eq!(mesh.view().count(), 3);
    // The same list again changes nothing.
    assert!(feed(&mut mesh, list(&["alice", "carol", "dave"])).is_empty());
    // A newcomer after us offers to us: our new pair waits.
    let fx = feed(&mut mesh, list(&["alice", "carol", "dave", "erin"]));
    assert_eq!(created(&fx), vec![("erin".to_owned(), PcId(4), false)]);
}

#[test]
fn a_full_call_refuses_us_and_says_so() {
    let mut mesh = Mesh::new();
    feed(&mut mesh, GroupInput::SetMe("erin".into()));
    feed(&mut mesh, list(&["a", "b", "c", "d"]));
    assert_eq!(mesh.view().members.len(), 4);
    feed(&mut mesh, GroupInput::Join);
    let fx = feed(
        &mut mesh,
        GroupInput::Server(FromServer::Error {
            code: ErrorCode::CallFull,
            message: "full".into(),
        }),
    );
    assert_eq!(fx, vec![GroupEffect::ReleaseMedia]);
    let view = mesh.view();
    assert_eq!(view.notice, Some(GroupNotice::Full));
    assert!(!view.joined);
    // A stream that opens after the refusal is stopped.
    assert_eq!(
        feed(&mut mesh, GroupInput::MediaReady),
        vec![GroupEffect::ReleaseMedia]
    );
}

#[test]
fn toggles_flip_tracks_and_tell_every_member() {
    let (mut mesh, _) = joined("carol", &["alice", "bob", "carol"]);
    let fx = feed(&mut mesh, GroupInput::SetMic(false));
    assert_eq!(
        fx[0],
        GroupEffect::SetTrackEnabled {
            kind: TrackKind::Audio,
            enabled: false
        }
    );
    let told: Vec<_> = fx[1..]
        .iter()
        .filter_map(|e| match e {
            GroupEffect::Send(ToServer::MediaState { target, audio, .. }) => {
                Some((target.clone(), *audio))
            }
            _ => None,
        })
        .collect();
    assert_eq!(told, vec![("alice".into(), false), ("bob".into(), false)]);
    assert!(!mesh.view().mic_enabled);
    // What a member says it sends shows on its tile.
    feed(
        &mut mesh,
        GroupInput::Server(FromServer::MediaState {
            name: "bob".into(),
            target: "carol".into(),
            audio: false,
            video: false,
            screen: false,
        }),
    );
    let view = mesh.view();
    assert!(!view.tiles[1].media.audio && !view.tiles[1].media.video);
    assert!(view.tiles[0].media.audio);
}

#[test]
fn leaving_closes_everything_and_tells_the_server() {
    let (mut mesh, _) = joined("carol", &["alice", "bob", "carol"]);
    let (a, b) = (pc_of(&mesh, "alice"), pc_of(&mesh, "bob"));
    let fx = feed(&mut mesh, GroupInput::Leave);
    assert_eq!(
        fx,
        vec![
            GroupEffect::Send(ToServer::GroupLeave),
            GroupEffect::ClosePair(a),
            GroupEffect::ClosePair(b),
            GroupEffect::ReleaseMedia,
        ]
    );
    assert!(!mesh.view().joined);
    // The list without us afterwards opens nothing.
    assert!(feed(&mut mesh, list(&["alice", "bob"])).is_empty());
}

#[test]
fn a_list_naming_a_page_that_did_not_join_is_left() {
    let mut mesh = Mesh::new();
    feed(&mut mesh, GroupInput::SetMe("bob".into()));
    let fx = feed(&mut mesh, list(&["alice", "bob"]));
    assert_eq!(fx, vec![GroupEffect::Send(ToServer::GroupLeave)]);
}

#[test]
fn a_failed_connection_is_restarted_by_the_impolite_side() {
    let (mut mesh, _) = joined("bob", &["alice", "bob"]);
    let pc = pc_of(&mesh, "alice");
    let failed = GroupInput::Pc(Input::ConnectionState {
        pc,
        state: PeerState::Failed,
    });
    assert_eq!(
        feed(&mut mesh, failed),
        vec![GroupEffect::Pair(pc, Effect::RestartIce)]
    );
}

fn energy(total: f64, secs: f64) -> Option<Energy> {
    Some(Energy {
        total_energy: total,
        total_duration: secs,
    })
}

#[test]
fn stats_give_each_tile_a_level_and_pick_the_speaker() {
    let (mut mesh, _) = joined("carol", &["alice", "bob", "carol"]);
    let (a, b) = (pc_of(&mesh, "alice"), pc_of(&mesh, "bob"));
    let reading = |mesh: &mut Mesh, pc, at: f64, e: Option<Energy>| {
        let sample = Box::new(Sample {
            at_ms: at,
            ..Sample::default()
        });
        feed(
            mesh,
            GroupInput::Stats {
                pc,
                sample,
                energy: e,
                now_ms: at,
            },
        );
    };
    reading(&mut mesh, a, 0.0, energy(0.0, 0.0));
    reading(&mut mesh, b, 0.0, energy(0.0, 0.0));
    assert_eq!(mesh.view().tiles[0].level, None);
    // alice is silent, bob speaks (RMS 0.1 over a second).
    reading(&mut mesh, a, 1000.0, energy(0.0, 1.0));
    reading(&mut mesh, b, 1000.0, energy(0.01, 1.0));
    let view = mesh.view();
    assert!(view.tiles[0].level.is_some());
    assert_eq!(view.speaker.as_deref(), Some("bob"));
}

#[test]
fn energy_gives_the_rms_between_readings() {
    let older = Energy {
        total_energy: 1.0,
        total_duration: 10.0,
    };
    let newer = Energy {
        total_energy: 1.04,
        total_duration: 11.0,
    };
    assert!((newer.level_since(older).unwrap() - 0.2).abs() < 1e-9);
    assert_eq!(older.level_since(older), None);
}

#[test]
fn the_speaker_holds_and_needs_a_clear_margin_to_move() {
    let mut s = Speaker::default();
    s.heard("a", 0.0, 0.0);
    assert_eq!(s.current(), None);
    s.heard("a", 0.2, 0.0);
    assert_eq!(s.current(), Some("a"));
    // Louder, but within the hold time: no change.
    s.heard("b", 0.5, 100.0);
    assert_eq!(s.current(), Some("a"));
    // After the hold, only clearly louder takes over.
    s.heard("a", 0.4, HOLD_MS + 1.0);
    assert_eq!(s.current(), Some("a"));
    s.heard("b", 0.5, HOLD_MS + 2.0);
    assert_eq!(s.current(), Some("a"));
    s.heard("b", 0.9, HOLD_MS + 4.0);
    assert_eq!(s.current(), Some("b"));
    // The current speaker falls silent (its held level decays below the floor): the next
    // loudest takes over at once.
    for t in 0..10 {
        s.heard("b", 0.0, HOLD_MS + 10.0 + t as f64);
        s.heard("a", 0.1, HOLD_MS + 10.0 + t as f64);
    }
    assert_eq!(s.current(), Some("a"));
    s.forget("a");
    assert_eq!(s.current(), None);
}

#[test]
fn the_page_state_knows_when_the_server_lists_us_in_the_group_call() {
    use crate::state::{Action, AppState, StoredSession};
    let mut state = AppState::restored(StoredSession {
        token: "t".into(),
        name: "bob".into(),
        ack: 0,
        room: None,
    });
    let members = |names: &[&str]| {
        Action::Server(FromServer::GroupCall {
            members: names.iter().map(|n| n.to_string()).collect(),
        })
    };
    assert!(!state.in_group_call);
    state.apply(members(&["alice"]));
    assert!(!state.in_group_call);
    state.apply(members(&["alice", "bob"]));
    assert!(state.in_group_call);
    state.apply(members(&["alice"]));
    assert!(!state.in_group_call);
}
