//! The lobby once logged in: who is online, the call area and the chat, laid out in columns on
//! wide screens and stacked on phones. It keeps who private messages go to (picked in the list,
//! shown and cleared in the chat).

use std::rc::Rc;

use web_sys::MediaStream;
use yew::prelude::*;

use crate::call::{CallCommand, CallView};
use crate::components::chat::{ChatProps, chat, use_chat};
use crate::components::user_list::UserListProps;
use crate::components::{CallPanel, user_list};
use crate::context::CallContext;
use crate::roster::Roster;
use crate::state::ChatLine;

#[derive(Properties, PartialEq)]
pub struct LobbyProps {
    pub me: AttrValue,
    pub users: Roster,
    /// Calls can be placed now (logged in, no call going on).
    pub can_call: bool,
    pub chat: Rc<Vec<ChatLine>>,
    pub chat_enabled: bool,
    pub call: CallView,
    #[prop_or_default]
    pub local: Option<MediaStream>,
    #[prop_or_default]
    pub remote: Option<MediaStream>,
    pub on_command: Callback<CallCommand>,
    /// Sends a text, to everyone or to one user; returns a sentence when it was not sent.
    pub on_send_chat: Callback<(String, Option<String>), Option<String>>,
    /// The call's driver and data channel, for the quality indicator and the call chat (props,
    /// not a context: a context costs a provider component and hook code in the wasm).
    #[prop_or_default]
    pub handles: Option<CallContext>,
}

#[function_component]
pub fn Lobby(props: &LobbyProps) -> Html {
    let on_call = props
        .on_command
        .reform(|peer: String| CallCommand::Call { peer });
    let on_block = props.on_command.reform(|(peer, block): (String, bool)| {
        if block {
            CallCommand::Block { peer }
        } else {
            CallCommand::Unblock { peer }
        }
    });
    // The recipient of private messages (a user's Message button picks them); forgotten when
    // they leave.
    let to = use_state(|| None::<String>);
    let shown_to = (*to)
        .clone()
        .filter(|user| props.users.contains(user) && **user != *props.me);
    let on_message = {
        let to = to.clone();
        Callback::from(move |user: String| to.set(Some(user)))
    };
    let on_clear_to = Callback::from(move |()| to.set(None));
    let chat_props = ChatProps {
        lines: props.chat.clone(),
        me: props.me.clone(),
        enabled: props.chat_enabled,
        on_send: props.on_send_chat.clone(),
        to: shown_to.map(AttrValue::from),
        on_clear_to,
    };
    let chat_state = use_chat(&chat_props);
    html! {
        <div class="lobby">
            { user_list(&UserListProps {
                users: props.users.clone(),
                me: props.me.clone(),
                can_call: props.can_call && !props.handles.as_ref().is_some_and(|h| h.group.joined()),
                on_call,
                blocked: props.call.blocked.clone(),
                on_block,
                on_message,
            }) }
            <CallPanel view={props.call.clone()} local={props.local.clone()} remote={props.remote.clone()}
                on_command={props.on_command.clone()} handles={props.handles.clone()} />
            { chat(&chat_state, &chat_props) }
        </div>
    }
}
