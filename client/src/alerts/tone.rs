//! The ringtone, made with WebAudio: two oscillators ([`TONE_HZ`]) mixed through one gain node
//! whose envelope is the double-ring cadence of [`envelope`], scheduled on the audio clock for
//! the whole ring at once. No audio file.
//!
//! Autoplay: an `AudioContext` only runs once the page has had a user gesture (clicking "Join"
//! is one). A page that had none (it was just reloaded) gets a `suspended` context: the tone
//! then starts at the person's first click or key press on the page, from the start of the
//! cadence (the audio clock stands still while suspended). What the context really does is
//! written on the ringer's element (`data-ringtone` = its `state`, `data-tone-connected`);
//! dropping the [`Tone`] stops and disconnects the oscillators and closes the context.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{AudioContext, AudioContextState, Element, GainNode, OscillatorNode};

use crate::call::ring::{TONE_HZ, envelope, periods};
use crate::error::ClientError;

/// Writes the context's `state` and whether the oscillators are connected on `report`.
fn report_state(report: &Element, context: &AudioContext, connected: bool) {
    let state = match context.state() {
        AudioContextState::Running => "running",
        AudioContextState::Suspended => "suspended",
        AudioContextState::Closed => "closed",
        _ => "unknown",
    };
    let _ = report.set_attribute("data-ringtone", state);
    let _ = report.set_attribute(
        "data-tone-connected",
        if connected { "true" } else { "false" },
    );
}

/// A ringtone playing (or waiting for a gesture).
pub struct Tone {
    context: AudioContext,
    gain: GainNode,
    oscillators: Vec<OscillatorNode>,
    report: Element,
    _listeners: Vec<EventListener>,
}

impl Tone {
    /// Starts ringing; `report` shows every state the context goes through, the last one
    /// (`closed`) after the drop.
    pub fn start(report: Element) -> Result<Self, ClientError> {
        let context = AudioContext::new()?;
        let gain = context.create_gain()?;
        // A little ahead, so the first ramp is not in the past once scheduled.
        let start = context.current_time() + 0.05;
        let level = gain.gain();
        level.set_value_at_time(0.0, context.current_time())?;
        for (time, value) in envelope(start, periods()) {
            level.linear_ramp_to_value_at_time(value, time)?;
        }
        gain.connect_with_audio_node(&context.destination())?;
        let mut oscillators = Vec::new();
        for hz in TONE_HZ {
            let oscillator = context.create_oscillator()?;
            oscillator.frequency().set_value(hz);
            oscillator.connect_with_audio_node(&gain)?;
            oscillator.start()?;
            oscillators.push(oscillator);
        }
        let mut listeners = vec![{
            let (context, report) = (context.clone(), report.clone());
            EventListener::new(&context.clone(), "statechange", move |_| {
                report_state(&report, &context, true);
            })
        }];
        if context.state() == AudioContextState::Suspended {
            listeners.extend(unlock(&context));
        }
        report_state(&report, &context, true);
        Ok(Self {
            context,
            gain,
            oscillators,
            report,
            _listeners: listeners,
        })
    }
}

/// Resumes a suspended context at the first click or key press anywhere on the page.
fn unlock(context: &AudioContext) -> Vec<EventListener> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    ["pointerdown", "keydown"]
        .into_iter()
        .map(|event| {
            let context = context.clone();
            let options = EventListenerOptions::run_in_capture_phase();
            EventListener::new_with_options(&document, event, options, move |_| {
                if context.state() == AudioContextState::Suspended
                    && let Ok(promise) = context.resume()
                {
                    spawn_local(settle("resume", promise));
                }
            })
        })
        .collect()
}

/// Awaits a promise whose failure is only worth a debug line.
async fn settle(what: &'static str, promise: js_sys::Promise) {
    if let Err(error) = JsFuture::from(promise).await {
        crate::log::debug_of(what, &ClientError::from(error));
    }
}

impl Drop for Tone {
    fn drop(&mut self) {
        for oscillator in &self.oscillators {
            // Stopping twice or after a close throws; either way it is silent.
            let _ = oscillator.stop();
            let _ = oscillator.disconnect();
        }
        let _ = self.gain.disconnect();
        match self.context.close() {
            Ok(promise) => {
                let (context, report) = (self.context.clone(), self.report.clone());
                spawn_local(async move {
                    settle("close", promise).await;
                    report_state(&report, &context, false);
                });
            }
            Err(error) => {
                crate::log::debug_of("close", &ClientError::from(error));
                report_state(&self.report, &self.context, false);
            }
        }
    }
}
