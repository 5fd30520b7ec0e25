//! Issue 12, point 12: a call between Chromium and Firefox (Debian's `firefox-esr` with
//! geckodriver and its fake-media preferences, see `harness/geckodriver.rs`), both ways, with the
//! in-call features Firefox supports: the same security code at both ends, chat over the data
//! channel, the partner's mute and camera shown, a quality level on both sides, and the device
//! pickers — the speaker picker enabled exactly where the browser has `setSinkId` and lists a
//! speaker, else disabled with a note saying why (Firefox lists none: an honest notice). The core call scenario (media both ways, either side calling) is
//! `autoplay::firefox_and_chromium_call_each_other`.
//!
//! Not covered here: screen sharing from Firefox (headless Firefox has no fake screen to pick).

use serde_json::{Value, json};

use crate::TestResult;
use crate::autoplay::{chromium_alice_and_firefox_bob, close_with_firefox};
use crate::page::{Page, QUICK, SLOW};
use crate::scenario::{connect, hang_up_and_check};

/// The security code once both descriptions are known.
async fn sas(page: &Page) -> TestResult<String> {
    let value = page
        .wait_js(
            "the security code",
            "const s = document.querySelector('[data-testid=sas]'); return s && /^[0-9 ]{6,}$/.test(s.textContent.trim()) ? s.textContent.trim() : null;",
            vec![],
            QUICK,
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// `testid` present (or gone) on `page`.
async fn wait_hook(page: &Page, testid: &str, present: bool) -> TestResult {
    page.wait_js(
        &format!("{testid} {}", if present { "shown" } else { "gone" }),
        "return !!document.querySelector(`[data-testid=${arguments[0]}]`) === arguments[1] ? true : null;",
        vec![json!(testid), json!(present)],
        QUICK,
    )
    .await
    .map(drop)
}

/// `from` says `text` in the call's chat and `to` shows it.
async fn say(from: &Page, to: &Page, text: &str) -> TestResult {
    from.wait_js(
        "the call chat ready",
        "return !!document.querySelector('[data-testid=call-chat][data-ready=true]') || null;",
        vec![],
        SLOW,
    )
    .await?;
    from.type_into("[data-testid=call-chat-input]", text)
        .await?;
    from.click_testid("call-chat-send").await?;
    to.wait_js(
        "the call chat line",
        "return [...document.querySelectorAll('[data-testid=call-chat-line]')].some((l) => l.textContent.endsWith(': ' + arguments[0])) || null;",
        vec![json!(text)],
        QUICK,
    )
    .await
    .map(drop)
}

/// The quality indicator has a level.
async fn quality_level(page: &Page) -> TestResult<Value> {
    page.wait_js(
        "a quality level",
        "const q = document.querySelector('[data-testid=quality][data-level]'); return q ? q.dataset.level : null;",
        vec![],
        QUICK,
    )
    .await
}

/// The pickers list devices, and the speaker picker is usable exactly where `setSinkId` is.
async fn pickers_honest(page: &Page) -> TestResult<Value> {
    let found = page
        .wait_js(
            "the device pickers",
            r#"const count = (id) => document.querySelectorAll(`[data-testid=${id}] option`).length;
               const speaker = document.querySelector('[data-testid=device-speaker]');
               if (!speaker || count('device-camera') < 1 || count('device-mic') < 1) return null;
               return { sink: 'setSinkId' in HTMLMediaElement.prototype, enabled: !speaker.disabled,
                        outputs: count('device-speaker') - (speaker.querySelector("option[value='']") ? 1 : 0),
                        notice: !!document.querySelector('[data-testid=device-speaker-unsupported]') };"#,
            vec![],
            QUICK,
        )
        .await?;
    let flag = |key: &str| found.get(key).and_then(Value::as_bool).unwrap_or(false);
    let outputs = found.get("outputs").and_then(Value::as_u64).unwrap_or(0);
    // Usable exactly when the browser can set a sink and lists a speaker; otherwise the note
    // says why (no `setSinkId`, or none listed as in Firefox).
    let usable = flag("sink") && outputs > 0;
    if flag("enabled") != usable || flag("notice") == usable {
        return page
            .fail(format!(
                "speaker picker does not match the browser: {found}"
            ))
            .await;
    }
    Ok(found)
}

/// The features, in a call `caller` placed and `callee` accepted.
async fn features_work(caller: (&Page, &str), callee: (&Page, &str)) -> TestResult {
    let ((a, a_name), (b, b_name)) = (caller, callee);
    let (code_a, code_b) = (sas(a).await?, sas(b).await?);
    assert_eq!(code_a, code_b, "the same security code at both ends");

    say(a, b, &format!("hello from {a_name}")).await?;
    say(b, a, &format!("hello from {b_name}")).await?;

    a.click_testid("toggle-mic").await?;
    wait_hook(b, "peer-muted", true).await?;
    a.click_testid("toggle-mic").await?;
    wait_hook(b, "peer-muted", false).await?;
    b.click_testid("toggle-camera").await?;
    wait_hook(a, "peer-camera-off", true).await?;
    b.click_testid("toggle-camera").await?;
    wait_hook(a, "peer-camera-off", false).await?;

    for page in [a, b] {
        let level = quality_level(page).await?;
        println!("{}: quality {level}", page.label);
        let pickers = pickers_honest(page).await?;
        println!("{}: pickers {pickers}", page.label);
    }
    Ok(())
}

#[tokio::test]
async fn chromium_and_firefox_share_the_in_call_features_both_ways() -> TestResult {
    const TEST: &str = "chromium_and_firefox_share_the_in_call_features_both_ways";
    crate::wait::limit(async {
        let (_world, firefox, alice, bob) = chromium_alice_and_firefox_bob(TEST).await?;

        connect(&alice, "alice", &bob, "bob").await?;
        features_work((&alice, "alice"), (&bob, "bob")).await?;
        hang_up_and_check(&alice, &bob).await?;

        connect(&bob, "bob", &alice, "alice").await?;
        features_work((&bob, "bob"), (&alice, "alice")).await?;
        hang_up_and_check(&bob, &alice).await?;

        close_with_firefox(firefox, [alice, bob]).await
    })
    .await
}
