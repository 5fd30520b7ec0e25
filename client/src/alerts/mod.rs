//! The browser side of a ringing call (wasm only), each an RAII object the `Ringer` component
//! holds while `crate::call::ring` says so, which undoes itself when dropped:
//!
//! - [`tone`]: the ringtone, two oscillators through a gain envelope in an `AudioContext`
//!   (no audio file); closed on drop.
//! - [`notify`]: the system notification (`Notification`), and asking for the permission;
//!   closed on drop; a click on it brings the tab to the front.
//! - [`title`]: the flashing `document.title`; the page's own title is put back on drop.

pub mod notify;
pub mod title;
pub mod tone;
