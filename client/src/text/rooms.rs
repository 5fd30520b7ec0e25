//! The rooms' words (issue 13): why the "New private room" form made no room. Kept apart from
//! `text.rs` so the rooms' wording is in one place.

use crate::state::RoomFormError;

/// The form's sentence for `error` (`None`: the browser gave no random bytes).
pub fn room_form_sentence(error: Option<RoomFormError>) -> &'static str {
    match error {
        Some(RoomFormError::PasscodeTooLong) => "A passcode has at most 64 characters.",
        Some(RoomFormError::BadCapacity) => {
            "The most people in the room is a whole number from 2 to 100."
        }
        None => "This browser cannot make a secret room name, so no room was made.",
    }
}

#[cfg(test)]
mod tests {
    use shared::limits::{MAX_PASSCODE_CHARS, ROOM_CAPACITY};

    use super::*;

    #[test]
    fn the_sentences_say_the_real_limits() {
        let passcode = room_form_sentence(Some(RoomFormError::PasscodeTooLong));
        assert!(passcode.contains(&format!("at most {MAX_PASSCODE_CHARS} ")));
        let capacity = room_form_sentence(Some(RoomFormError::BadCapacity));
        let range = format!("from {} to {}.", ROOM_CAPACITY.start(), ROOM_CAPACITY.end());
        assert!(capacity.ends_with(&range), "{capacity}");
    }
}
