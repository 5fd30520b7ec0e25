//! Browser tests of the page's rendering (wasm-bindgen-test in headless Chromium).
//!
//! There is no signaling server in these tests, so the page is driven the way the socket would
//! drive it: the real state provider and `Page` are mounted and the test dispatches the actions
//! that server frames become. Components are also mounted alone with props. One test mounts the
//! whole `App` against a closed loopback port to see the real socket report a lost connection.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p client --target wasm32-unknown-unknown --test ui_render`
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;

use client::app::{App, AppProps};
use client::call::{CallCommand, CallNotice, CallPhase, CallView, Route};
use client::components::{Lobby, LoginForm, Page};
use client::context::{AppContext, StateProvider};
use client::state::{Action, AppState, ChatLine, StoredSession};
use gloo_timers::future::TimeoutFuture;
use shared::{FromServer, Presence, UserName};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlMediaElement, MediaStream};
use yew::prelude::*;
use yew::{AppHandle, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

const XSS: &str = "<img src=x onerror=alert(1)>";

// ---------------------------------------------------------------------------------------------
// Helpers: mount into a fresh root, wait for conditions with a deadline, find by data-testid.

/// A component mounted into its own `<div>`; unmounted and removed on drop.
struct Mounted<C: BaseComponent> {
    root: Element,
    handle: Option<AppHandle<C>>,
}

impl<C: BaseComponent> Drop for Mounted<C> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

fn mount<C: BaseComponent>(props: C::Properties) -> Mounted<C> {
    let document = gloo_utils_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = Renderer::<C>::with_root_and_props(root.clone(), props).render();
    Mounted {
        root,
        handle: Some(handle),
    }
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Yields to Yew's scheduler until `cond` holds; fails after five seconds.
async fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + 5_000.0;
    loop {
        if cond() {
            return;
        }
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for: {what}"
        );
        TimeoutFuture::new(10).await;
    }
}

fn find(root: &Element, testid: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
}

fn get(root: &Element, testid: &str) -> Element {
    find(root, testid).unwrap_or_else(|| panic!("no [data-testid={testid}] in the page"))
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

fn click(element: &Element) {
    element.dyn_ref::<HtmlElement>().unwrap().click();
}

fn type_into(element: &Element, value: &str) {
    element
        .dyn_ref::<HtmlInputElement>()
        .unwrap()
        .set_value(value);
}

fn attr(element: &Element, name: &str) -> Option<String> {
    element.get_attribute(name)
}

fn recorder<T: 'static>() -> (Rc<RefCell<Vec<T>>>, Callback<T>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let callback = {
        let seen = seen.clone();
        Callback::from(move |value: T| seen.borrow_mut().push(value))
    };
    (seen, callback)
}

// ---------------------------------------------------------------------------------------------
// A harness: the real state provider and page, with the test in the socket's place.

#[derive(Properties, PartialEq)]
struct HarnessProps {
    on_ready: Callback<UseReducerDispatcher<AppState>>,
    on_login: Callback<UserName>,
    on_send_chat: Callback<(String, Option<String>), Option<String>>,
    on_command: Callback<CallCommand>,
    local: Option<MediaStream>,
}

#[function_component]
fn Harness(props: &HarnessProps) -> Html {
    html! {
        <StateProvider>
            <Grab on_ready={props.on_ready.clone()} />
            <Page
                local={props.local.clone()}
                on_login={props.on_login.clone()}
                on_send_chat={props.on_send_chat.clone()}
                on_command={props.on_command.clone()}
            />
        </StateProvider>
    }
}

#[derive(Properties, PartialEq)]
struct GrabProps {
    on_ready: Callback<UseReducerDispatcher<AppState>>,
}

/// Hands the state's dispatcher to the test once mounted.
#[function_component]
fn Grab(props: &GrabProps) -> Html {
    let state = use_context::<AppContext>();
    let on_ready = props.on_ready.clone();
    use_effect_with((), move |_| {
        if let Some(state) = state {
            on_ready.emit(state.dispatcher());
        }
    });
    html! {}
}

// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn login_form_validates_names_in_the_page() {
    let (logins, on_login) = recorder::<UserName>();
    let page = mount::<LoginForm>(client::components::login_form::LoginFormProps {
        joining: false,
        error: None,
        on_login,
        in_room: false,
        ask_passcode: false,
        room_full: false,
        on_passcode: Callback::noop(),
    });
    let root = &page.root;
    wait_for("the login form", || find(root, "login-name").is_some()).await;
    assert!(find(root, "login-error").is_none(), "no error before a try");
    let input = get(root, "login-name");
    let submit = get(root, "login-submit");

    type_into(&input, "   ");
    click(&submit);
    wait_for("the empty-name error", || {
        find(root, "login-error").is_some()
    })
    .await;
    assert_eq!(text(&get(root, "login-error")), "Please enter a name.");
    assert_eq!(attr(&input, "aria-invalid").as_deref(), Some("true"));

    type_into(&input, &"x".repeat(33));
    click(&submit);
    wait_for("the too-long error", || {
        find(root, "login-error").is_some_and(|e| text(&e).contains("too long"))
    })
    .await;
    assert!(
        logins.borrow().is_empty(),
        "nothing submitted while invalid"
    );

    type_into(&input, "  alice ");
    click(&submit);
    wait_for("the valid name to be submitted", || {
        !logins.borrow().is_empty()
    })
    .await;
    assert_eq!(
        logins.borrow()[0].as_str(),
        "alice",
        "trimmed as the server does"
    );
    wait_for("the error to go", || find(root, "login-error").is_none()).await;
}

#[wasm_bindgen_test]
async fn markup_in_names_and_chat_is_rendered_as_text() {
    let (_commands, on_command) = recorder::<CallCommand>();
    let chat = Rc::new(vec![ChatLine {
        seq: 0,
        date: 1_700_000_000_000,
        name: XSS.to_owned(),
        text: format!("{XSS}<b>bold</b>"),
        private: false,
    }]);
    let page = mount::<Lobby>(client::components::lobby::LobbyProps {
        handles: None,
        me: "bob".into(),
        users: [XSS, "bob"].into_iter().collect(),
        can_call: true,
        chat,
        chat_enabled: true,
        call: CallView::default(),
        local: None,
        remote: None,
        on_command,
        on_send_chat: Callback::from(|_: (String, Option<String>)| None),
    });
    let root = &page.root;
    wait_for("the user list", || {
        all(root, "[data-testid=user]").len() == 2
    })
    .await;

    let users = all(root, "[data-testid=user]");
    let evil = users
        .iter()
        .find(|u| attr(u, "data-name").as_deref() == Some(XSS))
        .expect("the entry keeps the exact name in data-name");
    assert!(text(evil).contains(XSS), "the name is shown as text");
    assert_eq!(attr(evil, "data-self"), None);
    assert!(!evil.has_attribute("disabled"), "others can be called");
    let me = users
        .iter()
        .find(|u| attr(u, "data-name").as_deref() == Some("bob"))
        .unwrap();
    assert_eq!(attr(me, "data-self").as_deref(), Some("true"));
    assert!(me.has_attribute("disabled"), "not oneself");

    let line = get(root, "chat-line");
    assert_eq!(text(&get(&line, "chat-name")), XSS);
    assert_eq!(text(&get(&line, "chat-text")), format!("{XSS}<b>bold</b>"));
    assert!(!text(&get(&line, "chat-time")).is_empty());
    assert!(
        all(root, "img").is_empty() && all(root, "b").is_empty(),
        "no markup became elements"
    );
    assert!(
        all(&gloo_utils_document().document_element().unwrap(), "img").is_empty(),
        "no <img> anywhere in the document"
    );
}

