//! Device pickers (issue 12, devices), in two real Chromiums with more than one fake camera
//! (`--use-fake-device-for-media-stream=device-count=3`, see `harness/chromedriver.rs`; the
//! switch goes to `fake_device_2`, since `fake_device_1` is a depth camera WebRTC won't send): the
//! pickers list every camera, microphone and speaker; switching Alice's camera and microphone
//! mid-call replaces the tracks her senders carry (`getSenders`: new device id and label, the old
//! track ended, the preview showing the new one) while Bob's video keeps decoding, and no
//! renegotiation happens (no signaling state change, same SDP versions on both sides); the
//! speaker picker moves the remote video's `sinkId`; after a reload the call comes back sending
//! from the chosen devices (`localStorage`).
//!
//! A device unplugged mid-call can't be shown here (Chromium's fake devices can't vanish): the
//! fallback is covered by host tests (`client/src/call/devices/tests.rs`) and a browser test
//! that drives the `devicechange` handler with a list missing the device in use
//! (`client/tests/device_pickers.rs`).

use serde_json::{Value, json};

use crate::TestResult;
use crate::page::{Page, QUICK, SLOW};
use crate::probes;
use crate::scenario::{alice_and_bob, close_all, connect, hang_up_and_check};

/// What the live peer connection's senders carry, by kind: `{video: {id, label, device,
/// state}, audio: …}`.
const SENDERS: &str = r#"
const pc = __e2e.pcs.filter((p) => p.connectionState !== 'closed').pop();
if (!pc) return null;
const out = {};
for (const s of pc.getSenders()) {
  if (s.track) out[s.track.kind] = { id: s.track.id, label: s.track.label,
    device: s.track.getSettings().deviceId, state: s.track.readyState };
}
return out;"#;

/// Counts signaling state changes of the live peer connection from now on, and keeps its SDP
/// versions (the `o=` lines), so a renegotiation would show.
const WATCH_NEGOTIATION: &str = r#"
const pc = __e2e.pcs.filter((p) => p.connectionState !== 'closed').pop();
window.__devSignaling = 0;
pc.addEventListener('signalingstatechange', () => { window.__devSignaling += 1; });
pc.addEventListener('negotiationneeded', () => { window.__devSignaling += 100; });
window.__devOld = {};
for (const s of pc.getSenders()) if (s.track) window.__devOld[s.track.kind] = s.track;
const o = (d) => d && d.sdp.split('\r\n').find((l) => l.startsWith('o='));
window.__devSdp = () => [o(pc.localDescription), o(pc.remoteDescription), pc.signalingState];
return window.__devSdp();"#;

