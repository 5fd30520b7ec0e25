//! `use_pagehide`: when the page goes away (closed or reloaded: it cannot tell which), keeps
//! the session's frame count in `sessionStorage` and, on a resumable session, says `leaving`,
//! so the server holds the session only for its short leave window. Against a server without
//! `resume` nothing is sent here (the call layer hangs up, as before).
//!
//! The listener lives as long as the component (dropped by the effect's cleanup); it reads the
//! current state through its handle and sends synchronously: there is no later tick.

use gloo_events::EventListener;
use yew::prelude::*;

use crate::context::AppContext;
use crate::hooks::use_socket::SocketHandle;
use crate::net::session_store;

#[hook]
pub fn use_pagehide(state: &AppContext, socket: &SocketHandle) {
    let state = state.clone();
    let socket = socket.clone();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            EventListener::new(&window, "pagehide", move |_| {
                if let Some(record) = state.stored_session() {
                    session_store::save(&record);
                }
                if let Some(Err(error)) = state.leaving_frame().map(|f| socket.send(&f)) {
                    crate::log::debug_of("`leaving` not sent", &error);
                }
            })
        });
        move || drop(listener)
    });
}
