//! The active speaker of a group call, from the audio each pair receives.
//!
//! The level of one reading is the RMS over the interval since the last one, from the
//! inbound audio's cumulative `totalAudioEnergy` and `totalSamplesDuration` ([`Energy`]): an
//! instant `audioLevel` read once a second misses short sounds. Each member's level then
//! decays slowly (a peak holder), and the speaker changes only when someone else is clearly
//! louder ([`SWITCH_RATIO`]) and the current one has held the highlight for [`HOLD_MS`], or
//! when the current one fell silent: so the highlight does not flicker between two people
//! talking at once.

use crate::call::quality::Entry;

/// Below this level (0..1, RMS) nobody is speaking.
pub const SPEAKING_MIN: f64 = 0.01;
/// Someone else takes the highlight when this many times louder than the current speaker.
pub const SWITCH_RATIO: f64 = 1.5;
/// The highlight stays at least this long before it moves to someone louder.
pub const HOLD_MS: f64 = 1500.0;
/// What is left of a level one reading later (a peak holder).
const DECAY: f64 = 0.5;

/// The cumulative counters of one inbound audio stream.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Energy {
    pub total_energy: f64,
    pub total_duration: f64,
}

impl Energy {
    /// The received audio's counters in one `getStats()` report (its `inbound-rtp` audio).
    pub fn from_entries(entries: &[Entry]) -> Option<Energy> {
        let audio = entries
            .iter()
            .find(|e| e.str("type") == Some("inbound-rtp") && e.str("kind") == Some("audio"))?;
        Some(Energy {
            total_energy: audio.num("totalAudioEnergy")?,
            total_duration: audio.num("totalSamplesDuration")?,
        })
    }

    /// The RMS level between `older` and `self` (`None` when no audio was counted between).
    pub fn level_since(self, older: Energy) -> Option<f64> {
        let duration = self.total_duration - older.total_duration;
        let energy = self.total_energy - older.total_energy;
        (duration > 0.0 && energy >= 0.0).then(|| (energy / duration).sqrt())
    }
}

/// Who speaks, with each member's held level.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Speaker {
    levels: Vec<(String, f64)>,
    current: Option<String>,
    since_ms: f64,
}

impl Speaker {
    pub fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    /// A new level for `name` at `now_ms`; the highlight moves if it should.
    pub fn heard(&mut self, name: &str, level: f64, now_ms: f64) {
        match self.levels.iter_mut().find(|(n, _)| n == name) {
            Some((_, held)) => *held = level.max(*held * DECAY),
            None => self.levels.push((name.to_owned(), level)),
        }
        self.choose(now_ms);
    }

    /// `name` left the call.
    pub fn forget(&mut self, name: &str) {
        self.levels.retain(|(n, _)| n != name);
        if self.current.as_deref() == Some(name) {
            self.current = None;
        }
    }

    fn level(&self, name: &str) -> f64 {
        self.levels
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0.0, |(_, l)| *l)
    }

    fn choose(&mut self, now_ms: f64) {
        let next = match (self.loudest(), self.current.as_deref()) {
            (None, _) => None,
            (Some(loudest), Some(current)) => {
                let now = self.level(current);
                let held = now_ms - self.since_ms < HOLD_MS;
                let louder = self.level(&loudest) > now * SWITCH_RATIO;
                if now >= SPEAKING_MIN && (held || !louder) {
                    self.current.clone()
                } else {
                    Some(loudest)
                }
            }
            (Some(loudest), None) => Some(loudest),
        };
        if next != self.current {
            self.current = next;
            self.since_ms = now_ms;
        }
    }

    fn loudest(&self) -> Option<String> {
        self.levels
            .iter()
            .filter(|(_, l)| *l >= SPEAKING_MIN)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, _)| n.clone())
    }
}
