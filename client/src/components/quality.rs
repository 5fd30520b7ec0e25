//! The call-quality indicator (three bars, `data-level`), shown all through a call, with its
//! details panel (opened from the indicator; Escape closes it) and, when the call is poor, the
//! sentence saying what is wrong and on which side.
//!
//! Every second it asks the call driver (given by the call panel) for a stats
//! reading and keeps the last three; the figures and the level are those between the oldest
//! and the newest (a two-second window, so one late report does not flip the level). All the
//! arithmetic is in `crate::call::quality`.

use std::collections::VecDeque;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::call::driver::CallDriver;
use crate::call::quality::{Figures, Sample, VideoShape, assess, fixed, sentence};
use crate::components::name::with_name;

/// Readings kept: the window is from the first to the last.
const KEPT: usize = 3;

/// The last readings, oldest first.
#[derive(Default, PartialEq)]
pub struct Readings(VecDeque<Sample>);

impl Reducible for Readings {
    /// A new reading, or `None`: forget them all (a new call).
    type Action = Option<Sample>;

    fn reduce(self: Rc<Self>, sample: Option<Sample>) -> Rc<Self> {
        let Some(sample) = sample else {
            return Rc::new(Readings::default());
        };
        let mut kept = self.0.clone();
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(sample);
        Rc::new(Readings(kept))
    }
}

/// The indicator's state: the readings and whether the details are open.
pub struct QualityState {
    readings: UseReducerHandle<Readings>,
    open: UseStateHandle<bool>,
}

/// Reads the call's stats every second while `shown` (all through a call) through `driver`
/// (`None`: nothing is measured); each new showing starts afresh, closed. A hook of the call
/// area, not a component of its own (bundle diet: a component's Yew machinery costs more wasm
/// than its view).
#[hook]
pub fn use_quality(shown: bool, driver: Option<CallDriver>) -> QualityState {
    let readings = use_reducer(Readings::default);
    let open = use_state(|| false);
    {
        let dispatcher = readings.dispatcher();
        let open = open.setter();
        use_effect_with((shown, driver), move |(shown, driver)| {
            dispatcher.dispatch(None);
            open.set(false);
            let interval = driver.clone().filter(|_| *shown).map(|driver| {
                let read = move || {
                    let driver = driver.clone();
                    let dispatcher = dispatcher.clone();
                    spawn_local(async move {
                        if let Some(sample) = driver.quality_sample().await {
                            dispatcher.dispatch(Some(sample));
                        }
                    });
                };
                read();
                Interval::new(1000, read)
            });
            move || drop(interval)
        });
    }
    QualityState { readings, open }
}

/// The indicator for a call with `peer`, from [`use_quality`].
pub fn quality(state: &QualityState, peer: &str) -> Html {
    let QualityState { readings, open } = state;
    let (older, newer) = (readings.0.front(), readings.0.back());
    let figures = match (older, newer) {
        (Some(older), Some(newer)) if readings.0.len() > 1 => Some(Figures::between(older, newer)),
        _ => None,
    };
    let verdict = figures.as_ref().map(assess);
    let level = verdict.as_ref().map(|v| v.level);
    let problem = verdict
        .as_ref()
        .and_then(|v| sentence(&v.problems, peer).map(|s| (s, v.problems.clone())));

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_key = {
        let open = open.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *open {
                event.prevent_default();
                open.set(false);
            }
        })
    };
    let level_name = level.map_or("measuring", |l| l.name());
    let lit = level.map_or(0, |l| l.bars());
    let bars = (1..=3u8).map(|bar| {
        // `CLASS`, not `class`: no `Classes` set (see `components`).
        html! { <span CLASS={if bar <= lit { "quality-bar lit" } else { "quality-bar" }}></span> }
    });
    html! {
        <div class="quality-row" onkeydown={on_key}>
            // `CLASS`, not `class`: no `Classes` set (see `components`).
            <button type="button" CLASS={crate::text::around("quality quality-", level_name, "")}
                data-testid="quality" data-level={level.map(|l| l.name())}
                aria-expanded={super::truth(**open)} aria-controls="quality-details"
                aria-label={crate::text::around("Call quality: ", level_name, ". Details")}
                title="Call quality: show the details" onclick={toggle}>
                <span class="quality-bars" aria-hidden="true">{ for bars }</span>
                <span class="quality-label">{ level_name }</span>
            </button>
            if let Some((text, problems)) = problem {
                <p class="quality-problem" data-testid="quality-problem" role="status"
                    data-problems={problems.iter().map(|p| p.name()).collect::<Vec<_>>().join(" ")}>
                    { with_name(&text, Some(peer)) }
                </p>
            }
            if **open {
                <div id="quality-details" class="quality-details" data-testid="quality-details"
                    role="region" aria-label="Call details">
                    { details(figures.as_ref()) }
                </div>
            }
        </div>
    }
}

/// The panel's figures: each `<dd>` shows a value and its unit and carries `data-stat` and the
/// value alone in `data-value` (for tests); `—` where the browser gave nothing.
fn details(figures: Option<&Figures>) -> Html {
    let Some(f) = figures else {
        return html! { <p>{ "Measuring…" }</p> };
    };
    let num = |v: Option<f64>, digits: u32| v.map(|v| fixed(v, digits));
    let size = |v: Option<VideoShape>| v.map(|v| format!("{}x{}", v.width, v.height));
    let fps = |v: Option<VideoShape>| v.and_then(|v| v.fps).map(|f| fixed(f, 1));
    let codecs = |c: &[String]| (!c.is_empty()).then(|| c.join(", "));
    let route = f.route.as_ref().map(|r| {
        let way = if r.relayed { "relayed" } else { "direct" };
        format!("{way} {} ({} to {})", r.protocol, r.local, r.remote)
    });
    let rows: [(&str, &str, Option<String>, &str); 13] = [
        ("rtt", "Round trip", num(f.rtt_ms, 0), " ms"),
        ("loss-in", "Loss in", num(f.loss_in_pct, 1), " %"),
        ("loss-out", "Loss out", num(f.loss_out_pct, 1), " %"),
        ("jitter", "Jitter", num(f.jitter_ms, 0), " ms"),
        ("kbps-in", "Bitrate in", num(f.kbps_in, 0), " kbit/s"),
        ("kbps-out", "Bitrate out", num(f.kbps_out, 0), " kbit/s"),
        ("video-in", "Video in", size(f.video_in), ""),
        ("fps-in", "Frame rate in", fps(f.video_in), " fps"),
        ("video-out", "Video out", size(f.video_out), ""),
        ("fps-out", "Frame rate out", fps(f.video_out), " fps"),
        ("codec", "Codecs in", codecs(&f.codecs_in), ""),
        ("codec-out", "Codecs out", codecs(&f.codecs_out), ""),
        ("route", "Route", route, ""),
    ];
    html! {
        <dl class="quality-figures">
            { for rows.into_iter().map(|(stat, label, value, unit)| html! {
                <>
                    <dt>{ label }</dt>
                    <dd data-stat={stat} data-value={value.clone()}>
                        { value.map_or_else(|| "—".to_owned(), |v| v + unit) }
                    </dd>
                </>
            }) }
        </dl>
    }
}
