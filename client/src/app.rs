//! The root component: owns the state (the reducer `crate::context::StateProvider` makes for
//! tests), the WebSocket and the call layer, and connects them.
//!
//! - A tab that kept a session in `sessionStorage` (a reload) starts by resuming it, if the
//!   session is of the place the page shows (`/` or `/r/<room>`, issue 13: `net::place`).
//! - The socket is (re)opened by an effect keyed on `AppState::attempt`; its events become
//!   reducer actions, and every server frame also goes to the call driver. A lost socket is
//!   retried by itself after the backoff's delay (`use_retry`); a silent one is given up by the
//!   heartbeat (`use_heartbeat`).
//! - The login frame (`username`, or `resume` with a session) is sent by an effect as soon as
//!   the reducer says one is due (`AppState::login_due`).
//! - The call layer's frames go through the state's queue: out at once while logged in, kept in
//!   order while the session is away, flushed right after `resumed` (before the driver sees it).
//! - The call layer is told what the state says about the link (`set_resumable`,
//!   `signaling_up`/`signaling_down`, `socket_lost`) by effects keyed on those facts; Yew runs
//!   them before the next socket event. `set_fresh_page` is told right before the `resumed` of a
//!   reloaded page reaches it.
//! - The group call (issue 13) has a driver of its own (`GroupDriver`), told the same frames
//!   too and our name; its updates go down with the call's handles. While the state says we
//!   are in the group call, a 1:1 offer is answered busy and never reaches the call driver.
//! - The call driver reports `CallUpdate`s: the view goes into the reducer, the media streams
//!   (browser objects, not UI state) into a separate state cell.

use shared::{FromServer, HangUpReason, ToServer};
use web_sys::{MediaStream, RtcDataChannel};
use yew::prelude::*;

use crate::call::CallCommand;
use crate::call::driver::{CallDriver, CallUpdate, GroupDriver, GroupUpdate};
use crate::components::Page;
use crate::components::group_call::GroupHandles;
use crate::context::{AppContext, CallContext};
use crate::hooks::{SocketHandle, use_heartbeat, use_pagehide, use_retry, use_socket};
use crate::net::place::current_route;
use crate::net::session_store;
use crate::net::socket::SocketEvent;
use crate::net::url::{page_ws_url, with_room};
use crate::route::Route;
use crate::state::{Action, AppState};
use crate::text::chat_error_sentence;

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// The signaling WebSocket's URL; by default `ws(s)://<page host>/ws`.
    #[prop_or_default]
    pub ws_url: Option<AttrValue>,
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    // The page state, as `StateProvider` makes it but without that component of its own (less
    // wasm). The session is read once, before the first render: a reloaded tab shows its lobby,
    // not the form.
    let state = use_reducer(|| {
        let handover = session_store::take_handover();
        AppState::start(current_route(), session_store::load(), handover.as_deref())
    });
    let dispatcher = state.dispatcher();
    let media = use_state_eq(CallMedia::default);
    let socket = use_socket();

    // One call driver for the page's life; its callbacks only touch stable handles.
    let driver = {
        let send = outgoing(state.clone(), socket.clone());
        let dispatcher = dispatcher.clone();
        let media = media.setter();
        use_memo((), move |_| {
            let on_update = Callback::from(move |update: CallUpdate| {
                dispatcher.dispatch(Action::Call(update.view));
                media.set(CallMedia {
                    local: update.local,
                    remote: update.remote,
                    channel: update.channel,
                });
            });
            CallDriver::new(send, on_update)
        })
    };

    // The group call (issue 13): its own driver, its update in a cell of its own.
    let group = use_state_eq(GroupUpdate::default);
    let group_driver = {
        let send = outgoing(state.clone(), socket.clone());
        let group = group.setter();
        use_memo((), move |_| {
            GroupDriver::new(send, Callback::from(move |u| group.set(u)))
        })
    };

    // (Re)connect whenever `attempt` changes; the cleanup closes the old socket.
    {
        let socket = socket.clone();
        let drivers = ((*driver).clone(), (*group_driver).clone());
        let on_event = socket_events(state.clone(), socket.clone(), drivers);
        let url = props.ws_url.clone();
        let route = state.entry.route.clone();
        use_effect_with(state.attempt, move |_| {
            match url.map(|url| url.to_string()).map_or_else(page_ws_url, Ok) {
                // A bad room link: no socket, the page only says so.
                _ if route == Route::BadLink => {}
                Ok(url) => socket.connect(&with_room(url, route.room()), on_event),
                Err(error) => {
                    crate::log::warn_of("no WebSocket address", &error);
                    on_event.emit(SocketEvent::Closed);
                }
            }
            move || socket.disconnect()
        });
    }
    use_retry(&state);
    {
        let dead = socket.clone();
        let dispatcher = dispatcher.clone();
        let on_dead = Callback::from(move |()| {
            // Dropping the socket removes its listeners: the loss is reported here instead.
            dead.disconnect();
            dispatcher.dispatch(socket_lost_now());
        });
        use_heartbeat(&state, &socket, on_dead);
    }
    use_pagehide(&state, &socket);

    // Log in (or resume) as soon as the socket has its id and a login is due.
    {
        let socket = socket.clone();
        let dispatcher = dispatcher.clone();
        use_effect_with(state.login_due(), move |due| {
            if let Some(due) = due {
                match socket.send(&due.frame(js_sys::Date::now() as u64)) {
                    Ok(()) => dispatcher.dispatch(Action::LoginSent { id: due.id() }),
                    Err(error) => crate::log::warn_of("login not sent", &error),
                }
            }
        });
    }

    // Keep every new token (and the name) for a reload of this tab; the count follows with
    // pings and on `pagehide`.
    {
        let state = state.clone();
        let key = state
            .stored_session()
            .map(|record| (record.token, record.name));
        use_effect_with(key, move |_| {
            if let Some(record) = state.stored_session() {
                session_store::save(&record);
            }
        });
    }

    use_link_facts(&state, &driver);
    {
        let group = group_driver.clone();
        use_effect_with(state.lost_sessions, move |lost| {
            if *lost > 0 {
                group.socket_lost();
            }
        });
    }

    // The call layer needs our name (it signs offers and answers with it).
    {
        let drivers = (driver.clone(), group_driver.clone());
        let name = state.me.as_ref().map(|me| me.name.clone());
        use_effect_with(name, move |name| {
            if let Some(name) = name {
                drivers.0.set_me(name);
                drivers.1.set_me(name);
            }
        });
    }

    let on_login = dispatcher.to_callback().reform(Action::Login);
    let on_send_chat = {
        let state = state.clone();
        let socket = socket.clone();
        Callback::from(
            move |(text, to): (String, Option<String>)| -> Option<String> {
                let frame = match state.chat_frame(&text, to, js_sys::Date::now() as u64) {
                    Ok(frame) => frame,
                    Err(error) => return chat_error_sentence(error),
                };
                match socket.send(&frame) {
                    Ok(()) => None,
                    Err(error) => Some(format!("The message was not sent: {error}.")),
                }
            },
        )
    };
    let on_command = {
        let driver = driver.clone();
        Callback::from(move |command: CallCommand| driver.command(command))
    };

    // The driver and data channel go down as props: the call-quality indicator reads the call's
    // stats through the driver, the call chat uses the channel.
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
        <Page
            local={media.local.clone()}
            remote={media.remote.clone()}
            on_login={on_login}
            on_send_chat={on_send_chat}
            on_command={on_command}
            handles={CallContext { driver: (*driver).clone(), channel: media.channel.clone(),
                group: GroupHandles { driver: (*group_driver).clone(), update: (*group).clone() } }}
        />
        </ContextProvider<AppContext>>
    }
}

