//! The signaling WebSocket's address: `ws(s)://<page host>/ws`, so the page works behind any
//! host name and TLS terminator without configuration; in a room (issue 13) with `?room=<room>`.

use shared::RoomName;

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

/// The WebSocket URL `base` (`ws(s)://host/ws`) for a page in `room`: with `?room=<room>`, which
/// joins the room for the socket's whole life. Room names are letters, digits, `-` and `_`, so
/// they need no escaping.
pub fn with_room(base: String, room: Option<&RoomName>) -> String {
    match room {
        None => base,
        Some(room) => {
            let join = if base.contains('?') {
                "&room="
            } else {
                "?room="
            };
            [base.as_str(), join, room.as_str()].concat()
        }
    }
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

    #[test]
    fn a_room_is_joined_by_the_query() {
        let base = || "wss://call.example.org/ws".to_owned();
        assert_eq!(with_room(base(), None), "wss://call.example.org/ws");
        let family = RoomName::parse("Family").ok();
        assert_eq!(
            with_room(base(), family.as_ref()),
            "wss://call.example.org/ws?room=family"
        );
        assert_eq!(
            with_room("ws://127.0.0.1:9/ws?x=1".into(), family.as_ref()),
            "ws://127.0.0.1:9/ws?x=1&room=family"
        );
    }
}
