//! Interop with MDN's webrtc-from-chat client (issue 12, point 1): a call between our app and a
//! stand-in for MDN's page (`mdn_stand_in.html`, which shows `event.streams[0]` of the `track`
//! event as MDN's does) connects with our video and audio showing there, whichever side calls.
//! Our tracks must name a stream in the SDP for that (`client/src/call/driver/peer.rs`); without
//! it the stand-in's remote `<video>` stays empty and these tests fail.
//!
//! The stand-in is served by a tiny HTTP server of the test's own (another origin, so the server
//! is started with `--allowed-origin` for it; no CSP applies to it, it is not our page).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::TestResult;
use crate::harness::{ServerOptions, World};
use crate::page::{Page, QUICK, SLOW};
use crate::scenario::close_all;
use crate::wait;

const STAND_IN: &str = include_str!("mdn_stand_in.html");

/// Serves the stand-in page at every path of a free loopback port until the test ends; returns
/// its origin.
async fn serve_stand_in() -> TestResult<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // The request head is all there is (GET); read until its blank line.
                let mut head = Vec::new();
                let mut chunk = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&chunk[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{STAND_IN}",
                    STAND_IN.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    Ok(origin)
}

/// A world whose server lets the stand-in's origin in, our app logged in as `alice`, and the
/// stand-in logged in as `mdn`; both see each other.
async fn alice_and_mdn(test: &str) -> TestResult<(World, Page, Page)> {
    let origin = serve_stand_in().await?;
    let options = ServerOptions {
        args: vec!["--allowed-origin".into(), origin.clone()],
    };
    let world = World::start_with(test, options).await?;
    let alice = world.page("alice").await?;
    assert_eq!(alice.login("alice").await?, "alice");
    let mdn = world.page_at("mdn", &format!("{origin}/")).await?;
    let ws = format!("{}/ws", world.url.replacen("http", "ws", 1));
    let users = mdn
        .js(
            "return window.mdn.connect(arguments[0], 'mdn');",
            vec![json!(ws)],
        )
        .await?;
    assert!(
        users
            .as_array()
            .is_some_and(|u| u.contains(&json!("alice"))),
        "the stand-in lists alice: {users}"
    );
    alice.wait_for_user("mdn").await?;
    Ok((world, alice, mdn))
}

/// What the stand-in's remote `<video>` shows (see `mdn.remote` in the page).
async fn remote(mdn: &Page) -> TestResult<Value> {
    mdn.js("return window.mdn.remote();", vec![]).await
}

/// Waits until the stand-in shows our video (decoded frames, its clock advancing) and receives
/// our audio in the same stream, then until our own page gets its media too.
async fn both_see_and_hear(alice: &Page, mdn: &Page) -> TestResult {
    let number = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let what = "the stand-in showing our video and receiving our audio from event.streams[0]";
    let first = wait::until(what, SLOW, || async {
        let r = remote(mdn).await?;
        let shown = number(&r, "videoWidth") > 0.0
            && number(&r, "videoTracks") == 1.0
            && number(&r, "liveAudio") == 1.0
            && number(&r, "audioPackets") > 0.0
            && r.get("paused") == Some(&json!(false));
        Ok(shown.then_some(r))
    })
    .await;
    let first = match first {
        Ok(r) => r,
        Err(e) => return mdn.fail(format!("{e}; last: {}", remote(mdn).await?)).await,
    };
    let played = number(&first, "currentTime");
    wait::until("the stand-in's remote video advancing", QUICK, || async {
        Ok((number(&remote(mdn).await?, "currentTime") > played).then_some(()))
    })
    .await?;
    let r = remote(mdn).await?;
    assert_eq!(r.get("errors"), Some(&json!([])), "stand-in errors: {r}");
    assert_eq!(
        r.get("streamless"),
        Some(&json!(0)),
        "tracks with no stream: {r}"
    );
    alice.wait_media_flowing(SLOW).await?;
    // MDN's client never says `hello` on the data channel: our in-call chat says it is
    // unavailable and offers no input (issue 12, point 6).
    alice
        .wait_js(
            "the in-call chat unavailable",
            "return !!document.querySelector('[data-testid=call-chat-unavailable]') \
             && !document.querySelector('[data-testid=call-chat-input]');",
            vec![],
            QUICK,
        )
        .await
        .map(drop)
}

#[tokio::test]
async fn mdn_client_calls_us_and_shows_our_video() -> TestResult {
    wait::limit(async {
        let (_world, alice, mdn) = alice_and_mdn("mdn_client_calls_us_and_shows_our_video").await?;
        mdn.js("window.mdn.call('alice'); return true;", vec![])
            .await?;
        alice.wait_phase_with("ringing", "mdn", QUICK).await?;
        alice.click_testid("accept-call").await?;
        alice
            .wait_phase_with("in-call", "mdn", Duration::from_secs(20))
            .await?;
        both_see_and_hear(&alice, &mdn).await?;
        close_all([alice, mdn]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn we_call_mdn_client_and_it_shows_our_video() -> TestResult {
    wait::limit(async {
        let (_world, alice, mdn) =
            alice_and_mdn("we_call_mdn_client_and_it_shows_our_video").await?;
        alice.call("mdn").await?;
        // MDN's client answers at once (it has no ringing).
        alice
            .wait_phase_with("in-call", "mdn", Duration::from_secs(20))
            .await?;
        both_see_and_hear(&alice, &mdn).await?;
        close_all([alice, mdn]).await;
        Ok(())
    })
    .await
}
