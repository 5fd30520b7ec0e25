//! The call partner's media as their `media-state` says (issue 12): icons on the remote tile
//! while they are muted, have the camera off or share a screen (hooks `peer-muted`,
//! `peer-camera-off`, `peer-sharing`), and the announcement of the last change ("alice muted.",
//! hook `peer-media-notice`, a live region).

use yew::prelude::*;

use crate::call::peer_media::{sentence, sharing};
use crate::call::{MediaChange, PeerMedia};
use crate::components::icons;
use crate::components::name::with_name;

/// The badges on the remote tile and the announcement under it (`news`: what changed last). A
/// plain function, not a component (smaller wasm).
pub fn peer_media_badges(peer: &str, media: PeerMedia, news: &[MediaChange]) -> Html {
    let news = news
        .iter()
        .map(|&change| sentence(peer, change))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        <>
            <div class="peer-media">
                if !media.audio {
                    <span class="peer-badge" data-testid="peer-muted" role="img"
                        aria-label={crate::text::around("", peer, " is muted")}>
                        { icons::mic(true) }
                    </span>
                }
                if media.camera_off() {
                    <span class="peer-badge" data-testid="peer-camera-off" role="img"
                        aria-label={crate::text::around("", peer, "'s camera is off")}>
                        { icons::camera(true) }
                    </span>
                }
                if media.screen {
                    <span class="peer-badge peer-sharing" data-testid="peer-sharing">
                        { screen_icon() }{ with_name(&sharing(peer), Some(peer)) }
                    </span>
                }
            </div>
            <p class="peer-media-notice" data-testid="peer-media-notice" role="status">
                { with_name(&news, Some(peer)) }
            </p>
        </>
    }
}

/// A screen (Feather's "monitor", MIT licence), for the share button and the sharing badge.
pub fn screen_icon() -> Html {
    icons::screen()
}
