//! The system notification of a ringing call, and the permission for it.
//!
//! The permission is only asked for when the person clicks "Notify me of calls" (a user
//! gesture: Firefox refuses to ask without one, and a prompt on page load is what people
//! learn to deny). A [`Shown`] notification writes what the browser did with it on the
//! ringer's element (`data-notification`: `shown` on `show`, `failed` on `error`, `closed`
//! once dropped), brings the tab to the front when clicked, and is closed when dropped.

use gloo_events::EventListener;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Notification, NotificationOptions, NotificationPermission};

use crate::call::ring::calling;
use crate::error::ClientError;

/// Whether this browser has notifications at all (not in every context: e.g. an insecure page).
pub fn supported() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false)
    })
}

/// `Notification.permission`: `granted`, `denied` or `default` (not asked yet); `unsupported`
/// when the browser has none.
pub fn permission() -> &'static str {
    if !supported() {
        return "unsupported";
    }
    match Notification::permission() {
        NotificationPermission::Granted => "granted",
        NotificationPermission::Denied => "denied",
        _ => "default",
    }
}

/// Asks for the permission (call it from a click); the answer, as [`permission`] words it.
pub async fn ask() -> Result<&'static str, ClientError> {
    JsFuture::from(Notification::request_permission()?).await?;
    Ok(permission())
}

/// A notification on screen for a ringing call.
pub struct Shown {
    notification: Notification,
    report: Element,
    _listeners: [EventListener; 3],
}

impl Shown {
    /// Shows "📞 alice is calling…" when allowed (`None` otherwise, reported `not-allowed`).
    pub fn new(peer: &str, report: &Element) -> Result<Option<Self>, ClientError> {
        let state = |value: &str| {
            let _ = report.set_attribute("data-notification", value);
        };
        if permission() != "granted" {
            state("not-allowed");
            return Ok(None);
        }
        state("pending");
        let options = NotificationOptions::new();
        options.set_body("Parley: open the tab to answer.");
        options.set_tag("parley-call");
        options.set_require_interaction(true);
        let notification = Notification::new_with_options(&calling(peer), &options)?;
        let on = |event: &'static str, value: &'static str| {
            let report = report.clone();
            EventListener::new(&notification, event, move |_| {
                let _ = report.set_attribute("data-notification", value);
            })
        };
        let (shown, failed) = (on("show", "shown"), on("error", "failed"));
        let clicked = {
            let notification = notification.clone();
            EventListener::new(&notification.clone(), "click", move |_| {
                if let Some(window) = web_sys::window()
                    && let Err(error) = window.focus()
                {
                    crate::log::debug_of("focus", &ClientError::from(error));
                }
                notification.close();
            })
        };
        Ok(Some(Self {
            notification,
            report: report.clone(),
            _listeners: [shown, failed, clicked],
        }))
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.notification.close();
        let _ = self.report.set_attribute("data-notification", "closed");
    }
}
