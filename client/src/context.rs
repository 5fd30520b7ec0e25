//! The page state as a Yew context: a type alias for the reducer handle plus the provider
//! component that owns the reducer (as in Yew's `contexts` example).
//!
//! The root's connection logic and the [`crate::components::Page`] view both read it; leaf
//! components get plain props.

use yew::prelude::*;

use crate::state::AppState;

/// The page state and its dispatcher.
pub type AppContext = UseReducerHandle<AppState>;

#[derive(Properties, PartialEq)]
pub struct StateProviderProps {
    #[prop_or_default]
    pub children: Html,
}

/// Owns the page state and provides it to everything inside.
#[function_component]
pub fn StateProvider(props: &StateProviderProps) -> Html {
    let state = use_reducer(AppState::default);
    html! {
        <ContextProvider<AppContext> context={state}>
            { props.children.clone() }
        </ContextProvider<AppContext>>
    }
}
