//! Picture-in-picture for the remote video and full screen for the remote tile (the stage):
//! two toggles (`aria-pressed`) in the stage's corner. The picture-in-picture one is hidden
//! where the browser has no such API (`document.pictureInPictureEnabled` false or absent, e.g.
//! Firefox); full screen likewise (`document.fullscreenEnabled`). Escape leaves full screen
//! (the browser's own handling, and a listener of ours for browsers without one, such as
//! headless Chromium).
//!
//! What is on is read back from the document (`pictureInPictureElement`,
//! `fullscreenElement`) whenever it changes, so the browser's own controls (closing the
//! floating window, its Escape) keep the buttons right. The picture-in-picture API is called
//! through `Reflect` (web-sys has it only as an unstable API).

use gloo_events::{EventListener, EventListenerOptions};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::Document;
use yew::prelude::*;

/// The `<video>` shown (see `call_panel`); its parent is the tile that goes full screen.
const REMOTE_VIDEO: &str = "remote-video";

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `target[name]()` and returns its promise.
fn call(target: &JsValue, name: &str) -> Result<Promise, JsValue> {
    let method: Function = get(target, name)
        .dyn_into()
        .map_err(|_| JsValue::from_str(&format!("no {name}")))?;
    method
        .call0(target)?
        .dyn_into()
        .map_err(|_| JsValue::from_str(&format!("{name} gave no promise")))
}

fn pip_supported(document: &Document) -> bool {
    get(document, "pictureInPictureEnabled").as_bool() == Some(true)
}

fn pip_on(document: &Document) -> bool {
    !get(document, "pictureInPictureElement").is_null_or_undefined()
}

/// The name of a failure (`NotAllowedError` …), for the button's `data-error`.
fn error_name(error: &JsValue) -> String {
    get(error, "name")
        .as_string()
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "Error".to_owned())
}

/// The toggles' state: (picture-in-picture on, full screen on) as the document says, and the
/// name of the last failure.
pub struct Modes {
    modes: UseStateHandle<(bool, bool)>,
    error: UseStateHandle<Option<String>>,
}

/// Follows the document's modes while `shown` (a call's stage is on the page); each new
/// showing starts afresh. A hook of the call area, not a component of its own (bundle diet: a
/// component's Yew machinery costs more wasm than its view).
#[hook]
pub fn use_screen_modes(shown: bool) -> Modes {
    let modes = use_state_eq(|| (false, false));
    let error = use_state_eq(|| None::<String>);
    {
        let (modes, error) = (modes.clone(), error.clone());
        use_effect_with(shown, move |shown| {
            modes.set((false, false));
            error.set(None);
            let listeners = document().filter(|_| *shown).map(|doc| {
                let refresh = {
                    let doc = doc.clone();
                    move |_: &Event| modes.set((pip_on(&doc), doc.fullscreen_element().is_some()))
                };
                let capture = EventListenerOptions::run_in_capture_phase();
                let mut listeners: Vec<EventListener> = [
                    "fullscreenchange",
                    "enterpictureinpicture",
                    "leavepictureinpicture",
                ]
                .into_iter()
                .map(|kind| EventListener::new_with_options(&doc, kind, capture, refresh.clone()))
                .collect();
                let escape_doc = doc.clone();
                listeners.push(EventListener::new(&doc, "keydown", move |event| {
                    let escape = event
                        .dyn_ref::<KeyboardEvent>()
                        .is_some_and(|k| k.key() == "Escape");
                    if escape && escape_doc.fullscreen_element().is_some() {
                        escape_doc.exit_fullscreen();
                    }
                }));
                listeners
            });
            move || drop(listeners)
        });
    }
    Modes { modes, error }
}

/// The two toggles, from [`use_screen_modes`]; `ready`: the remote video has a stream
/// (picture-in-picture needs one).
pub fn screen_modes(state: &Modes, ready: bool) -> Html {
    let Modes { modes, error } = state;
    let Some(doc) = document() else {
        return html! {};
    };
    let (pip, full) = **modes;

    let toggle_pip = {
        let error = error.clone();
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| {
            let promise = if pip_on(&doc) {
                call(&doc, "exitPictureInPicture")
            } else {
                match doc.get_element_by_id(REMOTE_VIDEO) {
                    Some(video) => call(&video, "requestPictureInPicture"),
                    None => Err(JsValue::from_str("no video")),
                }
            };
            let error = error.clone();
            spawn_local(async move {
                let result = match promise {
                    Ok(promise) => JsFuture::from(promise).await.map(drop),
                    Err(e) => Err(e),
                };
                error.set(result.err().map(|e| error_name(&e)));
            });
        })
    };
    let toggle_full = {
        let error = error.clone();
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| {
            if doc.fullscreen_element().is_some() {
                doc.exit_fullscreen();
                return;
            }
            let tile = doc
                .get_element_by_id(REMOTE_VIDEO)
                .and_then(|video| video.parent_element());
            let result = tile.map_or(Err(JsValue::from_str("no video")), |tile| {
                tile.request_fullscreen()
            });
            error.set(result.err().map(|e| error_name(&e)));
        })
    };
    html! {
        <div class="screen-modes" role="group" aria-label="Video view">
            if pip_supported(&doc) {
                <button type="button" class="screen-mode" data-testid="pip"
                    aria-pressed={super::truth(pip)} disabled={!ready && !pip}
                    data-error={(**error).clone()} onclick={toggle_pip}
                    title={if pip { "Back into the page" } else { "Picture in picture" }}>
                    { if pip { "Exit PiP" } else { "PiP" } }
                </button>
            }
            if doc.fullscreen_enabled() {
                <button type="button" class="screen-mode" data-testid="fullscreen"
                    aria-pressed={super::truth(full)} onclick={toggle_full}
                    title={if full { "Leave full screen (Esc)" } else { "Full screen" }}>
                    { if full { "Exit full screen" } else { "Full screen" } }
                </button>
            }
        </div>
    }
}
