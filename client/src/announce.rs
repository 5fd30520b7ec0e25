//! What the page's live region says (issue 12, accessibility): one sentence for each change a
//! person who cannot see the screen must hear about, made from the call's facts. A call ringing,
//! connecting, connected, repairing its media or ending is said here; the call's notices (declined,
//! hung up, "alice muted", …) are said in their own words by the live region itself
//! (`components::live_region`), which takes the latest of the two.
//!
//! Pure, so it is unit-tested on the host: only a change of phase *kind* (not a new `since_ms`)
//! says anything, and nothing is said when the page first draws.

use crate::call::CallPhase;

/// The sentence for the call going from `before` to `after`, if that change is news.
pub fn phase_change(before: &CallPhase, after: &CallPhase) -> Option<String> {
    use CallPhase::*;
    if std::mem::discriminant(before) == std::mem::discriminant(after)
        && before.peer() == after.peer()
    {
        return None;
    }
    match (before, after) {
        (_, Ringing { peer }) => Some(crate::text::around(
            "",
            peer,
            " is calling you. Accept or decline.",
        )),
        (_, Calling { peer }) => Some(crate::text::around("Calling ", peer, "…")),
        (_, Connecting { peer }) => Some(crate::text::around("Connecting to ", peer, "…")),
        // Back from a media repair: the same call goes on.
        (Reconnecting { .. }, InCall { peer, .. }) => {
            Some(crate::text::around("Reconnected to ", peer, "."))
        }
        (_, InCall { peer, .. }) => Some(crate::text::around("Connected to ", peer, ".")),
        (_, Reconnecting { .. }) => Some("The connection dropped; reconnecting media…".into()),
        (Idle, Idle) => None,
        (InCall { peer, .. } | Reconnecting { peer, .. }, Idle) => {
            Some(crate::text::around("Call with ", peer, " ended."))
        }
        (Calling { peer } | Ringing { peer } | Connecting { peer }, Idle) => Some(
            crate::text::around("Call with ", peer, " ended before it started."),
        ),
    }
}

#[cfg(test)]
mod tests;
