//! Calls through a real TURN relay (coturn on loopback): relay-only ICE completes a call with
//! media both ways over a `relay` candidate pair; credentials coturn refuses fail clearly.

use serde_json::Value;

use crate::TestResult;
use crate::call::{connect, pair};
use crate::harness::World;
use crate::page::{QUICK, SLOW};

const SECRET: &str = "e2e-test-secret";

#[tokio::test]
async fn relay_only_call_goes_through_coturn() -> TestResult {
    let world =
        World::start_with_turn("relay_only_call_goes_through_coturn", SECRET, SECRET).await?;
    let (alice, bob) = pair(&world, "?relay=1", "alice", "bob").await?;
    connect(&alice, "alice", &bob, "bob").await?;
    for page in [&alice, &bob] {
        let route = page.js(crate::probes::ROUTE, vec![]).await?;
        assert_eq!(
            route.get("local").and_then(Value::as_str),
            Some("relay"),
            "{}: selected candidate pair {route}",
            page.label
        );
        page.wait_js(
            "the call shown as relayed",
            "const r = document.querySelector('[data-testid=call-route]'); return !!r && r.getAttribute('data-route') === 'relayed';",
            vec![],
            QUICK,
        )
        .await?;
    }
    alice.close().await;
    bob.close().await;
    Ok(())
}

#[tokio::test]
async fn refused_turn_credentials_fail_clearly() -> TestResult {
    let world = World::start_with_turn(
        "refused_turn_credentials_fail_clearly",
        SECRET,
        "not-the-secret",
    )
    .await?;
    let (alice, bob) = pair(&world, "?relay=1", "alice", "bob").await?;
    alice.call("bob").await?;
    bob.wait_phase_with("ringing", "alice", QUICK).await?;
    bob.click_testid("accept-call").await?;
    // No relay candidate can be gathered: the page must say so and end the call, not hang.
    alice
        .wait_js(
            "a notice and the call ended",
            "const c = document.querySelector('[data-testid=call]'); return c.getAttribute('data-phase') === 'idle' && document.querySelectorAll('[data-testid=notice]').length > 0;",
            vec![],
            SLOW,
        )
        .await?;
    println!("alice was told: {:?}", alice.notices().await?);
    alice.close().await;
    bob.close().await;
    Ok(())
}
