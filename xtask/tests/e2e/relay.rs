//! Calls through a real TURN relay (coturn on loopback): relay-only ICE completes a call with
//! media both ways over a `relay` candidate pair; credentials coturn refuses fail clearly.

use serde_json::Value;

use crate::TestResult;
use crate::harness::World;
use crate::page::{QUICK, SLOW};
use crate::scenario::{ACCEPT_ARMED, close_all, connect, pair};

const SECRET: &str = "e2e-test-secret";

#[tokio::test]
async fn relay_only_call_goes_through_coturn() -> TestResult {
    crate::wait::limit(async {
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
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn refused_turn_credentials_fail_clearly() -> TestResult {
    crate::wait::limit(async {
        let world = World::start_with_turn(
            "refused_turn_credentials_fail_clearly",
            SECRET,
            "not-the-secret",
        )
        .await?;
        let (alice, bob) = pair(&world, "?relay=1", "alice", "bob").await?;
        alice.call("bob").await?;
        // The refusal may be noticed while gathering (before bob answers) or once ICE fails after he
        // accepts; answer if asked, and require that alice's page then says so and ends the call.
        if bob.wait_phase_with("ringing", "alice", QUICK).await.is_ok() {
            // The call may end (and the button go) between the check and the click: that is fine.
            // Accept is disabled for its first second (`ACCEPT_ARMED`).
            let _ = bob.wait_js("Accept to arm", ACCEPT_ARMED, vec![], QUICK).await;
            let _ = bob.js("const b = document.querySelector('[data-testid=accept-call]'); if (b) b.click(); return true;", vec![]).await;
        }
        alice
            .wait_js(
                "a notice and the call ended",
                "const c = document.querySelector('[data-testid=call]'); return c.getAttribute('data-phase') === 'idle' && document.querySelectorAll('[data-testid=notice]').length > 0;",
                vec![],
                SLOW,
            )
            .await?;
        bob.wait_phase("idle", SLOW).await?;
        let notices = alice.notices().await?;
        println!("alice was told: {notices:?}");
        assert!(
            notices.iter().any(|n| n.to_lowercase().contains("relay")),
            "the notice says the relay is the problem: {notices:?}"
        );
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
