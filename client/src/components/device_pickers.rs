//! The camera, microphone and speaker pickers (issue 12, devices): three `<select>`s
//! (`device-camera`, `device-mic`, `device-speaker`) listing `enumerateDevices()`, refreshed
//! when the local stream changes (labels appear once the camera was allowed) and on
//! `devicechange`. A pick is remembered (`localStorage`, by id and label) and sent to the
//! call as `CallCommand::UseDevice` (the driver swaps the track without renegotiation); the
//! speaker is set on the remote video with `setSinkId`, or the picker is disabled and says why
//! where the browser lacks it. When `devicechange` takes away a device in use, the call falls
//! back (`crate::call::devices::after_change`) and `device-notice` says so.

use gloo_events::EventListener;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;
use yew::prelude::*;

use crate::call::CallCommand;
use crate::call::devices::{self, Change, Device, DeviceKind, Preference};
use crate::call::driver::devices as browser;
use crate::call::driver::devices::{load, save};

const NO_SINK: &str = "This browser cannot choose the speaker (no setSinkId): sound plays on the system's default output";

#[derive(Properties, PartialEq)]
pub struct DevicePickersProps {
    #[prop_or_default]
    pub local: Option<MediaStream>,
    #[prop_or_default]
    pub remote: Option<MediaStream>,
    pub on_command: Callback<CallCommand>,
}

/// The remote `<video>` (it plays the peer's sound too), where the speaker choice applies.
fn remote_video() -> Option<JsValue> {
    let document = web_sys::window()?.document()?;
    document.get_element_by_id("remote-video").map(Into::into)
}

fn apply_sink(id: &str) {
    if let Some(promise) = remote_video().and_then(|v| browser::set_sink(&v, id)) {
        spawn_local(async move {
            if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
                crate::log::debug(&format!(
                    "setSinkId: {}",
                    crate::error::ClientError::from(e)
                ));
            }
        });
    }
}

/// The device of `kind` in use now: the live track's, or the remote video's output.
fn in_use(local: Option<&MediaStream>, kind: DeviceKind) -> Option<String> {
    match kind {
        DeviceKind::Speaker => remote_video()
            .and_then(|v| browser::sink_of(&v))
            .filter(|id| !id.is_empty()),
        _ => local.and_then(|s| browser::in_use(s, kind)),
    }
}

/// After `devicechange`: the new list, and a fallback for each device in use that vanished.
async fn refresh(
    local: Option<MediaStream>,
    list: UseStateHandle<Vec<Device>>,
    notice: UseStateHandle<Option<String>>,
    on_command: Callback<CallCommand>,
    react: bool,
) {
    let all = match browser::enumerate().await {
        Ok(all) => all,
        Err(error) => return crate::log::debug(&format!("enumerateDevices: {error}")),
    };
    if react {
        for kind in DeviceKind::ALL {
            let of_kind = devices::of_kind(&all, kind);
            let used = in_use(local.as_ref(), kind);
            let change = devices::after_change(&of_kind, used.as_deref(), load(kind).as_ref());
            if let Change::FellBack { to } = &change {
                match kind {
                    DeviceKind::Speaker => apply_sink(&to.id),
                    _ => on_command.emit(CallCommand::UseDevice {
                        kind,
                        id: to.id.clone(),
                    }),
                }
            }
            if let Some(text) = devices::change_notice(kind, &change) {
                notice.set(Some(text));
            }
        }
    }
    list.set(all);
}

#[function_component]
pub fn DevicePickers(props: &DevicePickersProps) -> Html {
    let list = use_state(Vec::<Device>::new);
    let notice = use_state(|| None::<String>);
    // Bumped on a pick, so the pickers redraw from storage.
    let picks = use_state(|| 0u32);

    {
        let (list, notice, on_command) = (list.clone(), notice.clone(), props.on_command.clone());
        use_effect_with(props.local.clone(), move |local| {
            spawn_local(refresh(
                local.clone(),
                list.clone(),
                notice.clone(),
                on_command.clone(),
                false,
            ));
            let local = local.clone();
            let listener = web_sys::window()
                .and_then(|w| w.navigator().media_devices().ok())
                .map(|media| {
                    EventListener::new(&media, "devicechange", move |_| {
                        spawn_local(refresh(
                            local.clone(),
                            list.clone(),
                            notice.clone(),
                            on_command.clone(),
                            true,
                        ));
                    })
                });
            move || drop(listener)
        });
    }
    // The stored speaker, on every new remote stream (a new call) and list.
    use_effect_with((props.remote.clone(), (*list).clone()), |(_, all)| {
        let speakers = devices::of_kind(all, DeviceKind::Speaker);
        if let Some(device) = devices::preferred(&speakers, load(DeviceKind::Speaker).as_ref()) {
            apply_sink(&device.id);
        }
    });

    let sink = browser::sink_supported();
    let pickers = DeviceKind::ALL.map(|kind| {
        let of_kind = devices::of_kind(&list, kind);
        let chosen = devices::selected(&of_kind, in_use(props.local.as_ref(), kind).as_deref(), load(kind).as_ref())
            .map(|d| d.id.clone());
        let onchange = {
            let (of_kind, on_command, picks) = (of_kind.clone(), props.on_command.clone(), picks.clone());
            Callback::from(move |e: Event| {
                let id = e.target().and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok()).and_then(|v| v.as_string());
                let Some(device) = id.and_then(|id| of_kind.iter().find(|d| d.id == id).cloned()) else {
                    return;
                };
                save(kind, &Preference::of(&device));
                picks.set(*picks + 1);
                match kind {
                    DeviceKind::Speaker => apply_sink(&device.id),
                    _ => on_command.emit(CallCommand::UseDevice { kind, id: device.id }),
                }
            })
        };
        let unsupported = kind == DeviceKind::Speaker && !sink;
        let title = unsupported.then_some(NO_SINK);
        let noun = kind.noun();
        html! {
            <label class="device-picker" title={title}>
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
            if !sink {
                <p class="device-note" data-testid="device-speaker-unsupported">{ NO_SINK }</p>
            }
            if let Some(text) = (*notice).clone() {
                <p class="device-notice" data-testid="device-notice" role="status">{ text }</p>
            }
        </div>
    }
}