#[wasm_bindgen_test]
async fn chat_sends_on_enter_and_keeps_the_text_when_refused() {
    let sent = Rc::new(RefCell::new(Vec::<String>::new()));
    let on_send = {
        let sent = sent.clone();
        Callback::from(
            move |(text, _to): (String, Option<String>)| -> Option<String> {
                if text == "refuse me" {
                    return Some("Not connected: the message was not sent.".into());
                }
                sent.borrow_mut().push(text);
                None
            },
        )
    };
    // The chat is part of the lobby (a hook and a function of it, not a component).
    let page = mount::<Lobby>(client::components::lobby::LobbyProps {
        handles: None,
        me: "alice".into(),
        users: ["alice"].into_iter().collect(),
        can_call: true,
        chat: Rc::new(Vec::new()),
        chat_enabled: true,
        call: CallView::default(),
        local: None,
        remote: None,
        on_command: Callback::noop(),
        on_send_chat: on_send,
    });
    let root = &page.root;
    wait_for("the chat input", || find(root, "chat-input").is_some()).await;
    let input = get(root, "chat-input");
    assert_eq!(
        attr(&input, "maxlength").as_deref(),
        Some(shared::limits::MAX_CHAT_CHARS.to_string().as_str())
    );

    // Enter in a one-field form submits it: the browser's implicit submission.
    type_into(&input, "hello");
    // (`requestSubmit` is what the browser runs for Enter; synthetic key events don't.)
    let form = input.closest("form").unwrap().unwrap();
    form.dyn_into::<web_sys::HtmlFormElement>()
        .unwrap()
        .request_submit()
        .unwrap();
    wait_for("the text to be sent", || sent.borrow().len() == 1).await;
    assert_eq!(sent.borrow()[0], "hello");
    let field = input.dyn_ref::<HtmlInputElement>().unwrap();
    assert_eq!(field.value(), "", "cleared once sent");

    type_into(&input, "refuse me");
    click(&get(root, "chat-send"));
    wait_for("the refusal to be shown", || {
        text(root).contains("Not connected: the message was not sent.")
    })
    .await;
    assert_eq!(field.value(), "refuse me", "kept when not sent");
}

