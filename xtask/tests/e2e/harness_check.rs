//! Checks the harness itself, independent of the app: the in-page probes see a peer connection
//! made by the page's own script (hand-written loopback negotiation inside one page), report its
//! media, its route and its first frame, and notice when everything is stopped; they are in place
//! before the app's scripts after a reload; the proxy forwards, holds and cuts (with plain TCP and
//! with a real page); nftables drops the given ports until lifted; a restarted server answers on
//! the same port.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use crate::TestResult;
use crate::harness::{PortBlock, Proxy, World, live_members, supports_state_file};
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

/// A TCP echo server on a free loopback port (for the proxy check); returns the port.
async fn echo_server() -> TestResult<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut read, mut write) = stream.into_split();
                let _ = tokio::io::copy(&mut read, &mut write).await;
                let _ = write.shutdown().await;
            });
        }
    });
    Ok(port)
}

/// Reads exactly `expected` within `QUICK`.
async fn expect_read(stream: &mut TcpStream, expected: &[u8]) -> TestResult {
    let mut got = vec![0; expected.len()];
    tokio::time::timeout(QUICK, stream.read_exact(&mut got)).await??;
    assert_eq!(got, expected);
    Ok(())
}

/// Nothing arrives on `stream` for `quiet` (the link is held, not closed).
async fn expect_silence(stream: &mut TcpStream, quiet: Duration) -> TestResult {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(quiet, stream.read(&mut byte)).await {
        Err(_) => Ok(()),
        Ok(read) => Err(format!("expected silence, got {read:?}").into()),
    }
}

#[tokio::test]
async fn proxy_forwards_holds_without_closing_and_cuts_with_a_fin() -> TestResult {
    crate::wait::limit(async {
        let proxy = Proxy::start(echo_server().await?).await?;
        let addr = format!("127.0.0.1:{}", proxy.port);
        let mut first = TcpStream::connect(&addr).await?;
        first.write_all(b"hello").await?;
        expect_read(&mut first, b"hello").await?;

        // Held: the bytes go nowhere and nothing is closed, for old and new connections alike.
        proxy.hold();
        first.write_all(b"held").await?;
        let mut second = TcpStream::connect(&addr).await?;
        second.write_all(b"new").await?;
        expect_silence(&mut first, Duration::from_millis(500)).await?;
        expect_silence(&mut second, Duration::from_millis(100)).await?;
        // Released: what was held arrives, in order.
        proxy.release();
        expect_read(&mut first, b"held").await?;
        expect_read(&mut second, b"new").await?;
        first.write_all(b"again").await?;
        expect_read(&mut first, b"again").await?;

        // Cut: every connection ends with a FIN (a clean end of stream, no reset), new ones are
        // refused, and after the outage it forwards again by itself.
        let cut = Instant::now();
        let outage = Duration::from_secs(1);
        proxy.cut(outage);
        for stream in [&mut first, &mut second] {
            let mut rest = Vec::new();
            let read = tokio::time::timeout(QUICK, stream.read_to_end(&mut rest)).await?;
            assert!(
                read.is_ok() && rest.is_empty(),
                "a clean FIN: {read:?} {rest:?}"
            );
        }
        crate::wait::until("new connections refused during the cut", QUICK, || async {
            let refused = matches!(TcpStream::connect(&addr).await,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused);
            Ok(refused.then_some(()))
        })
        .await?;
        assert!(!proxy.is_forwarding());
        proxy.wait_forwarding(QUICK).await?;
        assert!(
            cut.elapsed() >= outage,
            "the cut lasted {:?}",
            cut.elapsed()
        );
        let mut third = TcpStream::connect(&addr).await?;
        third.write_all(b"back").await?;
        expect_read(&mut third, b"back").await?;
        Ok(())
    })
    .await
}

const STATUS: &str = "const s = document.querySelector('[data-testid=connection-status]'); return s ? s.getAttribute('data-state') : null;";

/// The app loads and logs in through a proxy (its WebSocket goes through it: a cut takes the
/// page off line); after a reload the probes were there before the app rendered anything.
#[tokio::test]
async fn a_page_works_through_a_proxy_and_is_probed_from_its_start() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("a_page_works_through_a_proxy_and_is_probed_from_its_start").await?;
        let proxy = world.proxy().await?;
        let page = world.page_via(&proxy, "alice").await?;
        assert_eq!(page.login("alice").await?, "alice");
        let host = page.js("return location.port;", vec![]).await?;
        assert_eq!(host, json!(proxy.port.to_string()), "the page came from the proxy");

        proxy.cut(Duration::from_secs(2));
        page.wait_js(
            "the page to lose its connection",
            &format!("const state = (() => {{ {STATUS} }})(); return state !== 'online' && state !== null;"),
            vec![],
            QUICK,
        )
        .await?;
        proxy.wait_forwarding(QUICK).await?;

        page.client.refresh().await?;
        let first = page
            .js("return window.__e2e ? window.__e2e.connection[0][0] : 'no probes';", vec![])
            .await?;
        assert_eq!(first, json!(null), "probes installed before the status was rendered");
        page.wait_js("the page rendered after the reload", STATUS, vec![], QUICK).await?;
        page.close().await;
        Ok(())
    })
    .await
}

