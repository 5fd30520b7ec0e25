//! The local camera and microphone: opening them with `getUserMedia`, turning its failures into
//! [`MediaError`]s the person can read, and stopping every track when done.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

use super::devices;
use crate::call::devices::DeviceKind;
use crate::call::machine::{MediaError, TrackKind};
use crate::error::ClientError;

/// Opens the camera and the microphone.
pub async fn open() -> Result<MediaStream, MediaError> {
    let window = web_sys::window().ok_or(MediaError::Other("no window".to_owned()))?;
    let navigator = window.navigator();
    // `navigator.mediaDevices` only exists in secure contexts (https or localhost).
    let has_devices = js_sys::Reflect::get(&navigator, &JsValue::from_str("mediaDevices"))
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false);
    if !has_devices {
        return Err(MediaError::Insecure);
    }
    let devices = navigator.media_devices().map_err(to_media_error)?;
    // The devices chosen in the pickers, when still plugged in (issue 12, devices).
    let known = devices::enumerate().await.unwrap_or_default();
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&devices::constraint(DeviceKind::Mic, &known));
    constraints.set_video(&devices::constraint(DeviceKind::Camera, &known));
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(to_media_error)?;
    let stream = JsFuture::from(promise).await.map_err(to_media_error)?;
    stream
        .dyn_into::<MediaStream>()
        .map_err(|_| MediaError::Other("getUserMedia returned no stream".to_owned()))
}

fn to_media_error(value: JsValue) -> MediaError {
    match ClientError::from(value) {
        ClientError::Js { name, message } => MediaError::from_dom_name(&name, &message),
        other => MediaError::Other(other.to_string()),
    }
}

/// Every track of `stream`.
pub fn tracks(stream: &MediaStream) -> impl Iterator<Item = MediaStreamTrack> {
    stream
        .get_tracks()
        .into_iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
}

/// The tracks of `stream` of one kind.
pub fn tracks_of(stream: &MediaStream, kind: TrackKind) -> impl Iterator<Item = MediaStreamTrack> {
    let wanted = kind_name(kind);
    tracks(stream).filter(move |t| t.kind() == wanted)
}

pub fn kind_name(kind: TrackKind) -> &'static str {
    match kind {
        TrackKind::Audio => "audio",
        TrackKind::Video => "video",
    }
}

/// Whether `stream` still has a track that delivers (`readyState` `live`).
pub fn is_live(stream: &MediaStream) -> bool {
    tracks(stream).any(|t| {
        js_sys::Reflect::get(&t, &JsValue::from_str("readyState"))
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|s| s == "live")
    })
}

/// Stops every track: the camera light goes off.
pub fn stop(stream: &MediaStream) {
    for track in tracks(stream) {
        track.stop();
    }
}