#[wasm_bindgen_test]
async fn the_page_goes_from_login_to_lobby_and_shows_the_call() {
    let dispatcher: Rc<RefCell<Option<UseReducerDispatcher<AppState>>>> = Rc::default();
    let on_ready = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |d| *dispatcher.borrow_mut() = Some(d))
    };
    let (logins, on_login) = recorder::<UserName>();
    let (commands, on_command) = recorder::<CallCommand>();
    let local = MediaStream::new().unwrap();
    let page = mount::<Harness>(HarnessProps {
        on_ready,
        on_login,
        on_send_chat: Callback::from(|_: (String, Option<String>)| None),
        on_command,
        // `Clone::clone`: `local.clone()` would be `MediaStream.prototype.clone()`, a new stream.
        local: Some(Clone::clone(&local)),
    });
    let root = &page.root;
    wait_for("the state to be provided", || dispatcher.borrow().is_some()).await;
    let dispatch = |action: Action| dispatcher.borrow().as_ref().unwrap().dispatch(action);

    // Login form, connecting.
    let status = get(root, "connection-status");
    assert_eq!(attr(&status, "data-state").as_deref(), Some("connecting"));
    assert!(find(root, "call").is_none(), "no call area before login");
    type_into(&get(root, "login-name"), "alice");
    click(&get(root, "login-submit"));
    wait_for("the login to be submitted", || !logins.borrow().is_empty()).await;

    // What the socket and the server would make of it: first a refusal, worded under the field
    // from the code and the server's own words the state keeps.
    let name = logins.borrow()[0].clone();
    dispatch(Action::Login(name.clone()));
    dispatch(Action::SocketOpened);
    dispatch(Action::Server(FromServer::Id { id: 1 }));
    dispatch(Action::LoginSent { id: 1 });
    dispatch(Action::Server(FromServer::Error {
        code: shared::ErrorCode::BadName,
        message: "that name is reserved".into(),
    }));
    wait_for("the refusal under the name field", || {
        find(root, "login-error").is_some()
    })
    .await;
    assert_eq!(
        text(&get(root, "login-error")),
        "The server refused that name: that name is reserved."
    );

    // The next try goes through, and the server renames us.
    dispatch(Action::Login(name));
    dispatch(Action::LoginSent { id: 1 });
    dispatch(Action::Server(FromServer::RejectUsername {
        id: 1,
        name: "alice2".into(),
    }));
    dispatch(Action::Server(FromServer::UserList {
        users: vec!["alice".into(), "alice2".into()],
    }));
    wait_for("the lobby", || find(root, "user-list").is_some()).await;
    assert_eq!(text(&get(root, "my-name")), "alice2");
    assert!(text(&get(root, "name-changed")).contains("alice2"));
    assert_eq!(
        attr(&get(root, "connection-status"), "data-state").as_deref(),
        Some("online")
    );
    assert!(find(root, "login-name").is_none(), "the form is gone");
    let own = root
        .query_selector("[data-testid=user][data-self=true]")
        .unwrap()
        .unwrap();
    assert_eq!(attr(&own, "data-name").as_deref(), Some("alice2"));
    let call = get(root, "call");
    assert_eq!(attr(&call, "data-phase").as_deref(), Some("idle"));
    assert_eq!(attr(&call, "data-peer"), None);
    assert!(find(root, "remote-video").is_none() && find(root, "local-video").is_none());

    // A user joins, a chat line arrives; clicking someone calls them.
    dispatch(Action::Server(FromServer::UserListDelta {
        joined: vec!["bob".into()],
        left: vec![],
    }));
    dispatch(Action::Server(FromServer::Message {
        id: 2,
        name: "bob".into(),
        text: "hi alice".into(),
        date: 1_700_000_000_000,
        target: None,
    }));
    wait_for("bob and his message", || {
        find(root, "chat-line").is_some() && all(root, "[data-testid=user]").len() == 3
    })
    .await;
    assert_eq!(text(&get(root, "chat-text")), "hi alice");
    let bob = root
        .query_selector("[data-testid=user][data-name=bob]")
        .unwrap()
        .unwrap();
    click(&bob);
    wait_for("the call command", || !commands.borrow().is_empty()).await;
    assert_eq!(
        commands.borrow()[0],
        CallCommand::Call { peer: "bob".into() }
    );

    // Ringing: Accept/Decline reach the call layer once the prompt has armed (focus stays put;
    // `incoming_call.rs` in this folder tests the guard itself).
    dispatch(Action::Call(CallView {
        phase: CallPhase::Ringing { peer: "bob".into() },
        ..CallView::default()
    }));
    wait_for("the incoming prompt", || {
        find(root, "accept-call").is_some()
    })
    .await;
    let call = get(root, "call");
    assert_eq!(attr(&call, "data-phase").as_deref(), Some("ringing"));
    assert_eq!(attr(&call, "data-peer").as_deref(), Some("bob"));
    assert_eq!(text(&get(root, "call-status")), "bob is calling you");
    wait_for("the prompt to arm", || {
        !get(root, "accept-call").has_attribute("disabled")
    })
    .await;
    assert!(
        get(root, "user-list")
            .query_selector("[data-name=bob]")
            .unwrap()
            .unwrap()
            .has_attribute("disabled"),
        "no calls while one is going on"
    );
    click(&get(root, "accept-call"));
    click(&get(root, "decline-call"));
    wait_for("accept and decline", || commands.borrow().len() == 3).await;
    assert_eq!(commands.borrow()[1], CallCommand::Accept);
    assert_eq!(commands.borrow()[2], CallCommand::Decline);

    // In the call: videos, duration, route, toggles, hang up.
    dispatch(Action::Call(CallView {
        phase: CallPhase::InCall {
            peer: "bob".into(),
            since_ms: js_sys::Date::now() - 65_000.0,
        },
        mic_enabled: true,
        camera_enabled: false,
        route: Some(Route::Relayed),
        peer_reconnecting: false,
        notice: None,
        blocked: Default::default(),
        sas: Some("053 857".into()),
        ..CallView::default()
    }));
    wait_for("the call view", || find(root, "hang-up").is_some()).await;
    assert_eq!(get(root, "sas").text_content().as_deref(), Some("053 857"));
    let local_video = get(root, "local-video");
    assert_eq!(local_video.id(), "local-video");
    let media = local_video.dyn_ref::<HtmlMediaElement>().unwrap();
    assert!(media.autoplay());
    assert!(local_video.has_attribute("playsinline"));
    // The video's effect (after the render that drew it) sets `muted`, then `srcObject`: once
    // the stream is attached the preview must already be muted, so we never hear ourselves.
    wait_for("the stream to be attached", || media.src_object().is_some()).await;
    assert!(
        media.muted(),
        "own preview muted (property) before its stream plays"
    );
    assert_eq!(media.src_object(), Some(local), "our stream");
    assert_eq!(get(root, "remote-video").id(), "remote-video");
    let duration = text(&get(root, "call-duration"));
    assert!(duration == "1:05" || duration == "1:06", "{duration}");
    assert_eq!(
        attr(&get(root, "call-route"), "data-route").as_deref(),
        Some("relayed")
    );
    let mic = get(root, "toggle-mic");
    let camera = get(root, "toggle-camera");
    assert_eq!(attr(&mic, "aria-pressed").as_deref(), Some("false"));
    assert_eq!(attr(&camera, "aria-pressed").as_deref(), Some("true"));
    click(&mic);
    click(&camera);
    click(&get(root, "hang-up"));
    wait_for("the toggles and hang-up", || commands.borrow().len() == 6).await;
    assert_eq!(
        commands.borrow()[3..],
        [
            CallCommand::SetMicEnabled(false),
            CallCommand::SetCameraEnabled(true),
            CallCommand::HangUp
        ]
    );

    // The duration ticks by itself.
    wait_for("the duration to tick", || {
        let now = text(&get(root, "call-duration"));
        now != duration && now.starts_with("1:0")
    })
    .await;

    // Back in the lobby with a notice; dismissing it goes to the call layer.
    dispatch(Action::Call(CallView {
        notice: Some(CallNotice::HungUp { peer: "bob".into() }),
        ..CallView::default()
    }));
    wait_for("the lobby again", || find(root, "hang-up").is_none()).await;
    assert!(find(root, "remote-video").is_none() && find(root, "local-video").is_none());
    assert!(text(&get(root, "notice")).contains("bob hung up."));
    click(
        &get(root, "notice")
            .query_selector("button")
            .unwrap()
            .unwrap(),
    );
    wait_for("dismiss", || commands.borrow().len() == 7).await;
    assert_eq!(commands.borrow()[6], CallCommand::DismissNotice);

    // A refused frame is explained in the page and can be dismissed.
    dispatch(Action::Server(FromServer::Error {
        code: shared::ErrorCode::RateLimited,
        message: "slow down".into(),
    }));
    wait_for("the server notice", || {
        find(root, "server-notice").is_some()
    })
    .await;
    assert!(text(&get(root, "server-notice")).contains("too fast"));
    click(
        &get(root, "server-notice")
            .query_selector("button")
            .unwrap()
            .unwrap(),
    );
    wait_for("the server notice to go", || {
        find(root, "server-notice").is_none()
    })
    .await;

    // Someone's connection is away: still listed, marked, not callable; then back.
    dispatch(Action::Server(FromServer::UserState {
        name: "bob".into(),
        state: Presence::Reconnecting,
        fresh: false,
    }));
    let bob_entry = || {
        root.query_selector("[data-testid=user][data-name=bob]")
            .unwrap()
            .unwrap()
    };
    wait_for("bob marked reconnecting", || {
        attr(&bob_entry(), "data-state").as_deref() == Some("reconnecting")
    })
    .await;
    assert!(
        text(&bob_entry()).contains("reconnecting…"),
        "a visible hint"
    );
    assert!(
        bob_entry().has_attribute("disabled"),
        "not callable while away"
    );
    dispatch(Action::Server(FromServer::UserState {
        name: "bob".into(),
        state: Presence::Online,
        fresh: false,
    }));
    wait_for("bob back", || attr(&bob_entry(), "data-state").is_none()).await;
    assert!(!text(&bob_entry()).contains("reconnecting"));
    assert!(!bob_entry().has_attribute("disabled"));

    // The connection drops: the lobby stays and the page says when it tries again; the
    // countdown runs down by itself, and Retry now tries at once.
    let now = js_sys::Date::now() as u64;
    dispatch(Action::SocketLost {
        now_ms: now + 4_000,
        jitter: 1.0,
    });
    wait_for("the reconnecting state", || {
        find(root, "retry-now").is_some()
    })
    .await;
    assert_eq!(
        attr(&get(root, "connection-status"), "data-state").as_deref(),
        Some("reconnecting")
    );
    assert!(
        find(root, "reconnect").is_none(),
        "no Retry: it tries by itself"
    );
    assert!(find(root, "my-name").is_some(), "still in the lobby");
    let seconds = || -> u64 {
        text(&get(root, "reconnect-countdown"))
            .trim()
            .parse()
            .unwrap()
    };
    let first = seconds();
    assert!(
        (4..=5).contains(&first),
        "whole seconds to the try: {first}"
    );
    wait_for("the countdown to run down", || seconds() < first).await;
    click(&get(root, "retry-now"));
    wait_for("trying now", || seconds() == 0).await;
    assert_eq!(
        attr(&get(root, "connection-status"), "data-state").as_deref(),
        Some("reconnecting"),
        "no flash of `connecting` while it tries"
    );
    dispatch(Action::SocketOpened);
    dispatch(Action::Server(FromServer::Id { id: 3 }));
    dispatch(Action::LoginSent { id: 3 });
    assert_eq!(
        attr(&get(root, "connection-status"), "data-state").as_deref(),
        Some("reconnecting"),
        "until logged in again"
    );
    dispatch(Action::Server(FromServer::UserList {
        users: vec!["alice2".into(), "bob".into()],
    }));
    wait_for("quietly back online", || {
        attr(&get(root, "connection-status"), "data-state").as_deref() == Some("online")
    })
    .await;
    assert!(find(root, "retry-now").is_none() && find(root, "reconnect-countdown").is_none());
}

