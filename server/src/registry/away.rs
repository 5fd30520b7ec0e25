//! Away sessions: a `resume` session whose socket ended is kept (name, call, frames for it)
//! until its grace window runs out, and [`run`] ends the ones that were not resumed in time,
//! exactly as a client leaves (list change, `hang-up` with reason `left` to its partner).

use std::sync::Arc;

use shared::Presence;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

use super::Registry;
use crate::members::ConnId;
use crate::replay;

impl Registry {
    /// The session task of socket `socket` for `member` ended (socket closed or lost, heartbeat
    /// timeout, …). A `resume` session still attached to that socket goes away, for the leave
    /// window if its page said `leaving`, else the grace window; one that cannot be resumed
    /// (no token, or it let too much pile up) leaves now, as does every other client. A session
    /// already taken over by another socket is left alone.
    pub fn detach(&self, member: ConnId, socket: ConnId, leaving: bool) {
        let mut inner = self.lock();
        let Some(m) = inner.members.get_mut(member) else {
            return;
        };
        let Some(resume) = m.resume.as_mut() else {
            inner.kicks.push(member);
            return self.settle(inner);
        };
        if resume.attached.as_ref().is_none_or(|a| a.socket != socket) {
            return;
        }
        let room = {
            let replay = replay::lock(&resume.replay);
            (!replay.overflowed()).then(|| replay.room())
        };
        let (waiting, waiting_bytes) = m.outbox.backlog();
        let fits = room.is_some_and(|(frames, bytes)| waiting <= frames && waiting_bytes <= bytes);
        if resume.hash.is_none() || !fits {
            inner.kicks.push(member);
            return self.settle(inner);
        }
        let grace = if leaving {
            self.resume.leave_grace
        } else {
            self.resume.grace
        };
        let until = Instant::now() + grace;
        resume.attached = None;
        resume.away_until = Some(until);
        m.outbox.set_limits(room);
        inner.away.insert((until, member));
        inner.tell_state(member, Presence::Reconnecting, false);
        self.settle(inner);
        self.away_wake.notify_one();
    }

    /// Ends the away sessions whose time is up at `now`; returns when the next one's is.
    pub fn expire_due(&self, now: Instant) -> Option<Instant> {
        let mut inner = self.lock();
        let mut next = None;
        while let Some(&(until, id)) = inner.away.first() {
            if until > now {
                next = Some(until);
                break;
            }
            inner.away.pop_first();
            let still_away = inner
                .members
                .get(id)
                .and_then(|m| m.resume.as_ref())
                .is_some_and(|r| r.away_until == Some(until));
            if still_away {
                tracing::info!(session = id, "not resumed in time: gone");
                inner.kicks.push(id);
            }
        }
        self.settle(inner);
        next
    }

    /// How many sessions are away.
    pub fn away_count(&self) -> usize {
        let inner = self.lock();
        inner.members.iter().filter(|(_, m)| m.is_away()).count()
    }
}

/// Ends away sessions when their window runs out, until `shutdown` (sessions away then are
/// kept in the state file for the next start).
pub async fn run(registry: Arc<Registry>, shutdown: CancellationToken) {
    loop {
        let next = registry.expire_due(Instant::now());
        let wait = async {
            match next {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = registry.away_wake.notified() => {}
            () = wait => {}
        }
    }
}

#[cfg(test)]
mod tests;
