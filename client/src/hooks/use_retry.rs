//! `use_retry`: while the page is reconnecting, opens the next socket when the backoff's delay
//! runs out, or at once when the browser says the network is back (`online`).
//!
//! The timer and the listener live in an effect keyed on the due time, so a new schedule (or
//! being online again) drops them (gloo's `Timeout` and `EventListener` cancel on drop).

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::context::AppContext;
use crate::state::{Action, Connection};

#[hook]
pub fn use_retry(state: &AppContext) {
    let due = match state.connection {
        Connection::Reconnecting { retry_at_ms } => retry_at_ms,
        _ => None,
    };
    let dispatcher = state.dispatcher();
    use_effect_with(due, move |due| {
        let armed = due.map(|at| {
            let wait = (at as f64 - js_sys::Date::now()).clamp(0.0, f64::from(u32::MAX));
            let timer = {
                let dispatcher = dispatcher.clone();
                Timeout::new(wait as u32, move || dispatcher.dispatch(Action::Reconnect))
            };
            let online = web_sys::window().map(|window| {
                EventListener::new(&window, "online", move |_| {
                    dispatcher.dispatch(Action::Reconnect);
                })
            });
            (timer, online)
        });
        move || drop(armed)
    });
}
