//! Steps the scenarios share: two pages logged in who see each other (directly or each through its
//! own proxy), placing, accepting and hanging up a call, the local preview, a quiet console, and
//! closing every page at the end.

use crate::TestResult;
use serde_json::json;

use crate::harness::{Proxy, World};
use crate::page::{Page, QUICK, SLOW};

/// Two pages logged in as `a` and `b` (under exactly those names) who see each other.
pub async fn pair(world: &World, query: &str, a: &str, b: &str) -> TestResult<(Page, Page)> {
    let first = world.page_with_query(a, query).await?;
    let second = world.page_with_query(b, query).await?;
    assert_eq!(first.login(a).await?, a, "{a} logged in under its own name");
    assert_eq!(
        second.login(b).await?,
        b,
        "{b} logged in under its own name"
    );
    first.wait_for_user(b).await?;
    second.wait_for_user(a).await?;
    Ok((first, second))
}

/// Two pages logged in as `a` and `b` who see each other, each loaded through its own proxy.
pub async fn pair_via(
    world: &World,
    (a, a_link): (&str, &Proxy),
    (b, b_link): (&str, &Proxy),
) -> TestResult<(Page, Page)> {
    let first = world.page_via(a_link, a).await?;
    let second = world.page_via(b_link, b).await?;
    assert_eq!(first.login(a).await?, a, "{a} logged in under its own name");
    assert_eq!(
        second.login(b).await?,
        b,
        "{b} logged in under its own name"
    );
    first.wait_for_user(b).await?;
    second.wait_for_user(a).await?;
    Ok((first, second))
}

/// A fresh world for the test `name` with Alice and Bob logged in and seeing each other.
pub async fn alice_and_bob(name: &str) -> TestResult<(World, Page, Page)> {
    let world = World::start(name).await?;
    let (alice, bob) = pair(&world, "", "alice", "bob").await?;
    Ok((world, alice, bob))
}

/// `caller` calls `callee` (named `callee_name`); returns once the caller is calling and the
/// callee's phone rings.
pub async fn ring(
    caller: &Page,
    caller_name: &str,
    callee: &Page,
    callee_name: &str,
) -> TestResult {
    caller.call(callee_name).await?;
    caller
        .wait_phase_with("calling", callee_name, QUICK)
        .await?;
    callee.wait_phase_with("ringing", caller_name, QUICK).await
}

/// A script true once the incoming-call prompt's Accept works: it is disabled for its first second
/// (issue 11, so ringing cannot be accepted by accident). `Page::click` waits for it by itself;
/// a script's own `.click()` must wait for this first.
pub const ACCEPT_ARMED: &str =
    "const b = document.querySelector('[data-testid=accept-call]'); return !!(b && !b.disabled);";

/// `caller` calls `callee` (named `callee_name`), who accepts; returns once media flows both ways.
pub async fn connect(
    caller: &Page,
    caller_name: &str,
    callee: &Page,
    callee_name: &str,
) -> TestResult {
    ring(caller, caller_name, callee, callee_name).await?;
    callee.click_testid("accept-call").await?;
    caller.wait_phase_with("in-call", callee_name, SLOW).await?;
    callee.wait_phase_with("in-call", caller_name, SLOW).await?;
    let (a, b) = tokio::join!(
        caller.wait_media_flowing(SLOW),
        callee.wait_media_flowing(SLOW)
    );
    a?;
    b?;
    Ok(())
}

/// Both pages are (still) in a call with each other.
pub async fn still_in_call(a: &Page, a_name: &str, b: &Page, b_name: &str) -> TestResult {
    a.wait_phase_with("in-call", b_name, QUICK).await?;
    b.wait_phase_with("in-call", a_name, QUICK).await
}

/// Hangs up from `who` and checks both pages are back in the lobby with everything stopped.
pub async fn hang_up_and_check(who: &Page, other: &Page) -> TestResult {
    assert!(
        who.capture_tracks().await? >= 2,
        "{}: the call has local and remote tracks",
        who.label
    );
    assert!(
        other.capture_tracks().await? >= 2,
        "{}: the call has local and remote tracks",
        other.label
    );
    who.click_testid("hang-up").await?;
    for page in [who, other] {
        page.wait_phase("idle", QUICK).await?;
        page.wait_everything_stopped(QUICK).await?;
        let videos = page
            .js(
                "return document.querySelectorAll('#remote-video, #local-video').length;",
                vec![],
            )
            .await?;
        assert_eq!(
            videos,
            json!(0),
            "{}: no call videos in the lobby",
            page.label
        );
        let peer = page
            .js(
                "return document.querySelector('[data-testid=call]').getAttribute('data-peer');",
                vec![],
            )
            .await?;
        assert_eq!(peer, json!(null), "{}: no data-peer when idle", page.label);
    }
    Ok(())
}

/// Waits until `page` shows its own camera in the local preview.
pub async fn wait_local_preview(page: &Page, what: &str) -> TestResult {
    page.wait_js(
        what,
        "const l = document.querySelector('#local-video'); return !!l && !!l.srcObject && l.srcObject.getTracks().length > 0;",
        vec![],
        QUICK,
    )
    .await?;
    Ok(())
}

/// Asserts that no page logged a console error or warning.
pub async fn assert_quiet_consoles(pages: &[&Page]) -> TestResult {
    for page in pages {
        let console = page.console_messages().await?;
        assert!(
            console.is_empty(),
            "{}: console errors or warnings: {console:?}",
            page.label
        );
    }
    Ok(())
}

/// Ends every page's browser session.
pub async fn close_all(pages: impl IntoIterator<Item = Page>) {
    for page in pages {
        page.close().await;
    }
}
