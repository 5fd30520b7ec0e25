//! The browser side of device choice (issue 12, devices): listing devices with
//! `enumerateDevices()`, the choices kept in `localStorage`, the constraint the next
//! `getUserMedia` gets from them, which device a live track uses, and the speaker through
//! `HTMLMediaElement.setSinkId` where the browser has it. The decisions are
//! `crate::call::devices` (pure); replacing a sent track is `switch`.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamTrack};

use super::js::get_str;
use crate::call::devices::{self, Device, DeviceKind, Preference};
use crate::error::ClientError;

/// Every camera, microphone and speaker the browser lists. Before the page was allowed a
/// device the browser gives entries with no id; those are left out (nothing to choose yet).
pub async fn enumerate() -> Result<Vec<Device>, ClientError> {
    let window = web_sys::window().ok_or(ClientError::Unexpected("no window"))?;
    let media = window.navigator().media_devices()?;
    let list = JsFuture::from(media.enumerate_devices()?).await?;
    let list: Array = list
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("enumerateDevices gave no array"))?;
    Ok(list
        .iter()
        .filter_map(|info| {
            Some(Device {
                kind: DeviceKind::from_browser_kind(&get_str(&info, "kind")?)?,
                id: get_str(&info, "deviceId").filter(|id| !id.is_empty())?,
                label: get_str(&info, "label").unwrap_or_default(),
            })
        })
        .collect())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored choice of `kind`, if any.
pub fn load(kind: DeviceKind) -> Option<Preference> {
    let stored = storage()?.get_item(kind.storage_key()).ok().flatten()?;
    Preference::from_stored(&stored)
}

/// Remembers `pref` for `kind` (quietly nothing when storage is refused).
pub fn save(kind: DeviceKind, pref: &Preference) {
    if let Some(storage) = storage()
        && let Err(error) = storage.set_item(kind.storage_key(), &pref.to_stored())
    {
        crate::log::debug_of("localStorage", &ClientError::from(error));
    }
}

/// What `getUserMedia` asks for `kind`: the stored choice if it is still plugged in (found by
/// id, else by label), as `{deviceId: {exact: id}}`; a stored id the list does not show (the
/// browser hides ids until the page was allowed a device) as `{deviceId: {ideal: id}}`, which
/// falls back to the default when the device is gone; otherwise `true` (the default).
pub fn constraint(kind: DeviceKind, all: &[Device]) -> JsValue {
    let list = devices::of_kind(all, kind);
    let pref = load(kind);
    match (devices::preferred(&list, pref.as_ref()), pref) {
        (Some(device), _) => device_constraint("exact", &device.id),
        (None, Some(pref)) => device_constraint("ideal", &pref.id),
        (None, None) => JsValue::TRUE,
    }
}

/// `{deviceId: {<how>: id}}`, `how` being `exact` or `ideal`.
pub fn device_constraint(how: &str, id: &str) -> JsValue {
    let inner = Object::new();
    let constraint = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&inner, &how.into(), &id.into());
    let _ = Reflect::set(&constraint, &"deviceId".into(), &inner);
    constraint.into()
}

/// The device id the live track of `kind` in `stream` reports (`getSettings().deviceId`).
pub fn in_use(stream: &MediaStream, kind: DeviceKind) -> Option<String> {
    let wanted = match kind {
        DeviceKind::Camera => "video",
        DeviceKind::Mic => "audio",
        DeviceKind::Speaker => return None,
    };
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
        .find(|t| t.kind() == wanted)
        .and_then(|t| get_str(&t.get_settings(), "deviceId"))
}

/// Whether this browser can choose where sound plays (`setSinkId`; missing from some Firefox
/// versions and from Safari).
pub fn sink_supported() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"HTMLMediaElement".into()).ok())
        .and_then(|c| Reflect::get(&c, &"prototype".into()).ok())
        .is_some_and(|proto| Reflect::has(&proto, &"setSinkId".into()).unwrap_or(false))
}

/// The remote `<video>` (it plays the peer's sound too), where the speaker choice applies.
fn remote_video() -> Option<JsValue> {
    let document = web_sys::window()?.document()?;
    document.get_element_by_id("remote-video").map(Into::into)
}

/// The output the remote video plays to, when it is not the default.
pub fn speaker_in_use() -> Option<String> {
    remote_video()
        .and_then(|v| get_str(&v, "sinkId"))
        .filter(|id| !id.is_empty())
}

/// Plays the remote video (when there is one) on output `id`.
pub fn play_on(id: &str) {
    let promise = remote_video().and_then(|video| {
        let method: Function = Reflect::get(&video, &"setSinkId".into())
            .ok()?
            .dyn_into()
            .ok()?;
        method.call1(&video, &id.into()).ok()?.dyn_into().ok()
    });
    if let Some(promise) = promise {
        wasm_bindgen_futures::spawn_local(super::js::log_failure("setSinkId", promise));
    }
}
