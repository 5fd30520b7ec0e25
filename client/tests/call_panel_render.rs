//! Browser tests of the call area's hooks for issue 9: a partner whose socket is away
//! (`data-peer-state="reconnecting"`, "bob is reconnecting…") and media being repaired
//! (`data-phase="reconnecting"`, "Reconnecting media…"), rendered from a `CallView`.

#![cfg(target_arch = "wasm32")]
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use client::call::{CallPhase, CallView};
use client::components::CallPanel;
use client::components::call_panel::CallPanelProps;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::{Callback, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

/// Renders the call area for `view` and returns `[data-testid=call]` once it is drawn.
async fn render(view: CallView) -> (Element, yew::AppHandle<CallPanel>) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = CallPanelProps {
        handles: None,
        view,
        local: None,
        remote: None,
        on_command: Callback::noop(),
    };
    let handle = Renderer::<CallPanel>::with_root_and_props(root.clone(), props).render();
    let deadline = js_sys::Date::now() + 5_000.0;
    loop {
        if let Some(call) = root.query_selector("[data-testid=call]").unwrap() {
            return (call, handle);
        }
        assert!(js_sys::Date::now() < deadline, "the call area never drew");
        TimeoutFuture::new(10).await;
    }
}

fn status(call: &Element) -> String {
    call.query_selector("[data-testid=call-status]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_partner_away_and_media_being_repaired_are_shown_by_their_hooks() {
    let in_call = CallPhase::InCall {
        peer: "bob".into(),
        since_ms: js_sys::Date::now(),
    };
    let (call, handle) = render(CallView {
        phase: in_call.clone(),
        peer_reconnecting: true,
        ..CallView::default()
    })
    .await;
    assert_eq!(call.get_attribute("data-phase").as_deref(), Some("in-call"));
    assert_eq!(
        call.get_attribute("data-peer-state").as_deref(),
        Some("reconnecting")
    );
    assert_eq!(status(&call), "bob is reconnecting…");
    handle.destroy();

    let (call, handle) = render(CallView {
        phase: in_call,
        ..CallView::default()
    })
    .await;
    assert_eq!(call.get_attribute("data-peer-state"), None);
    assert_eq!(status(&call), "In a call with bob");
    handle.destroy();

    let (call, handle) = render(CallView {
        phase: CallPhase::Reconnecting {
            peer: "bob".into(),
            since_ms: js_sys::Date::now(),
        },
        ..CallView::default()
    })
    .await;
    assert_eq!(
        call.get_attribute("data-phase").as_deref(),
        Some("reconnecting")
    );
    assert_eq!(status(&call), "Reconnecting media…");
    handle.destroy();
}
