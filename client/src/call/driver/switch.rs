//! Switching the camera or microphone in the middle of a call (issue 12, devices): the new
//! device is opened on its own, its track replaces the old one on the sender with
//! `RTCRtpSender.replaceTrack` (same codec and transceiver, so no renegotiation: no new offer),
//! the local stream is rebuilt around it (a new `MediaStream`, so the preview re-binds) and the
//! old track is stopped (its light goes off).
//!
//! Screen sharing replaces the outgoing video track as well; [`replace_sent_track`] is the
//! one place that touches the sender.

use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcPeerConnection, RtcRtpTransceiver,
};

use super::devices::device_constraint;
use super::inbox::{Inbox, Msg};
use super::js::log_failure;
use super::media;
use crate::call::devices::DeviceKind;
use crate::call::machine::TrackKind;
use crate::error::ClientError;

fn track_kind(kind: DeviceKind) -> Option<TrackKind> {
    match kind {
        DeviceKind::Camera => Some(TrackKind::Video),
        DeviceKind::Mic => Some(TrackKind::Audio),
        DeviceKind::Speaker => None,
    }
}

/// Opens device `id` of `kind` alone and posts its track as [`Msg::DeviceOpened`]; a track
/// that arrives after the loop stopped is stopped here.
pub fn open(inbox: Inbox, kind: DeviceKind, id: String) {
    let Some(track_kind) = track_kind(kind) else {
        return;
    };
    spawn_local(async move {
        let result = open_one(track_kind, &id).await;
        if let Err(Msg::DeviceOpened { result: Ok(t), .. }) =
            inbox.try_post(Msg::DeviceOpened { kind, result })
        {
            t.stop();
        }
    });
}

async fn open_one(kind: TrackKind, id: &str) -> Result<MediaStreamTrack, ClientError> {
    let window = web_sys::window().ok_or(ClientError::Unexpected("no window"))?;
    let constraints = MediaStreamConstraints::new();
    match kind {
        TrackKind::Video => constraints.set_video(&device_constraint("exact", id)),
        TrackKind::Audio => constraints.set_audio(&device_constraint("exact", id)),
    }
    let promise = window
        .navigator()
        .media_devices()?
        .get_user_media_with_constraints(&constraints)?;
    let stream: MediaStream = JsFuture::from(promise)
        .await?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("getUserMedia gave no stream"))?;
    let mut tracks = media::tracks_of(&stream, kind);
    tracks
        .next()
        .ok_or(ClientError::Unexpected("getUserMedia gave no track"))
}

/// Puts `track` in place of the local track of its kind: on the sender of `pc` (if any), in
/// a new local stream, with the old track's `enabled` (a muted microphone stays muted); the
/// old track is stopped.
pub fn put_in_place(
    local: &mut Option<MediaStream>,
    pc: Option<&RtcPeerConnection>,
    kind: DeviceKind,
    track: MediaStreamTrack,
) {
    let (Some(stream), Some(track_kind)) = (local.as_ref(), track_kind(kind)) else {
        track.stop();
        return;
    };
    let old: Vec<MediaStreamTrack> = media::tracks_of(stream, track_kind).collect();
    if let Some(first) = old.first() {
        track.set_enabled(first.enabled());
    }
    if let Some(promise) = pc.and_then(|pc| replace_sent_track(pc, track_kind, &track)) {
        spawn_local(log_failure("replaceTrack", promise));
    }
    let kept: Array = media::tracks(stream)
        .filter(|t| !old.iter().any(|o| o.id() == t.id()))
        .collect();
    kept.push(&track);
    match MediaStream::new_with_tracks(&kept) {
        Ok(fresh) => *local = Some(fresh),
        Err(error) => crate::log::debug_of("local stream", &ClientError::from(error)),
    }
    for old in old {
        old.stop();
    }
}

/// `replaceTrack(track)` on the sender of the call's transceiver of `kind` (the first live one
/// whose receiver carries that kind, as `peer` chose it). No renegotiation follows.
pub fn replace_sent_track(
    pc: &RtcPeerConnection,
    kind: TrackKind,
    track: &MediaStreamTrack,
) -> Option<Promise> {
    let name = media::kind_name(kind);
    pc.get_transceivers()
        .iter()
        .filter_map(|t| t.dyn_into::<RtcRtpTransceiver>().ok())
        .filter(|t| !t.stopped())
        .find(|t| t.receiver().track().kind() == name)
        .map(|t| t.sender().replace_track(Some(track)))
}
