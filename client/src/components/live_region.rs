//! The page's one live region (issue 12, accessibility): a visually hidden `role="status"` that
//! screen readers read out when its text changes. It says the call's changes of phase (ringing,
//! connected, ended, … in [`crate::announce`]'s words) and every call notice (declined, hung up,
//! "alice muted", …) in the notice's own words, whichever came last. The status line and the
//! notice box are not live themselves, so nothing is said twice.

use yew::prelude::*;

use crate::announce::phase_change;
use crate::call::{CallNotice, CallPhase};
use crate::text::call_notice;

/// The region, as a hook of the page rather than a component of its own (less wasm): it keeps
/// what was said and the phase it last saw.
#[hook]
pub fn use_live_region(phase: &CallPhase, notice: &Option<CallNotice>) -> Html {
    let said = use_state(String::new);
    let previous = use_mut_ref(|| phase.clone());
    {
        let said = said.setter();
        use_effect_with(phase.clone(), move |phase| {
            let before = previous.replace(phase.clone());
            if let Some(sentence) = phase_change(&before, phase) {
                said.set(sentence);
            }
        });
    }
    {
        // Declared after the phase: a notice that comes with a change of phase (Bob declined,
        // and the call is over) is the more telling sentence, so it is the one said.
        let said = said.setter();
        use_effect_with(notice.clone(), move |notice| {
            if let Some(notice) = notice {
                said.set(call_notice(notice));
            }
        });
    }
    html! {
        <div class="visually-hidden" data-testid="live-region" role="status" aria-live="polite"
            aria-atomic="true">
            { (*said).clone() }
        </div>
    }
}
