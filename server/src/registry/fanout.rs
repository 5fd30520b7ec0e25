//! Chat delivery under the server-wide fan-out budget: a chat line costs its frame's bytes times
//! its recipients, and is delivered to all of them or, when the budget is spent, to none (the
//! sender gets `server-busy`). Many clients each within their own chat rate then cannot together
//! make the server write without bound. The budget is server-wide: every room's registry
//! (issue 13, [`crate::rooms`]) shares the lobby's ([`Registry::with_fanout`]).

use std::sync::{Arc, Mutex};

use shared::ErrorCode;
use tokio::time::Instant;

use super::{Inner, Registry, deliver};
use crate::chat::ChatFrames;
use crate::limits::{FloodLimits, TokenBucket};
use crate::members::ConnId;

/// The chat fan-out budget, shared by every registry of the server (a `std` mutex: spent with
/// a few arithmetic operations, never held across an await; taken inside a registry's lock,
/// never the other way round).
pub type FanoutBudget = Arc<Mutex<TokenBucket>>;

/// The budget `flood` describes, full.
pub(super) fn budget(flood: &FloodLimits) -> FanoutBudget {
    Arc::new(Mutex::new(TokenBucket::with_amounts(
        flood.fanout_bytes_per_sec as f64,
        flood.fanout_burst_bytes as f64,
        Instant::now(),
    )))
}

impl Registry {
    /// Shares `budget` (another registry's, see [`Registry::fanout_budget`]) instead of its own.
    pub fn with_fanout(self, budget: Option<FanoutBudget>) -> Self {
        self.lock().fanout = budget;
        self
    }

    /// The chat fan-out budget this registry spends, for other registries to share.
    pub fn fanout_budget(&self) -> Option<FanoutBudget> {
        self.lock().fanout.clone()
    }

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
        let spent = |budget: &FanoutBudget| {
            let mut budget = budget
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            budget.try_spend(cost as f64, Instant::now())
        };
        if let Some(budget) = fanout
            && !spent(budget)
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
