//! What a call partner sends, as its `media-state` frames say (issue 12): microphone on, camera
//! on, a screen in place of the camera; and the changes worth announcing ("alice muted").
//! Plain data and its words ([`sentence`], kept here rather than in the full `crate::text`),
//! host-tested; `crate::components::peer_media` draws it.

/// The partner's media as last reported. Until a report arrives, what a call starts with:
/// microphone and camera on, no screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerMedia {
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
}

impl Default for PeerMedia {
    fn default() -> Self {
        Self {
            audio: true,
            video: true,
            screen: false,
        }
    }
}

/// One change in what the partner sends, in the order they are announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaChange {
    Muted,
    Unmuted,
    CameraOff,
    CameraOn,
    SharingStarted,
    SharingStopped,
}

impl PeerMedia {
    /// What changed from `self` to `next`: microphone, then camera, then screen.
    pub fn changes(self, next: PeerMedia) -> Vec<MediaChange> {
        let flip = |was: bool, now: bool, on: MediaChange, off: MediaChange| match (was, now) {
            (false, true) => Some(on),
            (true, false) => Some(off),
            _ => None,
        };
        [
            flip(
                self.audio,
                next.audio,
                MediaChange::Unmuted,
                MediaChange::Muted,
            ),
            flip(
                self.video,
                next.video,
                MediaChange::CameraOn,
                MediaChange::CameraOff,
            ),
            flip(
                self.screen,
                next.screen,
                MediaChange::SharingStarted,
                MediaChange::SharingStopped,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The tile shows "camera off" only when nothing replaces the camera: a shared screen is
    /// video too.
    pub fn camera_off(self) -> bool {
        !self.video && !self.screen
    }
}

/// What the partner's page announces for one change: neutral words, the name first.
pub fn sentence(peer: &str, change: MediaChange) -> String {
    // One `format!` for all (the bundle counts every call site).
    let what = match change {
        MediaChange::Muted => "muted.",
        MediaChange::Unmuted => "unmuted.",
        MediaChange::CameraOff => "turned the camera off.",
        MediaChange::CameraOn => "turned the camera on.",
        MediaChange::SharingStarted => "started sharing their screen.",
        MediaChange::SharingStopped => "stopped sharing their screen.",
    };
    crate::text::around(peer, " ", what)
}

/// The line on the partner's tile while they share a screen.
pub fn sharing(peer: &str) -> String {
    crate::text::around("", peer, " is sharing their screen")
}

#[cfg(test)]
mod tests {
    use super::{MediaChange, PeerMedia, sentence, sharing};

    #[test]
    fn changes_keep_their_words() {
        let cases = [
            (MediaChange::Muted, "alice muted."),
            (MediaChange::Unmuted, "alice unmuted."),
            (MediaChange::CameraOff, "alice turned the camera off."),
            (MediaChange::CameraOn, "alice turned the camera on."),
            (
                MediaChange::SharingStarted,
                "alice started sharing their screen.",
            ),
            (
                MediaChange::SharingStopped,
                "alice stopped sharing their screen.",
            ),
        ];
        for (change, words) in cases {
            assert_eq!(sentence("alice", change), words);
        }
        assert_eq!(sharing("alice"), "alice is sharing their screen");
    }

    #[test]
    fn a_call_starts_with_microphone_and_camera_on() {
        let start = PeerMedia::default();
        assert!(start.audio && start.video && !start.screen);
        assert!(start.changes(start).is_empty());
    }

    #[test]
    fn changes_are_listed_microphone_camera_screen() {
        let start = PeerMedia::default();
        let all = PeerMedia {
            audio: false,
            video: false,
            screen: true,
        };
        assert_eq!(
            start.changes(all),
            [
                MediaChange::Muted,
                MediaChange::CameraOff,
                MediaChange::SharingStarted
            ]
        );
        assert_eq!(
            all.changes(start),
            [
                MediaChange::Unmuted,
                MediaChange::CameraOn,
                MediaChange::SharingStopped
            ]
        );
    }

    #[test]
    fn camera_off_unless_a_screen_is_shared() {
        let off = PeerMedia {
            video: false,
            ..PeerMedia::default()
        };
        assert!(off.camera_off());
        assert!(
            !PeerMedia {
                screen: true,
                ..off
            }
            .camera_off()
        );
        assert!(!PeerMedia::default().camera_off());
    }
}
