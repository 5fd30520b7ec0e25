//! Browser tests of the page's link to the server across lost sockets, with a fake WebSocket the
//! test drives (wasm-bindgen-test in headless Chromium): login with `resume` and `heartbeat`,
//! the session kept in `sessionStorage`, pings with the frame count, reconnecting by itself and
//! resuming, `leaving` on `pagehide`, a silent server given up, a failed resume falling back to
//! `username` with the same name.
//!
//! The fake replaces `globalThis.WebSocket` (the wasm-bindgen glue looks the constructor up when
//! the page opens a socket) and records what the page sends; the test plays the server.
//!
//! Run: `cargo xtask test --only wasm`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use client::app::{App, AppProps};
use client::state::StoredSession;
use gloo_timers::future::TimeoutFuture;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::{AppHandle, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

const FAKE: &str = r#"
const Real = globalThis.WebSocket;
globalThis.__parleyRealWs = Real;
globalThis.__fakes = [];
class FakeWs extends EventTarget {
  constructor(url) { super(); this.url = url; this.readyState = 0; this.sent = []; globalThis.__fakes.push(this); }
  send(text) {
    if (this.readyState !== 1) { throw new DOMException('not open', 'InvalidStateError'); }
    this.sent.push(text);
  }
  close() {
    if (this.readyState === 3) { return; }
    this.readyState = 3;
    // As a browser does: the close event comes later, not from inside close().
    setTimeout(() => this.dispatchEvent(new CloseEvent('close', { code: 1000 })), 0);
  }
}
FakeWs.CONNECTING = 0; FakeWs.OPEN = 1; FakeWs.CLOSING = 2; FakeWs.CLOSED = 3;
globalThis.WebSocket = FakeWs;
globalThis.__fake = {
  count: () => globalThis.__fakes.length,
  open: (i) => { const s = globalThis.__fakes[i]; s.readyState = 1; s.dispatchEvent(new Event('open')); },
  recv: (i, text) => { globalThis.__fakes[i].dispatchEvent(new MessageEvent('message', { data: text })); },
  drop: (i) => { const s = globalThis.__fakes[i]; s.readyState = 3; s.dispatchEvent(new CloseEvent('close', { code: 1006 })); },
  sent: (i) => JSON.stringify(globalThis.__fakes[i].sent),
  state: (i) => globalThis.__fakes[i].readyState,
};
"#;

/// The fake WebSocket, installed for the test's life.
struct Fake;

impl Fake {
    fn install() -> Self {
        js_sys::Function::new_no_args(FAKE)
            .call0(&JsValue::NULL)
            .unwrap();
        Self
    }

    fn call(&self, method: &str, args: &[JsValue]) -> JsValue {
        let fake = js_sys::Reflect::get(&js_sys::global(), &"__fake".into()).unwrap();
        let f: js_sys::Function = js_sys::Reflect::get(&fake, &method.into())
            .unwrap()
            .unchecked_into();
        f.apply(&JsValue::NULL, &args.iter().collect::<js_sys::Array>())
            .unwrap()
    }

    fn count(&self) -> u32 {
        self.call("count", &[]).as_f64().unwrap() as u32
    }

    fn open(&self, i: u32) {
        self.call("open", &[i.into()]);
    }

    fn recv(&self, i: u32, frame: Value) {
        self.call("recv", &[i.into(), frame.to_string().into()]);
    }

    fn drop_socket(&self, i: u32) {
        self.call("drop", &[i.into()]);
    }

    /// What the page sent on socket `i`, parsed.
    fn sent(&self, i: u32) -> Vec<Value> {
        let text = self.call("sent", &[i.into()]).as_string().unwrap();
        let texts: Vec<String> = serde_json::from_str(&text).unwrap();
        texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect()
    }

    /// The frames of `kind` the page sent on socket `i`.
    fn sent_of(&self, i: u32, kind: &str) -> Vec<Value> {
        self.sent(i)
            .into_iter()
            .filter(|f| f["type"] == kind)
            .collect()
    }

    fn closed(&self, i: u32) -> bool {
        self.call("state", &[i.into()]).as_f64() == Some(3.0)
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = js_sys::Function::new_no_args("globalThis.WebSocket = globalThis.__parleyRealWs;")
            .call0(&JsValue::NULL);
        if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            let _ = storage.remove_item(StoredSession::KEY);
        }
    }
}

struct Mounted {
    root: Element,
    handle: Option<AppHandle<App>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

fn mount_app() -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = AppProps {
        ws_url: Some("ws://fake.invalid/ws".into()),
    };
    let handle = Renderer::<App>::with_root_and_props(root.clone(), props).render();
    Mounted {
        root,
        handle: Some(handle),
    }
}