/// Counts the WebSockets the page opens (the glue looks `WebSocket` up when it constructs one).
struct CountSockets;

impl CountSockets {
    fn install() -> Self {
        js_sys::Function::new_no_args(
            "const W = globalThis.WebSocket; globalThis.__parleyWs = W; globalThis.__parleyOpened = 0; \
             globalThis.WebSocket = class extends W { constructor(...a) { super(...a); globalThis.__parleyOpened++; } };",
        )
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
        Self
    }

    fn opened(&self) -> f64 {
        js_sys::Reflect::get(&js_sys::global(), &"__parleyOpened".into())
            .unwrap()
            .as_f64()
            .unwrap()
    }
}

impl Drop for CountSockets {
    fn drop(&mut self) {
        let _ = js_sys::Function::new_no_args("globalThis.WebSocket = globalThis.__parleyWs;")
            .call0(&wasm_bindgen::JsValue::NULL);
    }
}

#[wasm_bindgen_test]
async fn the_app_reconnects_by_itself_once_a_name_was_given() {
    let sockets = CountSockets::install();
    let page = mount::<App>(AppProps {
        ws_url: Some("ws://127.0.0.1:9/ws".into()),
    });
    let root = &page.root;
    wait_for("the login form", || find(root, "login-name").is_some()).await;
    wait_for("lost: nothing to keep yet", || {
        find(root, "reconnect").is_some()
    })
    .await;
    type_into(&get(root, "login-name"), "alice");
    click(&get(root, "login-submit"));
    wait_for("reconnecting with a countdown and Retry now", || {
        find(root, "connection-status")
            .and_then(|s| attr(&s, "data-state"))
            .as_deref()
            == Some("reconnecting")
            && find(root, "reconnect-countdown").is_some()
            && find(root, "retry-now").is_some()
    })
    .await;
    let tried = sockets.opened();
    // The first tries come within 0.5 s and 1 s: no click needed.
    wait_for("two more tries by itself", || {
        sockets.opened() >= tried + 2.0
    })
    .await;
    assert!(find(root, "reconnect").is_none());
    let before = sockets.opened();
    click(&get(root, "retry-now"));
    wait_for("Retry now tries at once", || sockets.opened() > before).await;
}

