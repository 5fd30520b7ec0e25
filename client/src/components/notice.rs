//! A dismissable sentence shown in the page (never `alert()`).

use yew::prelude::*;

use crate::components::name::with_name;

/// What a notice shows.
pub struct NoticeProps {
    pub text: AttrValue,
    /// A user name in `text`, shown isolated ([`crate::components::name`]).
    pub name: Option<AttrValue>,
    /// The `data-testid` (`notice` for call notices, `server-notice` for server errors).
    pub testid: AttrValue,
    /// Read out by screen readers itself (`role="status"`); call notices are not, the page's
    /// live region says them (`components::live_region`).
    pub live: bool,
    pub on_dismiss: Callback<()>,
}

/// The notice (a plain function, not a component: smaller wasm).
pub fn notice(props: &NoticeProps) -> Html {
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="notice" data-testid={props.testid.clone()}
            role={props.live.then_some("status")}>
            <span class="notice-text">{ with_name(&props.text, props.name.as_deref()) }</span>
            <button type="button" class="icon-btn" aria-label="Dismiss" title="Dismiss" onclick={dismiss}>
                { crate::components::icons::close() }
            </button>
        </div>
    }
}
