//! The call's timers (`gloo-timers`, cleared on drop). A timer that goes off only posts
//! [`Msg::TimerFired`] with the generation of its start; the loop hands it to the machine only
//! if that start is still the current one, since the machine may have cancelled or restarted
//! the timer between the firing and the loop reading the message.

use gloo_timers::callback::Timeout;

use super::inbox::{Inbox, Msg};
use crate::call::machine::Timer;

/// One running timer: which start it is, and the browser timeout (cleared when dropped).
struct Running {
    generation: u32,
    _timeout: Timeout,
}

/// One slot per [`Timer`].
#[derive(Default)]
pub struct Timers {
    slots: [Option<Running>; Timer::ALL.len()],
    next_generation: u32,
}

impl Timers {
    /// Starts `timer` (restarting it if it runs).
    pub fn start(&mut self, timer: Timer, ms: u32, inbox: &Inbox) {
        self.next_generation = self.next_generation.wrapping_add(1);
        let generation = self.next_generation;
        let inbox = inbox.clone();
        let timeout = Timeout::new(ms, move || {
            inbox.post(Msg::TimerFired { timer, generation });
        });
        self.slots[slot(timer)] = Some(Running {
            generation,
            _timeout: timeout,
        });
    }

    pub fn cancel(&mut self, timer: Timer) {
        self.slots[slot(timer)] = None;
    }

    /// Whether a firing of `timer` belongs to its current start (then the slot is free again).
    pub fn fired(&mut self, timer: Timer, generation: u32) -> bool {
        let slot = &mut self.slots[slot(timer)];
        if slot.as_ref().is_some_and(|r| r.generation == generation) {
            *slot = None;
            true
        } else {
            false
        }
    }
}

fn slot(timer: Timer) -> usize {
    Timer::ALL.iter().position(|t| *t == timer).unwrap_or(0)
}
