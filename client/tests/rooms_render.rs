//! Browser tests of rooms in the page (issue 13): the router reads the address the page loads
//! at (`/r/<room>`, a bad room link), the room bar shows the room and its link, "New private
//! room" opens its form and checks it (the page load into the new room is the end-to-end
//! test's: it would take this test page away), and the login form asks for a passcode and says
//! when the room is full.
//!
//! The whole `App` is mounted against a closed loopback port (no server here): rooms are about
//! where the page is, which needs no socket. The address is set with `history.pushState` before
//! mounting and put back to `/` afterwards.
//!
//! Run: `cargo xtask test --only wasm` (or `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p
//! client --target wasm32-unknown-unknown --test rooms_render`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;

use client::app::{App, AppProps};
use client::components::LoginForm;
use client::components::login_form::LoginFormProps;
use gloo_timers::future::TimeoutFuture;
use shared::UserName;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;
use yew::{AppHandle, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

/// A component mounted into its own `<div>`; unmounted, removed and the address put back to `/`
/// on drop.
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
        go_to("/");
    }
}

fn mount<C: BaseComponent>(props: C::Properties) -> Mounted<C> {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = Renderer::<C>::with_root_and_props(root.clone(), props).render();
    Mounted {
        root,
        handle: Some(handle),
    }
}

/// The app at `path`, with its socket pointed at a closed port.
fn app_at(path: &str) -> Mounted<App> {
    go_to(path);
    mount::<App>(AppProps {
        ws_url: Some("ws://127.0.0.1:9/ws".into()),
    })
}

fn go_to(path: &str) {
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .push_state_with_url(&JsValue::NULL, "", Some(path))
        .unwrap();
}

fn pathname() -> String {
    web_sys::window().unwrap().location().pathname().unwrap()
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

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default().trim().to_owned()
}

fn click(element: &Element) {
    element.dyn_ref::<HtmlElement>().unwrap().click();
}

fn set_value(element: &Element, value: &str) {
    element
        .dyn_ref::<HtmlInputElement>()
        .unwrap()
        .set_value(value);
}

fn focused_testid() -> Option<String> {
    web_sys::window()?
        .document()?
        .active_element()?
        .get_attribute("data-testid")
}

#[wasm_bindgen_test]
async fn a_bad_room_link_says_so_and_opens_no_socket() {
    let page = app_at("/r/not%20a%20room");
    let root = &page.root;
    wait_for("the bad-link page", || {
        find(root, "bad-room-link").is_some()
    })
    .await;
    let notice = get(root, "bad-room-link");
    assert!(text(&notice).contains("That room link is not valid"));
    let home = notice.query_selector("a[href='/']").unwrap();
    assert!(home.is_some(), "a link to the public lobby");
    assert!(find(root, "login-name").is_none(), "no login form");
    assert!(find(root, "room-name").is_none(), "no room bar");
    // No socket: the indicator never leaves "connecting" for "lost" (which the closed port
    // would give at once).
    TimeoutFuture::new(300).await;
    let status = get(root, "connection-status");
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("connecting")
    );
}

#[wasm_bindgen_test]
async fn the_room_bar_shows_the_room_and_makes_new_private_rooms() {
    let page = app_at("/r/Family");
    let root = &page.root;
    wait_for("the room bar", || find(root, "room-name").is_some()).await;
    assert_eq!(text(&get(root, "room-name")), "family");
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert_eq!(text(&get(root, "room-link")), format!("{origin}/r/family"));
    assert!(find(root, "copy-link").is_some());
    let can_share =
        js_sys::Reflect::has(&web_sys::window().unwrap().navigator(), &"share".into()).unwrap();
    assert_eq!(find(root, "share-link").is_some(), can_share);
    assert_eq!(text(&get(root, "login-submit")), "Join");
    assert!(text(root).contains("Join the room"));

    // The disclosure opens the form; a bad capacity is refused in the page.
    let toggle = get(root, "new-room");
    assert_eq!(toggle.tag_name(), "SUMMARY", "the browser's own disclosure");
    let details = toggle.parent_element().unwrap();
    assert!(!details.has_attribute("open"), "closed at first");
    click(&toggle);
    wait_for("the new-room form shown", || details.has_attribute("open")).await;
    let form = get(root, "new-room-form");
    for id in ["new-room-passcode", "new-room-capacity"] {
        let label = form.query_selector(&format!("label[for={id}]")).unwrap();
        assert!(label.is_some(), "{id} is labelled");
    }
    set_value(&get(&form, "room-passcode"), "s3cret");
    set_value(&get(&form, "room-capacity"), "1");
    click(&get(root, "create-room"));
    wait_for("the capacity refused", || {
        find(root, "new-room-error").is_some_and(|e| !text(&e).is_empty())
    })
    .await;
    assert_eq!(
        text(&get(root, "new-room-error")),
        "The most people in the room is a whole number from 2 to 100."
    );
    set_value(&get(&form, "room-capacity"), "");
    set_value(&get(&form, "room-passcode"), &"x".repeat(65));
    click(&get(root, "create-room"));
    wait_for("the passcode refused", || {
        text(&get(root, "new-room-error")) == "A passcode has at most 64 characters."
    })
    .await;
    assert_eq!(pathname(), "/r/Family", "no room made");
}

#[wasm_bindgen_test]
async fn the_login_form_asks_for_the_passcode_and_says_a_room_is_full() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let record = |tag: &'static str| {
        let seen = seen.clone();
        move |value: String| seen.borrow_mut().push(format!("{tag}:{value}"))
    };
    let on_login = Callback::from({
        let record = record("name");
        move |name: UserName| record(name.into_string())
    });
    let page = mount::<LoginForm>(LoginFormProps {
        joining: false,
        error: Some("This room needs a passcode.".into()),
        on_login,
        in_room: true,
        ask_passcode: true,
        room_full: false,
        on_passcode: Callback::from(record("passcode")),
    });
    let root = &page.root;
    wait_for("the passcode field, focused", || {
        focused_testid().as_deref() == Some("room-passcode")
    })
    .await;
    let passcode = get(root, "room-passcode");
    assert_eq!(passcode.get_attribute("type").as_deref(), Some("password"));
    assert_eq!(
        passcode.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(get(root, "login-name").get_attribute("aria-invalid"), None);
    assert_eq!(
        text(&get(root, "login-error")),
        "This room needs a passcode."
    );
    let label = root.query_selector("label[for=room-passcode]").unwrap();
    assert!(label.is_some(), "the passcode field is labelled");

    set_value(&get(root, "login-name"), "bob");
    set_value(&passcode, " open sesame ");
    click(&get(root, "login-submit"));
    wait_for("the login", || seen.borrow().len() == 2).await;
    assert_eq!(
        *seen.borrow(),
        ["passcode: open sesame ", "name:bob"],
        "the passcode goes first"
    );
    drop(page);

    let full = mount::<LoginForm>(LoginFormProps {
        joining: false,
        error: Some("This room is full.".into()),
        on_login: Callback::noop(),
        in_room: true,
        ask_passcode: false,
        room_full: true,
        on_passcode: Callback::noop(),
    });
    let root = &full.root;
    wait_for("the room-full message", || {
        find(root, "room-full").is_some()
    })
    .await;
    assert_eq!(text(&get(root, "room-full")), "This room is full.");
    assert!(find(root, "room-passcode").is_none());
    assert!(find(root, "login-error").is_none());
}
