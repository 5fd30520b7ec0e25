//! The resumable session's record in `sessionStorage` (per tab, survives a reload, not other
//! tabs): read once when the page starts, written when the token changes, with each ping and on
//! `pagehide`. The record's shape is [`StoredSession`]'s (pure, in `crate::state`); this moves
//! its text (read back with the browser's `JSON.parse`). Storage can be refused (privacy modes,
//! quotas): then the page simply does not survive a reload, and says so in the console.
//!
//! Rooms (issue 13): the record names its room and is resumed only there (`AppState::start`);
//! and a page going to a new room hands it the room's passcode and capacity under
//! [`Entry::HANDOVER_KEY`], which the new page takes (reads and removes) when it starts.

use crate::error::ClientError;
use crate::state::{Entry, StoredSession};

fn storage() -> Result<web_sys::Storage, ClientError> {
    web_sys::window()
        .ok_or(ClientError::NoWindow)?
        .session_storage()?
        .ok_or(ClientError::Unexpected("no sessionStorage"))
}

/// The record this tab kept, if any (and readable).
pub fn load() -> Option<StoredSession> {
    let text = storage().ok()?.get_item(StoredSession::KEY).ok()??;
    StoredSession::from_record(&super::js_json::parse(&text).ok()?)
}

/// The hand-over a page going to a new room left for this one, taken (removed) as it is read.
pub fn take_handover() -> Option<String> {
    let storage = storage().ok()?;
    let text = storage.get_item(Entry::HANDOVER_KEY).ok()??;
    let _ = storage.remove_item(Entry::HANDOVER_KEY);
    Some(text)
}

/// Leaves `entry`'s passcode and capacity for the page about to load at its place.
pub fn hand_over(entry: &Entry) {
    let saved =
        storage().and_then(|s| Ok(s.set_item(Entry::HANDOVER_KEY, &entry.handover_text())?));
    if let Err(error) = saved {
        crate::log::debug_of("the room's passcode was not handed over", &error);
    }
}

/// Keeps `record` for a reload of this tab.
pub fn save(record: &StoredSession) {
    let saved = storage().and_then(|s| Ok(s.set_item(StoredSession::KEY, &record.to_json())?));
    if let Err(error) = saved {
        crate::log::debug_of("session not kept for a reload", &error);
    }
}
