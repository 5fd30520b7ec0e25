//! Checks the harness itself, independent of the app: the in-page probes see a peer connection
//! made by the page's own script (hand-written loopback negotiation inside one page), report its
//! media, its route and its first frame, and notice when everything is stopped.

use serde_json::{Value, json};

use crate::TestResult;
use crate::harness::{World, live_members};
use crate::page::{QUICK, SLOW};
use crate::probes;

/// Two peer connections in one page, fake camera and microphone from one to the other; the
/// receiving side shows its stream in a `#remote-video`, as the app's would.
const LOOPBACK_CALL: &str = r#"
return (async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = (e) => {
    let v = document.querySelector('#remote-video');
    if (!v) { v = document.createElement('video'); v.id = 'remote-video'; v.autoplay = true; v.muted = true; document.body.append(v); }
    v.srcObject = e.streams[0];
  };
  stream.getTracks().forEach((t) => a.addTrack(t, stream));
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  window.__check = { a, b, stream };
  return true;
})();
"#;

#[tokio::test]
async fn probes_see_media_route_first_frame_and_stopping() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("probes_see_media_route_first_frame_and_stopping").await?;
        let page = world.page("probe").await?;
        assert_eq!(page.js(LOOPBACK_CALL, vec![]).await?, json!(true));

        let media = page.wait_media_flowing(SLOW).await?;
        assert_eq!(media.open_pcs, 2);
        page.wait_js(
            "the first frame time",
            "return window.__e2e.firstFrameAt;",
            vec![],
            QUICK,
        )
        .await?;
        let route = page.js(probes::ROUTE, vec![]).await?;
        assert_eq!(
            route.get("local").and_then(Value::as_str),
            Some("host"),
            "route {route}"
        );
        assert_eq!(
            route.get("localAddress").and_then(Value::as_str),
            Some("127.0.0.1"),
            "only loopback: {route}"
        );

        assert!(
            page.capture_tracks().await? >= 4,
            "local and remote audio and video"
        );
        // Not stopped yet: the check must be able to fail.
        let left = page.js(probes::LEFTOVERS, vec![]).await?;
        assert_eq!(left.get("openPcs"), Some(&json!(2)), "{left}");
        page.js(
            "const c = window.__check; c.stream.getTracks().forEach((t) => t.stop()); c.a.close(); c.b.close(); return true;",
            vec![],
        )
        .await?;
        page.wait_everything_stopped(QUICK).await?;
        page.close().await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn dropping_the_world_leaves_no_browser_behind() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("dropping_the_world_leaves_no_browser_behind").await?;
        let page = world.page("doomed").await?;
        page.js("return 1;", vec![]).await?;
        let group = world.browser_group();
        let before = live_members(group);
        // chromedriver and at least Chromium's browser process: the check below can fail.
        assert!(
            before.len() >= 2,
            "browsers run in chromedriver's group: {before:?}"
        );
        // Dropped without closing the session, as on a failing test.
        drop(page);
        drop(world);
        crate::wait::until("every browser process to be gone", QUICK, || async {
            Ok(live_members(group).is_empty().then_some(()))
        })
        .await
    })
    .await
}