/// The call's media streams, as the driver last reported them.
#[derive(Debug, Clone, PartialEq, Default)]
struct CallMedia {
    local: Option<MediaStream>,
    remote: Option<MediaStream>,
    /// The call's data channel, for the in-call chat (given through context).
    channel: Option<RtcDataChannel>,
}

/// The call layer hears what the state says about the link, each fact when it changes.
#[hook]
fn use_link_facts(state: &AppContext, driver: &CallDriver) {
    {
        let driver = driver.clone();
        use_effect_with(state.resumable(), move |resumable| {
            driver.set_resumable(*resumable)
        });
    }
    {
        let driver = driver.clone();
        use_effect_with(state.lost_sessions, move |lost| {
            if *lost > 0 {
                driver.socket_lost();
            }
        });
    }
    {
        let driver = driver.clone();
        use_effect_with(state.signaling(), move |signaling| match signaling {
            Some(true) => driver.signaling_up(),
            Some(false) => driver.signaling_down(),
            None => {}
        });
    }
}

/// The frames the call layer sends: through the state's queue, out at once when logged in.
fn outgoing(state: AppContext, socket: SocketHandle) -> Callback<ToServer> {
    Callback::from(move |frame: ToServer| {
        state.dispatch(Action::Outgoing(frame));
        flush(&state, &socket);
    })
}

/// Sends what waits in the queue, in order, while the socket takes it.
fn flush(state: &AppContext, socket: &SocketHandle) {
    if !state.flush_due() {
        return;
    }
    let mut sent = 0;
    for frame in state.outbox() {
        if let Err(error) = socket.send(frame) {
            crate::log::debug_of("frame kept for later", &error);
            break;
        }
        sent += 1;
    }
    if sent > 0 {
        state.dispatch(Action::Flushed(sent));
    }
}

/// The socket is gone now; the backoff draws from `Math.random()`.
fn socket_lost_now() -> Action {
    Action::SocketLost {
        now_ms: js_sys::Date::now() as u64,
        jitter: js_sys::Math::random(),
    }
}

/// Where socket events go: the reducer, and every server frame to the call driver as well.
fn socket_events(
    state: AppContext,
    socket: SocketHandle,
    (driver, group): (CallDriver, GroupDriver),
) -> Callback<SocketEvent> {
    let send = outgoing(state.clone(), socket.clone());
    Callback::from(move |event: SocketEvent| match event {
        SocketEvent::Open => state.dispatch(Action::SocketOpened),
        SocketEvent::Frame(frame) => {
            let fresh = matches!(frame, FromServer::Resumed { .. }) && state.fresh_resume_pending();
            state.dispatch(Action::Server(frame.clone()));
            // After `resumed`, what waited goes out before anything the driver answers.
            flush(&state, &socket);
            if fresh {
                driver.set_fresh_page();
            }
            group.on_server_message(&frame);
            // In the group call a 1:1 offer is answered busy here, unseen by the call layer.
            match &frame {
                FromServer::VideoOffer { name, .. } if state.in_group_call => {
                    send.emit(ToServer::HangUp {
                        name: None,
                        target: Some(name.clone()),
                        reason: Some(HangUpReason::Busy),
                    })
                }
                _ => driver.on_server_message(&frame),
            }
        }
        SocketEvent::BadFrame(error) => {
            crate::log::warn_of("ignored a frame", &error);
            state.dispatch(Action::UnreadableFrame);
        }
        SocketEvent::Closed => state.dispatch(socket_lost_now()),
    })
}
