//! Group calls (issue 13) in real browsers, in a private room made from the lobby by "New private
//! room" and joined by its link: three Chromiums start and join a group call and
//! each decodes video from both others; one leaves and the other two go on; a fourth joins and
//! all four decode from the three others; a fifth is told "The call is full."; the active
//! speaker is highlighted on the others' pages; mute and camera-off badges show; every video
//! sender is capped for three peers (`getParameters`) and the outbound video of each page stays
//! under 2.5 Mbit/s; a one-to-one call to a member is answered busy. Clients in the lobby and in
//! another room see none of the room's people and cannot signal them (`unknown-target`), and
//! their group call is their room's own.
//!
//! Five Chromiums on a loaded 2-core machine are slow: every wait has a generous deadline
//! ([`LONG`]), and the whole test its own limit ([`LIMIT`]).

use std::time::Duration;

use serde_json::{Value, json};

use crate::TestResult;
use crate::harness::World;
use crate::page::{Page, QUICK};
use crate::rooms::{room_link, wait_logged_in};
use crate::scenario::close_all;

/// A step involving several browsers negotiating and decoding at once.
const LONG: Duration = Duration::from_secs(90);
/// The whole test.
const LIMIT: Duration = Duration::from_secs(600);

/// Four tiles, each inside the viewport's width with a real size, no two overlapping, and a
/// `data-level` on every tile but one's own; `null` until then.
const TILES_FIT: &str = r#"
const tiles = [...document.querySelectorAll('[data-testid=tile]')];
if (tiles.length !== 4) return null;
const width = document.documentElement.clientWidth;
const boxes = tiles.map((t) => t.getBoundingClientRect());
const inside = boxes.every((b) => b.width > 100 && b.height > 50 && b.left >= 0 && b.right <= width + 0.5);
const apart = boxes.every((a, i) => boxes.every((b, j) => i === j
  || a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5));
const levels = tiles.filter((t) => t.getAttribute('data-self') !== 'true')
  .every((t) => ['good', 'fair', 'poor'].includes(t.getAttribute('data-level')));
return inside && apart && levels ? { width, boxes: boxes.map((b) => [b.left, b.top, b.width, b.height]) } : null;
"#;

/// What a protocol client at `path` (`/ws` or `/ws?room=…`), logged in from `page` as `name`,
/// sees: its user list, its room's group call after it joins it, and the error codes it gets for
/// a `group-signal` and a `video-offer` to `target`.
const OUTSIDER: &str = r#"
const [path, name, target] = arguments;
const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + path, 'json');
const seen = { users: null, group: null, errors: [] };
return new Promise((resolve) => {
  const done = () => { ws.close(); resolve(seen); };
  setTimeout(done, 20000);
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type === 'id') {
      ws.send(JSON.stringify({ type: 'username', id: m.id, name, features: ['group-call'] }));
    } else if (m.type === 'userlist' && seen.users === null) {
      seen.users = m.users;
      ws.send(JSON.stringify({ type: 'group-signal', target,
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } }));
      ws.send(JSON.stringify({ type: 'video-offer', target, sdp: { type: 'offer', sdp: 'v=0\r\n' } }));
      ws.send(JSON.stringify({ type: 'group-join' }));
    } else if (m.type === 'group-call' && seen.users !== null) {
      seen.group = m.members;
    } else if (m.type === 'error') {
      seen.errors.push(m.code);
    }
    if (seen.errors.length >= 2 && seen.group !== null && seen.group.length > 0) done();
  };
});
"#;

/// The group call's `data-count` on `page` is `count` (0: no group call shown).
async fn wait_count(page: &Page, count: usize) -> TestResult {
    page.wait_js(
        &format!("{count} in the group call"),
        "const g = document.querySelector('[data-testid=group-call]'); return (g ? Number(g.getAttribute('data-count')) : 0) === arguments[0];",
        vec![json!(count)],
        LONG,
    )
    .await
    .map(drop)
}

/// Null until the tile of each of `names` shows video and there is one open peer connection
/// per name; then the video frames decoded so far on each open peer connection (`getStats`:
/// the decoder runs even for a tile scrolled out of view, where painting may not).
const FRAMES: &str = r#"
for (const name of arguments[0]) {
  const tile = [...document.querySelectorAll('[data-testid=tile]')].find((t) => t.getAttribute('data-name') === name);
  const video = tile && tile.querySelector('video');
  if (!video || !video.srcObject || video.videoWidth === 0) return null;
}
const pcs = window.__e2e.pcs.filter((pc) => pc.connectionState !== 'closed');
if (pcs.length !== arguments[0].length) return null;
const out = [];
for (const pc of pcs) {
  let frames = null;
  for (const s of (await pc.getStats()).values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = (frames || 0) + (s.framesDecoded || 0);
  }
  if (frames === null) return null;
  out.push(frames);
}
return out;
"#;

