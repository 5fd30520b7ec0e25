//! Chat delivery under the server-wide fan-out budget: a chat line costs its frame's bytes times
//! its recipients, and is delivered to all of them or, when the budget is spent, to none (the
//! sender gets `server-busy`). Many clients each within their own chat rate then cannot together
//! make the server write without bound.

use shared::ErrorCode;
use tokio::time::Instant;

use super::{Inner, Registry, deliver};
use crate::chat::ChatFrames;
use crate::limits::{FloodLimits, TokenBucket};
use crate::members::ConnId;

/// The budget `flood` describes, full.
pub(super) fn budget(flood: &FloodLimits) -> TokenBucket {
    TokenBucket::with_amounts(
        flood.fanout_bytes_per_sec as f64,
        flood.fanout_burst_bytes as f64,
        Instant::now(),
    )
}

impl Registry {
    /// A chat line to everyone logged in (sender included), or to `target` and the sender;
    /// `ServerBusy` (and nobody gets it) when the fan-out budget cannot pay for it.
    pub fn chat(
        &self,
        from: ConnId,
        target: Option<&str>,
        frames: &ChatFrames,
    ) -> Result<(), ErrorCode> {
        let mut inner = self.lock();
        let Inner {
            members,
            kicks,
            fanout,
            ..
        } = &mut *inner;
        let private = match target {
            Some(target) => Some(members.target_id(from, target)?),
            None => None,
        };
        let size = |id: ConnId| {
            members
                .get(id)
                .map_or(0, |m| frames.for_client(m.features.plain_text).len())
        };
        let cost: usize = match private {
            Some(to) => size(to) + size(from),
            None => members
                .iter()
                .map(|(_, m)| frames.for_client(m.features.plain_text).len())
                .sum(),
        };
        if let Some(budget) = fanout
            && !budget.try_spend(cost as f64, Instant::now())
        {
            return Err(ErrorCode::ServerBusy);
        }
        match private {
            Some(to) => {
                for id in [to, from] {
                    if let Some(member) = members.get(id) {
                        let frame = frames.for_client(member.features.plain_text);
                        deliver(id, &member.outbox, frame.clone(), kicks);
                    }
                }
            }
            None => {
                for (id, member) in members.iter() {
                    let frame = frames.for_client(member.features.plain_text);
                    deliver(id, &member.outbox, frame.clone(), kicks);
                }
            }
        }
        self.settle(inner);
        Ok(())
    }
}
