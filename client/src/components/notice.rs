//! A dismissable sentence shown in the page (never `alert()`).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub text: AttrValue,
    /// The `data-testid` (`notice` for call notices, `server-notice` for server errors).
    pub testid: AttrValue,
    pub on_dismiss: Callback<()>,
}

#[function_component]
pub fn Notice(props: &NoticeProps) -> Html {
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="notice" data-testid={props.testid.clone()} role="status">
            <span class="notice-text">{ props.text.clone() }</span>
            <button type="button" class="icon-btn" aria-label="Dismiss" title="Dismiss" onclick={dismiss}>
                { crate::components::icons::close() }
            </button>
        </div>
    }
}
