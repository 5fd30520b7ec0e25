//! Who we are: the name the server gave, and a note when it is not the one asked for.

use yew::prelude::*;

use crate::components::name::name;
use crate::state::Me;

/// Our name and the note (a plain function, not a component: smaller wasm).
pub fn identity(me: &Me) -> Html {
    html! {
        <div class="identity">
            <span class="identity-label">{ "You are " }</span>
            <strong class="identity-name" data-testid="my-name">{ name(&me.name) }</strong>
            if me.name_changed() {
                <span class="name-changed" data-testid="name-changed" role="status">
                    { "“" }{ name(&me.asked) }{ "” was taken, so the server named you “" }{ name(&me.name) }{ "”." }
                </span>
            }
        </div>
    }
}
