//! Mute, camera off and screen sharing shown to the partner (issue 12, points 2 and 4), in two
//! real Chromiums: Alice mutes and Bob's page shows `peer-muted` and "alice muted."; unmuted, it
//! is gone; the camera likewise. Alice shares her screen: her own preview shows it, Bob sees
//! `peer-sharing` and his remote video keeps decoding frames with the screen's shape (Chromium's
//! fake screen is 800×450, 16:9; its fake camera 640×480, 4:3). Then the share is ended as the
//! browser's own "Stop sharing" ends it, and the camera comes back; a camera that was off before
//! sharing stays off after.
//!
//! The fake screen: `--use-fake-ui-for-media-stream` accepts the picker (it picks a screen) and
//! `--use-fake-device-for-media-stream` makes that screen a fake capture device, so headless
//! Chromium needs no display (both flags are already the harness's; without the first the
//! picker waits forever, without the second capture fails with `NotReadableError`).
//!
//! "Stop sharing": the browser stops the track and fires its `ended` event. A page's own
//! `track.stop()` fires no `ended` (by the spec), and no WebDriver or DevTools command stops a
//! capture as the browser's bar does, so the test does both halves itself on the very track the
//! page shares: `stop()`, then an `ended` event dispatched on it, which is the path the page
//! listens to (`client/src/call/driver/outgoing.rs`).

use serde_json::{Value, json};

use crate::TestResult;
use crate::page::{Page, QUICK, SLOW};
use crate::scenario::{
    alice_and_bob, assert_quiet_consoles, close_all, connect, hang_up_and_check,
};

/// Bob's announcement line.
const NEWS: &str = "const n = document.querySelector('[data-testid=peer-media-notice]'); return n ? n.textContent : null;";

/// Waits until `page` shows the hook `testid` (`present`) or not.
async fn wait_hook(page: &Page, testid: &str, present: bool) -> TestResult {
    page.wait_js(
        &format!("[data-testid={testid}] present = {present}"),
        "return !!document.querySelector(`[data-testid=${arguments[0]}]`) === arguments[1];",
        vec![json!(testid), json!(present)],
        QUICK,
    )
    .await?;
    Ok(())
}

/// Waits until `page` announces exactly `sentence`.
async fn wait_news(page: &Page, sentence: &str) -> TestResult {
    page.wait_js(
        &format!("the announcement {sentence:?}"),
        "const n = document.querySelector('[data-testid=peer-media-notice]'); return !!n && n.textContent === arguments[0];",
        vec![json!(sentence)],
        QUICK,
    )
    .await?;
    Ok(())
}

/// Waits until `page`'s toggle `testid` has `aria-pressed` = `pressed`.
async fn wait_pressed(page: &Page, testid: &str, pressed: bool) -> TestResult {
    page.wait_js(
        &format!("{testid} aria-pressed = {pressed}"),
        "const b = document.querySelector(`[data-testid=${arguments[0]}]`); return !!b && b.getAttribute('aria-pressed') === String(arguments[1]);",
        vec![json!(testid), json!(pressed)],
        QUICK,
    )
    .await?;
    Ok(())
}

/// The shape a `<video>` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// 16:9, Chromium's fake screen.
    Screen,
    /// 4:3, Chromium's fake camera.
    Camera,
}

/// A script true once `#<id>` shows frames of `shape` (`arguments[1]`: width/height ratio).
const SHAPE: &str = "const v = document.querySelector('#' + arguments[0]); \
    return !!v && v.videoWidth > 0 && Math.abs(v.videoWidth / v.videoHeight - arguments[1]) < 0.05 \
      ? [v.videoWidth, v.videoHeight] : null;";

fn ratio(shape: Shape) -> f64 {
    match shape {
        Shape::Screen => 16.0 / 9.0,
        Shape::Camera => 4.0 / 3.0,
    }
}

/// Waits until `page`'s `<video id>` shows frames of `shape`; returns its size.
async fn wait_shape(page: &Page, id: &str, shape: Shape) -> TestResult<(u64, u64)> {
    let size = page
        .wait_js(
            &format!("#{id} showing the {shape:?}'s shape"),
            SHAPE,
            vec![json!(id), json!(ratio(shape))],
            SLOW,
        )
        .await?;
    let number = |i: usize| size.get(i).and_then(Value::as_u64).unwrap_or(0);
    Ok((number(0), number(1)))
}

/// A script true once more than `arguments[0]` remote video frames were decoded.
const FRAMES_ABOVE: &str = "return (async () => { let n = 0; \
    for (const pc of window.__e2e.pcs.filter((p) => p.connectionState !== 'closed')) \
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; }); \
    return n > arguments[0]; })();";

/// Bob's remote video shows `shape` and its frames keep coming (decoded frames go up).
async fn remote_keeps_coming_as(bob: &Page, shape: Shape) -> TestResult {
    let (width, height) = wait_shape(bob, "remote-video", shape).await?;
    if shape == Shape::Screen {
        assert_ne!(
            (width, height),
            (640, 480),
            "the screen's frames differ from the camera's"
        );
    }
    let before = bob.media().await?.frames_decoded;
    bob.wait_js(
        "remote frames still being decoded",
        FRAMES_ABOVE,
        vec![json!(before + 10)],
        SLOW,
    )
    .await?;
    // Still that shape once more frames came.
    wait_shape(bob, "remote-video", shape).await?;
    Ok(())
}

