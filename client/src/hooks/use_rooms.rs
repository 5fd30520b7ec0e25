//! `use_rooms` (issue 13): the page's router, a thin shell over the pure [`Route`] and the
//! state's `Action::Enter`. The route is read from `location.pathname` when the page loads
//! ([`current_route`]); going to a new private room pushes `/r/<room>` onto the history, and the
//! browser's Back and Forward (`popstate`) go to the place of the address they show.
//!
//! Going elsewhere first says `leaving` on a resumable session, so the old place forgets us at
//! once instead of showing us as reconnecting; then the state drops the old place and a new
//! socket opens. Also here: the random bytes of a private room's name (`crypto.getRandomValues`,
//! never `Math.random`) and the page's full address for a route (the shareable link).

use gloo_events::EventListener;
use shared::room::PRIVATE_ROOM_CHARS;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::context::AppContext;
use crate::hooks::use_socket::SocketHandle;
use crate::route::Route;
use crate::state::{Action, Entry};

/// The route of the address the page shows now (the lobby if it cannot be read).
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

/// The router: follows Back and Forward, and returns what takes the page to a new place (its
/// address pushed onto the history first).
#[hook]
pub fn use_rooms(state: &AppContext, socket: &SocketHandle) -> Callback<Entry> {
    {
        let state = state.clone();
        let socket = socket.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "popstate", move |_| {
                    go(&state, &socket, Entry::at(current_route()));
                })
            });
            move || drop(listener)
        });
    }
    let state = state.clone();
    let socket = socket.clone();
    Callback::from(move |entry: Entry| {
        let pushed = web_sys::window()
            .ok_or(crate::error::ClientError::NoWindow)
            .and_then(|window| Ok(window.history()?))
            .and_then(|history| {
                Ok(history.push_state_with_url(&JsValue::NULL, "", Some(&entry.route.path()))?)
            });
        if let Err(error) = pushed {
            crate::log::warn_of("the room's address was not shown", &error);
        }
        go(&state, &socket, entry);
    })
}

/// Leaves the current place (saying `leaving` on a resumable session) for `entry`'s.
fn go(state: &AppContext, socket: &SocketHandle, entry: Entry) {
    if entry.route == state.entry.route {
        return;
    }
    if let Some(Err(error)) = state.leaving_frame().map(|frame| socket.send(&frame)) {
        crate::log::debug_of("`leaving` not sent", &error);
    }
    state.dispatch(Action::Enter(entry));
}
