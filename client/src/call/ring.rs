//! What a ringing call sets off (pure): the ringtone, a system notification and the flashing
//! title, from the call's phase and whether the page is hidden; the words of the flashing
//! title; and the ringtone's cadence as a gain envelope. The browser side
//! (`crate::alerts`, the `Ringer` component) only carries these out.
//!
//! - The ringtone plays for as long as the phase is `Ringing`, visible or not (a phone rings
//!   on the desk too). Every way out of ringing (accept → connecting, decline, the caller's
//!   cancel, block, the ring timing out → idle) changes the phase, so it stops them all.
//! - The notification and the flashing title are for a page nobody looks at: only while ringing
//!   *and* hidden. Coming back to the tab takes them away (the prompt is in front of you) and
//!   restores the title.

use super::CallPhase;
use super::machine::RING_TIMEOUT_MS;

/// How often the title alternates.
pub const TITLE_FLASH_MS: u32 = 1_000;

/// The two tones mixed (North American ringback/ring frequencies).
pub const TONE_HZ: [f32; 2] = [440.0, 480.0];

/// The peak gain of the ringtone (the oscillators each give ±1).
pub const TONE_LEVEL: f32 = 0.15;

/// A double ring: on 0.4 s, off 0.2 s, on 0.4 s, off 2 s, seconds from the period's start.
pub const BURSTS: [(f64, f64); 2] = [(0.0, 0.4), (0.6, 1.0)];
/// One period of the cadence, in seconds.
pub const PERIOD_S: f64 = 3.0;
/// How long a burst takes to rise or fall (no clicks).
const RAMP_S: f64 = 0.02;

/// What should be going on now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alerts {
    /// The ringtone plays.
    pub tone: bool,
    /// A system notification says this caller is calling.
    pub notification: Option<String>,
    /// The title alternates with "📞 <caller> is calling…".
    pub flash: Option<String>,
}

/// The alerts for `phase` on a page that is `hidden` (`document.visibilityState`).
pub fn alerts(phase: &CallPhase, hidden: bool) -> Alerts {
    match phase {
        CallPhase::Ringing { peer } => Alerts {
            tone: true,
            notification: hidden.then(|| peer.clone()),
            flash: hidden.then(|| peer.clone()),
        },
        _ => Alerts::default(),
    }
}

/// "📞 alice is calling…": the notification's title and the flashing title.
pub fn calling(peer: &str) -> String {
    crate::text::around("📞 ", peer, " is calling…")
}

/// The title at the `tick`-th flash: the call on even ticks, the page's own title on odd ones.
pub fn flashed_title(base: &str, peer: &str, tick: u32) -> String {
    if tick.is_multiple_of(2) {
        calling(peer)
    } else {
        base.to_owned()
    }
}

/// How many cadence periods cover the longest ring (the machine gives up after
/// `RING_TIMEOUT_MS`), with one to spare.
pub fn periods() -> u32 {
    (f64::from(RING_TIMEOUT_MS) / 1000.0 / PERIOD_S).ceil() as u32 + 1
}

/// The gain envelope of `periods` periods from `start` (seconds on the audio clock): points
/// `(time, gain)` to ramp to linearly, one after the other, starting from silence.
pub fn envelope(start: f64, periods: u32) -> Vec<(f64, f32)> {
    let mut points = Vec::new();
    for period in 0..periods {
        let base = start + f64::from(period) * PERIOD_S;
        for (on, off) in BURSTS {
            points.push((base + on, 0.0));
            points.push((base + on + RAMP_S, TONE_LEVEL));
            points.push((base + off - RAMP_S, TONE_LEVEL));
            points.push((base + off, 0.0));
        }
    }
    points
}

#[cfg(test)]
mod tests;
