//! The flashing title of a ringing call in a hidden tab: `document.title` alternates between
//! "📞 alice is calling…" and the page's own title every [`TITLE_FLASH_MS`]; dropping the
//! [`Flash`] puts the page's title back.

use gloo_timers::callback::Interval;
use web_sys::Document;

use crate::call::ring::{TITLE_FLASH_MS, flashed_title};

/// The title flashing for one caller.
pub struct Flash {
    document: Document,
    base: String,
    _interval: Interval,
}

impl Flash {
    /// Starts flashing at once (the call's words first); `None` without a document.
    pub fn start(peer: &str) -> Option<Self> {
        let document = web_sys::window()?.document()?;
        let base = document.title();
        document.set_title(&flashed_title(&base, peer, 0));
        let interval = {
            let (document, base, peer) = (document.clone(), base.clone(), peer.to_owned());
            let mut tick = 0u32;
            Interval::new(TITLE_FLASH_MS, move || {
                tick = tick.wrapping_add(1);
                document.set_title(&flashed_title(&base, &peer, tick));
            })
        };
        Some(Self {
            document,
            base,
            _interval: interval,
        })
    }
}

impl Drop for Flash {
    fn drop(&mut self) {
        self.document.set_title(&self.base);
    }
}
