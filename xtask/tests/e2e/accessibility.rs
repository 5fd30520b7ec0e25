//! Accessibility (issue 12, point 11), in two real Chromiums:
//! - axe-core (`.tools/axe`, installed by `cargo xtask test`, see `xtask/src/tools.rs`) finds no
//!   serious or critical violation on the login page, the lobby with two users and a chat line, a
//!   ringing call (the callee's side) and a call in progress (both sides), each in the light and
//!   the dark colour scheme (Chromium's emulated `prefers-color-scheme`, through DevTools);
//! - a whole call is made from the keyboard alone (WebDriver key actions: Tab, Enter, Space; no
//!   element clicks): log in, send a chat line, call from the user list, accept, mute, hang up;
//! - the live region (`[data-testid=live-region]`) says ringing, connected and ended, and the
//!   call's notices ("bob hung up.").
//!
//! axe is injected with WebDriver's execute script: chromedriver runs it through DevTools, which
//! the page's CSP (no inline scripts) does not govern; [`inject_axe`] fails if it does not load.

use std::path::PathBuf;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::TestResult;
use crate::harness::{World, root};
use crate::page::{Page, QUICK, SLOW, user_selector};
use crate::scenario::{ACCEPT_ARMED, close_all};

/// Where `cargo xtask test` installs axe-core (`tools::ensure_axe_core`).
fn axe_path() -> PathBuf {
    root().join(".tools/axe/node_modules/axe-core/axe.min.js")
}

/// Loads axe into `page` (once per document).
async fn inject_axe(page: &Page) -> TestResult {
    let loaded = page
        .js("return typeof window.axe === 'object';", vec![])
        .await?;
    if loaded == json!(true) {
        return Ok(());
    }
    let path = axe_path();
    let source = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "reading {} ({e}): run `cargo xtask test` once, which installs axe-core",
            path.display()
        )
    })?;
    page.js(&format!("{source}\n;return true;"), vec![]).await?;
    let loaded = page
        .js(
            "return typeof window.axe === 'object' && typeof window.axe.run === 'function';",
            vec![],
        )
        .await?;
    if loaded != json!(true) {
        return page
            .fail("axe-core did not load into the page".into())
            .await;
    }
    Ok(())
}

/// Runs axe on the whole page and returns its serious and critical violations, one line each
/// (rule, impact, help, then every element with axe's summary of what is wrong).
const AXE_RUN: &str = r#"
return window.axe.run(document, { resultTypes: ['violations'] }).then((results) =>
  results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes
      .map((n) => `      ${JSON.stringify(n.target)}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`)
      .join('\n')));
"#;

