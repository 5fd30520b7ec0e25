//! Issue 12: mute, camera off and screen sharing told to the partner (`media-state`), the screen
//! share's life, and the partner's state as we show it.

use shared::{FromServer, ToServer};

use super::*;
use crate::call::{MediaChange, PeerMedia};

fn told(audio: bool, video: bool, screen: bool) -> Effect {
    Effect::Send(ToServer::MediaState {
        target: bob(),
        audio,
        video,
        screen,
    })
}

fn sent_states(fx: &[Effect]) -> Vec<&Effect> {
    fx.iter()
        .filter(|e| matches!(e, Effect::Send(ToServer::MediaState { .. })))
        .collect()
}

fn from_bob(audio: bool, video: bool, screen: bool) -> Input {
    Input::Server(FromServer::MediaState {
        name: bob(),
        target: "alice".into(),
        audio,
        video,
        screen,
    })
}

fn screen(m: &Machine, on: bool) -> Input {
    Input::ScreenShare {
        call: m.call_id().unwrap(),
        on,
    }
}

#[test]
fn a_muted_call_says_so_when_it_connects_and_every_toggle_is_told() {
    let mut m = connecting_with_bob();
    // Muted before the call is up: nothing is sent yet (the server has no call to relay in).
    let fx = m.handle(cmd(CallCommand::SetMicEnabled(false)), STABLE);
    assert_eq!(sent_states(&fx), Vec::<&Effect>::new());
    let pc = m.pc_id().unwrap();
    let fx = m.handle(peer_state(pc, PeerState::Connected), STABLE);
    assert_eq!(sent_states(&fx), [&told(false, true, false)]);
    // Nothing more while nothing changes.
    assert_eq!(
        sent_states(&m.handle(Input::TimerFired(Timer::RouteProbe), STABLE)),
        Vec::<&Effect>::new()
    );
    let fx = m.handle(cmd(CallCommand::SetCameraEnabled(false)), STABLE);
    assert_eq!(sent_states(&fx), [&told(false, false, false)]);
    let fx = m.handle(cmd(CallCommand::SetMicEnabled(true)), STABLE);
    assert_eq!(sent_states(&fx), [&told(true, false, false)]);
}

#[test]
fn a_call_that_starts_as_calls_do_sends_nothing_at_first() {
    let m = in_call_with_bob();
    assert!(m.view().mic_enabled && m.view().camera_enabled);
    let mut m = connecting_with_bob();
    let pc = m.pc_id().unwrap();
    let fx = m.handle(peer_state(pc, PeerState::Connected), STABLE);
    assert_eq!(sent_states(&fx), Vec::<&Effect>::new());
}

#[test]
fn the_state_is_told_again_after_signaling_and_after_a_repair() {
    let (mut m, pc) = caller_in_call_with_bob();
    m.handle(cmd(CallCommand::SetCameraEnabled(false)), STABLE);
    // The socket drops: nothing is sent while it is down, and the state goes again once up.
    m.handle(Input::SignalingDown, STABLE);
    let fx = m.handle(cmd(CallCommand::SetMicEnabled(false)), STABLE);
    assert_eq!(sent_states(&fx), Vec::<&Effect>::new());
    let fx = m.handle(Input::SignalingUp, STABLE);
    assert_eq!(sent_states(&fx), [&told(false, false, false)]);
    // An ICE repair (the call passes through Reconnecting): told again when it is back.
    m.handle(peer_state(pc, PeerState::Disconnected), STABLE);
    let fx = m.handle(peer_state(pc, PeerState::Connected), STABLE);
    assert_eq!(
        m.view().phase,
        CallPhase::InCall {
            peer: bob(),
            since_ms: 1000.0
        }
    );
    assert_eq!(sent_states(&fx), [&told(false, false, false)]);
}

#[test]
fn unmuting_during_a_repair_is_told_when_the_call_is_back() {
    let (mut m, pc) = caller_in_call_with_bob();
    m.handle(cmd(CallCommand::SetMicEnabled(false)), STABLE);
    m.handle(peer_state(pc, PeerState::Disconnected), STABLE);
    let fx = m.handle(cmd(CallCommand::SetMicEnabled(true)), STABLE);
    assert_eq!(sent_states(&fx), Vec::<&Effect>::new());
    let fx = m.handle(peer_state(pc, PeerState::Connected), STABLE);
    assert_eq!(sent_states(&fx), [&told(true, true, false)]);
}

#[test]
fn screen_sharing_replaces_the_camera_until_the_browser_stops_it() {
    let mut m = in_call_with_bob();
    let call = m.call_id().unwrap();
    let fx = m.handle(cmd(CallCommand::ShareScreen(true)), STABLE);
    assert_eq!(fx, vec![Effect::StartScreenShare { call }]);
    assert!(m.view().sharing_screen);
    // Told only once the screen's track is on the sender.
    let fx = m.handle(screen(&m, true), STABLE);
    assert_eq!(fx, vec![told(true, true, true)]);
    // Pressing again does not start a second picker.
    assert_eq!(
        m.handle(cmd(CallCommand::ShareScreen(true)), STABLE),
        vec![]
    );
    // The browser's own "Stop sharing" (the track ended): the camera comes back.
    let fx = m.handle(screen(&m, false), STABLE);
    assert_eq!(fx, vec![Effect::StopScreenShare, told(true, true, false)]);
    assert!(!m.view().sharing_screen);
}

