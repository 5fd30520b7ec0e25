//! The browser driver of the call (to be written).
