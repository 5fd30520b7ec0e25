//! A ringing call is noticed in a hidden tab, and both ends show the same security code
//! (issue 12, points 8 and 10).
//!
//! Hiding a tab for real: Bob's page opens a second tab (`window.open`, as a link would), which
//! comes to the front, so Bob's page becomes `hidden` (`document.visibilityState`). WebDriver
//! then works in that second tab, which reads Bob's page through `window.opener` (same origin:
//! an `about:blank` opened by the page inherits it). Switching WebDriver back to Bob's tab would
//! bring it to the front and make it visible again, so the hidden part never does.
//!
//! Three rings: Alice cancels while Bob's page is hidden; Bob accepts from his hidden page;
//! Bob comes back to his tab (notification and title stop, the ringtone goes on) and declines.
//! Each time every alert is seen on, then off, and the title stays Bob's page's own.
//!
//! What is observed is what the browser really does: the `ringer` hook's attributes are the
//! `AudioContext`'s `state` and the notification's `show` event; `document.title` is read as it
//! is. Bob's browser refuses sound until a user gesture (`page_strict_autoplay`): his click on
//! "Join" is the gesture that lets the ringtone run. Notifications are granted to the app's
//! origin with the DevTools command `Browser.grantPermissions` (with the camera and microphone,
//! which it would refuse otherwise), as a person's "Allow" would; headless Chromium then fires
//! the notification's `show` event.

use serde_json::{Value, json};

use crate::TestResult;
use crate::harness::World;
use crate::page::{Page, QUICK, SLOW};
use crate::scenario::{close_all, connect, hang_up_and_check};

/// Bob's page as seen from the tab in front of it (or from itself, once in front again).
const BOB_PAGE: &str = r#"
const page = window.opener || window;
const d = page.document;
const ringer = d.querySelector('[data-testid=ringer]');
const call = d.querySelector('[data-testid=call]');
return {
  visibility: d.visibilityState,
  title: d.title,
  phase: call && call.getAttribute('data-phase'),
  ringtone: ringer && ringer.getAttribute('data-ringtone'),
  connected: ringer && ringer.getAttribute('data-tone-connected'),
  notification: ringer && ringer.getAttribute('data-notification'),
  flash: ringer && ringer.getAttribute('data-title-flash'),
};"#;

const CALLING: &str = "📞 alice is calling…";

/// Waits until Bob's page (read from the tab in front) satisfies `check`.
async fn wait_bob(bob: &Page, what: &str, check: impl Fn(&Value) -> bool) -> TestResult<Value> {
    let found = crate::wait::until(what, QUICK, || {
        let fetched = bob.js(BOB_PAGE, vec![]);
        let check = &check;
        async move {
            let state = fetched.await?;
            Ok(check(&state).then_some(state))
        }
    })
    .await;
    match found {
        Ok(state) => Ok(state),
        Err(e) => {
            let last = bob.js(BOB_PAGE, vec![]).await.unwrap_or_default();
            Err(format!("bob: {e}; last seen: {last}").into())
        }
    }
}

fn is(state: &Value, key: &str, value: &str) -> bool {
    state[key] == json!(value)
}

/// Every alert on: the page hidden and ringing, the tone running, the notification shown, the
/// title flashing (both titles seen in turn).
async fn wait_ringing_alerts(bob: &Page, base: &str) -> TestResult {
    wait_bob(bob, "bob's hidden page ringing with every alert", |s| {
        is(s, "visibility", "hidden")
            && is(s, "phase", "ringing")
            && is(s, "ringtone", "running")
            && is(s, "connected", "true")
            && is(s, "notification", "shown")
            && is(s, "flash", "on")
    })
    .await?;
    wait_bob(bob, "the title saying who calls", |s| {
        is(s, "title", CALLING)
    })
    .await?;
    wait_bob(bob, "the title back to the page's own", |s| {
        is(s, "title", base)
    })
    .await?;
    wait_bob(bob, "the title saying who calls again", |s| {
        is(s, "title", CALLING)
    })
    .await?;
    Ok(())
}

