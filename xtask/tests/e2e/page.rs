//! One browser tab showing the app, with the actions a person takes and the checks the tests
//! make, all through the hooks of `docs/ui-contract.md` and standard DOM/WebRTC APIs.

use std::path::Path;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::TestResult;
use crate::probes;
use crate::wait;

/// Deadline for things that happen at human speed on a loaded 2-core machine (page load, login,
/// a call connecting). Generous: a slow pass is fine, a hang must still fail.
pub const SLOW: Duration = Duration::from_secs(20);
/// Deadline for a signaling round trip to show in the other page.
pub const QUICK: Duration = Duration::from_secs(10);

pub struct Page {
    pub client: Client,
    pub label: String,
}

/// Media flowing into a page (see [`probes::MEDIA`]).
#[derive(Debug, Clone, Copy)]
pub struct Media {
    pub video_width: u64,
    pub frames_decoded: u64,
    pub audio_packets: u64,
    pub audio_live: bool,
    pub open_pcs: u64,
}

fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

impl Page {
    /// Loads `url` and installs the in-page probes.
    pub async fn open(client: Client, label: &str, url: &str) -> TestResult<Self> {
        let page = Self {
            client,
            label: label.to_owned(),
        };
        page.client
            .goto(url)
            .await
            .map_err(|e| format!("{label}: opening {url}: {e}"))?;
        page.js(probes::INSTALL, vec![]).await?;
        Ok(page)
    }

