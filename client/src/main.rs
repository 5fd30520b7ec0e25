//! The binary trunk builds: mounts the app on the page's body.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<client::app::App>::new().render();
}

/// The crate also builds on the host (for the pure unit tests); there is nothing to run there.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
