//! `cargo xtask` (placeholder until the automation lands).
fn main() {}
