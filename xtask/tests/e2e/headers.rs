//! Security headers in real browsers (issue 10, point 3): the page comes with its
//! Content-Security-Policy and the other headers, and two browsers log in, chat and make a full
//! call without one CSP violation in either page (the probes collect every
//! `securitypolicyviolation` event, in Chromium from before the page's first script) and without a
//! console error or warning. Then an inline script injected into the page must be blocked and
//! reported, which shows the policy is enforced and the collection works.
//!
//! One test pairs two Chromiums; the other puts Firefox ESR on one side, whose WebSocket must also
//! be allowed by `connect-src 'self'` (its probes start after the first load, so there the test
//! also checks that the stylesheet, the loader and the wasm were let through: the app runs, is
//! styled and online).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::TestResult;
use crate::autoplay::firefox_page;
use crate::harness::World;
use crate::page::{Page, QUICK};
use crate::scenario::{
    alice_and_bob, assert_quiet_consoles, close_all, connect, hang_up_and_check,
};

/// The CSP violations `page` saw.
async fn violations(page: &Page) -> TestResult<Vec<String>> {
    let value = page.js("return window.__e2e.csp || null;", vec![]).await?;
    let Value::Array(items) = value else {
        return Err(format!("{}: the CSP probe is missing: {value}", page.label).into());
    };
    Ok(items.iter().map(Value::to_string).collect())
}

async fn assert_no_violations(pages: &[&Page]) -> TestResult {
    for page in pages {
        let seen = violations(page).await?;
        assert!(seen.is_empty(), "{}: CSP violations: {seen:?}", page.label);
    }
    Ok(())
}

/// An inline script added by script is refused (no `'unsafe-inline'`), and the refusal is seen.
async fn assert_injected_script_blocked(page: &Page) -> TestResult {
    page.js(
        "const s = document.createElement('script'); s.textContent = 'window.__injected = 1;'; \
         document.head.appendChild(s); return true;",
        vec![],
    )
    .await?;
    let seen = page
        .wait_js(
            "the injected inline script reported as a CSP violation",
            "const v = window.__e2e.csp; return v.length > 0 ? v : null;",
            vec![],
            QUICK,
        )
        .await?;
    assert!(
        seen.to_string().contains("script-src"),
        "{}: {seen}",
        page.label
    );
    let ran = page.js("return window.__injected === 1;", vec![]).await?;
    assert_eq!(ran, json!(false), "{}: the inline script ran", page.label);
    Ok(())
}

/// The response head of `GET path` from the test's server.
async fn head_of(world: &World, path: &str) -> TestResult<String> {
    let addr = world.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw)).await??;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    Ok(String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase())
}

/// The page and the client-side routes carry every security header.
async fn assert_page_headers(world: &World) -> TestResult {
    for path in ["/", "/some/route"] {
        let head = head_of(world, path).await?;
        for header in [
            "content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "x-content-type-options: nosniff",
            "referrer-policy: no-referrer",
            "permissions-policy: camera=(self), microphone=(self), display-capture=(self)",
            "cache-control: no-cache",
        ] {
            assert!(head.contains(header), "{path}: no `{header}` in\n{head}");
        }
        assert!(!head.contains("unsafe-inline"), "{path}: {head}");
    }
    Ok(())
}

#[tokio::test]
async fn two_chromiums_call_with_the_security_headers_and_no_csp_violation() -> TestResult {
    crate::wait::limit(async {
        let (world, alice, bob) =
            alice_and_bob("two_chromiums_call_with_the_security_headers_and_no_csp_violation")
                .await?;
        assert_page_headers(&world).await?;
        alice.send_chat("Hi Bob!", true).await?;
        bob.wait_chat_line("alice", "Hi Bob!").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        hang_up_and_check(&alice, &bob).await?;
        assert_no_violations(&[&alice, &bob]).await?;
        assert_quiet_consoles(&[&alice, &bob]).await?;
        assert_injected_script_blocked(&alice).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn firefox_and_chromium_call_with_no_csp_violation() -> TestResult {
    const TEST: &str = "firefox_and_chromium_call_with_no_csp_violation";
    crate::wait::limit(async {
        let world = World::start(TEST).await?;
        let alice = world.page("alice").await?;
        let (_firefox, bob) = firefox_page(&world, TEST, "bob-firefox").await?;
        // What the first load needed: the stylesheet applied (the page's own background), the
        // loader and the wasm ran (the app's login form), the WebSocket open (online).
        let styled = bob
            .js(
                "return [...document.styleSheets].some(s => s.href && s.cssRules.length > 0);",
                vec![],
            )
            .await?;
        assert_eq!(styled, json!(true), "Firefox applied the stylesheet");
        assert_eq!(alice.login("alice").await?, "alice");
        assert_eq!(bob.login("bob").await?, "bob");
        alice.wait_for_user("bob").await?;
        bob.wait_for_user("alice").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        hang_up_and_check(&bob, &alice).await?;
        assert_no_violations(&[&alice, &bob]).await?;
        assert_quiet_consoles(&[&alice, &bob]).await?;
        assert_injected_script_blocked(&bob).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
