//! The room bar under the header (issue 13): where the page is (`room-name`); in a room its
//! shareable link (`room-link`), Copy link (`copy-link`: the clipboard, or the link selected
//! for the person to copy where the clipboard is refused, said in a status line), Share (the
//! Web Share API, only where the browser has `navigator.share`) and Leave room; and "New
//! private room" (`new-room`), a disclosure with a small form (optional passcode and capacity)
//! that loads the page at a room named from 20 bytes of `crypto.getRandomValues`.
//!
//! Small on purpose (the page's bundle is at its limit): a plain function with no hooks; the
//! fixed markup (buttons, the form, opened and closed by the browser's own `<details>`) is static
//! strings (Yew's raw HTML, as the icons); one click and one submit handler on the bar read the
//! inputs by id and write the two status lines themselves. Also [`bad_link`], the page at
//! `/r/<something that is no room name>`.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::net::place::{go, page_link, room_randomness};
use crate::route::Route;
use crate::state::Entry;
use crate::text::rooms::room_form_sentence;

/// The disclosure "New private room" and its form (constant markup: no Yew elements for it).
const NEW_ROOM: &str = concat!(
    r#"<details class="new-room"><summary class="btn btn-small" data-testid="new-room">New private room</summary>"#,
    r#"<form id="new-room-form" data-testid="new-room-form" novalidate>"#,
    r#"<p class="login-lead">Only people with its link can find it. It is gone when the last person leaves.</p>"#,
    r#"<label class="field-label" for="new-room-passcode">Passcode (optional)</label>"#,
    r#"<input id="new-room-passcode" class="field" type="text" autocomplete="off" spellcheck="false" maxlength="64" data-testid="room-passcode">"#,
    r#"<label class="field-label" for="new-room-capacity">Most people at once (optional)</label>"#,
    r#"<input id="new-room-capacity" class="field" type="number" inputmode="numeric" min="2" max="100" data-testid="room-capacity">"#,
    r#"<p id="new-room-error" class="field-error" data-testid="new-room-error" role="alert"></p>"#,
    r#"<button type="submit" class="btn btn-primary" data-testid="create-room">Create room</button></form></details>"#,
);

/// In a room, after its link: copy, share (where the browser can), the copy's status line and
/// Leave room (constant markup; `{share}` is cut out where there is no `navigator.share`).
macro_rules! link_actions {
    ($share:expr) => {
        concat!(
            r#"<button type="button" class="btn btn-small" data-testid="copy-link">Copy link</button>"#,
            $share,
            r#"<span id="copy-feedback" class="copy-feedback" data-testid="copy-feedback" role="status"></span>"#,
            r#"<a class="btn btn-small" href="/" data-testid="leave-room">Leave room</a>"#,
        )
    };
}
const LINK_ACTIONS: &str = link_actions!("");
const LINK_ACTIONS_SHARE: &str = link_actions!(
    r#"<button type="button" class="btn btn-small" data-testid="share-link">Share…</button>"#
);

/// The page at a room link that is not valid (constant markup).
const BAD_LINK: &str = concat!(
    r#"<section class="card login" data-testid="bad-room-link"><h1 class="login-title">That room link is not valid</h1>"#,
    r#"<p class="login-lead">A room link ends in /r/ and a name of letters, digits, - or _.</p>"#,
    r#"<a class="btn btn-primary" href="/">Go to the public lobby</a></section>"#,
);

/// The bar for the page at `route`; "New private room" only while the page may leave its place
/// (`can_leave`: no call going on, which leaving would end). Its buttons and form are handled
/// here, by the clicks and the submit that reach the bar.
pub fn room_bar(route: &Route, can_leave: bool) -> Html {
    let link = route.room().and_then(|_| page_link(route));
    let onsubmit = Callback::from(|event: SubmitEvent| {
        event.prevent_default();
        match new_room() {
            Ok(entry) => go(&entry),
            Err(sentence) => say("new-room-error", sentence),
        }
    });
    let onclick = Callback::from(|event: MouseEvent| {
        let button = target(&event).and_then(|e| e.closest("button").ok().flatten());
        let link = element("room-link").and_then(|link| link.text_content());
        if let (Some(id), Some(link)) = (button.and_then(|b| b.get_attribute("data-testid")), link)
        {
            spawn_local(act(id, link));
        }
    });
    let can_share = web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w.navigator(), &"share".into()).unwrap_or(false));
    let actions = if can_share {
        LINK_ACTIONS_SHARE
    } else {
        LINK_ACTIONS
    };
    html! {
        <section class="room-bar" aria-label="Room" {onclick} {onsubmit}>
            <span class="room-where">
                if route.room().is_some() { { "Room " } }
                <strong data-testid="room-name" title={route.room().map(|r| AttrValue::from(r.as_str().to_owned()))}>
                    { route.label() }
                </strong>
            </span>
            if let Some(link) = link {
                // Keyed on the link, so another room starts with an empty status line.
                <span key={link.clone()} class="room-share">
                    <code id="room-link" class="room-link" data-testid="room-link">{ link }</code>
                    { Html::from_html_unchecked(AttrValue::Static(actions)) }
                </span>
            }
            if can_leave {
                { Html::from_html_unchecked(AttrValue::Static(NEW_ROOM)) }
            }
        </section>
    }
}

/// The new room the form describes, or why there is none.
fn new_room() -> Result<Entry, &'static str> {
    let value = |id| input(id).map(|input| input.value()).unwrap_or_default();
    let random = room_randomness().ok_or(room_form_sentence(None))?;
    Entry::new_room(
        &random,
        &value("new-room-passcode"),
        &value("new-room-capacity"),
    )
    .map_err(|error| room_form_sentence(Some(error)))
}

/// What the bar's button `id` does with the room's `link` (one task type for both buttons).
async fn act(id: String, link: String) {
    match id.as_str() {
        // Copy link: the clipboard, else the link selected for the person to copy.
        "copy-link" => {
            let said = if copy_text(&link).await {
                "Link copied"
            } else {
                select("room-link");
                "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it"
            };
            say("copy-feedback", said);
        }
        // Share: the browser's share sheet (cancelling it rejects: nothing to say then).
        "share-link" => {
            if let Some(navigator) = web_sys::window().map(|window| window.navigator()) {
                let data = web_sys::ShareData::new();
                data.set_url(&link);
                drop(JsFuture::from(navigator.share_with_data(&data)).await);
            }
        }
        _ => {}
    }
}

/// Writes `text` to the clipboard; `false` where there is none (`navigator.clipboard` exists
/// only on secure pages) or it refused.
async fn copy_text(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|window| window.navigator()) else {
        return false;
    };
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .is_ok_and(|clipboard| !clipboard.is_undefined());
    has_clipboard
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
}

fn element(id: &str) -> Option<Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

fn input(id: &str) -> Option<HtmlInputElement> {
    element(id)?.dyn_into().ok()
}

fn target(event: &Event) -> Option<Element> {
    event.target()?.dyn_into().ok()
}

/// Puts `text` into the status line `id`.
fn say(id: &str, text: &str) {
    if let Some(line) = element(id) {
        line.set_text_content(Some(text));
    }
}

/// Selects element `id`'s text, for the person to copy it themselves.
fn select(id: &str) {
    let selection = web_sys::window().and_then(|window| window.get_selection().ok().flatten());
    if let (Some(selection), Some(node)) = (selection, element(id)) {
        let _ = selection.select_all_children(&node);
    }
}

/// The page at a room link that is not valid.
pub fn bad_link() -> Html {
    Html::from_html_unchecked(AttrValue::Static(BAD_LINK))
}
