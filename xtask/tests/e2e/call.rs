//! Call scenarios between real browsers: connect and hang up from either side (with the committed
//! screenshot), decline, busy, cancel, a closed tab, and both calling each other at once.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::TestResult;
use crate::harness::root;
use crate::page::{Page, QUICK, SLOW};
use crate::scenario::{
    alice_and_bob, assert_quiet_consoles, close_all, connect, hang_up_and_check, ring,
    still_in_call, wait_local_preview,
};

/// Alice calls Bob, whose phone rings, and her own camera shows in her preview (its tracks
/// captured, so the test can check they are stopped later).
async fn alice_rings_bob_with_her_camera_on(alice: &Page, bob: &Page) -> TestResult {
    ring(alice, "alice", bob, "bob").await?;
    wait_local_preview(alice, "the local preview while calling").await?;
    alice.capture_tracks().await?;
    Ok(())
}

#[tokio::test]
async fn call_connects_with_media_both_ways_and_either_side_hangs_up() -> TestResult {
    crate::wait::limit(async {
        let (world, alice, bob) = alice_and_bob("call_connects_with_media_both_ways_and_either_side_hangs_up").await?;
        alice.send_chat("Hi Bob! Video call?", true).await?;
        bob.wait_chat_line("alice", "Hi Bob! Video call?").await?;
        bob.send_chat("Sure, call me!", true).await?;
        alice.wait_chat_line("bob", "Sure, call me!").await?;

        connect(&alice, "alice", &bob, "bob").await?;
        // Screenshot of a call in progress: both videos showing, a desktop-sized viewport.
        alice.set_viewport(1280, 800).await?;
        alice
            .wait_js(
                "both videos showing",
                "const r = document.querySelector('#remote-video'), l = document.querySelector('#local-video'); return !!r && !!l && r.videoWidth > 0 && l.videoWidth > 0;",
                vec![],
                QUICK,
            )
            .await?;
        let shot = world.dir.join("call.png");
        alice.screenshot(&shot).await?;
        let committed = root().join("docs").join("screenshot-call.png");
        if !committed.exists() || std::env::var_os("E2E_UPDATE_SCREENSHOT").is_some() {
            std::fs::copy(&shot, &committed)?;
        }
        hang_up_and_check(&alice, &bob).await?;

        // Again, and this time the callee hangs up.
        connect(&alice, "alice", &bob, "bob").await?;
        hang_up_and_check(&bob, &alice).await?;
        assert_quiet_consoles(&[&alice, &bob]).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn callee_declines_and_caller_is_told() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) = alice_and_bob("callee_declines_and_caller_is_told").await?;
        alice_rings_bob_with_her_camera_on(&alice, &bob).await?;
        bob.click_testid("decline-call").await?;
        bob.wait_phase("idle", QUICK).await?;
        alice.wait_phase("idle", QUICK).await?;
        alice.wait_notice("bob declined.", QUICK).await?;
        alice.wait_everything_stopped(QUICK).await?;
        assert!(
            !bob.phase_history().await?.iter().any(|p| p == "in-call"),
            "bob never joined a call"
        );
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn caller_cancels_before_the_callee_answers() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) =
            alice_and_bob("caller_cancels_before_the_callee_answers").await?;
        alice_rings_bob_with_her_camera_on(&alice, &bob).await?;
        alice.click_testid("cancel-call").await?;
        alice.wait_phase("idle", QUICK).await?;
        bob.wait_phase("idle", QUICK).await?;
        alice.wait_everything_stopped(QUICK).await?;
        bob.wait_everything_stopped(QUICK).await?;
        let accept = bob
            .js(
                "return !!document.querySelector('[data-testid=accept-call]');",
                vec![],
            )
            .await?;
        assert_eq!(accept, json!(false), "bob's incoming-call prompt is gone");
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_third_caller_gets_busy_and_the_call_goes_on() -> TestResult {
    crate::wait::limit(async {
        let (world, alice, bob) =
            alice_and_bob("a_third_caller_gets_busy_and_the_call_goes_on").await?;
        let carol = world.page("carol").await?;
        carol.login("carol").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        alice
            .js(
                "window.__e2e.phases = []; window.__e2e.check(); return true;",
                vec![],
            )
            .await?;
        let before = alice.media().await?;

        carol.call("alice").await?;
        carol.wait_notice("alice is busy.", QUICK).await?;
        carol.wait_phase("idle", QUICK).await?;

        // The call goes on: still in the call with bob, frames still arriving on both sides.
        still_in_call(&alice, "alice", &bob, "bob").await?;
        let history = alice.phase_history().await?;
        assert_eq!(
            history,
            ["in-call"],
            "alice's call was not disturbed (phases since carol called)"
        );
        let after = alice.wait_media_flowing(QUICK).await?;
        assert!(after.frames_decoded > before.frames_decoded);
        assert_eq!(after.open_pcs, 1, "alice has one peer connection");
        bob.wait_media_flowing(QUICK).await?;
        close_all([alice, bob, carol]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn closing_the_tab_mid_call_ends_it_for_the_partner_within_3_s() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) =
            alice_and_bob("closing_the_tab_mid_call_ends_it_for_the_partner_within_3_s").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        alice.capture_tracks().await?;

        let closed = Instant::now();
        bob.client.close_window().await?;
        alice.wait_phase("idle", Duration::from_secs(3)).await?;
        let took = closed.elapsed();
        println!(
            "alice's call ended {} ms after bob's tab closed",
            took.as_millis()
        );
        assert!(took <= Duration::from_secs(3), "took {took:?}");
        alice.wait_everything_stopped(QUICK).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn calling_each_other_at_once_makes_exactly_one_call() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) = alice_and_bob("calling_each_other_at_once_makes_exactly_one_call").await?;
        // Both click at the same wall-clock instant, scheduled in-page so WebDriver latency can't
        // separate them.
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as u64
            + 500;
        let schedule = "const [selector, at] = arguments; const e = document.querySelector(selector); \
                        setTimeout(() => e.click(), Math.max(0, at - Date.now())); return !!e;";
        let (a, b) = tokio::join!(
            alice.js(
                schedule,
                vec![json!(crate::page::user_selector("bob")), json!(at)]
            ),
            bob.js(
                schedule,
                vec![json!(crate::page::user_selector("alice")), json!(at)]
            ),
        );
        assert_eq!((a?, b?), (json!(true), json!(true)));

        alice.wait_phase_with("in-call", "bob", SLOW).await?;
        bob.wait_phase_with("in-call", "alice", SLOW).await?;
        let (a, b) = tokio::join!(alice.wait_media_flowing(SLOW), bob.wait_media_flowing(SLOW));
        let (a, b) = (a?, b?);
        // Both really called (a page that rang instead would have needed an Accept).
        for page in [&alice, &bob] {
            let history = page.phase_history().await?;
            println!("{}: phases {history:?}", page.label);
            assert!(history.iter().any(|p| p == "calling"), "{}: phases {history:?}", page.label);
        }
        assert_eq!(
            a.open_pcs, 1,
            "alice has exactly one peer connection: {a:?}"
        );
        assert_eq!(b.open_pcs, 1, "bob has exactly one peer connection: {b:?}");
        // And it stays one call.
        still_in_call(&alice, "alice", &bob, "bob").await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

/// Whether this page sends `kind` media (`arguments[0]`) as `arguments[1]` says: some open peer
/// connection has a transceiver of that kind whose sender holds a live, enabled track.
const SENDING_IS: &str = r#"
const [kind, want] = arguments;
const sending = window.__e2e.pcs.filter((pc) => pc.connectionState !== 'closed')
  .flatMap((pc) => pc.getTransceivers())
  .filter((t) => t.receiver.track && t.receiver.track.kind === kind)
  .some((t) => !!t.sender.track && t.sender.track.enabled && t.sender.track.readyState === 'live');
return sending === want;
"#;

/// `aria-pressed` of the button `arguments[0]` (a data-testid) equals `arguments[1]`.
const PRESSED_IS: &str = r#"
const b = document.querySelector(`[data-testid="${arguments[0]}"]`);
return !!b && b.getAttribute('aria-pressed') === arguments[1];
"#;

/// Waits until `page` sends `kind` media (or, with `want` false, does not).
async fn wait_sending(page: &Page, kind: &str, want: bool, what: &str) -> TestResult {
    page.wait_js(what, SENDING_IS, vec![json!(kind), json!(want)], QUICK)
        .await?;
    Ok(())
}

/// Waits until the toggle button `toggle` shows `aria-pressed` equal to `pressed`.
async fn wait_pressed(page: &Page, toggle: &str, pressed: bool, what: &str) -> TestResult {
    page.wait_js(
        what,
        PRESSED_IS,
        vec![json!(toggle), json!(pressed.to_string())],
        QUICK,
    )
    .await?;
    Ok(())
}

/// The call duration when it reads `m:ss` and differs from `arguments[0]`.
const DURATION_OTHER_THAN: &str = r#"
const d = document.querySelector('[data-testid=call-duration]');
const text = d ? d.textContent.trim() : '';
return /^\d+:\d\d$/.test(text) && text !== arguments[0] ? text : null;
"#;

#[tokio::test]
async fn mute_camera_off_duration_and_a_phone_sized_screen() -> TestResult {
    crate::wait::limit(async {
        let (world, alice, bob) = alice_and_bob("mute_camera_off_duration_and_a_phone_sized_screen").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        for (toggle, kind) in [("toggle-mic", "audio"), ("toggle-camera", "video")] {
            wait_sending(&alice, kind, true, &format!("{kind} sent")).await?;
            wait_pressed(&alice, toggle, false, &format!("{toggle} unpressed")).await?;
            alice.click_testid(toggle).await?;
            wait_pressed(&alice, toggle, true, &format!("{toggle} pressed")).await?;
            wait_sending(&alice, kind, false, &format!("no {kind} sent")).await?;
            alice.click_testid(toggle).await?;
            wait_pressed(&alice, toggle, false, &format!("{toggle} unpressed again")).await?;
            wait_sending(&alice, kind, true, &format!("{kind} sent again")).await?;
        }
        let first = alice
            .wait_js(
                "the call duration (m:ss)",
                DURATION_OTHER_THAN,
                vec![json!("")],
                QUICK,
            )
            .await?;
        alice
            .wait_js(
                "the call duration to advance",
                DURATION_OTHER_THAN,
                vec![first],
                QUICK,
            )
            .await?;
        // At a phone's width the call still fits: no sideways scrolling, the remote video and
        // Hang Up inside the screen's width.
        alice.set_viewport(390, 844).await?;
        alice
            .wait_js(
                "the call to fit a phone's width",
                r#"const fits = (s) => { const e = document.querySelector(s); if (!e) return false;
                     const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; };
                   return document.documentElement.scrollWidth <= window.innerWidth
                     && fits('#remote-video') && fits('[data-testid=hang-up]');"#,
                vec![],
                QUICK,
            )
            .await?;
        alice.screenshot(&world.dir.join("call-phone.png")).await?;
        // The toggles never disturbed the call.
        still_in_call(&alice, "alice", &bob, "bob").await?;
        bob.wait_media_flowing(QUICK).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
