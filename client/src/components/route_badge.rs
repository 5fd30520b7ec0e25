//! Whether the call's media goes straight to the other person or through a TURN relay.

use yew::prelude::*;

use crate::call::Route;
use crate::text::route_name;

#[derive(Properties, PartialEq)]
pub struct RouteBadgeProps {
    pub route: Route,
}

#[function_component]
pub fn RouteBadge(props: &RouteBadgeProps) -> Html {
    let (value, label) = route_name(props.route);
    let title = match props.route {
        Route::Direct => "Media flows directly between you",
        Route::Relayed => "Media flows through a relay server",
    };
    html! {
        <span class={classes!("badge", format!("route-{value}"))} data-testid="call-route" data-route={value} title={title}>
            { label }
        </span>
    }
}
