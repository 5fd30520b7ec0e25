//! Who is online. Each entry is a button that calls that person; our own entry is marked and
//! cannot be activated, and nobody can be called while a call is going on. Someone whose
//! connection is away (within the server's grace window) stays listed, marked "reconnecting…",
//! and cannot be called until back. Next to everyone else is a Block / Unblock toggle: a
//! blocked user's calls are declined without ringing (the call machine does it) and they are
//! shown as blocked and cannot be called until unblocked. A Message button makes the chat's next
//! lines go to that user alone.

use std::collections::BTreeSet;

use yew::prelude::*;

use crate::roster::Roster;

/// What the list shows and where its buttons go.
pub struct UserListProps {
    pub users: Roster,
    /// Our own name (as the server gave it).
    pub me: AttrValue,
    /// Calls can be placed now (logged in, no call going on).
    pub can_call: bool,
    pub on_call: Callback<String>,
    /// The users blocked for the session.
    pub blocked: BTreeSet<String>,
    /// Block (`true`) or unblock (`false`) this user.
    pub on_block: Callback<(String, bool)>,
    /// Write to this user privately.
    pub on_message: Callback<String>,
}

/// The list (a plain function, not a component: smaller wasm).
pub fn user_list(props: &UserListProps) -> Html {
    let count = props.users.len();
    html! {
        <section class="panel users" aria-labelledby="users-title">
            <h2 id="users-title" class="panel-title">
                { "Online" }
                <span class="count" aria-label={format!("{count} online")}>{ count }</span>
            </h2>
            <ul class="user-list" data-testid="user-list">
                { for props.users.iter().map(|user| user_entry(props, user)) }
            </ul>
            if count <= 1 {
                <p class="empty">{ "Nobody else is here yet. Share the page's address to invite someone." }</p>
            }
        </section>
    }
}

fn user_entry(props: &UserListProps, user: &str) -> Html {
    let is_self = *props.me == *user;
    let reconnecting = props.users.is_reconnecting(user);
    let blocked = props.blocked.contains(user);
    let enabled = !is_self && props.can_call && !reconnecting && !blocked;
    let onclick = {
        let on_call = props.on_call.clone();
        let user = user.to_owned();
        Callback::from(move |_: MouseEvent| on_call.emit(user.clone()))
    };
    let title = if is_self {
        "This is you".to_owned()
    } else if blocked {
        crate::text::blocked_title(user)
    } else if reconnecting {
        crate::text::around("", user, " is reconnecting")
    } else if props.can_call {
        crate::text::around("Call ", user, "")
    } else {
        "You can call once the current call is over".to_owned()
    };
    // Shown upper-cased by the stylesheet (`.avatar`): Rust's case tables would cost the page KBs.
    let initial: String = user.chars().next().map(String::from).unwrap_or_default();
    let actions = (!is_self).then(|| {
        let on_message = props.on_message.clone();
        let name = user.to_owned();
        let onclick = Callback::from(move |_: MouseEvent| on_message.emit(name.clone()));
        html! {
            <>
                <button type="button" class="btn btn-small" data-testid="private-message"
                    data-name={user.to_owned()} aria-label={crate::text::around("Message ", user, " privately")}
                    onclick={onclick}>
                    { "Message" }
                </button>
                { block_toggle(props, user, blocked) }
            </>
        }
    });
    html! {
        <li key={user.to_owned()} class="user-row">
            <button
                type="button"
                // `CLASS`, not `class`: no `Classes` set (see `components`).
                CLASS={if is_self { "user user-self" } else { "user" }}
                data-testid="user"
                data-name={user.to_owned()}
                data-self={is_self.then_some("true")}
                data-state={reconnecting.then_some("reconnecting")}
                data-blocked={blocked.then_some("true")}
                disabled={!enabled}
                title={title}
                onclick={onclick}
            >
                <span class="avatar" aria-hidden="true">{ initial }</span>
                <span class="user-name">{ crate::components::name::name(user) }</span>
                if is_self {
                    <span class="tag">{ "you" }</span>
                } else if blocked {
                    <span class="user-state">{ "blocked" }</span>
                } else if reconnecting {
                    <span class="user-state">{ "reconnecting…" }</span>
                } else if props.can_call {
                    <span class="call-hint" aria-hidden="true">{ "Call" }</span>
                }
            </button>
            { for actions }
        </li>
    }
}

/// The Block / Unblock toggle next to someone else's entry.
fn block_toggle(props: &UserListProps, user: &str, blocked: bool) -> Html {
    let onclick = {
        let on_block = props.on_block.clone();
        let user = user.to_owned();
        Callback::from(move |_: MouseEvent| on_block.emit((user.clone(), !blocked)))
    };
    let (label, title) = crate::text::block_toggle(user, blocked);
    html! {
        <button type="button" class="btn btn-small user-block" data-testid="block-user"
            data-name={user.to_owned()} aria-pressed={if blocked { "true" } else { "false" }}
            title={title} onclick={onclick}>
            { label }
        </button>
    }
}