/// Every tile of `names` on `page` shows video, and its frame count goes up.
async fn wait_decoding(page: &Page, names: &[&str]) -> TestResult {
    let what = format!("video from {names:?}");
    let before = page
        .wait_js(&what, FRAMES, vec![json!(names)], LONG)
        .await?;
    page.wait_js(
        &format!("frames increasing from {names:?}"),
        &format!(
            "const before = arguments[1]; const now = await (async () => {{ {FRAMES} }})(); \
             return !!now && now.length === before.length && now.every((f, i) => f > before[i]);"
        ),
        vec![json!(names), before],
        LONG,
    )
    .await
    .map(drop)
}

/// `name`'s tile on `page` has `attribute` = "true".
async fn wait_tile_flag(page: &Page, name: &str, attribute: &str) -> TestResult {
    page.wait_js(
        &format!("{name}'s tile with {attribute}"),
        "const t = [...document.querySelectorAll('[data-testid=tile]')].find((t) => t.getAttribute('data-name') === arguments[0]); return !!t && t.getAttribute(arguments[1]) === 'true';",
        vec![json!(name), json!(attribute)],
        LONG,
    )
    .await
    .map(drop)
}

/// The video senders' caps of every open peer connection, and the outbound video bitrate
/// (bit/s) summed over them across about two seconds.
const CAPS_AND_RATE: &str = r#"
const pcs = window.__e2e.pcs.filter((pc) => pc.connectionState !== 'closed');
const sent = async () => {
  let bytes = 0, at = 0;
  for (const pc of pcs) {
    for (const s of (await pc.getStats()).values()) {
      if (s.type === 'outbound-rtp' && s.kind === 'video') { bytes += s.bytesSent; at = Math.max(at, s.timestamp); }
    }
  }
  return [bytes, at];
};
const caps = pcs.map((pc) => pc.getSenders().filter((s) => s.track && s.track.kind === 'video')
  .map((s) => { const e = s.getParameters().encodings[0] || {}; return [e.maxBitrate || 0, e.scaleResolutionDownBy || 1]; }));
const [b0, t0] = await sent();
await new Promise((r) => setTimeout(r, 2000));
const [b1, t1] = await sent();
return { caps, rate: t1 > t0 ? (b1 - b0) * 8000 / (t1 - t0) : null };
"#;

async fn join(page: &Page, testid: &str) -> TestResult {
    page.click_testid(testid).await
}

