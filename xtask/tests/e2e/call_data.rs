//! Chat and files inside a call (issue 12, point 6), between two real Chromiums: text both
//! ways, a 100 MB file of pseudo-random bytes whose SHA-256 matches on arrival with progress
//! rising on both sides, a transfer cancelled by the receiver and one by the sender (both
//! sides stop), the received file's URL revoked when dismissed and when the call ends — and
//! none of it through the server: its relay counters (`/metrics`) do not move and the pages'
//! WebSockets carry no chat text and no file bytes meanwhile. And after a reload mid-call the
//! rebuilt peer connection brings a new channel: the transfer under way is failed on the
//! side that stayed, and chat and files work again.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::TestResult;
use crate::page::{Page, QUICK, SLOW};
use crate::probes;
use crate::scenario::{alice_and_bob, assert_quiet_consoles, close_all, connect};

/// The size of the big file.
const BIG: u64 = 100 * 1024 * 1024;

/// Installs the test's watchers: bytes and texts sent on the WebSocket, blobs made into URLs
/// and URLs revoked, and every value a `file-progress` bar shows (by direction).
const WATCH: &str = r#"
const w = window.__data = { ws: [], blobs: {}, revoked: [], progress: [] };
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (d) { w.ws.push(String(d)); return send.call(this, d); };
const create = URL.createObjectURL, revoke = URL.revokeObjectURL;
URL.createObjectURL = (b) => { const u = create.call(URL, b); w.blobs[u] = b; return u; };
URL.revokeObjectURL = (u) => { w.revoked.push(u); return revoke.call(URL, u); };
new MutationObserver((records) => {
  for (const r of records) {
    const t = r.target;
    if (t.getAttribute && t.getAttribute('data-testid') === 'file-progress') {
      const row = t.closest('[data-testid=file-transfer]');
      w.progress.push([row.dataset.direction, Number(t.getAttribute('value')), Number(t.getAttribute('max'))]);
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['value'] });
return true;
"#;

/// Makes `arguments[0]` bytes of pseudo-random data (xorshift) as `window.__file`, named
/// `arguments[1]`; returns its SHA-256 in hex.
const MAKE_FILE: &str = r#"
const [size, name] = arguments;
return (async () => {
  const buf = new Uint8Array(size);
  const words = new Uint32Array(buf.buffer, 0, Math.floor(size / 4));
  let x = (0x9e3779b9 ^ size) >>> 0;
  for (let i = 0; i < words.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x; }
  for (let i = words.length * 4; i < size; i++) buf[i] = i & 255;
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  window.__file = new File([buf], name, { type: 'application/octet-stream' });
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
})();
"#;

/// Puts `window.__file` into the `send-file` input, as picking it would.
const PICK_FILE: &str = r#"
const input = document.querySelector('[data-testid=send-file]');
if (!input || input.disabled) return false;
const dt = new DataTransfer();
dt.items.add(window.__file);
input.files = dt.files;
input.dispatchEvent(new Event('change', { bubbles: true }));
return true;
"#;

/// The offered download: `[sha256 hex, byte length, download name, href]` of the blob behind
/// its URL (read from the blob itself: the page's CSP rightly forbids fetching `blob:`).
const DOWNLOAD: &str = r#"
return (async () => {
  const a = document.querySelector('[data-testid=file-download]');
  const blob = a && window.__data.blobs[a.href];
  if (!blob) return null;
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return [Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join(''), blob.size,
          a.getAttribute('download'), a.href];
})();
"#;

/// The state of the page's transfer row in `arguments[0]` direction: `[state, value, max]`.
const ROW: &str = r#"
const row = document.querySelector(`[data-testid=file-transfer][data-direction=${arguments[0]}]`);
if (!row) return null;
const bar = row.querySelector('[data-testid=file-progress]');
return [row.dataset.state, Number(bar.getAttribute('value')), Number(bar.getAttribute('max')),
        row.querySelector('[data-testid=file-status]').textContent];
"#;

async fn row(page: &Page, direction: &str) -> TestResult<(String, u64, u64, String)> {
    let value = page.js(ROW, vec![json!(direction)]).await?;
    Ok(serde_json::from_value(value)?)
}

/// Waits until `page`'s `direction` row is in `state`; returns the row.
async fn wait_state(
    page: &Page,
    direction: &str,
    state: &str,
    timeout: Duration,
) -> TestResult<(String, u64, u64, String)> {
    page.wait_js(
        &format!("the {direction} transfer to be {state}"),
        "const r = document.querySelector(`[data-testid=file-transfer][data-direction=${arguments[0]}]`); return !!r && r.dataset.state === arguments[1];",
        vec![json!(direction), json!(state)],
        timeout,
    )
    .await?;
    row(page, direction).await
}

/// Sends a chat line in the call from `from` and waits for `to` to show it.
async fn say(from: &Page, to: &Page, text: &str) -> TestResult {
    from.type_into("[data-testid=call-chat-input]", text)
        .await?;
    from.click_testid("call-chat-send").await?;
    for page in [from, to] {
        page.wait_js(
            &format!("the call chat line {text:?}"),
            "return [...document.querySelectorAll('[data-testid=call-chat-line]')].some((l) => l.textContent.endsWith(': ' + arguments[0]));",
            vec![json!(text)],
            QUICK,
        )
        .await?;
    }
    Ok(())
}

/// The server's relay counters (`parley_relayed_frames…` lines of `/metrics`).
async fn relayed(url: &str) -> TestResult<Vec<String>> {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await?;
    assert!(text.starts_with("HTTP/1.1 200"), "/metrics: {text}");
    Ok(text
        .lines()
        .filter(|l| l.starts_with("parley_relayed_frames") && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

/// Alice offers `window.__file`; waits until both sides show it moving.
async fn start_transfer(alice: &Page, bob: &Page) -> TestResult {
    alice
        .wait_js("the file input", PICK_FILE, vec![], QUICK)
        .await?;
    for (page, direction) in [(alice, "out"), (bob, "in")] {
        page.wait_js(
            "the transfer under way",
            "const r = document.querySelector(`[data-testid=file-transfer][data-direction=${arguments[0]}]`); const v = r && Number(r.querySelector('[data-testid=file-progress]').getAttribute('value')); return !!r && r.dataset.state === 'active' && v > 0;",
            vec![json!(direction)],
            SLOW,
        )
        .await?;
    }
    Ok(())
}

#[tokio::test]
async fn chat_and_files_go_over_the_data_channel_not_the_server() -> TestResult {
    crate::wait::limit(async {
        let (world, alice, bob) =
            alice_and_bob("chat_and_files_go_over_the_data_channel_not_the_server").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        for page in [&alice, &bob] {
            page.wait_js(
                "the call chat ready",
                "return !!document.querySelector('[data-testid=call-chat][data-ready=true]');",
                vec![],
                SLOW,
            )
            .await?;
            page.js(WATCH, vec![]).await?;
        }
        let relayed_before = relayed(&world.url).await?;
        assert!(!relayed_before.is_empty(), "the call's offers were relayed");

        say(&alice, &bob, "hello through the channel").await?;
        say(&bob, &alice, "and back again").await?;

        // 100 MB, hashed on both sides.
        let sent_hash = alice
            .js(MAKE_FILE, vec![json!(BIG), json!("big.bin")])
            .await?;
        let started = Instant::now();
        start_transfer(&alice, &bob).await?;
        wait_state(&bob, "in", "done", Duration::from_secs(120)).await?;
        let elapsed = started.elapsed();
        eprintln!(
            "call_data: 100 MB over the data channel in {:.1} s ({:.1} MB/s)",
            elapsed.as_secs_f64(),
            100.0 / elapsed.as_secs_f64()
        );
        let out = wait_state(&alice, "out", "done", QUICK).await?;
        assert_eq!((out.1, out.2), (BIG, BIG), "alice's bar is full");
        let download = bob
            .wait_js("the download", DOWNLOAD, vec![], QUICK)
            .await?;
        let (hash, size, name, href): (String, u64, String, String) =
            serde_json::from_value(download)?;
        assert_eq!(Value::String(hash), sent_hash, "the bytes arrived intact");
        assert_eq!((size, name.as_str()), (BIG, "big.bin"));
        for (page, direction) in [(&alice, "out"), (&bob, "in")] {
            let seen: Vec<(String, u64, u64)> =
                serde_json::from_value(page.js("return window.__data.progress;", vec![]).await?)?;
            let values: Vec<u64> = seen
                .iter()
                .filter(|(d, _, max)| d == direction && *max == BIG)
                .map(|(_, v, _)| *v)
                .collect();
            let between = values.iter().filter(|v| **v > 0 && **v < BIG).count();
            assert!(
                between >= 3 && values.windows(2).all(|w| w[0] <= w[1]),
                "{}: the progress bar rose step by step: {values:?}",
                page.label
            );
        }
        // Dismissed: the URL is revoked and the link gone.
        bob.click_testid("file-dismiss").await?;
        bob.wait_js(
            "the download's URL revoked",
            "return window.__data.revoked.includes(arguments[0]) && !document.querySelector('[data-testid=file-download]');",
            vec![json!(href)],
            QUICK,
        )
        .await?;

        // Cancelled by the receiver: both stop.
        start_transfer(&alice, &bob).await?;
        bob.click_testid("file-cancel").await?;
        let (_, got, _, _) = wait_state(&bob, "in", "cancelled", QUICK).await?;
        let (_, sent, _, status) = wait_state(&alice, "out", "cancelled", QUICK).await?;
        assert!(got < BIG && sent < BIG, "stopped mid-way: {got} / {sent}");
        assert_eq!(status, "Cancelled by bob");

        // Cancelled by the sender: both stop.
        start_transfer(&alice, &bob).await?;
        alice.click_testid("file-cancel").await?;
        let (_, sent, _, _) = wait_state(&alice, "out", "cancelled", QUICK).await?;
        let (_, got, _, status) = wait_state(&bob, "in", "cancelled", QUICK).await?;
        assert!(got < BIG && sent < BIG, "stopped mid-way: {got} / {sent}");
        assert_eq!(status, "Cancelled by alice");
        // Nothing more arrives afterwards: a chat line sent now comes after any late chunk.
        say(&alice, &bob, "after the cancel").await?;
        let (state, after, _, _) = row(&bob, "in").await?;
        assert_eq!((state.as_str(), after), ("cancelled", got));

        // A small file kept until the call ends: its URL is revoked by the hang-up.
        alice
            .js(MAKE_FILE, vec![json!(3000), json!("small.txt")])
            .await?;
        alice
            .wait_js("the file input", PICK_FILE, vec![], QUICK)
            .await?;
        let download = bob
            .wait_js("the small download", DOWNLOAD, vec![], QUICK)
            .await?;
        let (_, size, _, href): (String, u64, String, String) = serde_json::from_value(download)?;
        assert_eq!(size, 3000);

        // None of it went through the server.
        assert_eq!(relayed(&world.url).await?, relayed_before, "no frame relayed");
        for page in [&alice, &bob] {
            let sent: Vec<String> =
                serde_json::from_value(page.js("return window.__data.ws;", vec![]).await?)?;
            let bytes: usize = sent.iter().map(String::len).sum();
            assert!(
                bytes < 16 * 1024 && !sent.iter().any(|s| s.contains("through the channel")
                    || s.contains("back again") || s.contains("big.bin")),
                "{}: the WebSocket carried chat or file data: {bytes} bytes",
                page.label
            );
        }

        alice.click_testid("hang-up").await?;
        bob.wait_phase("idle", QUICK).await?;
        bob.wait_js(
            "the download's URL revoked when the call ended",
            "return window.__data.revoked.includes(arguments[0]);",
            vec![json!(href)],
            QUICK,
        )
        .await?;
        assert_quiet_consoles(&[&alice, &bob]).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_call_chat_comes_back_after_a_reload_mid_call() -> TestResult {
    crate::wait::limit(async {
        let (_world, alice, bob) =
            alice_and_bob("the_call_chat_comes_back_after_a_reload_mid_call").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        let ready = "return !!document.querySelector('[data-testid=call-chat][data-ready=true]');";
        for page in [&alice, &bob] {
            page.wait_js("the call chat ready", ready, vec![], SLOW)
                .await?;
        }
        say(&alice, &bob, "before the reload").await?;
        alice
            .js(MAKE_FILE, vec![json!(BIG / 4), json!("quarter.bin")])
            .await?;
        start_transfer(&alice, &bob).await?;

        bob.client.refresh().await?;
        bob.js(probes::INSTALL, vec![]).await?;
        let (_, sent, _, status) = wait_state(&alice, "out", "failed", SLOW).await?;
        assert!(sent < BIG / 4, "interrupted mid-way: {sent}");
        assert_eq!(status, "The connection dropped during the transfer");
        bob.wait_phase_with("in-call", "alice", SLOW).await?;
        alice.wait_phase_with("in-call", "bob", SLOW).await?;
        for page in [&alice, &bob] {
            page.wait_js("the call chat ready again", ready, vec![], SLOW)
                .await?;
            page.js(WATCH, vec![]).await?;
        }
        say(&bob, &alice, "after the reload").await?;
        say(&alice, &bob, "welcome back").await?;
        let sent_hash = alice
            .js(MAKE_FILE, vec![json!(5000), json!("again.txt")])
            .await?;
        alice
            .wait_js("the file input", PICK_FILE, vec![], QUICK)
            .await?;
        let download = bob
            .wait_js("the download after the reload", DOWNLOAD, vec![], QUICK)
            .await?;
        let (hash, size, _, _): (String, u64, String, String) = serde_json::from_value(download)?;
        assert_eq!((Value::String(hash), size), (sent_hash, 5000));
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
