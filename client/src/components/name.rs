//! Names as the page shows them: each in its own `<bdi>`, so a name's direction (a Hebrew or
//! Arabic name, digits after it) never reorders the words around it, in the user list, chat,
//! our own name, the incoming call and the call's status and notices.

use yew::prelude::*;

use crate::call::CallNotice;

/// A user name, isolated.
pub fn name(text: &str) -> Html {
    html! { <bdi class="name">{ text.to_owned() }</bdi> }
}

/// `sentence` with `name` (when given and found in it) isolated; the text stays the same.
pub fn with_name(sentence: &str, name: Option<&str>) -> Html {
    let Some((start, name)) = name.and_then(|n| find_name(sentence, n).map(|at| (at, n))) else {
        return html! { sentence.to_owned() };
    };
    let (before, rest) = sentence.split_at(start);
    let after = &rest[name.len()..];
    html! {
        <>
            { before.to_owned() }
            <bdi class="name">{ name.to_owned() }</bdi>
            { after.to_owned() }
        </>
    }
}

/// The user a call notice names, if any.
pub fn notice_peer(notice: &CallNotice) -> Option<&str> {
    match notice {
        CallNotice::Declined { peer }
        | CallNotice::Busy { peer }
        | CallNotice::PeerMediaFailed { peer }
        | CallNotice::Left { peer }
        | CallNotice::Missed { peer }
        | CallNotice::HungUp { peer }
        | CallNotice::NoAnswer { peer }
        | CallNotice::SetupFailed { peer }
        | CallNotice::ConnectionFailed { peer, .. }
        | CallNotice::NoPath { peer, .. } => Some(peer),
        CallNotice::ServerLost | CallNotice::Media(_) => None,
    }
}

/// Where `name` stands in `sentence`: the last occurrence that is a whole word (no letter or
/// digit touching it on either side), else the last occurrence. Our sentences put the name
/// once, and words of the sentence that equal the name come before it ("In a call with a").
/// Tested in the browser (`client/tests/names_render.rs`), as components build only for wasm.
pub fn find_name(sentence: &str, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let found: Vec<usize> = sentence.match_indices(name).map(|(at, _)| at).collect();
    let whole = |&at: &usize| {
        let before = sentence[..at].chars().next_back();
        let after = sentence[at + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    };
    found
        .iter()
        .rev()
        .find(|at| whole(at))
        .or(found.last())
        .copied()
}
