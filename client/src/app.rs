//! The root component: owns the state (through [`StateProvider`]), the WebSocket and the call
//! layer, and connects them.
//!
//! - The socket is (re)opened by an effect keyed on `AppState::attempt`; its events become
//!   reducer actions, and every server frame also goes to the call driver.
//! - The `username` frame is sent by an effect as soon as the reducer says one is due
//!   (`AppState::login_due`), i.e. once the socket has its id and a name is wanted.
//! - The call driver reports `CallUpdate`s: the view goes into the reducer, the media streams
//!   (browser objects, not UI state) into a separate state cell.

use web_sys::MediaStream;
use yew::prelude::*;

use crate::call::CallCommand;
use crate::call::driver::{CallDriver, CallUpdate};
use crate::components::Page;
use crate::context::{AppContext, StateProvider};
use crate::hooks::use_socket;
use crate::net::socket::SocketEvent;
use crate::net::url::page_ws_url;
use crate::state::Action;
use crate::text::chat_error_sentence;

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The signaling WebSocket's URL; by default `ws(s)://<page host>/ws`.
    #[prop_or_default]
    pub ws_url: Option<AttrValue>,
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    html! {
        <StateProvider>
            <Shell ws_url={props.ws_url.clone()} />
        </StateProvider>
    }
}

/// The call's media streams, as the driver last reported them.
#[derive(Debug, Clone, PartialEq, Default)]
struct CallMedia {
    local: Option<MediaStream>,
    remote: Option<MediaStream>,
}

#[derive(Properties, PartialEq)]
struct ShellProps {
    ws_url: Option<AttrValue>,
}

#[function_component]
fn Shell(props: &ShellProps) -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! { <p class="fatal">{ "The page state is missing." }</p> };
    };
    let dispatcher = state.dispatcher();
    let media = use_state_eq(CallMedia::default);
    let socket = use_socket();

    // One call driver for the page's life; its callbacks only touch stable handles.
    let driver = {
        let send = socket.sender();
        let dispatcher = dispatcher.clone();
        let media = media.setter();
        use_memo((), move |_| {
            let on_update = Callback::from(move |update: CallUpdate| {
                dispatcher.dispatch(Action::Call(update.view));
                media.set(CallMedia {
                    local: update.local,
                    remote: update.remote,
                });
            });
            CallDriver::new(send, on_update)
        })
    };

    // (Re)connect whenever `attempt` changes; the cleanup closes the old socket.
    {
        let socket = socket.clone();
        let on_event = socket_events(dispatcher.clone(), (*driver).clone());
        let url = props.ws_url.clone();
        use_effect_with(state.attempt, move |_| {
            match url.map(|url| url.to_string()).map_or_else(page_ws_url, Ok) {
                Ok(url) => socket.connect(&url, on_event),
                Err(error) => {
                    crate::log::warn(&format!("no WebSocket address: {error}"));
                    on_event.emit(SocketEvent::Closed);
                }
            }
            move || socket.disconnect()
        });
    }

    // Log in as soon as the socket has its id and a name is wanted (again after a reconnect).
    {
        let socket = socket.clone();
        let dispatcher = dispatcher.clone();
        use_effect_with(state.login_due(), move |due| {
            if let Some(due) = due {
                match socket.send(&due.frame(js_sys::Date::now() as u64)) {
                    Ok(()) => dispatcher.dispatch(Action::LoginSent { id: due.id }),
                    Err(error) => crate::log::warn(&format!("login not sent: {error}")),
                }
            }
        });
    }

    // The call layer needs our name (it signs offers and answers with it).
    {
        let driver = driver.clone();
        let name = state.me.as_ref().map(|me| me.name.clone());
        use_effect_with(name, move |name| {
            if let Some(name) = name {
                driver.set_me(name);
            }
        });
    }

    let on_login = dispatcher.to_callback().reform(Action::Login);
    let on_send_chat = {
        let state = state.clone();
        let socket = socket.clone();
        Callback::from(move |text: String| -> Option<String> {
            let frame = match state.chat_frame(&text, js_sys::Date::now() as u64) {
                Ok(frame) => frame,
                Err(error) => return chat_error_sentence(error),
            };
            match socket.send(&frame) {
                Ok(()) => None,
                Err(error) => Some(format!("The message was not sent: {error}.")),
            }
        })
    };
    let on_command = {
        let driver = driver.clone();
        Callback::from(move |command: CallCommand| driver.command(command))
    };

    html! {
        <Page
            local={media.local.clone()}
            remote={media.remote.clone()}
            on_login={on_login}
            on_send_chat={on_send_chat}
            on_command={on_command}
        />
    }
}

/// Where socket events go: the reducer, and every server frame to the call driver as well.
fn socket_events(
    dispatcher: UseReducerDispatcher<crate::state::AppState>,
    driver: CallDriver,
) -> Callback<SocketEvent> {
    Callback::from(move |event: SocketEvent| match event {
        SocketEvent::Open => dispatcher.dispatch(Action::SocketOpened),
        SocketEvent::Frame(frame) => {
            driver.on_server_message(&frame);
            dispatcher.dispatch(Action::Server(frame));
        }
        SocketEvent::BadFrame(error) => crate::log::warn(&format!("ignored a frame: {error}")),
        SocketEvent::Closed => {
            driver.socket_lost();
            dispatcher.dispatch(Action::SocketLost);
        }
    })
}
