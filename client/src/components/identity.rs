//! Who we are: the name the server gave, and a note when it is not the one asked for.

use yew::prelude::*;

use crate::state::Me;

#[derive(Properties, PartialEq)]
pub struct IdentityProps {
    pub me: Me,
}

#[function_component]
pub fn Identity(props: &IdentityProps) -> Html {
    let me = &props.me;
    html! {
        <div class="identity">
            <span class="identity-label">{ "You are " }</span>
            <strong class="identity-name" data-testid="my-name">{ me.name.clone() }</strong>
            if me.name_changed() {
                <span class="name-changed" data-testid="name-changed" role="status">
                    { format!("“{}” was taken, so the server named you “{}”.", me.asked, me.name) }
                </span>
            }
        </div>
    }
}
