//! The login form: a name, validated in the page with the server's own rules
//! (`shared::UserName::parse`) before anything is sent. In a room (issue 13) it also asks for
//! the room's passcode once the room wanted one, and says when the room is full.

use shared::UserName;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::passcode_from;
use crate::text::name_error_sentence;
use crate::text::rooms::room_form_sentence;

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
    /// In a room, not the public lobby.
    #[prop_or_default]
    pub in_room: bool,
    /// The room wants a passcode: the form shows its field (`room-passcode`).
    #[prop_or_default]
    pub ask_passcode: bool,
    /// The room refused the login because it is full (`error` says so as `room-full`).
    #[prop_or_default]
    pub room_full: bool,
    /// The passcode typed, sent right before `on_login` while the field is shown.
    #[prop_or_default]
    pub on_passcode: Callback<String>,
}

#[function_component]
pub fn LoginForm(props: &LoginFormProps) -> Html {
    let input = use_node_ref();
    let passcode = use_node_ref();
    let local_error = use_state(|| None::<String>);

    {
        // The name field first; the passcode field once the room asks for it.
        let (input, passcode) = (input.clone(), passcode.clone());
        use_effect_with(props.ask_passcode, move |ask| {
            let field = if *ask { passcode } else { input };
            if let Some(input) = field.cast::<HtmlInputElement>() {
                // Focus is a convenience; a refusal (e.g. page in the background) is harmless.
                let _ = input.focus();
            }
        });
    }

    let onsubmit = {
        let input = input.clone();
        let local_error = local_error.clone();
        let on_login = props.on_login.clone();
        let (passcode, on_passcode) = (passcode.clone(), props.on_passcode.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let raw = input
                .cast::<HtmlInputElement>()
                .map(|input| input.value())
                .unwrap_or_default();
            let code = passcode
                .cast::<HtmlInputElement>()
                .map(|input| input.value());
            if let Some(Err(error)) = code.as_deref().map(passcode_from) {
                local_error.set(Some(room_form_sentence(Some(error)).into()));
                return;
            }
            match UserName::parse(&raw) {
                Ok(name) => {
                    local_error.set(None);
                    if let Some(code) = code {
                        on_passcode.emit(code);
                    }
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
    // The server's refusal is about the room (full, passcode), not the name.
    let about_room =
        error.is_some() && local_error.is_none() && (props.room_full || props.ask_passcode);
    let error_id = if props.room_full && local_error.is_none() {
        "room-full"
    } else {
        "login-error"
    };
    html! {
        <form class="card login" onsubmit={onsubmit} novalidate=true>
            <h1 class="login-title">{ if props.in_room { "Join the room" } else { "Join the lobby" } }</h1>
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
                aria-invalid={(error.is_some() && !about_room).then_some("true")}
                aria-describedby={error.is_some().then_some("login-error")}
            />
            if props.ask_passcode {
                <label class="field-label" for="room-passcode">{ "Room passcode" }</label>
                <input ref={passcode} id="room-passcode" class="field" type="password"
                    autocomplete="off" maxlength="64" data-testid="room-passcode"
                    aria-invalid={about_room.then_some("true")}
                    aria-describedby={error.is_some().then_some("login-error")} />
            }
            if let Some(error) = error {
                <p id="login-error" class="field-error" data-testid={error_id} role="alert">
                    { error }
                </p>
            }
            <button type="submit" class="btn btn-primary" data-testid="login-submit" disabled={props.joining}>
                { if props.joining { "Joining…" } else { "Join" } }
            </button>
        </form>
    }
}
