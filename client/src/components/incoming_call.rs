//! The incoming-call prompt: Accept, Decline (Escape declines too, from inside the prompt) and
//! Block (declines and blocks the caller for the session).
//!
//! Ringing cannot be accepted by accident: focus stays where it was (an Enter typed in the
//! chat stays in the chat), and the three buttons are disabled for [`ARM_DELAY_MS`] after the
//! prompt appears, as browsers do with their permission prompts, so a click or key aimed at
//! what was under the pointer a moment ago does nothing. Each new ring (a new prompt, or a new
//! caller) starts that delay again, so an offer/hang-up loop only keeps the buttons disabled.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How long the prompt's buttons ignore activation after it appears.
pub const ARM_DELAY_MS: u32 = 1_000;

#[derive(Properties, PartialEq)]
pub struct IncomingCallProps {
    pub peer: AttrValue,
    pub on_accept: Callback<()>,
    pub on_decline: Callback<()>,
    /// Decline and block the caller for the session.
    #[prop_or_default]
    pub on_block: Callback<()>,
}

#[function_component]
pub fn IncomingCall(props: &IncomingCallProps) -> Html {
    let armed = use_state(|| false);
    {
        let armed = armed.setter();
        use_effect_with(props.peer.clone(), move |_| {
            armed.set(false);
            let timeout = Timeout::new(ARM_DELAY_MS, move || armed.set(true));
            move || drop(timeout)
        });
    }
    let armed = *armed;
    let onkeydown = {
        let on_decline = props.on_decline.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_decline.emit(());
            }
        })
    };
    // A disabled button fires no click; the check is for a click already on its way.
    let guarded = |callback: &Callback<()>| {
        let callback = callback.clone();
        Callback::from(move |_: MouseEvent| {
            if armed {
                callback.emit(());
            }
        })
    };
    // Shown upper-cased by the stylesheet (`.avatar`): Rust's case tables would cost the page KBs.
    let initial: String = props
        .peer
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    html! {
        <div class="incoming" role="alertdialog" aria-labelledby="incoming-title" aria-describedby="incoming-hint" onkeydown={onkeydown}
            data-testid="incoming-call" data-armed={armed.then_some("true")}>
            <div class="avatar avatar-large ringing" aria-hidden="true">{ initial }</div>
            <h2 id="incoming-title" class="incoming-title">{ "Incoming call from " }{ crate::components::name::name(&props.peer) }</h2>
            <p id="incoming-hint" class="incoming-hint">{ "Your camera and microphone start when you accept. Esc declines." }</p>
            <div class="actions">
                <button type="button" class="btn btn-accept" data-testid="accept-call"
                    disabled={!armed} onclick={guarded(&props.on_accept)}>
                    { crate::components::icons::phone() }
                    { "Accept" }
                </button>
                <button type="button" class="btn btn-danger" data-testid="decline-call"
                    disabled={!armed} onclick={guarded(&props.on_decline)}>
                    { crate::components::icons::hang_up() }
                    { "Decline" }
                </button>
                <button type="button" class="btn btn-small" data-testid="block-caller"
                    title={crate::text::block_title(&props.peer)}
                    disabled={!armed} onclick={guarded(&props.on_block)}>
                    { "Block" }
                </button>
            </div>
        </div>
    }
}
