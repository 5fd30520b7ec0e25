//! Entry point trunk builds (placeholder).
fn main() {}
