//! Console output for the rare unexpected event (a frame that is not protocol JSON, a send on a
//! dead socket). Normal use logs nothing, so the console stays clean.

/// Something went wrong that the page copes with, but a developer should see.
pub fn warn(text: &str) {
    web_sys::console::warn_1(&text.into());
}

/// Expected in some situations (e.g. a frame dropped while the socket is down); hidden by default.
pub fn debug(text: &str) {
    web_sys::console::debug_1(&text.into());
}

/// `what: error`, as [`warn`] (one formatting routine for every call site: less wasm than a
/// `format!` at each).
pub fn warn_of(what: &str, error: &dyn std::fmt::Display) {
    warn(&format!("{what}: {error}"));
}

/// `what: error`, as [`debug`] (see [`warn_of`]).
pub fn debug_of(what: &str, error: &dyn std::fmt::Display) {
    debug(&format!("{what}: {error}"));
}
