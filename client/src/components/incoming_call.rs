//! The incoming-call prompt: Accept (focused at once, so Enter accepts) and Decline (Escape
//! declines too).

use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IncomingCallProps {
    pub peer: AttrValue,
    pub on_accept: Callback<()>,
    pub on_decline: Callback<()>,
}

#[function_component]
pub fn IncomingCall(props: &IncomingCallProps) -> Html {
    let accept = use_node_ref();
    {
        let accept = accept.clone();
        use_effect_with(props.peer.clone(), move |_| {
            if let Some(button) = accept.cast::<HtmlElement>() {
                // Focus is a convenience; a refusal (page in the background) is harmless.
                let _ = button.focus();
            }
        });
    }
    let onkeydown = {
        let on_decline = props.on_decline.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_decline.emit(());
            }
        })
    };
    let initial: String = props
        .peer
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    html! {
        <div class="incoming" role="alertdialog" aria-labelledby="incoming-title" aria-describedby="incoming-hint" onkeydown={onkeydown}>
            <div class="avatar avatar-large ringing" aria-hidden="true">{ initial }</div>
            <h2 id="incoming-title" class="incoming-title">{ "Incoming call from " }{ crate::components::name::name(&props.peer) }</h2>
            <p id="incoming-hint" class="incoming-hint">{ "Your camera and microphone start when you accept. Esc declines." }</p>
            <div class="actions">
                <button ref={accept} type="button" class="btn btn-accept" data-testid="accept-call"
                    onclick={props.on_accept.reform(|_: MouseEvent| ())}>
                    { crate::components::icons::phone() }
                    { "Accept" }
                </button>
                <button type="button" class="btn btn-danger" data-testid="decline-call"
                    onclick={props.on_decline.reform(|_: MouseEvent| ())}>
                    { crate::components::icons::hang_up() }
                    { "Decline" }
                </button>
            </div>
        </div>
    }
}
