//! The lobby chat: the log (time, sender, text — always as text nodes, never HTML), kept
//! scrolled to the newest line, and the input (Enter sends, length-limited). When a recipient is
//! picked, what is typed goes to them alone, said above the input with a button to send to
//! everyone again.

use std::rc::Rc;

use shared::limits::MAX_CHAT_CHARS;
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::state::ChatLine;
use crate::text::clock;

/// What the chat shows and does (a plain struct: the chat is a hook and a function of the
/// lobby, not a component of its own; bundle diet).
pub struct ChatProps {
    pub lines: Rc<Vec<ChatLine>>,
    /// Our own name, to mark our lines.
    pub me: AttrValue,
    /// Sending is possible (logged in on a live socket).
    pub enabled: bool,
    /// Sends a text (to `to` alone when set); returns a sentence when it was not sent (the
    /// input is kept then).
    pub on_send: Callback<(String, Option<String>), Option<String>>,
    /// The user private messages go to.
    pub to: Option<AttrValue>,
    pub on_clear_to: Callback<()>,
}

/// The chat's own state: its list and input, and the last refusal.
pub struct ChatState {
    log: NodeRef,
    input: NodeRef,
    error: UseStateHandle<Option<String>>,
}

/// The chat's hooks: the newest line kept in view, the input focused when a recipient is
/// picked.
#[hook]
pub fn use_chat(props: &ChatProps) -> ChatState {
    let log = use_node_ref();
    let input = use_node_ref();
    let error = use_state(|| None::<String>);

    // Keep the newest line in view whenever one arrives.
    {
        let log = log.clone();
        let newest = props.lines.last().map(|line| line.seq);
        use_effect_with(newest, move |_| {
            if let Some(log) = log.cast::<Element>() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    }

    // A recipient just picked: the input is where the keyboard goes next.
    {
        let input = input.clone();
        use_effect_with(props.to.clone(), move |to| {
            if let (Some(_), Some(field)) = (to, input.cast::<HtmlInputElement>()) {
                let _ = field.focus();
            }
        });
    }

    ChatState { log, input, error }
}

/// The lobby chat, from [`use_chat`].
pub fn chat(state: &ChatState, props: &ChatProps) -> Html {
    let ChatState { log, input, error } = state;
    let onsubmit = {
        let to = props.to.as_ref().map(|to| to.to_string());
        let input = input.clone();
        let error = error.clone();
        let on_send = props.on_send.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            match on_send.emit((field.value(), to.clone())) {
                None => {
                    field.set_value("");
                    error.set(None);
                }
                Some(sentence) => error.set(Some(sentence)),
            }
        })
    };

    // A list that is also a polite live region (new lines are read out): `role="log"` on the
    // `<ol>` would take its list role away and leave the lines outside any list (axe `listitem`).
    html! {
        <section class="panel chat" aria-labelledby="chat-title">
            <h2 id="chat-title" class="panel-title">{ "Lobby chat" }</h2>
            <ol ref={log.clone()} class="chat-log" data-testid="chat-log" aria-label="Chat messages"
                aria-live="polite" aria-relevant="additions" tabindex="0">
                { for props.lines.iter().map(|line| chat_line(line, &props.me)) }
            </ol>
            if props.lines.is_empty() {
                <p class="empty chat-empty">{ "No messages yet. Say hello!" }</p>
            }
            if let Some(to) = &props.to {
                <p class="chat-to" data-testid="chat-to">
                    { "Private to " }{ crate::components::name::name(to) }
                    <button type="button" class="btn btn-small" data-testid="chat-to-clear"
                        onclick={props.on_clear_to.reform(|_: MouseEvent| ())}>{ "Send to everyone" }</button>
                </p>
            }
            <form class="chat-form" onsubmit={onsubmit}>
                <input
                    ref={input.clone()}
                    class="field"
                    type="text"
                    placeholder={if props.enabled { "Write a message…" } else { "Offline" }}
                    aria-label={if props.to.is_some() { "Private message" } else { "Message" }}
                    autocomplete="off"
                    maxlength={MAX_CHAT_CHARS.to_string()}
                    disabled={!props.enabled}
                    data-testid="chat-input"
                />
                <button type="submit" class="btn btn-primary" data-testid="chat-send" disabled={!props.enabled}>
                    { "Send" }
                </button>
            </form>
            if let Some(error) = &**error {
                <p class="field-error" role="alert">{ error.clone() }</p>
            }
        </section>
    }
}

fn chat_line(line: &ChatLine, me: &str) -> Html {
    let date = js_sys::Date::new(&JsValue::from_f64(line.date as f64));
    // `toISOString` throws on an invalid date (a `date` out of range): show no time then.
    let (time, iso) = if date.get_time().is_nan() {
        (String::new(), None)
    } else {
        let iso = String::from(date.to_iso_string());
        (clock(date.get_hours(), date.get_minutes()), Some(iso))
    };
    let mine = line.name == me;
    html! {
        // `CLASS`, not `class`: no `Classes` set (see `components`).
        <li key={line.seq} CLASS={match (mine, line.private) {
            (false, false) => "chat-line",
            (true, false) => "chat-line mine",
            (false, true) => "chat-line private",
            (true, true) => "chat-line mine private",
        }} data-testid="chat-line">
            <time class="chat-time" datetime={iso} data-testid="chat-time">{ time }</time>
            <span class="chat-name" data-testid="chat-name">{ crate::components::name::name(&line.name) }</span>
            if line.private {
                <span class="tag" data-testid="chat-private">{ "private" }</span>
            }
            <span class="chat-text" data-testid="chat-text">{ line.text.clone() }</span>
        </li>
    }
}