    /// Runs `script` (a function body; `arguments` holds `args`), awaiting a returned Promise.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> TestResult<Value> {
        self.client
            .execute(script, args)
            .await
            .map_err(|e| format!("{}: script failed: {e}", self.label).into())
    }

    /// The page's state, for failure messages.
    pub async fn dump(&self) -> String {
        match self.client.execute(probes::DUMP, vec![]).await {
            Ok(Value::String(text)) => text,
            Ok(other) => other.to_string(),
            Err(e) => format!("(page state unavailable: {e})"),
        }
    }

    /// Polls `script` until it returns something other than `null`/`false`, and returns that.
    pub async fn wait_js(
        &self,
        what: &str,
        script: &str,
        args: Vec<Value>,
        timeout: Duration,
    ) -> TestResult<Value> {
        let result = wait::until(what, timeout, || {
            let args = args.clone();
            async move {
                let value = self.js(script, args).await?;
                Ok(truthy(&value).then_some(value))
            }
        })
        .await;
        match result {
            Ok(value) => Ok(value),
            Err(e) => {
                Err(format!("{}: {e}\n    page state: {}", self.label, self.dump().await).into())
            }
        }
    }

    /// Fails with the page state attached.
    pub async fn fail<T>(&self, what: String) -> TestResult<T> {
        Err(format!(
            "{}: {what}\n    page state: {}",
            self.label,
            self.dump().await
        )
        .into())
    }

    /// Waits for an element matching `selector` that is shown and enabled, then clicks it as a
    /// person would (a WebDriver click; if something covers it, a DOM click).
    pub async fn click(&self, selector: &str) -> TestResult {
        self.wait_js(
            &format!("`{selector}` to be shown and enabled"),
            "const e = document.querySelector(arguments[0]); return !!(e && !e.disabled && e.getClientRects().length > 0);",
            vec![json!(selector)],
            QUICK,
        )
        .await?;
        let element = self.client.find(Locator::Css(selector)).await?;
        if element.click().await.is_err() {
            self.js(
                "document.querySelector(arguments[0]).click(); return true;",
                vec![json!(selector)],
            )
            .await?;
        }
        Ok(())
    }

    /// Clicks `[data-testid=<id>]`.
    pub async fn click_testid(&self, id: &str) -> TestResult {
        self.click(&format!("[data-testid=\"{id}\"]")).await
    }

    /// Types `text` into the element matching `selector`.
    pub async fn type_into(&self, selector: &str, text: &str) -> TestResult {
        self.wait_js(
            &format!("`{selector}` to be shown"),
            "const e = document.querySelector(arguments[0]); return !!(e && !e.disabled);",
            vec![json!(selector)],
            SLOW,
        )
        .await?;
        let element = self.client.find(Locator::Css(selector)).await?;
        element.send_keys(text).await?;
        Ok(())
    }

    /// Logs in as `name` and returns the name the server gave.
    pub async fn login(&self, name: &str) -> TestResult<String> {
        self.type_into("input[data-testid=login-name]", name)
            .await?;
        self.click_testid("login-submit").await?;
        let given = self
            .wait_js(
                &format!("login as {name:?} (own name shown, connection online)"),
                r#"const me = document.querySelector('[data-testid=my-name]');
                   const status = document.querySelector('[data-testid=connection-status]');
                   const call = document.querySelector('[data-testid=call]');
                   return me && me.textContent.trim() && status && status.getAttribute('data-state') === 'online' && call
                     ? me.textContent.trim() : null;"#,
                vec![],
                SLOW,
            )
            .await?;
        Ok(given.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until `name` is in the user list.
    pub async fn wait_for_user(&self, name: &str) -> TestResult {
        self.wait_js(
            &format!("{name:?} in the user list"),
            "return [...document.querySelectorAll('[data-testid=user]')].some((u) => u.getAttribute('data-name') === arguments[0]);",
            vec![json!(name)],
            QUICK,
        )
        .await
        .map(drop)
    }

    /// Calls `name` by activating their entry in the user list.
    pub async fn call(&self, name: &str) -> TestResult {
        self.wait_for_user(name).await?;
        self.click(&user_selector(name)).await
    }

    /// Waits for `data-phase == phase`.
    pub async fn wait_phase(&self, phase: &str, timeout: Duration) -> TestResult {
        self.wait_js(
            &format!("call phase {phase:?}"),
            "const c = document.querySelector('[data-testid=call]'); return !!c && c.getAttribute('data-phase') === arguments[0];",
            vec![json!(phase)],
            timeout,
        )
        .await
        .map(drop)
    }

    /// Waits for `data-phase == phase` with `data-peer == peer`.
    pub async fn wait_phase_with(&self, phase: &str, peer: &str, timeout: Duration) -> TestResult {
        self.wait_js(
            &format!("call phase {phase:?} with {peer:?}"),
            "const c = document.querySelector('[data-testid=call]'); return !!c && c.getAttribute('data-phase') === arguments[0] && c.getAttribute('data-peer') === arguments[1];",
            vec![json!(phase), json!(peer)],
            timeout,
        )
        .await
        .map(drop)
    }

    /// Every phase this page has shown since the probes were installed (or last reset).
    pub async fn phase_history(&self) -> TestResult<Vec<String>> {
        let value = self
            .js("return window.__e2e.phases.map((p) => p[0]);", vec![])
            .await?;
        Ok(value
            .as_array()
            .map(|phases| {
                phases
                    .iter()
                    .map(|p| p.as_str().unwrap_or("none").to_owned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The notices shown now.
    pub async fn notices(&self) -> TestResult<Vec<String>> {
        let value = self
            .js("return [...document.querySelectorAll('[data-testid=notice]')].map((n) => n.textContent);", vec![])
            .await?;
        Ok(value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits for a notice whose text is exactly `sentence` (the words `client/src/text.rs`
    /// renders for one reason, so a notice for another reason naming the same person fails).
    pub async fn wait_notice(&self, sentence: &str, timeout: Duration) -> TestResult {
        self.wait_js(
            &format!("the notice {sentence:?}"),
            "return [...document.querySelectorAll('[data-testid=notice]')].some((n) => n.textContent.trim() === arguments[0]);",
            vec![json!(sentence)],
            timeout,
        )
        .await
        .map(drop)
    }

    pub async fn media(&self) -> TestResult<Media> {
        let value = self.js(probes::MEDIA, vec![]).await?;
        let number = |key: &str| value.get(key).and_then(Value::as_u64).unwrap_or(0);
        Ok(Media {
            video_width: number("videoWidth"),
            frames_decoded: number("framesDecoded"),
            audio_packets: number("audioPackets"),
            audio_live: value
                .get("audioLive")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            open_pcs: number("openPcs"),
        })
    }

    /// Waits until remote video shows (`videoWidth > 0`), frames are being decoded and keep
    /// increasing, and the remote audio track is live and receiving.
    pub async fn wait_media_flowing(&self, timeout: Duration) -> TestResult<Media> {
        let first = self.wait_media(timeout, 0).await?;
        self.wait_media(timeout, first.frames_decoded).await
    }

    async fn wait_media(&self, timeout: Duration, more_than: u64) -> TestResult<Media> {
        let what = format!("remote video and audio flowing (frames decoded > {more_than})");
        let result = wait::until(&what, timeout, || async {
            let media = self.media().await?;
            let flowing = media.video_width > 0
                && media.frames_decoded > more_than
                && media.audio_live
                && media.audio_packets > 0;
            Ok(flowing.then_some(media))
        })
        .await;
        match result {
            Ok(media) => Ok(media),
            Err(e) => {
                let media = self
                    .media()
                    .await
                    .map(|m| format!("{m:?}"))
                    .unwrap_or_default();
                self.fail(format!("{e}; last media: {media}")).await
            }
        }
    }

    /// Keeps every track of the current call for [`Page::wait_everything_stopped`].
    pub async fn capture_tracks(&self) -> TestResult<u64> {
        Ok(self
            .js(probes::CAPTURE_TRACKS, vec![])
            .await?
            .as_u64()
            .unwrap_or(0))
    }

    /// Waits until every captured track has ended and every peer connection is closed.
    pub async fn wait_everything_stopped(&self, timeout: Duration) -> TestResult {
        let what = "every track of the call ended and every peer connection closed";
        let result = wait::until(what, timeout, || async {
            let left = self.js(probes::LEFTOVERS, vec![]).await?;
            let live = left
                .get("liveTracks")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let open = left.get("openPcs").and_then(Value::as_u64).unwrap_or(0);
            Ok((live == 0 && open == 0).then_some(()))
        })
        .await;
        if let Err(e) = result {
            let left = self.js(probes::LEFTOVERS, vec![]).await.unwrap_or_default();
            return self.fail(format!("{e}; still running: {left}")).await;
        }
        Ok(())
    }

    /// Sends a chat line by typing it and pressing Enter (`by_enter`) or clicking Send.
    pub async fn send_chat(&self, text: &str, by_enter: bool) -> TestResult {
        self.type_into("input[data-testid=chat-input]", text)
            .await?;
        if by_enter {
            let enter: char = Key::Enter.into();
            self.type_into("input[data-testid=chat-input]", &enter.to_string())
                .await
        } else {
            self.click_testid("chat-send").await
        }
    }

    /// Waits for a chat line from `from` whose text is exactly `text`.
    pub async fn wait_chat_line(&self, from: &str, text: &str) -> TestResult {
        self.wait_js(
            &format!("chat line {text:?} from {from:?}"),
            r#"return [...document.querySelectorAll('[data-testid=chat-line]')].some((line) => {
                 const name = line.querySelector('[data-testid=chat-name]');
                 const text = line.querySelector('[data-testid=chat-text]');
                 const time = line.querySelector('[data-testid=chat-time]');
                 return name && text && time && name.textContent.trim() === arguments[0] && text.textContent === arguments[1];
               });"#,
            vec![json!(from), json!(text)],
            QUICK,
        )
        .await
        .map(drop)
    }

    /// Resizes the window so that the page itself (the viewport) is `width`×`height`.
    pub async fn set_viewport(&self, width: u32, height: u32) -> TestResult {
        let chrome = self
            .js("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];", vec![])
            .await?;
        let extra = |i: usize| {
            chrome
                .get(i)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0)
        };
        self.client
            .set_window_size(width + extra(0), height + extra(1))
            .await?;
        self.wait_js(
            "the viewport size",
            "return window.innerWidth === arguments[0] && window.innerHeight === arguments[1];",
            vec![json!(width), json!(height)],
            QUICK,
        )
        .await
        .map(drop)
    }

    /// Console errors and warnings since the probes were installed (the app should log none in
    /// normal use).
    pub async fn console_messages(&self) -> TestResult<Vec<String>> {
        let value = self.js("return window.__e2e.console;", vec![]).await?;
        Ok(value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Saves a PNG of the page.
    pub async fn screenshot(&self, path: &Path) -> TestResult {
        let png = self.client.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Ends the browser session (the harness kills whatever is left anyway).
    pub async fn close(self) {
        // A session that is already gone (tab closed, browser crashed) has nothing left to close.
        let _ = self.client.close().await;
    }
}

/// The CSS selector of `name`'s entry in the user list.
pub fn user_selector(name: &str) -> String {
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("[data-testid=\"user\"][data-name=\"{escaped}\"]")
}
