//! The system notification of a ringing call, and the permission for it.
//!
//! The permission is only asked for when the person clicks "Notify me of calls" (a user
//! gesture: Firefox refuses to ask without one, and a prompt on page load is what people
//! learn to deny). A [`Shown`] notification reports what the browser did with it
//! (`show`, `error`), brings the tab to the front when clicked, and is closed when dropped.

use gloo_events::EventListener;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};
use yew::Callback;

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
    _listeners: [EventListener; 3],
}

impl Shown {
    /// Shows "📞 alice is calling…" when allowed (`None` otherwise). `on_state` hears `shown`
    /// once the browser displayed it, `failed` if it could not.
    pub fn new(peer: &str, on_state: Callback<&'static str>) -> Result<Option<Self>, ClientError> {
        if permission() != "granted" {
            return Ok(None);
        }
        let options = NotificationOptions::new();
        options.set_body("Parley: open the tab to answer.");
        options.set_tag("parley-call");
        options.set_require_interaction(true);
        let notification = Notification::new_with_options(&calling(peer), &options)?;
        let shown = {
            let on_state = on_state.clone();
            EventListener::new(&notification, "show", move |_| on_state.emit("shown"))
        };
        let failed = EventListener::new(&notification, "error", move |_| on_state.emit("failed"));
        let clicked = {
            let notification = notification.clone();
            EventListener::new(&notification.clone(), "click", move |_| {
                if let Some(window) = web_sys::window()
                    && let Err(error) = window.focus()
                {
                    crate::log::debug(&format!("focus: {}", ClientError::from(error)));
                }
                notification.close();
            })
        };
        Ok(Some(Self {
            notification,
            _listeners: [shown, failed, clicked],
        }))
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.notification.close();
    }
}
