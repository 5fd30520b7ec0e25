//! Whether the call's media goes straight to the other person or through a TURN relay.

use yew::prelude::*;

use crate::call::Route;
use crate::text::route_name;

/// The badge (a plain function, not a component: a component's Yew machinery costs ~1 KB of
/// wasm for no gain here).
pub fn route_badge(route: Route) -> Html {
    let (value, label) = route_name(route);
    let title = match route {
        Route::Direct => "Media flows directly between you",
        Route::Relayed => "Media flows through a relay server",
    };
    html! {
        // `CLASS`, not `class`: no `Classes` set (see `components`).
        <span CLASS={crate::text::around("badge route-", value, "")} data-testid="call-route" data-route={value} title={title}>
            { label }
        </span>
    }
}
