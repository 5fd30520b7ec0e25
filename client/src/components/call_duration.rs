//! The page's two ticking figures in one component (one component's Yew code, not two): how
//! long the call has lasted (`m:ss`, re-read every 500 ms) and the seconds to the next
//! reconnect try (every 250 ms), each ticking while shown.

use yew::prelude::*;

use crate::hooks::use_now;
use crate::text::{countdown_seconds, duration_mmss};

/// What the figure counts.
#[derive(Clone, Copy, PartialEq)]
pub enum Ticking {
    /// The call's length since this `Date.now()` (ms).
    Since(f64),
    /// Whole seconds to the reconnect try at this `Date.now()` (ms).
    Until(Option<u64>),
}

#[derive(Properties, PartialEq)]
pub struct CallDurationProps {
    pub ticking: Ticking,
}

#[function_component]
pub fn CallDuration(props: &CallDurationProps) -> Html {
    let now = use_now(match props.ticking {
        Ticking::Since(_) => 500,
        Ticking::Until(_) => 250,
    });
    match props.ticking {
        Ticking::Since(since_ms) => html! {
            <span class="duration" data-testid="call-duration" aria-label="Call duration">
                { duration_mmss(now - since_ms) }
            </span>
        },
        Ticking::Until(retry_at_ms) => html! {
            <span class="connection-countdown" data-testid="reconnect-countdown">
                { countdown_seconds(retry_at_ms, now) }
            </span>
        },
    }
}
