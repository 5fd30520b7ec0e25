//! `media-state` (extension, issue 12): a client tells its call partner what it sends right now
//! (microphone on, camera on, a screen in place of the camera), so the partner's page can show
//! "alice muted" and an icon on her tile.
//!
//! The frame is decoded here from its whole text (it is small and rare, so it does not need the
//! raw-member envelope of the hot relays), and delivered by [`crate::registry`]
//! (`registry/media_state.rs`) under the rules of `docs/PROTOCOL.md`: only between the two ends
//! of a call, and only to a client that announced the `media-state` feature (MDN's client never
//! gets it).

use serde::Deserialize;
use shared::FromServer;

/// A decoded `media-state` frame from a client.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaState {
    pub target: String,
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
}

impl MediaState {
    /// The frame the target receives, naming the sender.
    pub fn relayed(&self, name: &str, target: &str) -> FromServer {
        FromServer::MediaState {
            name: name.to_owned(),
            target: target.to_owned(),
            audio: self.audio,
            video: self.video,
            screen: self.screen,
        }
    }
}

/// Decodes a frame whose `type` is `media-state`: `target` a string, the three flags booleans,
/// each given once; other members are ignored. The error says what is wrong, without its
/// position (of no use to the sender).
pub fn decode(text: &str) -> Result<MediaState, String> {
    serde_json::from_str(text).map_err(|e| {
        let error = e.to_string();
        let error = error.rsplit_once(" at line ").map_or(&*error, |(e, _)| e);
        format!("bad `media-state`: {error}")
    })
}

#[cfg(test)]
mod tests;