/// Shows `page` in `scheme` (`light` or `dark`) and waits until the page has taken it (the
/// media query matches and no colour transition is still running).
async fn color_scheme(world: &World, page: &Page, scheme: &str) -> TestResult {
    world
        .cdp(
            page,
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await?;
    page.wait_js(
        &format!("the {scheme} colour scheme applied"),
        r#"return matchMedia(`(prefers-color-scheme: ${arguments[0]})`).matches
             && document.getAnimations().every((a) => !(a instanceof CSSTransition));"#,
        vec![json!(scheme)],
        QUICK,
    )
    .await
    .map(drop)
}

/// Fails unless axe finds nothing serious or critical on `page` as it is now, in the light and
/// the dark scheme; `what` names the view in the message.
pub async fn assert_accessible(world: &World, page: &Page, what: &str) -> TestResult {
    inject_axe(page).await?;
    let mut found = Vec::new();
    for scheme in ["dark", "light"] {
        color_scheme(world, page, scheme).await?;
        let violations = page.js(AXE_RUN, vec![]).await?;
        let violations: Vec<String> = serde_json::from_value(violations)?;
        found.extend(violations.into_iter().map(|v| format!("  [{scheme}] {v}")));
    }
    if found.is_empty() {
        Ok(())
    } else {
        page.fail(format!(
            "axe found serious or critical violations on {what}:\n{}",
            found.join("\n")
        ))
        .await
    }
}

/// Presses `keys` one after the other (each down then up), as a keyboard would.
async fn press(page: &Page, keys: &[char]) -> TestResult {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for &key in keys {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    page.client.perform_actions(actions).await?;
    Ok(())
}

/// Types `text` with key presses into whatever has the focus.
async fn type_keys(page: &Page, text: &str) -> TestResult {
    press(page, &text.chars().collect::<Vec<_>>()).await
}

/// Presses Tab until the element matching `selector` has the focus (at most 40 times: the page
/// has far fewer stops, and focus wraps around).
async fn tab_to(page: &Page, selector: &str) -> TestResult {
    const FOCUSED: &str = "const e = document.querySelector(arguments[0]); return !!e && document.activeElement === e;";
    for _ in 0..40 {
        if page.js(FOCUSED, vec![json!(selector)]).await? == json!(true) {
            return Ok(());
        }
        press(page, &[Key::Tab.into()]).await?;
    }
    page.fail(format!("Tab never reached `{selector}`")).await
}

/// Starts recording every text the live region shows (it may change twice between two looks).
async fn record_live_region(page: &Page) -> TestResult {
    page.js(
        r#"const region = document.querySelector('[data-testid=live-region]');
           if (!region) return false;
           window.__said = [];
           new MutationObserver(() => window.__said.push(region.textContent.trim()))
             .observe(region, { childList: true, characterData: true, subtree: true });
           const polite = region.getAttribute('role') === 'status'
             || region.getAttribute('aria-live') === 'polite';
           return polite;"#,
        vec![],
    )
    .await
    .and_then(|ok| {
        if ok == json!(true) {
            Ok(())
        } else {
            Err("no live region (role=status, aria-live=polite) on the page".into())
        }
    })
}

/// Waits until the live region has said `sentence`.
async fn wait_said(page: &Page, sentence: &str) -> TestResult {
    page.wait_js(
        &format!("the live region to say {sentence:?}"),
        "return (window.__said || []).includes(arguments[0]);",
        vec![json!(sentence)],
        SLOW,
    )
    .await
    .map(drop)
}

/// Logs in as `name` with the keyboard alone.
async fn login_by_keyboard(page: &Page, name: &str) -> TestResult {
    page.wait_js(
        "the login form",
        "return !!document.querySelector('input[data-testid=login-name]');",
        vec![],
        SLOW,
    )
    .await?;
    tab_to(page, "input[data-testid=login-name]").await?;
    type_keys(page, name).await?;
    press(page, &[Key::Enter.into()]).await?;
    page.wait_js(
        &format!("logged in as {name:?}"),
        "const me = document.querySelector('[data-testid=my-name]'); return !!me && me.textContent.trim() === arguments[0];",
        vec![json!(name)],
        SLOW,
    )
    .await
    .map(drop)
}

#[tokio::test]
async fn every_view_passes_axe_and_a_call_works_from_the_keyboard() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("every_view_passes_axe_and_a_call_works_from_the_keyboard").await?;
        let alice = world.page("alice").await?;
        let bob = world.page("bob").await?;

        // The login page, then logging in from the keyboard.
        assert_accessible(&world, &alice, "the login page").await?;
        login_by_keyboard(&alice, "alice").await?;
        login_by_keyboard(&bob, "bob").await?;
        alice.wait_for_user("bob").await?;
        bob.wait_for_user("alice").await?;
        for page in [&alice, &bob] {
            record_live_region(page).await?;
        }

        // A chat line sent from the keyboard: the lobby with two users and a line.
        tab_to(&alice, "input[data-testid=chat-input]").await?;
        type_keys(&alice, "hello from the keyboard").await?;
        press(&alice, &[Key::Enter.into()]).await?;
        alice.wait_chat_line("alice", "hello from the keyboard").await?;
        bob.wait_chat_line("alice", "hello from the keyboard").await?;
        assert_accessible(&world, &alice, "the lobby").await?;

        // Alice calls Bob from the user list with Enter; Bob's page rings and says so.
        tab_to(&alice, &user_selector("bob")).await?;
        press(&alice, &[Key::Enter.into()]).await?;
        alice.wait_phase_with("calling", "bob", QUICK).await?;
        bob.wait_phase_with("ringing", "alice", QUICK).await?;
        wait_said(&bob, "alice is calling you. Accept or decline.").await?;
        bob.wait_js("Accept to work", ACCEPT_ARMED, vec![], QUICK)
            .await?;
        assert_accessible(&world, &bob, "a ringing call").await?;

        // Bob accepts with Space.
        tab_to(&bob, "[data-testid=accept-call]").await?;
        press(&bob, &[' ']).await?;
        alice.wait_phase_with("in-call", "bob", SLOW).await?;
        bob.wait_phase_with("in-call", "alice", SLOW).await?;
        wait_said(&bob, "Connected to alice.").await?;
        wait_said(&alice, "Connected to bob.").await?;
        let (a, b) = tokio::join!(alice.wait_media_flowing(SLOW), bob.wait_media_flowing(SLOW));
        a?;
        b?;
        assert_accessible(&world, &alice, "a call in progress (caller)").await?;
        assert_accessible(&world, &bob, "a call in progress (callee)").await?;

        // Alice mutes with Space.
        tab_to(&alice, "[data-testid=toggle-mic]").await?;
        press(&alice, &[' ']).await?;
        alice
            .wait_js(
                "the microphone muted",
                "const b = document.querySelector('[data-testid=toggle-mic]'); return !!b && b.getAttribute('aria-pressed') === 'true';",
                vec![],
                QUICK,
            )
            .await?;

        // Bob hangs up with Enter: his page says the call ended, Alice's gives the notice.
        tab_to(&bob, "[data-testid=hang-up]").await?;
        press(&bob, &[Key::Enter.into()]).await?;
        for page in [&alice, &bob] {
            page.wait_phase("idle", SLOW).await?;
        }
        wait_said(&bob, "Call with alice ended.").await?;
        wait_said(&alice, "bob hung up.").await?;
        let said: Vec<String> =
            serde_json::from_value(bob.js("return window.__said;", vec![]).await?)?;
        let ringing = said.iter().position(|s| s.starts_with("alice is calling you"));
        let connected = said.iter().position(|s| s == "Connected to alice.");
        let ended = said.iter().position(|s| s == "Call with alice ended.");
        assert!(
            ringing < connected && connected < ended,
            "bob's live region said ringing, connected, ended in that order: {said:?}"
        );
        let screenshot = root().join("target/e2e/accessibility-after-call.png");
        alice.screenshot(&screenshot).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

/// The live region must be announced-only: present, hidden from sight, not a second status line.
#[tokio::test]
async fn the_live_region_is_hidden_from_sight_but_not_from_screen_readers() -> TestResult {
    crate::wait::limit(async {
        let world =
            World::start("the_live_region_is_hidden_from_sight_but_not_from_screen_readers")
                .await?;
        let alice = world.page("alice").await?;
        alice.login("alice").await?;
        let shown: Value = alice
            .js(
                r#"const r = document.querySelector('[data-testid=live-region]');
                   if (!r) return null;
                   const box = r.getBoundingClientRect();
                   return { hidden: r.getAttribute('aria-hidden'), width: box.width, height: box.height,
                            display: getComputedStyle(r).display,
                            count: document.querySelectorAll('[data-testid=live-region]').length };"#,
                vec![],
            )
            .await?;
        assert_eq!(shown.get("count"), Some(&json!(1)), "one live region: {shown}");
        assert_eq!(shown.get("hidden"), Some(&Value::Null), "not aria-hidden: {shown}");
        assert_ne!(shown.get("display"), Some(&json!("none")), "not display:none: {shown}");
        let tiny = shown
            .get("width")
            .and_then(Value::as_f64)
            .is_some_and(|w| w <= 1.0);
        assert!(tiny, "visually hidden: {shown}");
        close_all([alice]).await;
        Ok(())
    })
    .await
}