/// Yields until `cond` holds; fails after `ms`.
async fn wait_ms(what: &str, ms: f64, cond: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + ms;
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

async fn wait_for(what: &str, cond: impl Fn() -> bool) {
    wait_ms(what, 5_000.0, cond).await;
}

fn find(root: &Element, testid: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
}

fn connection(root: &Element) -> Option<String> {
    find(root, "connection-status").and_then(|e| e.get_attribute("data-state"))
}

fn stored() -> Option<StoredSession> {
    let storage = web_sys::window()?.session_storage().ok()??;
    StoredSession::from_json(&storage.get_item(StoredSession::KEY).ok()??)
}

fn pagehide() {
    let event = web_sys::Event::new("pagehide").unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_session_survives_lost_and_silent_sockets() {
    let fake = Fake::install();
    let page = mount_app();
    let root = &page.root;
    wait_for("the first socket", || fake.count() == 1).await;
    fake.open(0);
    fake.recv(0, json!({"type": "id", "id": 1}));

    // Log in: the page announces resume and heartbeat.
    wait_for("the login form", || find(root, "login-name").is_some()).await;
    find(root, "login-name")
        .unwrap()
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .set_value("alice");
    find(root, "login-submit")
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    wait_for("username", || !fake.sent_of(0, "username").is_empty()).await;
    let username = &fake.sent_of(0, "username")[0];
    assert_eq!(username["name"], "alice");
    let features = username["features"].as_array().unwrap();
    assert!(features.contains(&json!("resume")) && features.contains(&json!("heartbeat")));

    fake.recv(0, json!({"type": "userlist", "users": ["alice", "bob"]}));
    fake.recv(
        0,
        json!({"type": "session", "token": "1.first", "grace": 30}),
    );
    fake.recv(
        0,
        json!({"type": "message", "id": 2, "name": "bob", "text": "hi", "date": 1}),
    );
    wait_for("online", || connection(root).as_deref() == Some("online")).await;
    wait_for("the session kept for a reload", || {
        stored().is_some_and(|s| s.token == "1.first" && s.name == "alice")
    })
    .await;

    // Pings carry the count of numbered frames (the chat line), at least every 3 s.
    wait_ms("a ping", 4_000.0, || !fake.sent_of(0, "ping").is_empty()).await;
    assert_eq!(
        fake.sent_of(0, "ping")[0],
        json!({"type": "ping", "ack": 1})
    );
    assert_eq!(
        stored().unwrap().ack,
        1,
        "the count is kept before it is reported"
    );
    fake.recv(0, json!({"type": "pong"}));

    // The socket drops: reconnecting by itself, resume with the token and the count.
    fake.drop_socket(0);
    wait_for("reconnecting", || {
        connection(root).as_deref() == Some("reconnecting")
    })
    .await;
    assert!(find(root, "my-name").is_some(), "the lobby stays");
    wait_for("a new socket within half a second", || fake.count() == 2).await;
    fake.open(1);
    fake.recv(1, json!({"type": "id", "id": 5}));
    wait_for("resume", || !fake.sent_of(1, "resume").is_empty()).await;
    let resume = &fake.sent_of(1, "resume")[0];
    assert_eq!(resume["token"], "1.first");
    assert_eq!(resume["ack"], 2, "the chat line and the pong");
    assert!(resume.get("fresh").is_none(), "the same page, not a reload");
    assert!(fake.sent_of(1, "username").is_empty());
    assert_eq!(connection(root).as_deref(), Some("reconnecting"));
    fake.recv(
        1,
        json!({"type": "resumed", "name": "alice", "token": "1.second", "grace": 30, "ack": 2}),
    );
    wait_for("quietly online again", || {
        connection(root).as_deref() == Some("online")
    })
    .await;
    wait_for("the new token kept", || {
        stored().is_some_and(|s| s.token == "1.second")
    })
    .await;

    // `pagehide` says `leaving` (the page cannot know whether it closes or reloads).
    pagehide();
    wait_for("leaving", || !fake.sent_of(1, "leaving").is_empty()).await;

    // The server goes silent (no FIN): given up within 10 s, and a new socket resumes.
    wait_ms("the silent socket closed and a new one", 10_000.0, || {
        fake.count() == 3
    })
    .await;
    assert!(fake.closed(1), "the page closed the silent socket");
    fake.open(2);
    fake.recv(2, json!({"type": "id", "id": 6}));
    wait_for("resume again", || !fake.sent_of(2, "resume").is_empty()).await;
    assert_eq!(fake.sent_of(2, "resume")[0]["token"], "1.second");

    // The server no longer knows the session: the page logs in again by itself, same name.
    fake.recv(
        2,
        json!({"type": "error", "code": "resume-failed", "message": "unknown session"}),
    );
    wait_for("username after the failed resume", || {
        !fake.sent_of(2, "username").is_empty()
    })
    .await;
    assert_eq!(fake.sent_of(2, "username")[0]["name"], "alice");
    assert!(find(root, "login-name").is_none(), "nothing to type");
    assert!(
        find(root, "server-notice").is_none(),
        "nothing to alarm anyone"
    );
    fake.recv(2, json!({"type": "userlist", "users": ["alice"]}));
    wait_for("online after the fallback", || {
        connection(root).as_deref() == Some("online")
    })
    .await;
}

#[wasm_bindgen_test]
async fn against_a_server_without_resume_nothing_new_is_sent() {
    let fake = Fake::install();
    let page = mount_app();
    let root = &page.root;
    wait_for("the first socket", || fake.count() == 1).await;
    fake.open(0);
    fake.recv(0, json!({"type": "id", "id": 1}));
    wait_for("the login form", || find(root, "login-name").is_some()).await;
    find(root, "login-name")
        .unwrap()
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .set_value("alice");
    find(root, "login-submit")
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    wait_for("username", || !fake.sent_of(0, "username").is_empty()).await;
    fake.recv(0, json!({"type": "userlist", "users": ["alice"]}));
    wait_for("online", || connection(root).as_deref() == Some("online")).await;
    pagehide();
    // An absence can only be watched for a while: longer than a ping period, nothing but the
    // login went out.
    TimeoutFuture::new(3_500).await;
    let kinds: Vec<Value> = fake.sent(0).iter().map(|f| f["type"].clone()).collect();
    assert_eq!(kinds, [json!("username")], "no ping, no leaving");
    assert_eq!(stored(), None);
    fake.drop_socket(0);
    wait_for("a new socket by itself", || fake.count() == 2).await;
    fake.open(1);
    fake.recv(1, json!({"type": "id", "id": 2}));
    wait_for("username again", || !fake.sent_of(1, "username").is_empty()).await;
    assert!(fake.sent_of(1, "resume").is_empty());
}
