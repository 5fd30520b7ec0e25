//! Protocol limits, documented in `docs/PROTOCOL.md`. The server enforces them; the client
//! checks the ones a person can hit (name and chat length) before sending.

/// Largest text frame the server accepts. An SDP is ~5 KB, so this is ample.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest user name, in characters (Unicode scalar values), after trimming.
pub const MAX_NAME_CHARS: usize = 32;
/// Longest chat text, in characters.
pub const MAX_CHAT_CHARS: usize = 2000;
/// Most people in a room's group call (a mesh: each sends one stream to every other).
pub const GROUP_CALL_MAX: usize = 4;
/// Longest room passcode, in characters.
pub const MAX_PASSCODE_CHARS: usize = 64;
/// Smallest and largest capacity a room can be given (people logged in at once).
pub const ROOM_CAPACITY: std::ops::RangeInclusive<u32> = 2..=100;
