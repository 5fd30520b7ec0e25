//! The camera, microphone and speaker pickers (issue 12, devices): three `<select>`s
//! (`device-camera`, `device-mic`, `device-speaker`) listing `enumerateDevices()`, refreshed
//! when the call's streams change (labels appear once the camera was allowed) and on
//! `devicechange`. A pick is remembered (`localStorage`, by id and label) and sent to the
//! call as `CallCommand::UseDevice` (the driver swaps the track without renegotiation); the
//! speaker is set on the remote video with `setSinkId`, or the picker is disabled and says why
//! where the browser lacks it. When `devicechange` takes away a device in use, the call falls
//! back (`crate::call::devices::after_change`) and `device-notice` says so.

use gloo_events::EventListener;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;
use yew::prelude::*;

use crate::call::CallCommand;
use crate::call::devices::{self, Change, Device, DeviceKind, Preference};
use crate::call::driver::devices::{self as browser, load, save};

const NO_SINK: &str = "This browser cannot choose the speaker (no setSinkId): sound plays on the system's default output";
/// Firefox has `setSinkId` but lists no speakers until one is picked through its own prompt.
const NO_OUTPUTS: &str =
    "This browser lists no speakers to choose from: sound plays on the system's default output";

/// What the pickers show: the devices listed last, and the last fallback notice.
#[derive(Clone, PartialEq, Default)]
pub struct Known {
    all: Vec<Device>,
    notice: Option<String>,
}

/// Lists the devices again. With `react` (a `devicechange`), every device in use that is gone
/// is replaced, with a notice. The stored speaker is applied to the remote video each time.
async fn refresh(
    local: Option<MediaStream>,
    known: UseStateHandle<Known>,
    on_command: Callback<CallCommand>,
    react: bool,
) {
    let all = match browser::enumerate().await {
        Ok(all) => all,
        Err(error) => return crate::log::debug_of("enumerateDevices", &error),
    };
    let mut notice = known.notice.clone();
    for kind in DeviceKind::ALL {
        let of_kind = devices::of_kind(&all, kind);
        let pref = load(kind);
        let used = match kind {
            DeviceKind::Speaker => browser::speaker_in_use(),
            _ => local.as_ref().and_then(|s| browser::in_use(s, kind)),
        };
        let change = if react {
            devices::after_change(&of_kind, used.as_deref(), pref.as_ref())
        } else {
            Change::Kept
        };
        match (&change, kind) {
            (Change::FellBack { to }, DeviceKind::Speaker) => browser::play_on(&to.id),
            (Change::FellBack { to }, _) => on_command.emit(CallCommand::UseDevice {
                kind,
                id: to.id.clone(),
            }),
            (_, DeviceKind::Speaker) => {
                if let Some(device) = devices::preferred(&of_kind, pref.as_ref())
                    && used.as_deref() != Some(device.id.as_str())
                {
                    browser::play_on(&device.id);
                }
            }
            _ => {}
        }
        notice = devices::change_notice(kind, &change).or(notice);
    }
    known.set(Known { all, notice });
}

/// The pickers' state, listed again when the call's streams change and on `devicechange`: a
/// hook of the call area, not a component of its own (bundle diet: a component's Yew machinery
/// costs more wasm than its view).
#[hook]
pub fn use_devices(
    local: &Option<MediaStream>,
    remote: &Option<MediaStream>,
    on_command: &Callback<CallCommand>,
) -> UseStateHandle<Known> {
    let known = use_state(Known::default);
    {
        let (known, on_command) = (known.clone(), on_command.clone());
        use_effect_with((local.clone(), remote.clone()), move |(local, _)| {
            let local = local.clone();
            let react = move |react: bool| {
                spawn_local(refresh(
                    local.clone(),
                    known.clone(),
                    on_command.clone(),
                    react,
                ));
            };
            react(false);
            let listener = web_sys::window()
                .and_then(|w| w.navigator().media_devices().ok())
                .map(|media| EventListener::new(&media, "devicechange", move |_| react(true)));
            move || drop(listener)
        });
    }
    known
}

/// The three pickers for `known` (from [`use_devices`]); `local`: the camera stream in use.
pub fn device_pickers(
    known: &UseStateHandle<Known>,
    local: Option<&MediaStream>,
    on_command: &Callback<CallCommand>,
) -> Html {
    let sink = browser::sink_supported();
    let speaker_note = if !sink {
        Some(NO_SINK)
    } else if devices::of_kind(&known.all, DeviceKind::Speaker).is_empty() {
        Some(NO_OUTPUTS)
    } else {
        None
    };
    let pickers = DeviceKind::ALL.map(|kind| {
        let of_kind = devices::of_kind(&known.all, kind);
        let used = match kind {
            DeviceKind::Speaker => browser::speaker_in_use(),
            _ => local.and_then(|s| browser::in_use(s, kind)),
        };
        let chosen = devices::selected(&of_kind, used.as_deref(), load(kind).as_ref())
            .map(|d| d.id.clone());
        let onchange = {
            let (of_kind, on_command, known) =
                (of_kind.clone(), on_command.clone(), known.clone());
            Callback::from(move |e: Event| {
                let id = e
                    .target()
                    .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
                    .and_then(|v| v.as_string());
                let Some(device) = id.and_then(|id| of_kind.iter().find(|d| d.id == id)) else {
                    return;
                };
                save(kind, &Preference::of(device));
                match kind {
                    DeviceKind::Speaker => browser::play_on(&device.id),
                    _ => on_command.emit(CallCommand::UseDevice {
                        kind,
                        id: device.id.clone(),
                    }),
                }
                // Redraw from storage.
                known.set((*known).clone());
            })
        };
        let unsupported = kind == DeviceKind::Speaker && !sink;
        let noun = kind.noun();
        let why = speaker_note.filter(|_| kind == DeviceKind::Speaker);
        html! {
            <label class="device-picker" title={why}>
                <span class="device-picker-name">{ noun }</span>
                <select data-testid={kind.testid()} aria-label={noun} {onchange}
                    disabled={unsupported || of_kind.is_empty()}>
                    if of_kind.is_empty() {
                        <option value="">{ "Default" }</option>
                    }
                    { for of_kind.iter().enumerate().map(|(i, d)| html! {
                        <option value={d.id.clone()} selected={chosen.as_deref() == Some(d.id.as_str())}>
                            { d.display_name(i) }
                        </option>
                    }) }
                </select>
            </label>
        }
    });
    html! {
        <div class="device-pickers" role="group" aria-label="Devices">
            { for pickers }
            if let Some(why) = speaker_note {
                <p class="device-note" data-testid="device-speaker-unsupported">{ why }</p>
            }
            if let Some(text) = known.notice.clone() {
                <p class="device-notice" data-testid="device-notice" role="status">{ text }</p>
            }
        </div>
    }
}
