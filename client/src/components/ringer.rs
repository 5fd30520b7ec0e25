//! The ringer: what a ringing call sets off in the browser (ringtone, system notification,
//! flashing title), as `crate::call::ring::alerts` decides from the phase and the page's
//! visibility, and the "Notify me of calls" button that asks for the notification permission.
//!
//! It draws a hidden element (`ringer`) whose attributes are what the browser really does:
//! `data-ringtone` is the `AudioContext`'s `state` (`off` before any ring), `data-tone-connected`
//! whether the oscillators are connected, `data-notification` what became of the notification,
//! `data-title-flash` whether the title flashes. Each alert is an RAII object held by an effect:
//! the phase or visibility changing drops it, which stops it.

use gloo_events::EventListener;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::alerts::notify::{self, Shown};
use crate::alerts::title::Flash;
use crate::alerts::tone::{Tone, ToneState};
use crate::call::CallPhase;
use crate::call::ring::alerts;

#[derive(Properties, PartialEq)]
pub struct RingerProps {
    pub phase: CallPhase,
}

#[function_component]
pub fn Ringer(props: &RingerProps) -> Html {
    let hidden = use_hidden();
    let plan = alerts(&props.phase, hidden);
    let tone = use_state_eq(|| None::<ToneState>);
    let notification = use_state_eq(|| "none");
    let flashing = use_state_eq(|| false);
    {
        let on_state = Callback::from({
            let tone = tone.setter();
            move |state| tone.set(Some(state))
        });
        use_effect_with(plan.tone, move |on| {
            let ringing = on.then(|| Tone::start(on_state)).and_then(|started| {
                started
                    .map_err(|error| crate::log::warn(&format!("ringtone: {error}")))
                    .ok()
            });
            move || drop(ringing)
        });
    }
    {
        let state = notification.setter();
        use_effect_with(plan.notification.clone(), move |caller| {
            let shown = caller.as_ref().and_then(|caller| {
                state.set("pending");
                let on_state = Callback::from({
                    let state = state.clone();
                    move |s| state.set(s)
                });
                match Shown::new(caller, on_state) {
                    Ok(Some(shown)) => Some(shown),
                    Ok(None) => {
                        state.set("not-allowed");
                        None
                    }
                    Err(error) => {
                        crate::log::warn(&format!("notification: {error}"));
                        state.set("failed");
                        None
                    }
                }
            });
            let was_shown = shown.is_some();
            move || {
                drop(shown);
                if was_shown {
                    state.set("closed");
                }
            }
        });
    }
    {
        let state = flashing.setter();
        use_effect_with(plan.flash.clone(), move |caller| {
            let flash = caller.as_deref().and_then(Flash::start);
            state.set(flash.is_some());
            move || {
                drop(flash);
                state.set(false);
            }
        });
    }
    let (ringtone, connected) = match *tone {
        Some(ToneState { state, connected }) => (state, connected),
        None => ("off", false),
    };
    html! {
        <>
            <span hidden=true data-testid="ringer" data-ringtone={ringtone}
                data-tone-connected={connected.to_string()} data-notification={*notification}
                data-title-flash={if *flashing { "on" } else { "off" }}></span>
            if matches!(props.phase, CallPhase::Idle) {
                <NotifyCalls />
            }
        </>
    }
}

/// Whether the page is hidden (`document.hidden`), following `visibilitychange`.
#[hook]
fn use_hidden() -> bool {
    let document = web_sys::window().and_then(|w| w.document());
    let hidden = use_state_eq({
        let document = document.clone();
        move || document.is_some_and(|d| d.hidden())
    });
    {
        let hidden = hidden.setter();
        use_effect_with((), move |_| {
            let listener = document.map(|document| {
                EventListener::new(&document.clone(), "visibilitychange", move |_| {
                    hidden.set(document.hidden());
                })
            });
            move || drop(listener)
        });
    }
    *hidden
}

/// "Notify me of calls": shown while the permission was never asked; clicking asks.
#[function_component]
fn NotifyCalls() -> Html {
    let permission = use_state_eq(notify::permission);
    if *permission != "default" {
        return html! {};
    }
    let onclick = {
        let permission = permission.setter();
        Callback::from(move |_: MouseEvent| {
            let permission = permission.clone();
            spawn_local(async move {
                match notify::ask().await {
                    Ok(answer) => permission.set(answer),
                    Err(error) => crate::log::warn(&format!("notification permission: {error}")),
                }
            });
        })
    };
    html! {
        <button type="button" class="btn btn-small notify-calls" data-testid="notify-calls" onclick={onclick}
            title="Show a system notification when someone calls while this tab is in the background">
            { "Notify me of calls" }
        </button>
    }
}