/// nftables drops UDP and TCP on the given ports while the block lives, and nothing after.
#[tokio::test]
async fn port_block_drops_the_given_ports_until_lifted() -> TestResult {
    crate::wait::limit(async {
        let receiver = UdpSocket::bind("127.0.0.1:0").await?;
        let sender = UdpSocket::bind("127.0.0.1:0").await?;
        let to = receiver.local_addr()?;
        let mut buffer = [0u8; 16];
        sender.send_to(b"before", to).await?;
        let (n, _) = tokio::time::timeout(QUICK, receiver.recv_from(&mut buffer)).await??;
        assert_eq!(&buffer[..n], b"before");

        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let tcp_port = listener.local_addr()?.port();
        let block = PortBlock::ports(&[to.port(), tcp_port])?;
        sender.send_to(b"dropped", to).await?;
        let quiet =
            tokio::time::timeout(Duration::from_millis(500), receiver.recv_from(&mut buffer)).await;
        assert!(quiet.is_err(), "the datagram was dropped: {quiet:?}");
        let connect = tokio::time::timeout(
            Duration::from_millis(500),
            TcpStream::connect(("127.0.0.1", tcp_port)),
        )
        .await;
        assert!(
            connect.is_err(),
            "the TCP handshake was dropped: {connect:?}"
        );

        block.lift()?;
        sender.send_to(b"after", to).await?;
        let (n, _) = tokio::time::timeout(QUICK, receiver.recv_from(&mut buffer)).await??;
        assert_eq!(&buffer[..n], b"after");
        TcpStream::connect(("127.0.0.1", tcp_port)).await?;
        Ok(())
    })
    .await
}

/// A restarted server (SIGKILL, then started again) answers on the same port: connections
/// through a proxy to the old one end, new ones reach the new one.
#[tokio::test]
async fn a_restarted_server_answers_on_the_same_port() -> TestResult {
    crate::wait::limit(async {
        let mut world = World::start("a_restarted_server_answers_on_the_same_port").await?;
        println!("the server has --state-file: {}", supports_state_file());
        let proxy = world.proxy().await?;
        let addr = format!("127.0.0.1:{}", proxy.port);
        let mut old = TcpStream::connect(&addr).await?;
        old.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await?;
        let mut head = [0u8; 12];
        tokio::time::timeout(QUICK, old.read_exact(&mut head)).await??;
        assert_eq!(&head, b"HTTP/1.1 200");

        let url = world.url.clone();
        world.restart_server().await?;
        assert_eq!(world.url, url);
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(QUICK, old.read_to_end(&mut rest)).await?;
        let mut new = TcpStream::connect(&addr).await?;
        new.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await?;
        tokio::time::timeout(QUICK, new.read_exact(&mut head)).await??;
        assert_eq!(&head, b"HTTP/1.1 200");
        Ok(())
    })
    .await
}

/// Plays a synthetic audio stream (no capture) in a new `<video>`, muted or not
/// (`arguments[0]`), and returns "played" or the refusal's name.
const TRY_PLAY: &str = r#"
return (async () => {
  const ctx = new AudioContext();
  const dest = ctx.createMediaStreamDestination();
  const osc = ctx.createOscillator(); osc.connect(dest); osc.start();
  const v = document.createElement('video');
  v.muted = arguments[0]; v.srcObject = dest.stream; document.body.append(v);
  try { await v.play(); return 'played'; } catch (e) { return e.name; } finally { v.remove(); }
})();
"#;

/// The strict-autoplay browser really refuses sound before a gesture (and allows it muted), so
/// a test that relies on it can fail.
#[tokio::test]
async fn a_strict_autoplay_browser_refuses_sound_without_a_gesture() -> TestResult {
    crate::wait::limit(async {
        let world =
            World::start("a_strict_autoplay_browser_refuses_sound_without_a_gesture").await?;
        let page = world.page_strict_autoplay("strict").await?;
        assert_eq!(
            page.js(TRY_PLAY, vec![json!(true)]).await?,
            json!("played"),
            "muted plays"
        );
        assert_eq!(
            page.js(TRY_PLAY, vec![json!(false)]).await?,
            json!("NotAllowedError"),
            "sound is refused without a gesture"
        );
        let relaxed = world.page("relaxed").await?;
        assert_eq!(
            relaxed.js(TRY_PLAY, vec![json!(false)]).await?,
            json!("played"),
            "the usual browser plays sound"
        );
        crate::scenario::close_all([page, relaxed]).await;
        Ok(())
    })
    .await
}
