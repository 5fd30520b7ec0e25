//! The `server` binary (placeholder until the signaling server lands).
fn main() {}
