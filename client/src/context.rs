//! The page state as a Yew context: a type alias for the reducer handle plus the provider
//! component that owns the reducer (as in Yew's `contexts` example); and [`CallContext`], the
//! call's driver and data channel as the root hands them down.
//!
//! The root's connection logic and the [`crate::components::Page`] view both read it; leaf
//! components get plain props.

use web_sys::RtcDataChannel;
use yew::prelude::*;

use crate::call::driver::CallDriver;
use crate::state::{AppState, StoredSession};

/// The call as the root hands it down (as props, not a context: each context type costs its
/// own provider component and hook code in the wasm): the driver (the quality indicator reads
/// the call's stats through it) and the call's data channel (the in-call chat).
#[derive(Clone, PartialEq)]
pub struct CallContext {
    pub driver: CallDriver,
    pub channel: Option<RtcDataChannel>,
    /// The group call (issue 13).
    pub group: crate::components::group_call::GroupHandles,
}

/// The page state and its dispatcher.
pub type AppContext = UseReducerHandle<AppState>;

#[derive(Properties, PartialEq)]
pub struct StateProviderProps {
    #[prop_or_default]
    pub children: Html,
    /// A session this tab kept across a reload: the page starts by resuming it.
    #[prop_or_default]
    pub restore: Option<StoredSession>,
}

/// Owns the page state and provides it to everything inside.
#[function_component]
pub fn StateProvider(props: &StateProviderProps) -> Html {
    let restore = props.restore.clone();
    let state = use_reducer(move || restore.map_or_else(AppState::default, AppState::restored));
    html! {
        <ContextProvider<AppContext> context={state}>
            { props.children.clone() }
        </ContextProvider<AppContext>>
    }
}
