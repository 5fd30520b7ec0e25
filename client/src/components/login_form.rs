//! The login form: a name, validated in the page with the server's own rules
//! (`shared::UserName::parse`) before anything is sent.

use shared::UserName;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::text::name_error_sentence;

#[derive(Properties, PartialEq)]
pub struct LoginFormProps {
    /// A login is on its way to the server.
    #[prop_or_default]
    pub joining: bool,
    /// A problem reported by the server for the last try.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// A valid name was submitted.
    pub on_login: Callback<UserName>,
}

#[function_component]
pub fn LoginForm(props: &LoginFormProps) -> Html {
    let input = use_node_ref();
    let local_error = use_state(|| None::<String>);

    {
        let input = input.clone();
        use_effect_with((), move |_| {
            if let Some(input) = input.cast::<HtmlInputElement>() {
                // Focus is a convenience; a refusal (e.g. page in the background) is harmless.
                let _ = input.focus();
            }
        });
    }

    let onsubmit = {
        let input = input.clone();
        let local_error = local_error.clone();
        let on_login = props.on_login.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let raw = input
                .cast::<HtmlInputElement>()
                .map(|input| input.value())
                .unwrap_or_default();
            match UserName::parse(&raw) {
                Ok(name) => {
                    local_error.set(None);
                    on_login.emit(name);
                }
                Err(error) => local_error.set(Some(name_error_sentence(&error))),
            }
        })
    };

    let error: Option<AttrValue> = (*local_error)
        .clone()
        .map(AttrValue::from)
        .or_else(|| props.error.clone());
    html! {
        <form class="card login" onsubmit={onsubmit} novalidate=true>
            <h1 class="login-title">{ "Join the lobby" }</h1>
            <p class="login-lead">{ "Pick a name so others can find and call you." }</p>
            <label class="field-label" for="login-name">{ "Your name" }</label>
            <input
                ref={input}
                id="login-name"
                class="field"
                type="text"
                name="name"
                autocomplete="nickname"
                spellcheck="false"
                placeholder="e.g. Alice"
                data-testid="login-name"
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then_some("login-error")}
            />
            if let Some(error) = error {
                <p id="login-error" class="field-error" data-testid="login-error" role="alert">
                    { error }
                </p>
            }
            <button type="submit" class="btn btn-primary" data-testid="login-submit" disabled={props.joining}>
                { if props.joining { "Joining…" } else { "Join" } }
            </button>
        </form>
    }
}
