//! Chat and files inside the call (issue 12, point 6): the lines, the input, the file picker,
//! and one row per transfer with its progress bar, Cancel, and for a received file its
//! download link. Everything goes over the call's data channel (`ChatLink`), never through
//! the server. With a peer whose app has no such channel (MDN's client) the chat says it is
//! unavailable.
//!
//! The channel comes from the call driver through the root's props
//! (`crate::context::CallContext`). The link loop lives as long as the call's stage is shown
//! ([`use_call_chat`], a hook of the call area): when the call ends it goes, and with it the
//! received chunks and the download's URL.

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, RtcDataChannel};
use yew::prelude::*;

use crate::call::driver::channel::{ChatLink, LinkUpdate};
use crate::call::link::words::{bytes, error_sentence, state_name, transfer_sentence};
use crate::call::link::{Direction, LinkInput, TransferState, TransferView};

/// How long a used download link stays before its URL is revoked (the download has
/// started by then; the browser holds the bytes itself).
const USED_LINK_MS: u32 = 2_000;

/// The chat's state: the link (while shown), its last update and the text input.
pub struct CallChatState {
    link: std::rc::Rc<Option<ChatLink>>,
    update: UseStateHandle<LinkUpdate>,
    text: NodeRef,
}

/// The call's chat link while `shown` (a call's stage is on the page), given the data
/// `channel` (`None` until the driver has one); each new showing starts a new link, and the
/// old one goes with its received chunks and download URL. A hook of the call area, not a
/// component of its own (bundle diet: a component's Yew machinery costs more wasm than its
/// view).
#[hook]
pub fn use_call_chat(shown: bool, channel: Option<RtcDataChannel>) -> CallChatState {
    let update = use_state_eq(LinkUpdate::default);
    let link = {
        let setter = update.setter();
        use_memo(shown, move |&shown| {
            shown.then(|| ChatLink::new(Callback::from(move |u| setter.set(u))))
        })
    };
    {
        let setter = update.setter();
        use_effect_with(shown, move |_| setter.set(LinkUpdate::default()));
    }
    {
        let link = link.clone();
        use_effect_with((shown, channel), move |(_, channel)| {
            if let Some(link) = &*link {
                link.set_channel(channel.clone());
            }
        });
    }
    let text = use_node_ref();
    CallChatState { link, update, text }
}

/// The chat with `peer`, from [`use_call_chat`]; `in_call`: media flows, so a chat that is
/// still not ready says it is unavailable.
pub fn call_chat(state: &CallChatState, peer: &str, in_call: bool) -> Html {
    let CallChatState { link, update, text } = state;
    let Some(link) = &**link else {
        return Html::default();
    };
    let view = &update.view;

    let on_submit = {
        let (link, text) = (link.clone(), text.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(input) = text.cast::<HtmlInputElement>() {
                link.input(LinkInput::SendText(input.value()));
                input.set_value("");
            }
        })
    };
    let on_file = {
        let link = link.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                link.send_file(file);
            }
            // The same file can be picked again.
            input.set_value("");
        })
    };
    let sending = view.outgoing.as_ref().is_some_and(|t| t.state.is_live());
    let transfers = [&view.outgoing, &view.incoming]
        .into_iter()
        .flatten()
        .map(|t| transfer(t, peer, link, update.download.as_deref()));

    html! {
        <section class="call-chat" data-testid="call-chat" data-ready={super::truth(view.ready)}
            aria-label="Chat in the call">
            if view.ready {
                <ol class="call-chat-lines" aria-live="polite">
                    { for view.lines.iter().map(|line| html! {
                        <li class="call-chat-line" data-testid="call-chat-line"
                            data-mine={super::truth(line.mine)}>
                            <span class="call-chat-who">{ if line.mine { "You" } else { peer } }</span>
                            { ": " }{ &line.text }
                        </li>
                    }) }
                </ol>
                <form class="call-chat-form" onsubmit={on_submit}>
                    <input ref={text.clone()} type="text" data-testid="call-chat-input" maxlength="2000"
                        aria-label={crate::text::around("Message to ", peer, " in the call")} autocomplete="off" />
                    <button type="submit" class="btn" data-testid="call-chat-send">{ "Send" }</button>
                    <label class="btn call-chat-file">
                        { "Send a file" }
                        <input type="file" data-testid="send-file" disabled={sending}
                            onchange={on_file} aria-label="Send a file (up to 100 MB)" />
                    </label>
                </form>
            } else if in_call {
                <p class="call-chat-off" data-testid="call-chat-unavailable">
                    { crate::text::around("Chat and files are unavailable in this call (", peer, "'s app does not offer them).") }
                </p>
            }
            { for transfers }
            if let Some(error) = view.error {
                <p class="call-chat-error" data-testid="call-chat-error" role="alert">
                    { error_sentence(error, peer) }
                </p>
            }
        </section>
    }
}

/// One transfer's row.
fn transfer(t: &TransferView, peer: &str, link: &ChatLink, url: Option<&str>) -> Html {
    let direction = t.direction;
    let live = t.state.is_live();
    let on = |input: LinkInput| {
        let link = link.clone();
        Callback::from(move |_: MouseEvent| link.input(input.clone()))
    };
    let cancel = on(LinkInput::Cancel(direction));
    let dismiss = on(LinkInput::Dismiss(direction));
    let used = {
        let link = link.clone();
        Callback::from(move |_: MouseEvent| {
            let link = link.clone();
            spawn_local(async move {
                TimeoutFuture::new(USED_LINK_MS).await;
                link.input(LinkInput::Dismiss(Direction::In));
            });
        })
    };
    let (value, max) = if t.size == 0 {
        (1, 1)
    } else {
        (t.done, t.size)
    };
    let label = match direction {
        Direction::Out => crate::text::around("Sending ", &t.name, ""),
        Direction::In => crate::text::around("Receiving ", &t.name, ""),
    };
    let done_in = direction == Direction::In && t.state == TransferState::Done;
    html! {
        <div class="transfer" data-testid="file-transfer"
            data-direction={if direction == Direction::Out { "out" } else { "in" }}
            data-state={state_name(t.state)}>
            <span class="transfer-name">{ &t.name }{ " " }<small>{ bytes(t.size) }</small></span>
            <progress data-testid="file-progress" value={value.to_string()} max={max.to_string()}
                aria-label={label} />
            <span class="transfer-status" data-testid="file-status">{ transfer_sentence(t, peer) }</span>
            if live {
                <button type="button" class="btn" data-testid="file-cancel" onclick={cancel}>{ "Cancel" }</button>
            }
            if let (true, Some(url)) = (done_in, url) {
                <a class="btn" data-testid="file-download" href={url.to_owned()}
                    download={t.name.clone()} onclick={used}>{ "Save" }</a>
            }
            if !live {
                <button type="button" class="btn" data-testid="file-dismiss" onclick={dismiss}
                    aria-label="Dismiss">{ "×" }</button>
            }
        </div>
    }
}
