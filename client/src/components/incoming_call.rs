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

use crate::call::CallCommand;

/// How long the prompt's buttons ignore activation after it appears.
pub const ARM_DELAY_MS: u32 = 1_000;

/// Whether the prompt's buttons take clicks: `false` for [`ARM_DELAY_MS`] from each new ring
/// (`caller`: who rings, `None` when nothing does). A hook of the call area, not a component
/// of its own (bundle diet: a component's Yew machinery costs more wasm than its view).
#[hook]
pub fn use_armed(caller: Option<String>) -> bool {
    let armed = use_state(|| false);
    {
        let armed = armed.setter();
        use_effect_with(caller, move |caller| {
            armed.set(false);
            let timeout = caller
                .is_some()
                .then(|| Timeout::new(ARM_DELAY_MS, move || armed.set(true)));
            move || drop(timeout)
        });
    }
    *armed
}

/// The prompt for `peer`'s ringing call; `armed` from [`use_armed`]; Accept, Decline, Block
/// and Escape become [`CallCommand`]s.
pub fn incoming_call(peer: &str, armed: bool, on_command: &Callback<CallCommand>) -> Html {
    let onkeydown = {
        let on_command = on_command.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_command.emit(CallCommand::Decline);
            }
        })
    };
    // A disabled button fires no click; the check is for a click already on its way.
    let guarded = |command: CallCommand| {
        let on_command = on_command.clone();
        Callback::from(move |_: MouseEvent| {
            if armed {
                on_command.emit(command.clone());
            }
        })
    };
    // Shown upper-cased by the stylesheet (`.avatar`): Rust's case tables would cost the page KBs.
    let initial: String = peer.chars().next().map(String::from).unwrap_or_default();
    html! {
        <div class="incoming" role="alertdialog" aria-labelledby="incoming-title" aria-describedby="incoming-hint" onkeydown={onkeydown}
            data-testid="incoming-call" data-armed={armed.then_some("true")}>
            <div class="avatar avatar-large ringing" aria-hidden="true">{ initial }</div>
            <h2 id="incoming-title" class="incoming-title">{ "Incoming call from " }{ crate::components::name::name(peer) }</h2>
            <p id="incoming-hint" class="incoming-hint">{ "Your camera and microphone start when you accept. Esc declines." }</p>
            <div class="actions">
                <button type="button" class="btn btn-accept" data-testid="accept-call"
                    disabled={!armed} onclick={guarded(CallCommand::Accept)}>
                    { crate::components::icons::phone() }
                    { "Accept" }
                </button>
                <button type="button" class="btn btn-danger" data-testid="decline-call"
                    disabled={!armed} onclick={guarded(CallCommand::Decline)}>
                    { crate::components::icons::hang_up() }
                    { "Decline" }
                </button>
                <button type="button" class="btn btn-small" data-testid="block-caller"
                    title={crate::text::block_title(peer)}
                    disabled={!armed} onclick={guarded(CallCommand::Block { peer: peer.to_owned() })}>
                    { "Block" }
                </button>
            </div>
        </div>
    }
}
