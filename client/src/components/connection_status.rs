//! The connection indicator (always visible) with Retry once the connection is lost.

use yew::prelude::*;

use crate::state::Connection;

#[derive(Properties, PartialEq)]
pub struct ConnectionStatusProps {
    pub state: Connection,
    pub on_retry: Callback<()>,
}

#[function_component]
pub fn ConnectionStatus(props: &ConnectionStatusProps) -> Html {
    let label = match props.state {
        Connection::Connecting => "Connecting…",
        Connection::Online => "Online",
        Connection::Lost => "Connection lost",
    };
    let retry = props.on_retry.reform(|_: MouseEvent| ());
    html! {
        <div class="connection" data-testid="connection-status" data-state={props.state.as_str()}>
            <span class="connection-dot" aria-hidden="true"></span>
            <span class="connection-label" role="status">{ label }</span>
            if props.state == Connection::Lost {
                <button type="button" class="btn btn-small" data-testid="reconnect" onclick={retry}>
                    { "Retry" }
                </button>
            }
        </div>
    }
}