/// Ends Alice's screen share as the browser's "Stop sharing" does (see the module doc).
async fn stop_sharing_as_the_browser_does(alice: &Page) -> TestResult {
    let ended = alice
        .js(
            "const s = document.querySelector('#local-video').srcObject; \
             const t = s && s.getVideoTracks()[0]; \
             if (!t || !t.label.startsWith('screen')) return 'no screen track: ' + (t && t.label); \
             t.stop(); t.dispatchEvent(new Event('ended')); return t.readyState;",
            vec![],
        )
        .await?;
    assert_eq!(ended, json!("ended"), "alice's preview showed her screen");
    Ok(())
}

#[tokio::test]
async fn mute_camera_and_screen_sharing_are_shown_to_the_peer() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) =
            alice_and_bob("mute_camera_and_screen_sharing_are_shown_to_the_peer").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        // A call that starts with everything on shows nothing.
        for hook in ["peer-muted", "peer-camera-off", "peer-sharing"] {
            wait_hook(&bob, hook, false).await?;
        }
        assert_eq!(bob.js(NEWS, vec![]).await?, json!(""));

        // Mute, unmute.
        alice.click_testid("toggle-mic").await?;
        wait_hook(&bob, "peer-muted", true).await?;
        wait_news(&bob, "alice muted.").await?;
        alice.click_testid("toggle-mic").await?;
        wait_hook(&bob, "peer-muted", false).await?;
        wait_news(&bob, "alice unmuted.").await?;

        // Camera off, on.
        alice.click_testid("toggle-camera").await?;
        wait_hook(&bob, "peer-camera-off", true).await?;
        wait_news(&bob, "alice turned the camera off.").await?;
        alice.click_testid("toggle-camera").await?;
        wait_hook(&bob, "peer-camera-off", false).await?;
        wait_news(&bob, "alice turned the camera on.").await?;
        // Alice herself was never told anything about Bob.
        assert_eq!(alice.js(NEWS, vec![]).await?, json!(""));

        // Share the screen: sent in place of the camera, shown in her own preview.
        remote_keeps_coming_as(&bob, Shape::Camera).await?;
        alice.click_testid("share-screen").await?;
        wait_pressed(&alice, "share-screen", true).await?;
        wait_shape(&alice, "local-video", Shape::Screen).await?;
        wait_hook(&bob, "peer-sharing", true).await?;
        bob.wait_js(
            "the sharing line",
            "const s = document.querySelector('[data-testid=peer-sharing]'); return !!s && s.textContent.includes('alice is sharing their screen');",
            vec![],
            QUICK,
        )
        .await?;
        wait_news(&bob, "alice started sharing their screen.").await?;
        remote_keeps_coming_as(&bob, Shape::Screen).await?;
        // Still the same call, no renegotiation needed: one peer connection each.
        assert_eq!(bob.media().await?.open_pcs, 1);

        // The browser's "Stop sharing": the camera comes back.
        stop_sharing_as_the_browser_does(&alice).await?;
        wait_pressed(&alice, "share-screen", false).await?;
        wait_shape(&alice, "local-video", Shape::Camera).await?;
        wait_hook(&bob, "peer-sharing", false).await?;
        wait_news(&bob, "alice stopped sharing their screen.").await?;
        remote_keeps_coming_as(&bob, Shape::Camera).await?;

        // A camera that was off stays off after sharing.
        alice.click_testid("toggle-camera").await?;
        wait_hook(&bob, "peer-camera-off", true).await?;
        alice.click_testid("share-screen").await?;
        wait_hook(&bob, "peer-sharing", true).await?;
        // The screen is video: no "camera off" on the tile meanwhile.
        wait_hook(&bob, "peer-camera-off", false).await?;
        remote_keeps_coming_as(&bob, Shape::Screen).await?;
        alice.click_testid("share-screen").await?;
        wait_hook(&bob, "peer-sharing", false).await?;
        wait_hook(&bob, "peer-camera-off", true).await?;
        wait_pressed(&alice, "toggle-camera", true).await?;
        alice
            .wait_js(
                "alice's camera track back in her preview, still disabled",
                "const s = document.querySelector('#local-video').srcObject; const t = s && s.getVideoTracks()[0]; \
                 return !!t && !t.label.startsWith('screen') && t.enabled === false && t.readyState === 'live';",
                vec![],
                QUICK,
            )
            .await?;
        alice
            .wait_js(
                "alice's video sender carries the (disabled) camera track again",
                "const pc = window.__e2e.pcs.find((p) => p.connectionState !== 'closed'); \
                 const s = pc && pc.getSenders().find((x) => x.track && x.track.kind === 'video'); \
                 return !!s && !s.track.label.startsWith('screen') && s.track.enabled === false;",
                vec![],
                QUICK,
            )
            .await?;

        hang_up_and_check(&alice, &bob).await?;
        // Nothing of the call's media state is left on either page.
        for hook in ["peer-muted", "peer-camera-off", "peer-sharing", "peer-media-notice"] {
            wait_hook(&bob, hook, false).await?;
        }
        assert_quiet_consoles(&[&alice, &bob]).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
