//! `use_pagehide`: when the page goes away (closed or reloaded: it cannot tell which), keeps
//! the session's frame count in `sessionStorage` and, on a resumable session, says `leaving`,
//! so the server holds the session only for its short leave window. Against a server without
//! `resume` nothing is sent here (the call layer hangs up, as before).
//!
//! A page the browser keeps in its back-forward cache (`persisted`: going to a room is a page
//! load, issue 13) would hold its socket open, frozen, until the server's heartbeat gives up on
//! it, and stay listed meanwhile: its socket is closed now and the loss told to the state, so a
//! page shown again reconnects (and resumes) as after any lost socket.
//!
//! The listener lives as long as the component (dropped by the effect's cleanup); it reads the
//! current state through its handle and sends synchronously: there is no later tick.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::PageTransitionEvent;
use yew::prelude::*;

use crate::context::AppContext;
use crate::hooks::use_socket::SocketHandle;
use crate::net::session_store;
use crate::state::Action;

#[hook]
pub fn use_pagehide(state: &AppContext, socket: &SocketHandle) {
    let state = state.clone();
    let socket = socket.clone();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            EventListener::new(&window, "pagehide", move |event| {
                if let Some(record) = state.stored_session() {
                    session_store::save(&record);
                }
                if let Some(Err(error)) = state.leaving_frame().map(|f| socket.send(&f)) {
                    crate::log::debug_of("`leaving` not sent", &error);
                }
                let kept = event
                    .dyn_ref::<PageTransitionEvent>()
                    .is_some_and(PageTransitionEvent::persisted);
                if kept {
                    socket.disconnect();
                    state.dispatch(Action::SocketLost {
                        now_ms: js_sys::Date::now() as u64,
                        jitter: js_sys::Math::random(),
                    });
                }
            })
        });
        move || drop(listener)
    });
}
