//! `use_heartbeat`: on a session the server numbers, sends `ping` (with the frame count) at
//! least every 3 s, and gives up a socket the server has been silent on for 8 s (no FIN ever
//! comes when the network is gone), so the page reconnects. The rules are the pure
//! [`Heartbeat`] clock; this hook only ticks it.
//!
//! One `Interval` per socket while the page watches it (`AppState::watch_link`), dropped by the
//! effect's cleanup. The interval's closure owns its clock by value; it reads the current state
//! and socket through their handles, which always see the latest. Before each ping the count is
//! kept in `sessionStorage`, so a reload never reports fewer frames than the server was told.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::context::AppContext;
use crate::hooks::use_socket::SocketHandle;
use crate::net::session_store;
use crate::state::heartbeat::{Beat, Heartbeat, TICK_MS};

/// `on_dead` is called once a silent socket must be given up.
#[hook]
pub fn use_heartbeat(state: &AppContext, socket: &SocketHandle, on_dead: Callback<()>) {
    let key = (state.watch_link(), state.attempt);
    let state = state.clone();
    let socket = socket.clone();
    use_effect_with(key, move |&(watching, _)| {
        let interval = watching.then(|| {
            let mut clock = Heartbeat::new(js_sys::Date::now());
            Interval::new(TICK_MS, move || {
                let Some(heard) = socket.last_heard_ms() else {
                    return;
                };
                let ping = state.ping();
                match clock.tick(js_sys::Date::now(), heard, ping.is_some()) {
                    Beat::Quiet => {}
                    Beat::Ping => {
                        if let Some(record) = state.stored_session() {
                            session_store::save(&record);
                        }
                        if let Some(Err(error)) = ping.map(|ping| socket.send(&ping)) {
                            crate::log::debug_of("ping not sent", &error);
                        }
                    }
                    Beat::Dead => on_dead.emit(()),
                }
            })
        });
        move || drop(interval)
    });
}
