//! Private messages from the lobby (issue 12, point 7): Alice picks Bob's Message button, types,
//! and the line reaches Bob alone, labelled private on both sides; Carol, a third page, never
//! sees it. Sending to everyone again is one click.

use serde_json::json;

use crate::TestResult;
use crate::harness::World;
use crate::page::{Page, QUICK};
use crate::scenario::{assert_quiet_consoles, close_all};

/// The chat lines `page` shows, as `[name, text, private]`.
async fn lines(page: &Page) -> TestResult<Vec<(String, String, bool)>> {
    let value = page
        .js(
            r#"return [...document.querySelectorAll('[data-testid=chat-line]')].map((l) => [
                 l.querySelector('[data-testid=chat-name]').textContent.trim(),
                 l.querySelector('[data-testid=chat-text]').textContent,
                 !!l.querySelector('[data-testid=chat-private]')]);"#,
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Waits until `page` shows the line `text` from `from`, then checks its private label.
async fn wait_line(page: &Page, from: &str, text: &str, private: bool) -> TestResult {
    page.wait_chat_line(from, text).await?;
    let shown = lines(page).await?;
    assert!(
        shown.contains(&(from.to_owned(), text.to_owned(), private)),
        "{}: {text:?} from {from} should be shown with private = {private}: {shown:?}",
        page.label
    );
    Ok(())
}

#[tokio::test]
async fn a_private_message_reaches_only_its_recipient() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("a_private_message_reaches_only_its_recipient").await?;
        let mut pages = Vec::new();
        for name in ["alice", "bob", "carol"] {
            let page = world.page(name).await?;
            assert_eq!(page.login(name).await?, name);
            pages.push(page);
        }
        let [alice, bob, carol] = <[Page; 3]>::try_from(pages).map_err(|_| "three pages")?;
        for name in ["bob", "carol"] {
            alice.wait_for_user(name).await?;
        }

        // Pick Bob: the recipient is said above the input, which has the focus (keyboard users
        // type straight away).
        alice
            .click("[data-testid=private-message][data-name=\"bob\"]")
            .await?;
        alice
            .wait_js(
                "the recipient shown and the chat input focused",
                r#"const to = document.querySelector('[data-testid=chat-to]');
                   return !!to && to.textContent.includes('bob')
                     && document.activeElement === document.querySelector('[data-testid=chat-input]');"#,
                vec![],
                QUICK,
            )
            .await?;
        alice.send_chat("just for bob", true).await?;
        wait_line(&bob, "alice", "just for bob", true).await?;
        wait_line(&alice, "alice", "just for bob", true).await?;

        // Back to everyone: the next line is public. Carol gets it, and since the server relays
        // in order, she would have had the private one before it.
        alice.click_testid("chat-to-clear").await?;
        alice
            .wait_js(
                "the recipient gone",
                "return !document.querySelector('[data-testid=chat-to]');",
                vec![],
                QUICK,
            )
            .await?;
        alice.send_chat("hello everyone", true).await?;
        for page in [&alice, &bob, &carol] {
            wait_line(page, "alice", "hello everyone", false).await?;
        }
        let carol_sees = lines(&carol).await?;
        assert!(
            !carol_sees.iter().any(|(_, text, _)| text == "just for bob"),
            "carol must not see the private line: {carol_sees:?}"
        );
        let to_bob = lines(&bob)
            .await?
            .into_iter()
            .filter(|(_, text, _)| text == "just for bob")
            .count();
        assert_eq!(to_bob, 1, "bob got the private line once");
        assert_eq!(
            carol
                .js("return document.querySelectorAll('[data-testid=chat-private]').length;", vec![])
                .await?,
            json!(0)
        );
        assert_quiet_consoles(&[&alice, &bob, &carol]).await?;
        close_all([alice, bob, carol]).await;
        Ok(())
    })
    .await
}
