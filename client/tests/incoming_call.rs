//! Browser tests of issue 11's "ringing can't be accepted by accident" and of blocking a caller,
//! on the real state provider and page (wasm-bindgen-test in headless Chromium).
//!
//! The page is driven as in `ui_render.rs`: the test dispatches the actions that server frames
//! and the call layer become, and records the call commands the page emits.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p client --target wasm32-unknown-unknown --test incoming_call`
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use client::call::{CallCommand, CallPhase, CallView};
use client::components::Page;
use client::components::incoming_call::ARM_DELAY_MS;
use client::context::{AppContext, StateProvider};
use client::state::{Action, AppState};
use gloo_timers::future::TimeoutFuture;
use shared::{FromServer, UserName};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;
use yew::{AppHandle, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------------------
// Helpers (as in ui_render.rs).

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

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn mount<C: BaseComponent>(props: C::Properties) -> Mounted<C> {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = Renderer::<C>::with_root_and_props(root.clone(), props).render();
    Mounted {
        root,
        handle: Some(handle),
    }
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

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn get(root: &Element, selector: &str) -> Element {
    find(root, selector).unwrap_or_else(|| panic!("no {selector} in the page"))
}

fn click(element: &Element) {
    element.dyn_ref::<HtmlElement>().unwrap().click();
}

fn focused_testid() -> Option<String> {
    document()
        .active_element()
        .and_then(|e| e.get_attribute("data-testid"))
}

fn key(element: &Element, name: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(name);
    init.set_bubbles(true);
    init.set_cancelable(true);
    for kind in ["keydown", "keypress", "keyup"] {
        let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict(kind, &init).unwrap();
        element.dispatch_event(&event).unwrap();
    }
}

fn recorder<T: 'static>() -> (Rc<RefCell<Vec<T>>>, Callback<T>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let callback = {
        let seen = seen.clone();
        Callback::from(move |value: T| seen.borrow_mut().push(value))
    };
    (seen, callback)
}

#[derive(Properties, PartialEq)]
struct HarnessProps {
    on_ready: Callback<UseReducerDispatcher<AppState>>,
    on_command: Callback<CallCommand>,
}

#[function_component]
fn Harness(props: &HarnessProps) -> Html {
    html! {
        <StateProvider>
            <Grab on_ready={props.on_ready.clone()} />
            <Page
                on_login={Callback::from(|_: UserName| ())}
                on_send_chat={Callback::from(|_: (String, Option<String>)| None)}
                on_command={props.on_command.clone()}
            />
        </StateProvider>
    }
}

#[derive(Properties, PartialEq)]
struct GrabProps {
    on_ready: Callback<UseReducerDispatcher<AppState>>,
}

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

type Dispatcher = Rc<RefCell<Option<UseReducerDispatcher<AppState>>>>;

/// The page logged in as alice with bob online; returns it, its dispatcher and the commands.
async fn alice_in_the_lobby() -> (Mounted<Harness>, Dispatcher, Rc<RefCell<Vec<CallCommand>>>) {
    let dispatcher: Dispatcher = Rc::default();
    let on_ready = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |d| *dispatcher.borrow_mut() = Some(d))
    };
    let (commands, on_command) = recorder::<CallCommand>();
    let page = mount::<Harness>(HarnessProps {
        on_ready,
        on_command,
    });
    wait_for("the state to be provided", || dispatcher.borrow().is_some()).await;
    let dispatch = |action: Action| dispatcher.borrow().as_ref().unwrap().dispatch(action);
    dispatch(Action::Login(UserName::parse("alice").unwrap()));
    dispatch(Action::SocketOpened);
    dispatch(Action::Server(FromServer::Id { id: 1 }));
    dispatch(Action::LoginSent { id: 1 });
    dispatch(Action::Server(FromServer::UserList {
        users: vec!["alice".into(), "bob".into()],
    }));
    let root = page.root.clone();
    wait_for("the lobby and the chat", || {
        find(&root, "[data-testid=chat-input]:not([disabled])").is_some()
    })
    .await;
    (page, dispatcher, commands)
}

fn ringing(peer: &str) -> Action {
    Action::Call(CallView {
        phase: CallPhase::Ringing { peer: peer.into() },
        ..CallView::default()
    })
}

fn accepts(commands: &RefCell<Vec<CallCommand>>) -> usize {
    commands
        .borrow()
        .iter()
        .filter(|c| **c == CallCommand::Accept)
        .count()
}

// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn enter_in_the_chat_while_a_call_rings_does_not_accept_it() {
    let (page, dispatcher, commands) = alice_in_the_lobby().await;
    let root = &page.root;
    let dispatch = |action: Action| dispatcher.borrow().as_ref().unwrap().dispatch(action);
    let input = get(root, "[data-testid=chat-input]");
    input.dyn_ref::<HtmlElement>().unwrap().focus().unwrap();
    assert_eq!(focused_testid().as_deref(), Some("chat-input"));
    input
        .dyn_ref::<HtmlInputElement>()
        .unwrap()
        .set_value("hello");

    let rang = js_sys::Date::now();
    dispatch(ringing("bob"));
    wait_for("the incoming prompt", || {
        find(root, "[data-testid=accept-call]").is_some()
    })
    .await;
    let accept = get(root, "[data-testid=accept-call]");
    assert!(accept.has_attribute("disabled"), "Accept starts disarmed");
    assert!(get(root, "[data-testid=decline-call]").has_attribute("disabled"));
    assert!(get(root, "[data-testid=block-caller]").has_attribute("disabled"));

    // Typing on: Enter and Space in the chat, a click that lands on Accept as it appears.
    key(&input, "Enter");
    key(&input, " ");
    click(&accept);
    // Give the page its turn (a focus move would happen in an effect after the render).
    TimeoutFuture::new(100).await;
    assert_eq!(
        focused_testid().as_deref(),
        Some("chat-input"),
        "focus stays in the chat"
    );
    assert_eq!(accepts(&commands), 0, "nothing accepted");
    assert_eq!(
        get(root, "[data-testid=call]")
            .get_attribute("data-phase")
            .as_deref(),
        Some("ringing"),
        "the call still rings"
    );

    // After the guard window a real click accepts.
    wait_for("the prompt to arm", || {
        !get(root, "[data-testid=accept-call]").has_attribute("disabled")
    })
    .await;
    assert!(
        js_sys::Date::now() - rang >= f64::from(ARM_DELAY_MS) - 50.0,
        "armed only after the guard window"
    );
    assert_eq!(focused_testid().as_deref(), Some("chat-input"));
    click(&get(root, "[data-testid=accept-call]"));
    wait_for("the accept", || accepts(&commands) == 1).await;

    // A new ring (the caller hung up and called again) is disarmed again.
    dispatch(Action::Call(CallView::default()));
    wait_for("the prompt to go", || {
        find(root, "[data-testid=accept-call]").is_none()
    })
    .await;
    dispatch(ringing("bob"));
    wait_for("the prompt again", || {
        find(root, "[data-testid=accept-call]").is_some()
    })
    .await;
    let accept = get(root, "[data-testid=accept-call]");
    assert!(
        accept.has_attribute("disabled"),
        "a new ring starts disarmed"
    );
    click(&accept);
    TimeoutFuture::new(50).await;
    assert_eq!(
        accepts(&commands),
        1,
        "the early click of the new ring did nothing"
    );
}

#[wasm_bindgen_test]
async fn a_caller_can_be_blocked_from_the_prompt_and_unblocked_from_the_list() {
    let (page, dispatcher, commands) = alice_in_the_lobby().await;
    let root = &page.root;
    let dispatch = |action: Action| dispatcher.borrow().as_ref().unwrap().dispatch(action);
    dispatch(ringing("bob"));
    wait_for("the prompt to arm", || {
        find(root, "[data-testid=block-caller]:not([disabled])").is_some()
    })
    .await;
    click(&get(root, "[data-testid=block-caller]"));
    wait_for("the block", || {
        commands.borrow().last() == Some(&CallCommand::Block { peer: "bob".into() })
    })
    .await;

    // The call layer reports bob blocked: his entry says so and cannot be called.
    dispatch(Action::Call(CallView {
        blocked: BTreeSet::from(["bob".to_owned()]),
        ..CallView::default()
    }));
    wait_for("bob shown as blocked", || {
        find(root, "[data-testid=user][data-name=bob][data-blocked=true]").is_some()
    })
    .await;
    let bob = get(root, "[data-testid=user][data-name=bob]");
    assert!(
        bob.has_attribute("disabled"),
        "a blocked user cannot be called"
    );
    let toggle = get(root, "[data-testid=block-user][data-name=bob]");
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert!(
        find(root, "[data-testid=block-user][data-name=alice]").is_none(),
        "no toggle for oneself"
    );
    click(&toggle);
    wait_for("the unblock", || {
        commands.borrow().last() == Some(&CallCommand::Unblock { peer: "bob".into() })
    })
    .await;
}