/// Every alert off, the title restored and staying so for longer than a flash.
async fn wait_alerts_stopped(bob: &Page, phase: &str, base: &str) -> TestResult {
    wait_bob(bob, "every alert stopped", |s| {
        is(s, "phase", phase)
            && is(s, "ringtone", "closed")
            && is(s, "connected", "false")
            && is(s, "notification", "closed")
            && is(s, "flash", "off")
            && is(s, "title", base)
    })
    .await?;
    // Watch the title for two and a half flashes: it no longer changes.
    let titles = bob
        .js(
            "const d = (window.opener || window).document; const seen = new Set([d.title]);
             return new Promise((done) => {
               const t = setInterval(() => seen.add(d.title), 50);
               setTimeout(() => { clearInterval(t); done([...seen]); }, 2500);
             });",
            vec![],
        )
        .await?;
    assert_eq!(titles, json!([base]), "the title stays restored");
    Ok(())
}

#[tokio::test]
async fn a_call_ringing_in_a_hidden_tab_rings_notifies_and_flashes_until_answered() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("a_call_ringing_in_a_hidden_tab").await?;
        let alice = world.page("alice").await?;
        let bob = world.page_strict_autoplay("bob").await?;
        world
            .cdp(
                &bob,
                "Browser.grantPermissions",
                // It refuses every permission it does not name: the camera and microphone
                // must be named too (refused, Chromium hides host candidates behind mDNS names
                // and no call connects on loopback).
                json!({
                    "permissions": ["notifications", "videoCapture", "audioCapture"],
                    "origin": world.url,
                }),
            )
            .await?;
        assert_eq!(alice.login("alice").await?, "alice");
        assert_eq!(bob.login("bob").await?, "bob");
        alice.wait_for_user("bob").await?;
        bob.wait_for_user("alice").await?;
        // Permission is only asked by a click: Alice, never asked, is offered the button; Bob,
        // allowed already, is not.
        alice
            .wait_js(
                "the 'Notify me of calls' button",
                "return !!document.querySelector('[data-testid=notify-calls]') && Notification.permission === 'default';",
                vec![],
                QUICK,
            )
            .await?;
        let asked = bob
            .js(
                "return !!document.querySelector('[data-testid=notify-calls]');",
                vec![],
            )
            .await?;
        assert_eq!(asked, json!(false), "bob allowed notifications already");
        let base = bob.js("return document.title;", vec![]).await?;
        let base = base.as_str().unwrap_or_default().to_owned();
        assert!(!base.is_empty(), "the page has a title");
        let ringer = bob
            .js(
                "return document.querySelector('[data-testid=ringer]').getAttribute('data-ringtone');",
                vec![],
            )
            .await?;
        assert_eq!(ringer, json!("off"), "no ringtone before a call");

        // Bob opens another tab: his page is hidden.
        let own_tab = bob.client.window().await?;
        bob.js("return !!window.open('about:blank');", vec![])
            .await?;
        let other = bob
            .client
            .windows()
            .await?
            .into_iter()
            .find(|w| *w != own_tab)
            .ok_or("bob: no second tab")?;
        bob.client.switch_to_window(other).await?;
        wait_bob(&bob, "bob's page hidden behind the other tab", |s| {
            is(s, "visibility", "hidden") && is(s, "phase", "idle")
        })
        .await?;

        // Alice calls, then cancels.
        alice.call("bob").await?;
        alice.wait_phase_with("calling", "bob", QUICK).await?;
        wait_ringing_alerts(&bob, &base).await?;
        alice.click_testid("cancel-call").await?;
        wait_alerts_stopped(&bob, "idle", &base).await?;

        // Again, and Bob accepts from the prompt of his hidden page (a script's click, once
        // its buttons work): everything stops.
        alice.call("bob").await?;
        wait_ringing_alerts(&bob, &base).await?;
        bob.wait_js(
            "bob's Accept to work",
            "const b = window.opener.document.querySelector('[data-testid=accept-call]'); return !!(b && !b.disabled);",
            vec![],
            QUICK,
        )
        .await?;
        bob.js(
            "window.opener.document.querySelector('[data-testid=accept-call]').click(); return true;",
            vec![],
        )
        .await?;
        alice.wait_phase_with("in-call", "bob", SLOW).await?;
        wait_alerts_stopped(&bob, "in-call", &base).await?;
        alice.click_testid("hang-up").await?;
        wait_bob(&bob, "the call over", |s| is(s, "phase", "idle")).await?;

        // A third time Bob comes back to his tab (as a click on the notification would bring
        // it): the notification and the flashing title stop, the ringtone goes on until he
        // declines.
        alice.call("bob").await?;
        wait_ringing_alerts(&bob, &base).await?;
        bob.client.close_window().await?;
        bob.client.switch_to_window(own_tab).await?;
        wait_bob(&bob, "bob's page in front: only the ringtone left", |s| {
            is(s, "visibility", "visible")
                && is(s, "phase", "ringing")
                && is(s, "ringtone", "running")
                && is(s, "connected", "true")
                && is(s, "notification", "closed")
                && is(s, "flash", "off")
                && is(s, "title", &base)
        })
        .await?;
        bob.click_testid("decline-call").await?;
        alice.wait_phase("idle", QUICK).await?;
        wait_alerts_stopped(&bob, "idle", &base).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

