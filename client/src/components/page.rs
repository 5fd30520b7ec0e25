//! The whole page, drawn from the state context: header (brand, identity, connection), server
//! notices, then the login form or the lobby, and the live region that says what changed.
//!
//! Everything with side effects (socket, call layer) comes in as callbacks, so the page renders
//! the same in browser tests that feed the state directly.

use shared::UserName;
use web_sys::MediaStream;
use yew::prelude::*;

use crate::call::CallCommand;
use crate::components::connection_status::ConnectionStatusProps;
use crate::components::live_region::use_live_region;
use crate::components::notice::NoticeProps;
use crate::components::{Lobby, LoginForm, connection_status, identity, notice};
use crate::context::{AppContext, CallContext};
use crate::route::Route;
use crate::state::Action;
use crate::text::server_error_sentence;

#[derive(Properties, PartialEq)]
pub struct PageProps {
    #[prop_or_default]
    pub local: Option<MediaStream>,
    #[prop_or_default]
    pub remote: Option<MediaStream>,
    pub on_login: Callback<UserName>,
    /// Sends a text, to everyone or to one user; returns a sentence when it was not sent.
    pub on_send_chat: Callback<(String, Option<String>), Option<String>>,
    pub on_command: Callback<CallCommand>,
    /// The call's driver and data channel, for the quality indicator and the call chat (props,
    /// not a context: a context costs a provider component and hook code in the wasm).
    #[prop_or_default]
    pub handles: Option<CallContext>,
}

#[function_component]
pub fn Page(props: &PageProps) -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! { <p class="fatal">{ "The page state is missing." }</p> };
    };
    let live = use_live_region(&state.call.phase, &state.call.notice);
    let dispatcher = state.dispatcher();
    let on_retry = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |()| dispatcher.dispatch(Action::Reconnect))
    };
    let server_notice = state.server_notice.as_ref().map(|error| {
        let text = server_error_sentence(error);
        let dispatcher = dispatcher.clone();
        let on_dismiss = Callback::from(move |()| dispatcher.dispatch(Action::DismissServerNotice));
        notice(&NoticeProps {
            text: text.into(),
            name: None,
            testid: "server-notice".into(),
            live: true,
            on_dismiss,
        })
    });

    let main = match &state.me {
        _ if state.entry.route == Route::BadLink => crate::components::room_bar::bad_link(),
        None => html! {
            <LoginForm
                joining={state.joining() && state.connection != crate::state::Connection::Lost}
                error={state.login_error.as_ref().map(|e| AttrValue::from(server_error_sentence(e)))}
                on_login={props.on_login.clone()}
                in_room={state.entry.route != Route::Lobby}
                ask_passcode={state.asks_passcode()}
                room_full={state.room_full()}
                on_passcode={dispatcher.to_callback().reform(Action::Passcode)}
            />
        },
        Some(me) => html! {
            <Lobby
                me={me.name.clone()}
                users={state.roster.clone()}
                can_call={state.can_place_calls()}
                chat={state.chat.clone()}
                chat_enabled={state.logged_in()}
                call={state.call.clone()}
                local={props.local.clone()}
                remote={props.remote.clone()}
                on_command={props.on_command.clone()}
                on_send_chat={props.on_send_chat.clone()}
                handles={props.handles.clone()}
            />
        },
    };

    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">{ crate::components::icons::camera(false) }</span>
                    <span class="brand-name">{ "Parley" }</span>
                </div>
                if let Some(me) = &state.me {
                    { identity(me) }
                }
                { connection_status(&ConnectionStatusProps { state: state.connection, on_retry }) }
            </header>
            if state.entry.route != Route::BadLink {
                { crate::components::room_bar(&state.entry.route, state.call.phase == crate::call::CallPhase::Idle && !state.in_group_call) }
            }
            <main class="main">
                { for server_notice }
                { main }
            </main>
            { live }
        </div>
    }
}
