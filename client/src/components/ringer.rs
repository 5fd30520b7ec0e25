//! The ringer: what a ringing call sets off in the browser (ringtone, system notification,
//! flashing title), as `crate::call::ring::alerts` decides from the phase and the page's
//! visibility, and the "Notify me of calls" button that asks for the notification permission.
//!
//! The alerts write what the browser really does on a hidden element (`ringer`):
//! `data-ringtone` is the `AudioContext`'s `state` (`off` before any ring), `data-tone-connected`
//! whether the oscillators are connected, `data-notification` what became of the notification,
//! `data-title-flash` whether the title flashes. That element is made by hand at the end of
//! `<body>`, outside the app's markup: it reports the browser, not page state, and no re-render
//! may replace it (Yew reuses or replaces the elements of a list whose length changes). Each
//! alert is an RAII object held by an effect: the phase or visibility changing drops it, which
//! stops it.
//!
//! A hook the call panel calls ([`use_ringer`]) rather than a component of its own: the same
//! effects, for less code in the page.

use gloo_events::EventListener;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;
use yew::prelude::*;

use crate::alerts::notify::{self, Shown};
use crate::alerts::title::Flash;
use crate::alerts::tone::Tone;
use crate::call::CallPhase;
use crate::call::ring::alerts;

/// Sets off (and stops) the alerts of `phase`; returns, when idle, the "Notify me of calls"
/// button.
#[hook]
pub fn use_ringer(phase: &CallPhase) -> Html {
    let hidden = use_hidden();
    let plan = alerts(phase, hidden);
    let report = use_state(Report::new);
    let element = {
        let report = report.clone();
        move || report.0.clone()
    };
    {
        let element = element.clone();
        use_effect_with(plan.tone, move |on| {
            let tone = element().filter(|_| *on).and_then(|report| {
                Tone::start(report)
                    .map_err(|error| crate::log::warn_of("ringtone", &error))
                    .ok()
            });
            move || drop(tone)
        });
    }
    // The notification and the flashing title go together (both for a hidden page).
    debug_assert_eq!(plan.notification, plan.flash);
    use_effect_with(plan.notification.clone(), move |caller| {
        let report = element();
        let shown = caller
            .as_ref()
            .zip(report.clone())
            .and_then(|(caller, report)| {
                Shown::new(caller, &report)
                    .map_err(|error| {
                        let _ = report.set_attribute("data-notification", "failed");
                        crate::log::warn_of("notification", &error);
                    })
                    .ok()
                    .flatten()
            });
        let flash = caller.as_deref().and_then(Flash::start);
        let set = move |on: bool| {
            if let Some(report) = &report {
                let _ = report.set_attribute("data-title-flash", if on { "on" } else { "off" });
            }
        };
        set(flash.is_some());
        move || {
            drop(shown);
            drop(flash);
            set(false);
        }
    });
    // The permission is asked on a click only ("Notify me of calls", while never asked).
    let permission = use_state_eq(notify::permission);
    let ask = {
        let permission = permission.setter();
        Callback::from(move |_: MouseEvent| {
            let permission = permission.clone();
            spawn_local(async move {
                match notify::ask().await {
                    Ok(answer) => permission.set(answer),
                    Err(error) => crate::log::warn_of("notification permission", &error),
                }
            });
        })
    };
    html! {
        if *permission == "default" && matches!(phase, CallPhase::Idle) {
            <button type="button" class="btn btn-small notify-calls" data-testid="notify-calls" onclick={ask}
                title="Show a system notification when someone calls while this tab is in the background">
                { "Notify me of calls" }
            </button>
        }
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

/// The ringer's report element: a hidden `<span data-testid="ringer">` at the end of `<body>`,
/// removed when dropped (the call panel goes away).
struct Report(Option<Element>);

impl Report {
    fn new() -> Self {
        let made = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| Some((d.create_element("span").ok()?, d.body()?)))
            .and_then(|(span, body)| {
                let initial = [
                    ("hidden", ""),
                    ("data-testid", "ringer"),
                    ("data-ringtone", "off"),
                    ("data-tone-connected", "false"),
                    ("data-notification", "none"),
                    ("data-title-flash", "off"),
                ];
                for (name, value) in initial {
                    span.set_attribute(name, value).ok()?;
                }
                body.append_child(&span).ok()?;
                Some(span)
            });
        Self(made)
    }
}

impl Drop for Report {
    fn drop(&mut self) {
        if let Some(span) = &self.0 {
            span.remove();
        }
    }
}
