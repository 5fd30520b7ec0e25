//! The page's current WebSocket as a hook.
//!
//! The root's callbacks (the call layer's frames, the heartbeat, `pagehide`) send on whatever
//! socket is current, synchronously, while the socket behind them is replaced on every
//! reconnect. That is the one place this client keeps a `RefCell`: a single slot holding the
//! current [`Socket`], owned by the root component. Nothing else is shared through it.

use std::cell::RefCell;
use std::rc::Rc;

use shared::ToServer;
use yew::prelude::*;

use crate::error::ClientError;
use crate::net::socket::{Socket, SocketEvent};

/// A handle on the current socket; cloning it shares the same slot.
#[derive(Clone)]
pub struct SocketHandle {
    current: Rc<RefCell<Option<Socket>>>,
}

impl PartialEq for SocketHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.current, &other.current)
    }
}

impl SocketHandle {
    /// Replaces the current socket (if any) by a new one to `url`. A socket that cannot even be
    /// created (a bad URL) is reported as closed, so the page offers Retry.
    pub fn connect(&self, url: &str, on_event: Callback<SocketEvent>) {
        // The old socket goes first: its listeners are removed before the new one exists.
        self.disconnect();
        match Socket::connect(url, on_event.clone()) {
            Ok(socket) => *self.current.borrow_mut() = Some(socket),
            Err(error) => {
                crate::log::warn(&format!("cannot open the WebSocket to {url}: {error}"));
                on_event.emit(SocketEvent::Closed);
            }
        }
    }

    /// Closes and forgets the current socket.
    pub fn disconnect(&self) {
        let old = self.current.borrow_mut().take();
        // Dropped outside the borrow: closing never re-enters, but this keeps it obvious.
        drop(old);
    }

    /// Sends one frame on the current socket, now.
    pub fn send(&self, frame: &ToServer) -> Result<(), ClientError> {
        match self.current.borrow().as_ref() {
            Some(socket) => socket.send(frame),
            None => Err(ClientError::NotConnected),
        }
    }

    /// When the current socket last heard from the server (or opened); `None` without one.
    pub fn last_heard_ms(&self) -> Option<f64> {
        self.current.borrow().as_ref().map(Socket::last_heard_ms)
    }
}

/// The page's socket slot; connecting is up to the caller (from an effect).
#[hook]
pub fn use_socket() -> SocketHandle {
    let current = use_mut_ref(|| None::<Socket>);
    SocketHandle { current }
}