/// The picker's options as `[value, text]`.
async fn options(page: &Page, testid: &str) -> TestResult<Vec<(String, String)>> {
    let value = page
        .js(
            "return [...document.querySelectorAll(`[data-testid=${arguments[0]}] option`)].map((o) => [o.value, o.textContent.trim()]);",
            vec![json!(testid)],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Waits until the picker lists at least `n` devices with labels, and returns them.
async fn wait_options(page: &Page, testid: &str, n: usize) -> TestResult<Vec<(String, String)>> {
    page.wait_js(
        &format!("{testid} listing {n} labelled devices"),
        "const o = [...document.querySelectorAll(`[data-testid=${arguments[0]}] option`)]; \
         const s = document.querySelector(`[data-testid=${arguments[0]}]`); \
         return !!s && !s.disabled && o.filter((x) => x.value && x.textContent.trim()).length >= arguments[1];",
        vec![json!(testid), json!(n)],
        QUICK,
    )
    .await?;
    options(page, testid).await
}

/// Picks `value` in the picker as a person would (the `change` event bubbles to Yew).
async fn pick(page: &Page, testid: &str, value: &str) -> TestResult {
    page.js(
        "const s = document.querySelector(`[data-testid=${arguments[0]}]`); s.value = arguments[1]; \
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(testid), json!(value)],
    )
    .await?;
    Ok(())
}

async fn senders(page: &Page) -> TestResult<Value> {
    page.js(SENDERS, vec![]).await
}

/// Waits until the `kind` sender carries a live track from device `device`.
async fn wait_sending_from(page: &Page, kind: &str, device: &str) -> TestResult<Value> {
    page.wait_js(
        &format!("the {kind} sender carrying device {device}"),
        &format!(
            "const s = (() => {{ {SENDERS} }})(); return !!s && !!s[arguments[0]] && s[arguments[0]].device === arguments[1] && s[arguments[0]].state === 'live';"
        ),
        vec![json!(kind), json!(device)],
        SLOW,
    )
    .await?;
    Ok(senders(page).await?[kind].clone())
}

/// The option other than the one whose value is `not` (and not Chromium's `default` alias).
fn other(list: &[(String, String)], not: &str) -> TestResult<(String, String)> {
    list.iter()
        .find(|(id, _)| id != not && id != "default")
        .cloned()
        .ok_or_else(|| format!("no other device than {not} in {list:?}").into())
}

#[tokio::test]
async fn switching_devices_mid_call_replaces_tracks_without_renegotiation() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) =
            alice_and_bob("switching_devices_mid_call_replaces_tracks_without_renegotiation")
                .await?;
        connect(&alice, "alice", &bob, "bob").await?;

        // Every device is listed, with its label (the camera was allowed).
        let cameras = wait_options(&alice, "device-camera", 3).await?;
        let labels: Vec<&str> = cameras.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["fake_device_0", "fake_device_1", "fake_device_2"],
            "every fake camera listed by its label"
        );
        let mics = wait_options(&alice, "device-mic", 2).await?;
        let speakers = wait_options(&alice, "device-speaker", 2).await?;

        let before = senders(&alice).await?;
        let (old_camera, old_mic) = (
            before["video"]["device"].as_str().unwrap_or_default().to_owned(),
            before["audio"]["device"].as_str().unwrap_or_default().to_owned(),
        );
        let sdp_alice = alice.js(WATCH_NEGOTIATION, vec![]).await?;
        let sdp_bob = bob.js(WATCH_NEGOTIATION, vec![]).await?;
        let bob_frames = bob.media().await?.frames_decoded;

        // Camera: the sender now carries the other one, the old track is stopped, the preview
        // shows the new track.
        let (camera, camera_label) = cameras
            .iter()
            .find(|(id, label)| label == "fake_device_2" && *id != old_camera)
            .cloned()
            .ok_or_else(|| format!("fake_device_2 is not the camera in use: {cameras:?}"))?;
        pick(&alice, "device-camera", &camera).await?;
        let video = wait_sending_from(&alice, "video", &camera).await?;
        assert_eq!(video["label"], json!(camera_label), "the new camera's track: {video}");
        assert_ne!(video["id"], before["video"]["id"], "a new track is sent");
        alice
            .wait_js(
                "the preview showing the new camera, the old camera track stopped",
                "const l = document.querySelector('#local-video'); \
                 const t = l && l.srcObject && l.srcObject.getVideoTracks()[0]; \
                 return !!t && t.id === arguments[0] && window.__devOld.video.readyState === 'ended';",
                vec![video["id"].clone()],
                QUICK,
            )
            .await?;
        // Bob's picture keeps coming.
        let flowing = bob.wait_media_flowing(SLOW).await?;
        assert!(
            flowing.frames_decoded > bob_frames,
            "bob keeps decoding alice's video: {flowing:?}"
        );

        // Microphone.
        let (mic, _) = other(&mics, &old_mic)?;
        pick(&alice, "device-mic", &mic).await?;
        let audio = wait_sending_from(&alice, "audio", &mic).await?;
        assert_ne!(audio["id"], before["audio"]["id"], "a new microphone track is sent");
        alice
            .wait_js(
                "the old microphone track stopped",
                "return window.__devOld.audio.readyState === 'ended';",
                vec![],
                QUICK,
            )
            .await?;

        // Speaker: the remote video plays to the chosen output.
        let (speaker, speaker_label) = other(&speakers, "")?;
        pick(&alice, "device-speaker", &speaker).await?;
        alice
            .wait_js(
                "the remote video's sinkId set",
                "const v = document.querySelector('#remote-video'); return !!v && v.sinkId === arguments[0];",
                vec![json!(speaker)],
                QUICK,
            )
            .await?;

        // No renegotiation: no signaling state change, no `negotiationneeded`, same SDPs.
        for (page, sdp) in [(&alice, &sdp_alice), (&bob, &sdp_bob)] {
            let now = page
                .js("return [window.__devSignaling, window.__devSdp()];", vec![])
                .await?;
            assert_eq!(now, json!([0, sdp]), "{}: no renegotiation", page.label);
        }
        let stored = alice
            .js("return [localStorage.getItem('parley.device.camera'), localStorage.getItem('parley.device.speaker')];", vec![])
            .await?;
        assert_eq!(
            stored,
            json!([format!("{camera}\n{camera_label}"), format!("{speaker}\n{speaker_label}")]),
            "the choices are stored"
        );

        // A reload: the call comes back sending from the chosen camera and microphone, the
        // pickers show them and the speaker choice holds.
        alice.client.refresh().await?;
        alice.js(probes::INSTALL, vec![]).await?;
        alice.wait_phase_with("in-call", "bob", SLOW).await?;
        wait_sending_from(&alice, "video", &camera).await?;
        wait_sending_from(&alice, "audio", &mic).await?;
        bob.wait_media_flowing(SLOW).await?;
        alice
            .wait_js(
                "the pickers showing the stored choices after the reload",
                "const v = (t) => document.querySelector(`[data-testid=${t}]`).value; \
                 const r = document.querySelector('#remote-video'); \
                 return v('device-camera') === arguments[0] && v('device-mic') === arguments[1] && !!r && r.sinkId === arguments[2];",
                vec![json!(camera), json!(mic), json!(speaker)],
                SLOW,
            )
            .await?;

        hang_up_and_check(&alice, &bob).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
