//! Browser tests of the device pickers (issue 12, devices) in headless Chromium, for what its
//! fake devices cannot do: a device that vanishes, and a browser without `setSinkId`.
//!
//! What is real: the camera and microphone stream (Chromium's fake devices), the component,
//! its `devicechange` listener (in the call area) and its reaction. What is simulated: the device list —
//! `navigator.mediaDevices.enumerateDevices` is replaced by one returning a list that no longer
//! holds the camera in use, and `devicechange` is dispatched by the test, as the browser does
//! when a headset or a USB camera is unplugged; and a Firefox without `setSinkId`, by removing
//! it from `HTMLMediaElement.prototype` for one test.

#![cfg(target_arch = "wasm32")]
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::rc::Rc;

use client::call::CallCommand;
use client::call::CallView;
use client::call::devices::DeviceKind;
use client::components::CallPanel;
use client::components::call_panel::CallPanelProps;
use gloo_timers::future::TimeoutFuture;
use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, MediaStream, MediaStreamConstraints};
use yew::{Callback, Renderer};

wasm_bindgen_test_configure!(run_in_browser);

fn run_js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

async fn fake_stream() -> MediaStream {
    let media = web_sys::window()
        .unwrap()
        .navigator()
        .media_devices()
        .unwrap();
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    constraints.set_video(&JsValue::TRUE);
    let promise = media.get_user_media_with_constraints(&constraints).unwrap();
    JsFuture::from(promise).await.unwrap().dyn_into().unwrap()
}

async fn wait_for(root: &Element, what: &str, check: impl Fn(&Element) -> bool) {
    let deadline = js_sys::Date::now() + 5_000.0;
    while !check(root) {
        assert!(
            js_sys::Date::now() < deadline,
            "never: {what}; page: {}",
            root.inner_html()
        );
        TimeoutFuture::new(10).await;
    }
}

fn render(
    local: Option<MediaStream>,
    on_command: Callback<CallCommand>,
) -> (Element, yew::AppHandle<CallPanel>) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    // The pickers are part of the call area (a hook of it, not a component of their own).
    let props = CallPanelProps {
        view: CallView::default(),
        local,
        remote: None,
        on_command,
        handles: None,
    };
    let handle = Renderer::<CallPanel>::with_root_and_props(root.clone(), props).render();
    (root, handle)
}

fn option_count(root: &Element, testid: &str) -> u32 {
    root.query_selector_all(&format!(
        "[data-testid={testid}] option[value]:not([value=''])"
    ))
    .unwrap()
    .length()
}

fn notice(root: &Element) -> Option<String> {
    root.query_selector("[data-testid=device-notice]")
        .unwrap()
        .and_then(|n| n.text_content())
}

#[wasm_bindgen_test]
async fn an_unplugged_camera_falls_back_to_another_with_a_notice() {
    let stream = fake_stream().await;
    js_sys::Reflect::set(&web_sys::window().unwrap(), &"__devStream".into(), &stream).unwrap();
    // The list the browser would give: the camera and microphone in use, plus a spare camera.
    run_js(
        "const s = window.__devStream;
         const cam = s.getVideoTracks()[0].getSettings().deviceId;
         const mic = s.getAudioTracks()[0].getSettings().deviceId;
         const d = (kind, deviceId, label) => ({ kind, deviceId, label, groupId: '' });
         window.__devList = [d('videoinput', cam, 'USB camera'), d('videoinput', 'spare', 'Spare camera'),
                             d('audioinput', mic, 'Headset mic'), d('audiooutput', 'default', 'Speakers')];
         navigator.mediaDevices.enumerateDevices = () => Promise.resolve(window.__devList);",
    );
    let commands = Rc::new(RefCell::new(Vec::new()));
    let on_command = {
        let commands = commands.clone();
        Callback::from(move |c: CallCommand| commands.borrow_mut().push(c))
    };
    let (root, handle) = render(Some(stream.clone()), on_command);
    wait_for(&root, "both cameras listed", |r| {
        option_count(r, "device-camera") == 2
    })
    .await;
    assert_eq!(
        notice(&root),
        None,
        "no notice while everything is plugged in"
    );

    // The USB camera is unplugged: the browser fires `devicechange` with a list without it.
    run_js(
        "window.__devList = window.__devList.filter((d) => d.label !== 'USB camera');
         navigator.mediaDevices.dispatchEvent(new Event('devicechange'));",
    );
    wait_for(&root, "the fallback notice", |r| {
        notice(r).as_deref() == Some("Your camera was disconnected; using Spare camera")
    })
    .await;
    wait_for(&root, "the list refreshed", |r| {
        option_count(r, "device-camera") == 1
    })
    .await;
    assert_eq!(
        *commands.borrow(),
        vec![CallCommand::UseDevice {
            kind: DeviceKind::Camera,
            id: "spare".into()
        }],
        "the call is told to send from the spare camera, and the microphone is left alone"
    );

    handle.destroy();
    run_js("delete navigator.mediaDevices.enumerateDevices; delete window.__devStream;");
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    }
}

#[wasm_bindgen_test]
async fn without_set_sink_id_the_speaker_picker_is_disabled_and_says_why() {
    // A Firefox without `setSinkId`, for this test only.
    run_js(
        "window.__devSink = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'setSinkId');
         delete HTMLMediaElement.prototype.setSinkId;",
    );
    let (root, handle) = render(None, Callback::noop());
    wait_for(&root, "the pickers drawn", |r| {
        r.query_selector("[data-testid=device-speaker]")
            .unwrap()
            .is_some()
    })
    .await;
    let speaker = root
        .query_selector("[data-testid=device-speaker]")
        .unwrap()
        .unwrap();
    assert!(
        speaker.has_attribute("disabled"),
        "the speaker picker is disabled"
    );
    let label = speaker.parent_element().unwrap();
    assert!(
        label
            .get_attribute("title")
            .unwrap_or_default()
            .contains("setSinkId"),
        "its title says why: {:?}",
        label.get_attribute("title")
    );
    assert!(
        root.query_selector("[data-testid=device-speaker-unsupported]")
            .unwrap()
            .is_some(),
        "a visible note says it too"
    );
    handle.destroy();
    run_js("Object.defineProperty(HTMLMediaElement.prototype, 'setSinkId', window.__devSink);");

    // With it back, the picker is not disabled for that reason (once the browser listed its
    // speakers: before that the note says there are none to choose from).
    let (root, handle) = render(None, Callback::noop());
    wait_for(&root, "the speakers listed", |r| {
        r.query_selector("[data-testid=device-speaker] option:not([value=''])")
            .unwrap()
            .is_some()
    })
    .await;
    assert!(
        root.query_selector("[data-testid=device-speaker-unsupported]")
            .unwrap()
            .is_none(),
        "no note where setSinkId exists"
    );
    handle.destroy();
}
