//! The page's place in the browser (issue 13): the route of the address it loaded at
//! ([`current_route`], from `location.pathname`), a room's full address (its shareable link),
//! the random bytes of a private room's name (`crypto.getRandomValues`, never `Math.random`),
//! and going to a new room.
//!
//! Going to another place is an ordinary page load (`location.assign`): the old place's socket
//! says `leaving` on `pagehide` as on any navigation, Back and Forward are the browser's own, and
//! the new page starts clean. What the new room's first login needs (its passcode and capacity)
//! is handed over in `sessionStorage` (`session_store::hand_over`); the name comes from the
//! session record the old page kept.

use shared::room::PRIVATE_ROOM_CHARS;

use crate::route::Route;
use crate::state::Entry;

/// The route of the address the page shows (the lobby if it cannot be read).
pub fn current_route() -> Route {
    web_sys::window()
        .and_then(|window| window.location().pathname().ok())
        .map_or(Route::Lobby, |path| Route::from_path(&path))
}

/// The full address of `route` on this server (`https://host/r/<room>`): the room's link.
pub fn page_link(route: &Route) -> Option<String> {
    let origin = web_sys::window()?.location().origin().ok()?;
    Some([origin, route.path()].concat())
}

/// 20 random bytes from the browser's CSPRNG, for a private room's name; `None` if the browser
/// will not give them (the page then makes no room rather than a guessable one).
pub fn room_randomness() -> Option<[u8; PRIVATE_ROOM_CHARS]> {
    let mut bytes = [0; PRIVATE_ROOM_CHARS];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Loads the page at `entry`'s place, handing its passcode and capacity to the new page.
pub fn go(entry: &Entry) {
    super::session_store::hand_over(entry);
    let went = web_sys::window()
        .ok_or(crate::error::ClientError::NoWindow)
        .and_then(|window| Ok(window.location().assign(&entry.route.path())?));
    if let Err(error) = went {
        crate::log::warn_of("the room could not be opened", &error);
    }
}
