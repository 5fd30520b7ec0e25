//! The signaling WebSocket's address: `ws(s)://<page host>/ws`, so the page works behind any
//! host name and TLS terminator without configuration.

/// The WebSocket URL for a page loaded with this `location.protocol` (`"https:"`, …) and
/// `location.host` (host and port).
pub fn ws_url_for(page_protocol: &str, page_host: &str) -> String {
    let scheme = if page_protocol.eq_ignore_ascii_case("https:") {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{page_host}/ws")
}

/// The WebSocket URL for the page this code runs in.
#[cfg(target_arch = "wasm32")]
pub fn page_ws_url() -> Result<String, crate::error::ClientError> {
    let location = web_sys::window()
        .ok_or(crate::error::ClientError::NoWindow)?
        .location();
    Ok(ws_url_for(&location.protocol()?, &location.host()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_page() {
        assert_eq!(
            ws_url_for("http:", "127.0.0.1:8080"),
            "ws://127.0.0.1:8080/ws"
        );
        assert_eq!(
            ws_url_for("https:", "call.example.org"),
            "wss://call.example.org/ws"
        );
    }
}