#[test]
fn a_camera_that_was_off_stays_off_after_sharing() {
    let mut m = in_call_with_bob();
    m.handle(cmd(CallCommand::SetCameraEnabled(false)), STABLE);
    m.handle(cmd(CallCommand::ShareScreen(true)), STABLE);
    assert_eq!(
        m.handle(screen(&m, true), STABLE),
        vec![told(true, false, true)]
    );
    let fx = m.handle(cmd(CallCommand::ShareScreen(false)), STABLE);
    // No track is re-enabled: the camera's track goes back as it was (disabled).
    assert_eq!(fx, vec![Effect::StopScreenShare, told(true, false, false)]);
    assert!(!m.view().camera_enabled);
}

#[test]
fn a_cancelled_picker_or_a_late_screen_changes_nothing_for_the_partner() {
    let mut m = in_call_with_bob();
    m.handle(cmd(CallCommand::ShareScreen(true)), STABLE);
    // The person cancelled the browser's picker.
    assert_eq!(
        m.handle(screen(&m, false), STABLE),
        vec![Effect::StopScreenShare]
    );
    assert!(!m.view().sharing_screen);
    // Asked, then un-asked before the screen opened: the screen that opens is stopped.
    m.handle(cmd(CallCommand::ShareScreen(true)), STABLE);
    assert_eq!(
        m.handle(cmd(CallCommand::ShareScreen(false)), STABLE),
        vec![Effect::StopScreenShare]
    );
    assert_eq!(
        m.handle(screen(&m, true), STABLE),
        vec![Effect::StopScreenShare]
    );
    // A report for another call is ignored.
    let stale = Input::ScreenShare {
        call: CallId(999),
        on: true,
    };
    assert_eq!(m.handle(stale, STABLE), vec![]);
}

#[test]
fn no_screen_share_while_ringing_or_without_a_call() {
    let mut m = ringing_from_bob();
    assert_eq!(
        m.handle(cmd(CallCommand::ShareScreen(true)), STABLE),
        vec![]
    );
    let mut m = alice();
    assert_eq!(
        m.handle(cmd(CallCommand::ShareScreen(true)), STABLE),
        vec![]
    );
    assert!(!m.view().sharing_screen);
}

#[test]
fn the_partners_state_is_shown_with_what_changed_and_reset_by_the_end_of_the_call() {
    let mut m = in_call_with_bob();
    assert_eq!(m.view().peer_media, PeerMedia::default());
    // The same as a call's start: nothing to announce.
    m.handle(from_bob(true, true, false), STABLE);
    assert!(m.view().peer_media_news.is_empty());
    m.handle(from_bob(false, true, false), STABLE);
    assert!(!m.view().peer_media.audio);
    assert_eq!(m.view().peer_media_news, [MediaChange::Muted]);
    m.handle(from_bob(false, false, true), STABLE);
    assert_eq!(
        m.view().peer_media_news,
        [MediaChange::CameraOff, MediaChange::SharingStarted]
    );
    // A repeat keeps the last news.
    m.handle(from_bob(false, false, true), STABLE);
    assert_eq!(
        m.view().peer_media_news,
        [MediaChange::CameraOff, MediaChange::SharingStarted]
    );
    // Someone else's frame is not about this call.
    m.handle(
        Input::Server(FromServer::MediaState {
            name: "carol".into(),
            target: "alice".into(),
            audio: true,
            video: true,
            screen: false,
        }),
        STABLE,
    );
    assert!(m.view().peer_media.screen);
    m.handle(hang_up_from("bob", None), STABLE);
    assert_eq!(m.view().peer_media, PeerMedia::default());
    assert!(m.view().peer_media_news.is_empty());
    assert!(!m.view().sharing_screen);
}

#[test]
fn a_shared_screen_ends_with_the_call() {
    let mut m = in_call_with_bob();
    m.handle(cmd(CallCommand::ShareScreen(true)), STABLE);
    m.handle(screen(&m, true), STABLE);
    let fx = m.handle(cmd(CallCommand::HangUp), STABLE);
    // Releasing the media stops the screen too (the driver's `ReleaseMedia`).
    assert!(fx.contains(&Effect::ReleaseMedia));
    assert!(!m.view().sharing_screen);
    // The next call starts from scratch: nothing is told until something differs.
    let mut m = in_call_with_bob();
    let fx = m.handle(cmd(CallCommand::SetMicEnabled(true)), STABLE);
    assert_eq!(sent_states(&fx), Vec::<&Effect>::new());
}
