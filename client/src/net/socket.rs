//! One WebSocket connection to the signaling server.
//!
//! [`Socket`] owns the browser `WebSocket` and its event listeners: dropping it removes the
//! listeners and closes the socket, so a replaced socket can never deliver stale events.
//! Sending is synchronous (`WebSocket.send`), which is what `pagehide` needs: there is no later
//! tick in which an async sender could still run. The socket notes when it last heard from the
//! server (or opened), for the heartbeat's dead-link check.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use shared::{FromServer, ToServer};
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};
use yew::Callback;

use crate::error::ClientError;

/// What the socket reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    Open,
    Frame(FromServer),
    /// A frame that is not protocol JSON (logged, otherwise ignored).
    BadFrame(ClientError),
    /// The socket closed, or never opened.
    Closed,
}

/// An open (or opening) WebSocket with its listeners.
pub struct Socket {
    ws: WebSocket,
    /// `Date.now()` when the socket was created or last got a frame.
    heard: Rc<Cell<f64>>,
    _open: EventListener,
    _message: EventListener,
    _close: EventListener,
}

impl Socket {
    /// Starts connecting to `url`; every event is reported to `on_event`.
    pub fn connect(url: &str, on_event: Callback<SocketEvent>) -> Result<Self, ClientError> {
        let ws = WebSocket::new(url)?;
        let heard = Rc::new(Cell::new(js_sys::Date::now()));
        let open = {
            let on_event = on_event.clone();
            let heard = heard.clone();
            EventListener::new(&ws, "open", move |_| {
                heard.set(js_sys::Date::now());
                on_event.emit(SocketEvent::Open);
            })
        };
        let message = {
            let on_event = on_event.clone();
            let heard = heard.clone();
            EventListener::new(&ws, "message", move |event| {
                heard.set(js_sys::Date::now());
                on_event.emit(parse_frame(event));
            })
        };
        let close = EventListener::new(&ws, "close", move |_| on_event.emit(SocketEvent::Closed));
        Ok(Self {
            ws,
            heard,
            _open: open,
            _message: message,
            _close: close,
        })
    }

    /// When the socket was created or last got a frame (`Date.now()`, ms).
    pub fn last_heard_ms(&self) -> f64 {
        self.heard.get()
    }

    /// Sends one frame now.
    pub fn send(&self, frame: &ToServer) -> Result<(), ClientError> {
        if self.ws.ready_state() != WebSocket::OPEN {
            return Err(ClientError::NotConnected);
        }
        self.ws.send_with_str(&super::write::frame(frame))?;
        Ok(())
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // `close()` only throws for an invalid code or reason, and we pass neither.
        let _ = self.ws.close();
    }
}

fn parse_frame(event: &web_sys::Event) -> SocketEvent {
    let text = event
        .dyn_ref::<MessageEvent>()
        .and_then(|message| message.data().as_string());
    match text {
        Some(text) => match super::js_json::parse(&text).and_then(|v| super::frame::decode(&v)) {
            Ok(frame) => SocketEvent::Frame(frame),
            Err(error) => SocketEvent::BadFrame(ClientError::BadFrame(error)),
        },
        None => SocketEvent::BadFrame(ClientError::BadFrame("not a text frame".into())),
    }
}