#[wasm_bindgen_test]
async fn the_app_reports_a_connection_it_cannot_open_and_retries() {
    // Port 9 on loopback: nothing listens there, the socket fails at once.
    let page = mount::<App>(AppProps {
        ws_url: Some("ws://127.0.0.1:9/ws".into()),
    });
    let root = &page.root;
    wait_for("the login form", || find(root, "login-name").is_some()).await;
    wait_for("the lost state", || {
        find(root, "connection-status")
            .and_then(|s| attr(&s, "data-state"))
            .as_deref()
            == Some("lost")
    })
    .await;
    // Record the states the indicator leaves (old values): the retry may fail again faster
    // than a poll could see "connecting".
    let left = Rc::new(RefCell::new(Vec::<String>::new()));
    let record = {
        let left = left.clone();
        Closure::<dyn FnMut(js_sys::Array)>::new(move |records: js_sys::Array| {
            for record in records.iter() {
                let record: web_sys::MutationRecord = record.unchecked_into();
                if let Some(old) = record.old_value() {
                    left.borrow_mut().push(old);
                }
            }
        })
    };
    let observer = web_sys::MutationObserver::new(record.as_ref().unchecked_ref()).unwrap();
    let options = web_sys::MutationObserverInit::new();
    options.set_attributes(true);
    options.set_attribute_old_value(true);
    options.set_subtree(true);
    options.set_attribute_filter(&js_sys::Array::of1(&"data-state".into()));
    observer.observe_with_options(root, &options).unwrap();

    click(&get(root, "reconnect"));
    wait_for("connecting, then lost again after the retry", || {
        *left.borrow() == ["lost", "connecting"]
            && attr(&get(root, "connection-status"), "data-state").as_deref() == Some("lost")
    })
    .await;
    assert!(find(root, "reconnect").is_some());
    observer.disconnect();
}

