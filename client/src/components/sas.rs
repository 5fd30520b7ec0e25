//! The short authentication string shown during a call: six digits made from both sides'
//! DTLS certificates (`crate::call::sas`), with what to do with them. The `sas` hook holds the
//! code as its only text. A plain function, not a component: it has no state of its own.

use yew::prelude::*;

/// "Security code 123 456 — Compare this code with bob: if it matches, nobody is listening in."
pub fn sas_line(peer: &str, code: &str) -> Html {
    html! {
        <p class="sas-line">
            <span class="sas-label">{ "Security code " }</span>
            <span class="sas" data-testid="sas">{ code.to_owned() }</span>
            <span class="sas-hint">
                { "Compare this code with " }{ crate::components::name::name(peer) }
                { ": if it matches, nobody is listening in." }
            </span>
        </p>
    }
}
