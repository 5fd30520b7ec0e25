//! `use_now`: the wall clock (`Date.now()`, ms), re-read every `period_ms` while mounted.
//!
//! The interval lives in an effect and is dropped by its cleanup (gloo's `Interval` cancels
//! itself on drop), so an unmounted component leaves no timer behind.

use gloo_timers::callback::Interval;
use yew::prelude::*;

#[hook]
pub fn use_now(period_ms: u32) -> f64 {
    let now = use_state(js_sys::Date::now);
    {
        let now = now.setter();
        use_effect_with(period_ms, move |period| {
            let interval = Interval::new(*period, move || now.set(js_sys::Date::now()));
            move || drop(interval)
        });
    }
    *now
}