/// Removes the stored session when dropped, so other tests start without one.
struct ForgetSession(web_sys::Storage);

impl Drop for ForgetSession {
    fn drop(&mut self) {
        let _ = self.0.remove_item(StoredSession::KEY);
    }
}

#[wasm_bindgen_test]
async fn a_reloaded_tab_shows_its_lobby_at_once_and_resumes_by_itself() {
    let storage = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let _forget = ForgetSession(storage.clone());
    let kept = StoredSession {
        token: "1.kept".into(),
        name: "bob".into(),
        ack: 3,
        room: None,
    };
    storage
        .set_item(StoredSession::KEY, &kept.to_json())
        .unwrap();
    let sockets = CountSockets::install();
    let page = mount::<App>(AppProps {
        ws_url: Some("ws://127.0.0.1:9/ws".into()),
    });
    let root = &page.root;
    wait_for("the lobby under the kept name", || {
        find(root, "my-name").is_some()
    })
    .await;
    assert_eq!(text(&get(root, "my-name")), "bob");
    assert!(find(root, "login-name").is_none(), "no login form");
    assert!(find(root, "name-changed").is_none());
    wait_for("reconnecting by itself", || {
        attr(&get(root, "connection-status"), "data-state").as_deref() == Some("reconnecting")
    })
    .await;
    let tried = sockets.opened();
    wait_for("another try without a click", || sockets.opened() > tried).await;
    assert_eq!(
        storage
            .get_item(StoredSession::KEY)
            .unwrap()
            .and_then(|text| StoredSession::from_json(&text)),
        Some(kept),
        "the session is kept for the next reload"
    );
}

#[wasm_bindgen_test]
async fn the_incoming_call_prompt_works_from_the_keyboard() {
    let (commands, on_command) = recorder::<CallCommand>();
    let page =
        mount::<client::components::CallPanel>(client::components::call_panel::CallPanelProps {
            view: CallView {
                phase: CallPhase::Ringing { peer: XSS.into() },
                ..CallView::default()
            },
            local: None,
            remote: None,
            on_command,
            handles: None,
        });
    let root = &page.root;
    wait_for("the prompt", || find(root, "incoming-call").is_some()).await;
    assert!(text(root).contains(XSS), "the caller's name as text");
    assert!(all(root, "img").is_empty());

    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let escape =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    get(root, "incoming-call").dispatch_event(&escape).unwrap();
    wait_for("Escape to decline", || {
        commands.borrow().as_slice() == [CallCommand::Decline]
    })
    .await;
}
