//! What the in-call chat says about transfers and errors, in words (pure, host-tested).

use super::frame::{CancelReason, FrameError};
use super::view::{Direction, LinkError, TransferState, TransferView};

/// A byte count for people: `512 B`, `16.0 KB`, `100.0 MB`.
/// (Integer arithmetic: float formatting would add kilobytes to the bundle.)
pub fn bytes(n: u64) -> String {
    const KB: u64 = 1024;
    let (unit, name) = match n {
        n if n < KB => return format!("{n} B"),
        n if n < KB * KB => (KB, "KB"),
        _ => (KB * KB, "MB"),
    };
    let tenths = (n * 10 + unit / 2) / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

/// Where a transfer stands, said from our side; `peer` is the other person.
pub fn transfer_sentence(t: &TransferView, peer: &str) -> String {
    let out = t.direction == Direction::Out;
    match t.state {
        TransferState::Waiting => crate::text::around("Waiting for ", peer, " to accept…"),
        TransferState::Active if out => format!("Sending {} of {}", bytes(t.done), bytes(t.size)),
        TransferState::Active => format!("Receiving {} of {}", bytes(t.done), bytes(t.size)),
        TransferState::Done if out => crate::text::around("Sent to ", peer, ""),
        TransferState::Done => crate::text::around("Received from ", peer, ""),
        TransferState::Cancelled { by_peer: true } => {
            crate::text::around("Cancelled by ", peer, "")
        }
        TransferState::Cancelled { by_peer: false } => "Cancelled".to_owned(),
        TransferState::Refused(CancelReason::TooLarge) => {
            crate::text::around("", peer, " refused it: over 100 MB")
        }
        TransferState::Refused(CancelReason::Busy) => {
            crate::text::around("", peer, " is receiving another file; try again after it")
        }
        TransferState::Refused(_) => crate::text::around("", peer, " stopped it"),
        TransferState::Failed(error) => error_sentence(error, peer),
    }
}

pub fn error_sentence(error: LinkError, peer: &str) -> String {
    match error {
        LinkError::BadFrame(FrameError::TooLong) => {
            crate::text::around("", peer, " sent a message too long to read")
        }
        LinkError::BadFrame(_) => {
            crate::text::around("", peer, " sent something the chat cannot read")
        }
        LinkError::UnexpectedChunk => {
            crate::text::around("", peer, " sent file data nobody asked for")
        }
        LinkError::TooManyBytes => {
            crate::text::around("", peer, " sent more bytes than the file has: stopped")
        }
        LinkError::ShortFile => {
            crate::text::around("The file from ", peer, " arrived incomplete: discarded")
        }
        LinkError::TooLarge => "Files over 100 MB cannot be sent in a call".to_owned(),
        LinkError::Interrupted => "The connection dropped during the transfer".to_owned(),
        LinkError::ReadFailed => "The file could not be read".to_owned(),
    }
}

/// The state as a `data-state` value.
pub fn state_name(state: TransferState) -> &'static str {
    match state {
        TransferState::Waiting => "waiting",
        TransferState::Active => "active",
        TransferState::Done => "done",
        TransferState::Cancelled { .. } => "cancelled",
        TransferState::Refused(_) => "refused",
        TransferState::Failed(_) => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_read_well() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(16 * 1024), "16.0 KB");
        assert_eq!(bytes(100 * 1024 * 1024), "100.0 MB");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(1024 * 1024 - 1), "1024.0 KB");
    }

    #[test]
    fn states_are_said_from_our_side() {
        let mut t = TransferView {
            id: 1,
            direction: Direction::In,
            name: "a".into(),
            mime: String::new(),
            size: 2048,
            done: 1024,
            state: TransferState::Active,
        };
        assert_eq!(transfer_sentence(&t, "bob"), "Receiving 1.0 KB of 2.0 KB");
        t.state = TransferState::Cancelled { by_peer: true };
        assert_eq!(transfer_sentence(&t, "bob"), "Cancelled by bob");
        assert_eq!(state_name(t.state), "cancelled");
    }
}
