//! The heartbeat's clock: when to send the next `ping`, and when a silent server means the link
//! is dead (no FIN ever came: the network is gone).
//!
//! The page ticks it every [`TICK_MS`] with the time and the time of the last frame heard on
//! the socket; pure, so host-tested. A page pings only on a session the server numbered
//! (`session`/`resumed`: that server announced `resume` and `heartbeat`), and watches for
//! silence whenever it has a session to resume, so a socket that hangs while connecting is
//! given up too. MDN's server never sends `session`: no pings, no watching.

/// How often the page looks at the clock.
pub const TICK_MS: u32 = 500;

/// Pings go out this long after the last one; with the tick, at least every 3 s.
pub const PING_EVERY_MS: f64 = 2_500.0;

/// This long without any frame from the server: the link is dead (found within 8.5 s).
pub const DEAD_AFTER_MS: f64 = 8_000.0;

/// What the page does on a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    Quiet,
    /// Send a `ping` now.
    Ping,
    /// Close the socket and reconnect.
    Dead,
}

/// When the last ping went out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Heartbeat {
    last_ping_ms: f64,
}

impl Heartbeat {
    /// A heartbeat started at `now_ms` (the first ping one period later).
    pub fn new(now_ms: f64) -> Self {
        Self {
            last_ping_ms: now_ms,
        }
    }

    /// One tick at `now_ms`: `last_heard_ms` is when the socket last got a frame (or opened);
    /// `pinging`: the session is up and the server answers pings.
    pub fn tick(&mut self, now_ms: f64, last_heard_ms: f64, pinging: bool) -> Beat {
        if now_ms - last_heard_ms >= DEAD_AFTER_MS {
            return Beat::Dead;
        }
        if pinging && now_ms - self.last_ping_ms >= PING_EVERY_MS {
            self.last_ping_ms = now_ms;
            return Beat::Ping;
        }
        Beat::Quiet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ticks from `from` to `to` (ms) with the server last heard at `heard(now)`.
    fn run(
        beat: &mut Heartbeat,
        from: u32,
        to: u32,
        heard: impl Fn(f64) -> f64,
    ) -> Vec<(u32, Beat)> {
        (from..=to)
            .step_by(TICK_MS as usize)
            .map(|t| {
                let now = f64::from(t);
                (t, beat.tick(now, heard(now), true))
            })
            .filter(|(_, b)| *b != Beat::Quiet)
            .collect()
    }

    #[test]
    fn pings_at_least_every_three_seconds_while_the_server_answers() {
        let mut beat = Heartbeat::new(0.0);
        let beats = run(&mut beat, 0, 12_000, |now| now - 100.0);
        let times: Vec<u32> = beats.iter().map(|(t, _)| *t).collect();
        assert_eq!(times, [2_500, 5_000, 7_500, 10_000]);
        assert!(beats.iter().all(|(_, b)| *b == Beat::Ping));
    }

    #[test]
    fn a_silent_server_is_dead_within_nine_seconds() {
        let mut beat = Heartbeat::new(0.0);
        let beats = run(&mut beat, 0, 10_000, |_| 0.0);
        let dead = beats
            .iter()
            .find(|(_, b)| *b == Beat::Dead)
            .map(|(t, _)| *t);
        assert_eq!(dead, Some(8_000));
        assert!(
            beats
                .iter()
                .filter(|(t, _)| *t < 8_000)
                .all(|(_, b)| *b == Beat::Ping)
        );
    }

    #[test]
    fn without_pinging_it_only_watches() {
        let mut beat = Heartbeat::new(0.0);
        assert_eq!(beat.tick(5_000.0, 4_000.0, false), Beat::Quiet);
        assert_eq!(beat.tick(12_500.0, 4_000.0, false), Beat::Dead);
    }
}
