//! How long the call has lasted, `m:ss`, ticking while shown.

use yew::prelude::*;

use crate::hooks::use_now;
use crate::text::duration_mmss;

#[derive(Properties, PartialEq)]
pub struct CallDurationProps {
    /// `Date.now()` when the call connected.
    pub since_ms: f64,
}

#[function_component]
pub fn CallDuration(props: &CallDurationProps) -> Html {
    // Twice a second so the display never lags a whole second behind the clock.
    let now = use_now(500);
    html! {
        <span class="duration" data-testid="call-duration" aria-label="Call duration">
            { duration_mmss(now - props.since_ms) }
        </span>
    }
}
