//! The connection indicator (always visible): while reconnecting by itself, the seconds to the
//! next try and "Retry now"; once the connection is lost with nothing to keep, Retry.

use yew::prelude::*;

use crate::components::call_duration::{CallDuration, Ticking};
use crate::state::Connection;

/// What the indicator shows and where Retry goes.
pub struct ConnectionStatusProps {
    pub state: Connection,
    /// Retry (lost) and Retry now (reconnecting): open a new socket at once.
    pub on_retry: Callback<()>,
}

/// The indicator (a plain function, not a component: smaller wasm; the countdown in it is one).
pub fn connection_status(props: &ConnectionStatusProps) -> Html {
    let retry = props.on_retry.reform(|_: MouseEvent| ());
    let (label, reconnecting) = match props.state {
        Connection::Connecting => ("Connecting…", None),
        Connection::Online => ("Online", None),
        Connection::Reconnecting { retry_at_ms } => ("Reconnecting in", Some(retry_at_ms)),
        Connection::Lost => ("Connection lost", None),
    };
    html! {
        <div class="connection" data-testid="connection-status" data-state={props.state.as_str()}>
            <span class="connection-dot" aria-hidden="true"></span>
            <span class="connection-label" role="status">
                { label }
                if let Some(retry_at_ms) = reconnecting {
                    { " " }<CallDuration ticking={Ticking::Until(retry_at_ms)} />{ " s" }
                }
            </span>
            if reconnecting.is_some() {
                <button type="button" class="btn btn-small" data-testid="retry-now" onclick={retry.clone()}>
                    { "Retry now" }
                </button>
            }
            if props.state == Connection::Lost {
                <button type="button" class="btn btn-small" data-testid="reconnect" onclick={retry}>
                    { "Retry" }
                </button>
            }
        </div>
    }
}
