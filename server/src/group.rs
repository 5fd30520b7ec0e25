//! Group calls (issue 13), the dispatch side: `group-join`, `group-leave` and `group-signal`
//! from a logged-in client, applied to its registry (one room) with the refusals named for the
//! sender. The list of members and its delivery are the registry's (`registry/group.rs`).
//!
//! Only a client that announced the `group-call` feature may join: only such clients get the
//! `group-call` list and `group-signal` frames, so a member without it could never be reached.

use axum::extract::ws::Utf8Bytes;
use shared::{ErrorCode, UserName};

use crate::inbound::{Inbound, Refusal};
use crate::members::{ConnId, Features};
use crate::registry::Registry;

/// Applies a group-call frame (`frame` is one of the three group types) from `id`, logged in
/// as `me` with `features`.
pub fn apply(
    (id, me, features): (ConnId, &UserName, Features),
    registry: &Registry,
    frame: &Inbound<'_>,
) -> Result<(), Refusal> {
    match frame {
        Inbound::GroupJoin if !features.group_call => Err(Refusal::new(
            ErrorCode::BadMessage,
            "announce the `group-call` feature in `username` to join the group call",
        )),
        Inbound::GroupJoin => registry.group_join(id).map_err(refuse),
        Inbound::GroupLeave => {
            registry.group_leave(id);
            Ok(())
        }
        Inbound::GroupSignal(signal) => {
            let Some(target) = &signal.target else {
                // The decoder requires a target; nothing to relay without one.
                return Err(refuse(ErrorCode::BadMessage));
            };
            let frame: Utf8Bytes = signal.to_json(me.as_str(), target).into();
            registry.group_signal(id, target, frame).map_err(refuse)?;
            crate::metrics::relayed(signal.kind.type_name());
            Ok(())
        }
        _ => Ok(()),
    }
}

fn refuse(code: ErrorCode) -> Refusal {
    let message = match code {
        ErrorCode::CallFull => "the group call is full; nobody was told",
        ErrorCode::InCall => "you are in a call or ringing: hang up before joining the group call",
        ErrorCode::NotInCall => {
            "`group-signal` goes only between two members of the group call; nobody got this"
        }
        ErrorCode::UnknownTarget => "the target is not online",
        ErrorCode::SelfTarget => "the target is yourself",
        _ => "bad `group-signal`",
    };
    Refusal::new(code, message)
}
