//! Ringing can't be accepted by accident (issue 11): real key presses (WebDriver) typed into the
//! chat while a call rings stay in the chat and never accept it; a click once the prompt's
//! buttons work accepts.

use fantoccini::key::Key;
use serde_json::json;

use crate::TestResult;
use crate::page::SLOW;
use crate::scenario::{alice_and_bob, close_all, ring};

#[tokio::test]
async fn enter_typed_in_the_chat_while_a_call_rings_does_not_accept_it() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) =
            alice_and_bob("enter_typed_in_the_chat_while_a_call_rings_does_not_accept_it").await?;
        // Bob is typing in the chat when Alice's call comes in.
        bob.type_into("input[data-testid=chat-input]", "typing")
            .await?;
        ring(&alice, "alice", &bob, "bob").await?;
        let enter: char = Key::Enter.into();
        let focused = bob.client.active_element().await?;
        assert_eq!(
            focused.attr("data-testid").await?.as_deref(),
            Some("chat-input"),
            "the focus stayed in the chat"
        );
        focused
            .send_keys(&format!(" on{enter} {enter}{enter}"))
            .await?;
        // The Enter sent the chat line; by the time Alice has it, Bob's keys are all handled.
        alice.wait_chat_line("bob", "typing on").await?;
        let phase = bob
            .js(
                "return document.querySelector('[data-testid=call]').getAttribute('data-phase');",
                vec![],
            )
            .await?;
        assert_eq!(phase, json!("ringing"), "the keys did not accept the call");
        let focused = bob.client.active_element().await?;
        assert_eq!(
            focused.attr("data-testid").await?.as_deref(),
            Some("chat-input"),
            "the focus is still in the chat"
        );
        // A real click once the buttons work accepts.
        bob.click_testid("accept-call").await?;
        alice.wait_phase_with("in-call", "bob", SLOW).await?;
        bob.wait_phase_with("in-call", "alice", SLOW).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