/// The code each page shows, once both show one (`123 456`), and the fingerprints of its
/// current peer connection's local and remote descriptions.
async fn codes(alice: &Page, bob: &Page) -> TestResult<(String, String, Value)> {
    const CODE: &str = r#"
        const sas = document.querySelector('[data-testid=sas]');
        const text = sas && sas.textContent;
        return text && /^[0-9]{3} [0-9]{3}$/.test(text) ? text : null;"#;
    const PRINTS: &str = r#"
        const pc = window.__e2e.pcs[window.__e2e.pcs.length - 1];
        const prints = (d) => d.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=fingerprint:')).sort();
        return [prints(pc.localDescription), prints(pc.remoteDescription)];"#;
    let a = alice
        .wait_js("alice's security code", CODE, vec![], QUICK)
        .await?;
    let b = bob
        .wait_js("bob's security code", CODE, vec![], QUICK)
        .await?;
    let prints = alice.js(PRINTS, vec![]).await?;
    let text = |v: Value| v.as_str().unwrap_or_default().to_owned();
    Ok((text(a), text(b), prints))
}

#[tokio::test]
async fn both_ends_of_a_call_show_the_same_security_code() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("both_ends_show_the_same_security_code").await?;
        let (alice, bob) = crate::scenario::pair(&world, "", "alice", "bob").await?;
        let hint = "Compare this code with bob: if it matches, nobody is listening in.";

        connect(&alice, "alice", &bob, "bob").await?;
        let (first_a, first_b, first_prints) = codes(&alice, &bob).await?;
        assert_eq!(first_a, first_b, "both ends show the same code");
        let line = alice
            .js(
                "return document.querySelector('[data-testid=sas]').parentElement.textContent;",
                vec![],
            )
            .await?;
        assert!(
            line.as_str().unwrap_or_default().contains(hint),
            "the code comes with what to do with it: {line}"
        );
        hang_up_and_check(&alice, &bob).await?;
        let gone = alice
            .js(
                "return !!document.querySelector('[data-testid=sas]');",
                vec![],
            )
            .await?;
        assert_eq!(gone, json!(false), "no code outside a call");

        // A second call, Bob calling: new peer connections, new certificates, still one code.
        connect(&bob, "bob", &alice, "alice").await?;
        let (second_a, second_b, second_prints) = codes(&alice, &bob).await?;
        assert_eq!(second_a, second_b, "both ends show the same code again");
        assert_ne!(
            first_prints, second_prints,
            "Chromium made new certificates for the new peer connections"
        );
        assert_ne!(
            first_a, second_a,
            "new certificates give a new code (a clash has odds of one in a million)"
        );
        hang_up_and_check(&bob, &alice).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