#[tokio::test]
async fn group_call_of_up_to_four_with_speaker_caps_and_a_full_call() -> TestResult {
    let body = async {
        let world = World::start("group_call").await?;
        let names = ["alice", "bob", "carol", "dave", "erin"];
        // Alice makes a private room from the lobby; the others open its link.
        let first = world.page("alice").await?;
        assert_eq!(first.login("alice").await?, "alice");
        first.click_testid("new-room").await?;
        first.click_testid("create-room").await?;
        first
            .wait_js(
                "the page at the new room",
                "return location.pathname.startsWith('/r/') && document.readyState === 'complete';",
                vec![],
                LONG,
            )
            .await?;
        first.js(crate::probes::INSTALL, vec![]).await?;
        wait_logged_in(&first, "alice").await?;
        let link = room_link(&first).await?;
        let mut pages = vec![first];
        for name in &names[1..] {
            let page = world.page_at(name, &link).await?;
            assert_eq!(page.login(name).await?, *name);
            pages.push(page);
        }
        for page in &pages {
            for name in names {
                page.wait_for_user(name).await?;
            }
        }
        let [alice, bob, carol, dave, erin] = &pages[..] else {
            unreachable!()
        };

        // Alice starts it; Bob and Carol see "Join call" with how many are in it, and join.
        join(alice, "start-group-call").await?;
        wait_count(alice, 1).await?;
        bob.wait_js(
            "join-group-call counting 1",
            "const b = document.querySelector('[data-testid=join-group-call]'); return !!b && b.getAttribute('data-count') === '1';",
            vec![],
            QUICK,
        )
        .await?;
        join(bob, "join-group-call").await?;
        join(carol, "join-group-call").await?;
        for page in [alice, bob, carol] {
            wait_count(page, 3).await?;
        }
        wait_decoding(alice, &["bob", "carol"]).await?;
        wait_decoding(bob, &["alice", "carol"]).await?;
        wait_decoding(carol, &["alice", "bob"]).await?;

        // Outside the room, in the lobby and in another room: nobody of the room is listed,
        // signals to Alice reach nobody, and a group call there is that place's own.
        for (path, name) in [("/ws", "frank"), ("/ws?room=elsewhere", "gina")] {
            let seen = erin
                .js(OUTSIDER, vec![json!(path), json!(name), json!("alice")])
                .await?;
            assert_eq!(
                seen["users"],
                json!([name]),
                "{path}: sees only itself: {seen}"
            );
            assert_eq!(
                seen["errors"],
                json!(["unknown-target", "unknown-target"]),
                "{path}: group-signal and video-offer to alice refused: {seen}"
            );
            assert_eq!(
                seen["group"],
                json!([name]),
                "{path}: its own group call: {seen}"
            );
        }
        wait_count(alice, 3).await?;

        // Only Alice speaks: her tile is highlighted on the others' pages, their muted
        // microphones show on hers.
        bob.click_testid("toggle-mic").await?;
        carol.click_testid("toggle-mic").await?;
        wait_tile_flag(alice, "bob", "data-muted").await?;
        wait_tile_flag(alice, "carol", "data-muted").await?;
        wait_tile_flag(bob, "alice", "data-speaking").await?;
        wait_tile_flag(carol, "alice", "data-speaking").await?;
        for page in [bob, carol] {
            let speaking = page
                .js("return document.querySelectorAll('[data-testid=tile][data-speaking=true]').length;", vec![])
                .await?;
            assert_eq!(speaking, json!(1), "{}: one speaker at a time", page.label);
        }

        // Carol's camera off shows on the others' pages, and back on.
        carol.click_testid("toggle-camera").await?;
        wait_tile_flag(alice, "carol", "data-camera-off").await?;
        wait_tile_flag(bob, "carol", "data-camera-off").await?;
        carol.click_testid("toggle-camera").await?;
        alice
            .wait_js(
                "carol's camera back on",
                "const t = document.querySelector('[data-testid=tile][data-name=carol]'); return !!t && !t.hasAttribute('data-camera-off');",
                vec![],
                LONG,
            )
            .await?;

        // A one-to-one call to a member is answered busy.
        erin.call("alice").await?;
        erin.wait_notice("alice is busy.", LONG).await?;

        // Carol leaves: Alice and Bob go on.
        carol.click_testid("leave-group-call").await?;
        wait_count(carol, 0).await?;
        wait_count(alice, 2).await?;
        wait_count(bob, 2).await?;
        wait_decoding(alice, &["bob"]).await?;
        wait_decoding(bob, &["alice"]).await?;

        // Dave joins, and Carol again: four, each decoding the three others.
        join(dave, "join-group-call").await?;
        wait_count(dave, 3).await?;
        join(carol, "join-group-call").await?;
        for page in [alice, bob, carol, dave] {
            wait_count(page, 4).await?;
        }
        let everyone = ["alice", "bob", "carol", "dave"];
        for (page, me) in [
            (alice, "alice"),
            (bob, "bob"),
            (carol, "carol"),
            (dave, "dave"),
        ] {
            let others: Vec<&str> = everyone.iter().copied().filter(|n| *n != me).collect();
            wait_decoding(page, &others).await?;
        }

        // Four tiles fit a desktop window and a phone: each fully inside the page's width, none
        // overlapping another; every other member's tile carries its quality level.
        dave.set_viewport(375, 740).await?;
        for page in [alice, dave] {
            page.wait_js(
                "four tiles laid out side by side or stacked, each with a quality level",
                TILES_FIT,
                vec![],
                LONG,
            )
            .await?;
        }

        // The fifth is refused.
        erin.wait_js(
            "join-group-call counting 4",
            "const b = document.querySelector('[data-testid=join-group-call]'); return !!b && b.getAttribute('data-count') === '4';",
            vec![],
            LONG,
        )
        .await?;
        join(erin, "join-group-call").await?;
        erin.wait_js(
            "\"The call is full.\"",
            "return [...document.querySelectorAll('[data-testid=server-notice]')].some((n) => n.textContent.includes('The call is full.'));",
            vec![],
            LONG,
        )
        .await?;
        wait_count(erin, 0).await?;

        // Three peers each: every video sender capped at 750 kbit/s and half size, and each
        // page's video upstream under 2.5 Mbit/s.
        for page in [alice, bob, carol, dave] {
            page.wait_js(
                "the send cap sentence",
                "const c = document.querySelector('[data-testid=group-caps]'); return !!c && c.textContent.includes('750 kbit/s to each of 3 people');",
                vec![],
                LONG,
            )
            .await?;
            let checked = page
                .wait_js(
                    "every video sender capped for three peers",
                    &format!(
                        "const r = await (async () => {{ {CAPS_AND_RATE} }})(); \
                         const all = r.caps.flat(); \
                         return r.caps.length === 3 && all.length === 3 && all.every(([b, s]) => b === 750000 && s === 2) && r.rate !== null ? r : null;"
                    ),
                    vec![],
                    LONG,
                )
                .await?;
            let rate = checked
                .get("rate")
                .and_then(Value::as_f64)
                .unwrap_or(f64::MAX);
            assert!(
                rate < 2_500_000.0,
                "{}: outbound video {rate} bit/s over 2.5 Mbit/s",
                page.label
            );
        }

        // Everyone leaves; the tracks stop.
        for page in [alice, bob, carol, dave] {
            page.click_testid("leave-group-call").await?;
            wait_count(page, 0).await?;
        }
        close_all(pages).await;
        Ok(())
    };
    match tokio::time::timeout(LIMIT, body).await {
        Ok(result) => result,
        Err(_) => Err(format!("the test took longer than {LIMIT:?}").into()),
    }
}
