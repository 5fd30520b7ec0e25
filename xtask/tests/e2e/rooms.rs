//! Rooms by URL and private rooms (issue 13, points 1 and 2, the page's side): Alice, in the
//! public lobby with Dave, makes a private room with a passcode and room for two; the page goes
//! to `/r/<room>` and shows its link. Bob opens the link: asked for the passcode, a wrong one is
//! refused, the right one gets him in. Alice and Bob see each other and their chat, and nobody
//! of the lobby or of another room; Dave and Carol (in another room) see neither of them. Carol
//! then opens the link and the full room turns her away. Alice leaves the room and is in the
//! lobby again under her name, and the room sees her go at once.

use serde_json::{Value, json};

use crate::TestResult;
use crate::accessibility::assert_accessible;
use crate::harness::World;
use crate::page::{Page, QUICK, SLOW};
use crate::scenario::{assert_quiet_consoles, close_all};

/// The names in `page`'s user list, sorted.
async fn users(page: &Page) -> TestResult<Vec<String>> {
    let value = page
        .js(
            "return [...document.querySelectorAll('[data-testid=user]')].map((u) => u.getAttribute('data-name')).sort();",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Waits until `page`'s user list is exactly `names` (sorted).
async fn wait_users(page: &Page, names: &[&str]) -> TestResult {
    page.wait_js(
        &format!("the user list to be exactly {names:?}"),
        r#"const shown = [...document.querySelectorAll('[data-testid=user]')].map((u) => u.getAttribute('data-name')).sort();
           return JSON.stringify(shown) === JSON.stringify(arguments[0]);"#,
        vec![json!(names)],
        QUICK,
    )
    .await
    .map(drop)
}

/// The chat texts `page` shows.
async fn chat_texts(page: &Page) -> TestResult<Vec<String>> {
    let value = page
        .js(
            "return [...document.querySelectorAll('[data-testid=chat-text]')].map((t) => t.textContent);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Replaces what `selector`'s input holds with `text`.
async fn retype(page: &Page, selector: &str, text: &str) -> TestResult {
    page.type_into(selector, "").await?;
    page.js(
        "document.querySelector(arguments[0]).value = ''; return true;",
        vec![json!(selector)],
    )
    .await?;
    page.type_into(selector, text).await
}

/// Waits for the login form's error `testid` (`login-error`, `room-full`) saying `sentence`.
async fn wait_refusal(page: &Page, testid: &str, sentence: &str) -> TestResult {
    page.wait_js(
        &format!("[data-testid={testid}] saying {sentence:?}"),
        "const e = document.querySelector(`[data-testid=${arguments[0]}]`); return !!e && e.textContent.trim() === arguments[1];",
        vec![json!(testid), json!(sentence)],
        QUICK,
    )
    .await
    .map(drop)
}

/// Waits until `page` is logged in as `name` (own name shown, online).
pub async fn wait_logged_in(page: &Page, name: &str) -> TestResult {
    page.wait_js(
        &format!("logged in as {name:?}"),
        r#"const me = document.querySelector('[data-testid=my-name]');
           const status = document.querySelector('[data-testid=connection-status]');
           return !!me && me.textContent.trim() === arguments[0] && !!status && status.getAttribute('data-state') === 'online';"#,
        vec![json!(name)],
        SLOW,
    )
    .await
    .map(drop)
}

/// The room's link as `page` shows it, once it shows one.
pub async fn room_link(page: &Page) -> TestResult<String> {
    let link = page
        .wait_js(
            "the room's link",
            "const l = document.querySelector('[data-testid=room-link]'); return l && l.textContent.trim();",
            vec![],
            QUICK,
        )
        .await?;
    Ok(link.as_str().unwrap_or_default().to_owned())
}

/// What `room-name` says.
async fn room_name(page: &Page) -> TestResult<Value> {
    page.js(
        "const n = document.querySelector('[data-testid=room-name]'); return n && n.textContent.trim();",
        vec![],
    )
    .await
}

#[tokio::test]
async fn a_private_room_is_joined_by_link_and_passcode_and_kept_apart() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("a_private_room_is_joined_by_link_and_passcode_and_kept_apart").await?;
        let dave = world.page("dave").await?;
        let alice = world.page("alice").await?;
        assert_eq!(dave.login("dave").await?, "dave");
        assert_eq!(alice.login("alice").await?, "alice");
        wait_users(&alice, &["alice", "dave"]).await?;
        assert_eq!(room_name(&alice).await?, json!("Public lobby"));
        assert!(
            alice.js("return !document.querySelector('[data-testid=room-link]');", vec![]).await? == json!(true),
            "the lobby has no link to share"
        );

        // Carol is in a room of her own, by its address.
        let carol = world.page_at("carol", &format!("{}/r/Elsewhere", world.url)).await?;
        assert_eq!(carol.login("carol").await?, "carol");
        assert_eq!(room_name(&carol).await?, json!("elsewhere"));

        // Alice makes a private room: passcode, room for two.
        alice.click_testid("new-room").await?;
        retype(&alice, "[data-testid=new-room-form] [data-testid=room-passcode]", "open sesame").await?;
        retype(&alice, "[data-testid=new-room-form] [data-testid=room-capacity]", "2").await?;
        alice.click_testid("create-room").await?;
        // A page load into the room.
        alice
            .wait_js(
                "the page at the new room",
                "return location.pathname.startsWith('/r/') && document.readyState === 'complete';",
                vec![],
                SLOW,
            )
            .await?;
        alice.js(crate::probes::INSTALL, vec![]).await?;
        let link = room_link(&alice).await?;
        let path = alice.js("return location.pathname;", vec![]).await?;
        let path = path.as_str().unwrap_or_default();
        let room = path.strip_prefix("/r/").unwrap_or_default();
        assert!(
            room.len() == 20 && room.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7')),
            "a private room's name is 20 base32 characters: {path}"
        );
        assert_eq!(link, format!("{}{path}", world.url), "the link is the room's full address");
        wait_logged_in(&alice, "alice").await?;
        wait_users(&alice, &["alice"]).await?;
        wait_users(&dave, &["dave"]).await?;
        alice.click_testid("new-room").await?;
        assert_accessible(&world, &alice, "a room with the new-room form open").await?;
        alice.click_testid("new-room").await?;

        // Copy link: the clipboard, or the link selected for the person to copy.
        alice.click_testid("copy-link").await?;
        let said = alice
            .wait_js(
                "the copy feedback",
                "const f = document.querySelector('[data-testid=copy-feedback]'); return f && f.getAttribute('role') === 'status' && f.textContent.trim();",
                vec![],
                QUICK,
            )
            .await?;
        let said = said.as_str().unwrap_or_default();
        assert_accessible(&world, &alice, "a room with the copy feedback shown").await?;
        if said != "Link copied" {
            assert!(said.starts_with("The link is selected"), "copy feedback: {said:?}");
            let selected = alice.js("return String(window.getSelection());", vec![]).await?;
            assert_eq!(selected, json!(link), "the link is selected for copying");
        }
        // Share only where the browser can.
        let share = alice
            .js("return !!navigator.share === !!document.querySelector('[data-testid=share-link]');", vec![])
            .await?;
        assert_eq!(share, json!(true), "the Share button follows navigator.share");

        // Bob opens the link: asked for the passcode; a wrong one is refused.
        let bob = world.page_at("bob", &link).await?;
        bob.set_viewport(375, 740).await?;
        assert_eq!(room_name(&bob).await?, json!(format!("{}…", &room[..10])));
        retype(&bob, "input[data-testid=login-name]", "bob").await?;
        bob.click_testid("login-submit").await?;
        wait_refusal(&bob, "login-error", "This room needs a passcode.").await?;
        let passcode = "form.login [data-testid=room-passcode]";
        let focused = bob
            .js("return document.activeElement === document.querySelector(arguments[0]);", vec![json!(passcode)])
            .await?;
        assert_eq!(focused, json!(true), "the passcode field has the focus");
        assert_accessible(&world, &bob, "a room's passcode prompt on a phone").await?;
        retype(&bob, passcode, "open sesame?").await?;
        bob.click_testid("login-submit").await?;
        wait_refusal(&bob, "login-error", "That passcode is not right.").await?;
        retype(&bob, passcode, "open sesame").await?;
        bob.click_testid("login-submit").await?;
        wait_logged_in(&bob, "bob").await?;

        // They see each other and nobody else; the lobby and the other room see neither.
        wait_users(&alice, &["alice", "bob"]).await?;
        wait_users(&bob, &["alice", "bob"]).await?;
        assert_eq!(users(&dave).await?, ["dave"]);
        assert_eq!(users(&carol).await?, ["carol"]);
        let fits = bob
            .js("return document.documentElement.scrollWidth <= window.innerWidth;", vec![])
            .await?;
        assert_eq!(fits, json!(true), "the room fits a phone's width");

        // Chat stays in its place.
        dave.send_chat("lobby line", true).await?;
        dave.wait_chat_line("dave", "lobby line").await?;
        carol.send_chat("elsewhere line", true).await?;
        carol.wait_chat_line("carol", "elsewhere line").await?;
        bob.send_chat("room line", true).await?;
        alice.wait_chat_line("bob", "room line").await?;
        bob.wait_chat_line("bob", "room line").await?;
        for page in [&alice, &bob] {
            assert_eq!(chat_texts(page).await?, ["room line"], "{}", page.label);
        }
        assert_eq!(chat_texts(&dave).await?, ["lobby line"]);
        assert_eq!(chat_texts(&carol).await?, ["elsewhere line"]);

        // Carol opens the link: the room (capacity 2) is full.
        carol.client.goto(&link).await?;
        carol.js(crate::probes::INSTALL, vec![]).await?;
        retype(&carol, "input[data-testid=login-name]", "carol").await?;
        carol.click_testid("login-submit").await?;
        let asked = carol
            .wait_js(
                "a passcode asked for, or the room full",
                "return document.querySelector('form.login [data-testid=room-passcode]') ? 'passcode' : document.querySelector('[data-testid=room-full]') ? 'full' : null;",
                vec![],
                QUICK,
            )
            .await?;
        if asked == json!("passcode") {
            retype(&carol, passcode, "open sesame").await?;
            carol.click_testid("login-submit").await?;
        }
        wait_refusal(&carol, "room-full", "This room is full.").await?;
        assert_eq!(users(&alice).await?, ["alice", "bob"]);

        // Alice leaves: the lobby again, under her name; the room sees her go at once.
        alice.click_testid("leave-room").await?;
        alice
            .wait_js(
                "the lobby again",
                "const n = document.querySelector('[data-testid=room-name]'); return location.pathname === '/' && !!n && n.textContent.trim() === 'Public lobby';",
                vec![],
                SLOW,
            )
            .await?;
        alice.js(crate::probes::INSTALL, vec![]).await?;
        wait_logged_in(&alice, "alice").await?;
        wait_users(&alice, &["alice", "dave"]).await?;
        wait_users(&dave, &["alice", "dave"]).await?;
        wait_users(&bob, &["bob"]).await?;

        assert_quiet_consoles(&[&alice, &bob, &dave]).await?;
        close_all([alice, bob, carol, dave]).await;
        Ok(())
    })
    .await
}
