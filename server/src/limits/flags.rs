//! The flags of [`FloodLimits`] (chat rate, chat fan-out budget, slow readers), flattened into
//! [`crate::Config`].

use std::time::Duration;

use super::FloodLimits;

/// Limits against amplification: chat's own rate, the server-wide chat budget, slow readers.
#[derive(Debug, clap::Args)]
pub struct FloodFlags {
    /// Chat lines per second one client may send (sustained; its other frames are limited by
    /// `--rate`).
    #[arg(long, env = "SERVER_CHAT_RATE", default_value_t = FloodLimits::default().chat_rate)]
    pub chat_rate: u32,

    /// Chat lines one client may send in a burst.
    #[arg(long, env = "SERVER_CHAT_BURST", default_value_t = FloodLimits::default().chat_burst)]
    pub chat_burst: u32,

    /// Bytes of chat the server writes per second across all senders (a line costs its size
    /// times its recipients); lines over the budget are refused with `server-busy`.
    #[arg(long, env = "SERVER_CHAT_FANOUT", default_value_t = FloodLimits::default().fanout_bytes_per_sec)]
    pub chat_fanout: u64,

    /// Bytes of chat the server may write in a burst above `--chat-fanout`.
    #[arg(long, env = "SERVER_CHAT_FANOUT_BURST", default_value_t = FloodLimits::default().fanout_burst_bytes)]
    pub chat_fanout_burst: u64,

    /// Bytes that may wait for one client before it is disconnected as too slow.
    #[arg(long, env = "SERVER_OUTBOX_BYTES", default_value_t = FloodLimits::default().outbox_bytes)]
    pub outbox_bytes: usize,

    /// Seconds (fractions allowed) frames may wait for one client that takes none of them
    /// before it is disconnected as too slow.
    #[arg(long, env = "SERVER_MAX_BEHIND", default_value_t = FloodLimits::default().max_behind.as_secs_f64())]
    pub max_behind: f64,
}

impl FloodFlags {
    /// The limits these flags say.
    pub fn limits(&self) -> FloodLimits {
        FloodLimits {
            chat_rate: self.chat_rate,
            chat_burst: self.chat_burst.max(1),
            fanout_bytes_per_sec: self.chat_fanout,
            fanout_burst_bytes: self.chat_fanout_burst.max(1),
            outbox_bytes: self.outbox_bytes.max(1024),
            max_behind: Duration::try_from_secs_f64(self.max_behind)
                .unwrap_or(Duration::ZERO)
                .max(Duration::from_millis(100)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        flood: FloodFlags,
    }

    #[test]
    fn defaults_and_flags() {
        let defaults = Flags::try_parse_from(["server"]).unwrap().flood.limits();
        assert_eq!(defaults, FloodLimits::default());
        assert_eq!((defaults.chat_rate, defaults.chat_burst), (2, 10));
        let set = Flags::try_parse_from([
            "server",
            "--chat-rate",
            "5",
            "--chat-burst",
            "20",
            "--chat-fanout",
            "1000",
            "--chat-fanout-burst",
            "2000",
            "--outbox-bytes",
            "65536",
            "--max-behind",
            "2.5",
        ])
        .unwrap()
        .flood
        .limits();
        assert_eq!((set.chat_rate, set.chat_burst), (5, 20));
        assert_eq!(
            (set.fanout_bytes_per_sec, set.fanout_burst_bytes),
            (1000, 2000)
        );
        assert_eq!(set.outbox_bytes, 65536);
        assert_eq!(set.max_behind, Duration::from_millis(2500));
    }
}
