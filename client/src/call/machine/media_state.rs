//! Mute, camera and screen sharing in the call machine (issue 12): the person's toggles, the
//! screen share's life (asked for, on the video sender, ended by the browser's own "Stop
//! sharing"), telling the partner with `media-state`, and what the partner told us.
//!
//! What the partner is told is synced after every input ([`Machine::sync_media_state`]), only
//! while the call is in progress (phase InCall, signaling up), so the server has us as
//! partners. It is sent:
//! - whenever it differs from what the partner was last told (a call starts with microphone
//!   and camera on, no screen: that is what a partner's page assumes, so a call that starts
//!   that way sends nothing at first);
//! - each time the call comes back to InCall (it connected, an ICE restart repaired it, it was
//!   rebuilt after a reload, whose new page knows nothing) when it differs from a call's
//!   start, so the partner's view is never stale;
//! - after signaling was down (a resumed socket), always: a frame sent as the socket died may
//!   be lost.
//!
//! The server delivers it only to a partner whose page shows it.

use shared::{FromServer, ToServer};

use super::{CallId, Effect, Machine, TrackKind};
use crate::call::{CallPhase, PeerMedia};

/// The machine's part of media state, reset when the call ends.
#[derive(Debug, Default)]
pub(super) struct MediaSync {
    /// The screen's track is on the video sender (reported by the driver).
    screen_on: bool,
    /// The call whose partner `told` is about.
    call: Option<CallId>,
    /// What the partner was last told; `None`: unknown (a frame may have been lost).
    told: Option<PeerMedia>,
    /// The call left InCall or signaling since `told` was sent: tell again unless it is what a
    /// call starts with.
    recheck: bool,
}

impl Machine {
    /// Mute/unmute, camera off/on: the track's `enabled` flips (it stays on the sender).
    pub(super) fn set_enabled(&mut self, kind: TrackKind, enabled: bool, fx: &mut Vec<Effect>) {
        if self.call.is_none() {
            return;
        }
        match kind {
            TrackKind::Audio => self.view.mic_enabled = enabled,
            TrackKind::Video => self.view.camera_enabled = enabled,
        }
        fx.push(Effect::SetTrackEnabled { kind, enabled });
    }

    /// The share-screen toggle. Not while ringing: there is nothing to send on yet.
    pub(super) fn share_screen(&mut self, on: bool, fx: &mut Vec<Effect>) {
        let Some(call) = &self.call else {
            return;
        };
        if on == self.view.sharing_screen || matches!(self.view.phase, CallPhase::Ringing { .. }) {
            return;
        }
        self.view.sharing_screen = on;
        if on {
            fx.push(Effect::StartScreenShare { call: call.id });
        } else {
            self.media.screen_on = false;
            fx.push(Effect::StopScreenShare);
        }
    }

    /// The driver's report on the screen of `call`: its track is on the sender (`on`), or the
    /// share ended (the browser's "Stop sharing", or the person cancelled the picker).
    pub(super) fn on_screen(&mut self, call: CallId, on: bool, fx: &mut Vec<Effect>) {
        if self.call_id() != Some(call) {
            return;
        }
        if on && self.view.sharing_screen {
            self.media.screen_on = true;
        } else {
            // Ended, or no longer wanted by the time it opened: the camera goes back.
            self.view.sharing_screen = false;
            self.media.screen_on = false;
            fx.push(Effect::StopScreenShare);
        }
    }

    /// Server frames no other part of the machine handles: the partner's `media-state`.
    pub(super) fn on_other_frame(&mut self, msg: FromServer) {
        let FromServer::MediaState {
            name,
            audio,
            video,
            screen,
            ..
        } = msg
        else {
            return;
        };
        if self.call.as_ref().is_none_or(|c| c.peer != name) {
            return;
        }
        let next = PeerMedia {
            audio,
            video,
            screen,
        };
        let changes = self.view.peer_media.changes(next);
        self.view.peer_media = next;
        if !changes.is_empty() {
            self.view.peer_media_news = changes;
        }
    }

    /// Tells the partner our media state when it changed or may have been lost (see the
    /// module documentation). Runs after every input.
    pub(super) fn sync_media_state(&mut self, fx: &mut Vec<Effect>) {
        let Some(call) = &self.call else {
            self.media = MediaSync::default();
            return;
        };
        if self.media.call != Some(call.id) {
            // A new call: the partner's page starts from a call's defaults.
            self.media = MediaSync {
                call: Some(call.id),
                told: Some(PeerMedia::default()),
                ..MediaSync::default()
            };
        }
        if self.signaling_down {
            self.media.told = None;
        }
        if !matches!(self.view.phase, CallPhase::InCall { .. }) || self.signaling_down {
            self.media.recheck = true;
            return;
        }
        let now = PeerMedia {
            audio: self.view.mic_enabled,
            video: self.view.camera_enabled,
            screen: self.media.screen_on,
        };
        let stale = self.media.recheck && now != PeerMedia::default();
        self.media.recheck = false;
        if self.media.told == Some(now) && !stale {
            return;
        }
        self.media.told = Some(now);
        fx.push(Effect::Send(ToServer::MediaState {
            target: call.peer.clone(),
            audio: now.audio,
            video: now.video,
            screen: now.screen,
        }));
    }
}
