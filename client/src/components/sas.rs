//! The short authentication string shown during a call: six digits made from both sides'
//! DTLS certificates (`crate::call::sas`), with what to do with them. The `sas` hook holds the
//! code as its only text.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SasProps {
    /// The other person.
    pub peer: AttrValue,
    /// The code, `123 456`.
    pub code: AttrValue,
}

#[function_component]
pub fn Sas(props: &SasProps) -> Html {
    html! {
        <p class="sas-line">
            <span class="sas-label">{ "Security code " }</span>
            <span class="sas" data-testid="sas">{ props.code.clone() }</span>
            <span class="sas-hint">
                { "Compare this code with " }{ crate::components::name::name(&props.peer) }
                { ": if it matches, nobody is listening in." }
            </span>
        </p>
    }
}
