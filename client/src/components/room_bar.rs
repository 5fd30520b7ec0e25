//! The room bar under the header (issue 13): where the page is (`room-name`); in a room its
//! shareable link (`room-link`), Copy link (`copy-link`: the clipboard, or the link selected
//! for the person to copy where the clipboard is refused, said in a status line), Share (the
//! Web Share API, only where the browser has `navigator.share`) and Leave room; and "New
//! private room" (`new-room`), which opens a small form (optional passcode and capacity) and
//! takes the page to a room named from 20 bytes of `crypto.getRandomValues`.
//!
//! Also [`bad_link`], what the page shows at `/r/<something that is no room name>`.

use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::truth;
use crate::hooks::use_rooms::{page_link, room_randomness};
use crate::route::Route;
use crate::state::Entry;
use crate::text::rooms::room_form_sentence;

#[derive(Properties, PartialEq)]
pub struct RoomBarProps {
    pub route: Route,
    /// The page may go elsewhere now (no call going on: leaving the place would end it).
    pub can_leave: bool,
    /// Takes the page to a new place.
    pub on_enter: Callback<Entry>,
}

/// What the last Copy link did, said in the status line.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Nothing,
    ToClipboard,
    /// The clipboard refused: the link is selected instead.
    Selected,
}

#[function_component]
pub fn RoomBar(props: &RoomBarProps) -> Html {
    let copied = use_state(|| Copied::Nothing);
    let open = use_state_eq(|| false);
    // `Some(None)`: the browser gave no random bytes (see `room_form_sentence`).
    let form_error = use_state_eq(|| None);
    let link_ref = use_node_ref();
    let passcode_ref = use_node_ref();
    let capacity_ref = use_node_ref();
    {
        let passcode_ref = passcode_ref.clone();
        use_effect_with(*open, move |open| {
            if let Some(input) = open
                .then(|| passcode_ref.cast::<HtmlInputElement>())
                .flatten()
            {
                // Focus is a convenience; a refusal is harmless.
                let _ = input.focus();
            }
        });
    }
    {
        let copied = copied.setter();
        use_effect_with(props.route.clone(), move |_| copied.set(Copied::Nothing));
    }

    let link = props.route.room().and_then(|_| page_link(&props.route));
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onsubmit = {
        let (open, form_error) = (open.setter(), form_error.setter());
        let (passcode_ref, capacity_ref) = (passcode_ref.clone(), capacity_ref.clone());
        let on_enter = props.on_enter.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default()
            };
            let Some(random) = room_randomness() else {
                form_error.set(Some(None));
                return;
            };
            match Entry::new_room(&random, &value(&passcode_ref), &value(&capacity_ref)) {
                Ok(entry) => {
                    form_error.set(None);
                    open.set(false);
                    on_enter.emit(entry);
                }
                Err(error) => form_error.set(Some(Some(error))),
            }
        })
    };
    let form = open.then(|| {
        let cancel = {
            let open = open.clone();
            Callback::from(move |_: MouseEvent| open.set(false))
        };
        let error = (*form_error).map(room_form_sentence);
        html! {
            <form id="new-room-form" class="new-room" data-testid="new-room-form" onsubmit={onsubmit}
                novalidate=true aria-label="New private room">
                <p class="login-lead">
                    { "Only people with its link can find it. It is gone when the last person leaves." }
                </p>
                <label class="field-label" for="new-room-passcode">{ "Passcode (optional)" }</label>
                <input ref={passcode_ref} id="new-room-passcode" class="field" type="text"
                    autocomplete="off" spellcheck="false" maxlength="64" data-testid="room-passcode" />
                <label class="field-label" for="new-room-capacity">{ "Most people at once (optional)" }</label>
                <input ref={capacity_ref} id="new-room-capacity" class="field" type="number"
                    inputmode="numeric" min="2" max="100" data-testid="room-capacity" />
                if let Some(error) = error {
                    <p class="field-error" data-testid="new-room-error" role="alert">{ error }</p>
                }
                <div class="new-room-actions">
                    <button type="submit" class="btn btn-primary" data-testid="create-room">
                        { "Create room" }
                    </button>
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                </div>
            </form>
        }
    });

    html! {
        <section class="room-bar" aria-label="Room">
            <span class="room-where">
                if props.route.room().is_some() { { "Room " } }
                <strong data-testid="room-name" title={props.route.room().map(|r| AttrValue::from(r.to_string()))}>
                    { props.route.label() }
                </strong>
            </span>
            if let Some(link) = link {
                { share(&link, &link_ref, &copied) }
            }
            <button type="button" class="btn btn-small" data-testid="new-room" onclick={toggle}
                aria-expanded={truth(*open)} aria-controls="new-room-form" disabled={!props.can_leave}>
                { "New private room" }
            </button>
            { for form }
        </section>
    }
}

/// The link and what can be done with it.
fn share(link: &str, link_ref: &NodeRef, copied: &UseStateHandle<Copied>) -> Html {
    let on_copy = {
        let (link, link_ref, copied) = (link.to_owned(), link_ref.clone(), copied.setter());
        Callback::from(move |_: MouseEvent| {
            let (link, link_ref, copied) = (link.clone(), link_ref.clone(), copied.clone());
            spawn_local(async move {
                let done = copy_text(&link).await;
                if !done {
                    select(&link_ref);
                }
                copied.set(if done {
                    Copied::ToClipboard
                } else {
                    Copied::Selected
                });
            });
        })
    };
    let navigator = web_sys::window().map(|window| window.navigator());
    let on_share = navigator
        .filter(|navigator| js_sys::Reflect::has(navigator, &"share".into()).unwrap_or(false))
        .map(|navigator| {
            let link = link.to_owned();
            Callback::from(move |_: MouseEvent| {
                let data = web_sys::ShareData::new();
                data.set_title("A Parley room");
                data.set_url(&link);
                let shared = JsFuture::from(navigator.share_with_data(&data));
                // Cancelling the share sheet rejects; there is nothing to say about it.
                spawn_local(async move { drop(shared.await) });
            })
        });
    let said = match **copied {
        Copied::Nothing => "",
        Copied::ToClipboard => "Link copied",
        Copied::Selected => "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it",
    };
    html! {
        <>
            <code ref={link_ref.clone()} class="room-link" data-testid="room-link">{ link }</code>
            <button type="button" class="btn btn-small" data-testid="copy-link" onclick={on_copy}>
                { "Copy link" }
            </button>
            if let Some(on_share) = on_share {
                <button type="button" class="btn btn-small" data-testid="share-link" onclick={on_share}>
                    { "Share…" }
                </button>
            }
            <span class="copy-feedback" data-testid="copy-feedback" role="status">{ said }</span>
            <a class="btn btn-small" href="/" data-testid="leave-room">{ "Leave room" }</a>
        </>
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

/// Selects the link's text, for the person to copy it themselves.
fn select(link_ref: &NodeRef) {
    let selection = web_sys::window().and_then(|window| window.get_selection().ok().flatten());
    if let (Some(selection), Some(node)) = (selection, link_ref.get()) {
        let _ = selection.select_all_children(&node);
    }
}

/// The page at a room link that is not valid.
pub fn bad_link() -> Html {
    html! {
        <section class="card login" data-testid="bad-room-link">
            <h1 class="login-title">{ "That room link is not valid" }</h1>
            <p class="login-lead">
                { "A room link ends in /r/ and a name of up to 64 letters, digits, - or _. \
                   Check the link you were sent." }
            </p>
            <a class="btn btn-primary" href="/">{ "Go to the public lobby" }</a>
        </section>
    }
}
