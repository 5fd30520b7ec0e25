//! Browser tests: every displayed user name is isolated in a `<bdi>` (issue 11, "names people
//! can trust") — user list, chat, our own name, the incoming call, the call status and notices —
//! and the words around it are unchanged.
//!
//! Run: `cargo xtask test --only wasm` (or `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p
//! client --target wasm32-unknown-unknown --test names_render`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::rc::Rc;

use client::call::{CallNotice, CallPhase, CallView};
use client::components::name::find_name;
use client::components::{CallPanel, Lobby, identity};
use client::state::{ChatLine, Me};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;
use yew::{AppHandle, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

/// A right-to-left name: unisolated, it would pull the digits and words beside it into its run.
const RTL: &str = "שרה";

fn mount<C: BaseComponent>(props: C::Properties) -> (Element, AppHandle<C>) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = Renderer::<C>::with_root_and_props(root.clone(), props).render();
    (root, handle)
}

/// Waits (with a deadline) for `selector` to match in `root`.
async fn wait_for(root: &Element, selector: &str) -> Element {
    let deadline = js_sys::Date::now() + 5_000.0;
    loop {
        if let Some(found) = root.query_selector(selector).unwrap() {
            return found;
        }
        assert!(js_sys::Date::now() < deadline, "{selector} never drew");
        TimeoutFuture::new(10).await;
    }
}

/// The text of every `<bdi>` under `element`.
fn isolated(element: &Element) -> Vec<String> {
    let list = element.query_selector_all("bdi").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn user_list_and_chat_names_are_isolated() {
    let chat = Rc::new(vec![ChatLine {
        seq: 0,
        date: 1_700_000_000_000,
        name: RTL.to_owned(),
        text: "12 apples".into(),
        private: false,
    }]);
    let (root, _handle) = mount::<Lobby>(client::components::lobby::LobbyProps {
        handles: None,
        me: "bob".into(),
        users: [RTL, "bob"].into_iter().collect(),
        can_call: true,
        chat,
        chat_enabled: true,
        call: CallView::default(),
        local: None,
        remote: None,
        on_command: Callback::noop(),
        on_send_chat: Callback::from(|_: (String, Option<String>)| None),
    });
    let entry = wait_for(&root, &format!("[data-testid=user][data-name=\"{RTL}\"]")).await;
    assert_eq!(isolated(&entry), vec![RTL.to_owned()]);
    let me = wait_for(&root, "[data-testid=user][data-name=bob]").await;
    assert_eq!(isolated(&me), vec!["bob".to_owned()]);
    let line = wait_for(&root, "[data-testid=chat-name]").await;
    assert_eq!(isolated(&line), vec![RTL.to_owned()]);
    assert_eq!(text(&line), RTL);
    root.remove();
}

#[wasm_bindgen_test]
async fn my_name_and_the_renamed_note_are_isolated() {
    let me = Me {
        name: format!("{RTL}2"),
        asked: RTL.into(),
    };
    let (root, _handle) = mount::<IdentityHarness>(IdentityProps { me });
    let mine = wait_for(&root, "[data-testid=my-name]").await;
    assert_eq!(isolated(&mine), vec![format!("{RTL}2")]);
    let note = wait_for(&root, "[data-testid=name-changed]").await;
    assert_eq!(isolated(&note), vec![RTL.to_owned(), format!("{RTL}2")]);
    assert_eq!(
        text(&note),
        format!("“{RTL}” was taken, so the server named you “{RTL}2”.")
    );
    root.remove();
}

#[derive(Properties, PartialEq)]
struct IdentityProps {
    me: Me,
}

/// Mounts the page's `identity` markup alone.
#[function_component]
fn IdentityHarness(props: &IdentityProps) -> Html {
    identity(&props.me)
}

async fn call_area(view: CallView) -> (Element, Element, AppHandle<CallPanel>) {
    let (root, handle) = mount::<CallPanel>(client::components::call_panel::CallPanelProps {
        handles: None,
        view,
        local: None,
        remote: None,
        on_command: Callback::noop(),
    });
    let call = wait_for(&root, "[data-testid=call]").await;
    (root, call, handle)
}

#[wasm_bindgen_test]
async fn the_incoming_call_and_the_call_status_isolate_the_caller() {
    let view = CallView {
        phase: CallPhase::Ringing { peer: RTL.into() },
        ..CallView::default()
    };
    let (root, call, _handle) = call_area(view).await;
    let title = wait_for(&call, ".incoming-title").await;
    assert_eq!(text(&title), format!("Incoming call from {RTL}"));
    assert_eq!(isolated(&title), vec![RTL.to_owned()]);
    let status = wait_for(&call, "[data-testid=call-status]").await;
    assert_eq!(text(&status), format!("{RTL} is calling you"));
    assert_eq!(isolated(&status), vec![RTL.to_owned()]);
    root.remove();
}

#[wasm_bindgen_test]
async fn call_notices_isolate_the_name_they_carry() {
    let view = CallView {
        notice: Some(CallNotice::Missed { peer: "d".into() }),
        ..CallView::default()
    };
    let (root, call, _handle) = call_area(view).await;
    let notice = wait_for(&call, "[data-testid=notice]").await;
    assert_eq!(text(&notice), "Missed call from d.");
    // The name, not the "d" of "Missed".
    let bdi = wait_for(&notice, "bdi").await;
    assert_eq!(text(&bdi), "d");
    assert_eq!(
        bdi.previous_sibling()
            .and_then(|n| n.text_content())
            .as_deref(),
        Some("Missed call from ")
    );
    root.remove();
}

#[wasm_bindgen_test]
fn the_name_is_found_as_a_whole_word_last() {
    assert_eq!(find_name("d declined.", "d"), Some(0));
    assert_eq!(find_name("Missed call from d.", "d"), Some(17));
    assert_eq!(find_name("In a call with a", "a"), Some(15));
    assert_eq!(find_name("call is calling you", "call"), Some(0));
    assert_eq!(find_name("bob's camera", "bob"), Some(0));
    // Only inside a word: isolated there (the text is the same either way).
    assert_eq!(find_name("Calling x…", "alli"), Some(1));
    assert_eq!(find_name("Reconnecting media…", "bob"), None);
    assert_eq!(find_name("anything", ""), None);
}
