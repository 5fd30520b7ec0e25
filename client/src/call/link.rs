//! Chat and files inside the call, over the call's `RTCDataChannel` (never through the
//! server), as a pure state machine: `handle(input) -> effects`, no web-sys, host-tested.
//!
//! - [`frame`]: the JSON control frames (`hello`, `text`, `offer`, `accept`, `cancel`, `end`).
//! - [`transfer`]: one transfer's byte counts, chunking plan, flow control and limits.
//! - [`view`]: the view, inputs and effects; [`words`]: what the page says about them.
//!
//! The browser glue (`client/src/call/driver/channel.rs`) owns the channel, the `File` being sent and the
//! chunks being received (as JS buffers, so they never sit in wasm memory); it feeds channel
//! events in as [`LinkInput`]s and carries out [`LinkEffect`]s. One transfer at a time in each
//! direction: binary messages belong to the one incoming transfer. Whatever the peer sends,
//! a bad frame becomes an error in the view, never a panic.

pub mod frame;
pub mod transfer;
pub mod view;
pub mod words;

#[cfg(test)]
mod tests;

pub use frame::{CancelReason, Frame, FrameError};
use transfer::{ChunkVerdict, EndVerdict, Incoming, MAX_FILE_BYTES, Outgoing};
pub use view::{
    Direction, Line, LinkEffect, LinkError, LinkInput, LinkView, MAX_LINES, TransferState,
    TransferView,
};

#[derive(Debug, Default)]
pub struct Link {
    view: LinkView,
    out: Option<Outgoing>,
    inc: Option<Incoming>,
    /// We called the incoming transfer off: chunks already on their way are dropped quietly.
    draining: bool,
    next_id: u32,
}

impl Link {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn view(&self) -> &LinkView {
        &self.view
    }

    pub fn handle(&mut self, input: LinkInput) -> Vec<LinkEffect> {
        let mut fx = Vec::new();
        match input {
            LinkInput::Opened => {
                self.view.open = true;
                fx.push(LinkEffect::Send(Frame::Hello {
                    version: frame::VERSION,
                }));
            }
            LinkInput::Closed => self.closed(&mut fx),
            LinkInput::Message(text) => match Frame::parse(&text) {
                Ok(frame) => self.frame(frame, &mut fx),
                Err(error) => self.view.error = Some(LinkError::BadFrame(error)),
            },
            LinkInput::Chunk { len } => self.chunk(len, &mut fx),
            LinkInput::SendText(text) => {
                let text: String = text.trim().chars().take(frame::MAX_TEXT_CHARS).collect();
                if self.view.ready && !text.is_empty() {
                    fx.push(LinkEffect::Send(Frame::Text { text: text.clone() }));
                    self.line(true, text);
                }
            }
            LinkInput::SendFile { name, size, mime } => self.send_file(name, size, mime, &mut fx),
            LinkInput::Cancel(direction) => self.cancel(direction, &mut fx),
            LinkInput::Dismiss(direction) => self.dismiss(direction, &mut fx),
            LinkInput::SliceRead { id, len, buffered } => {
                if let Some(out) = self.out.as_mut().filter(|o| o.id == id)
                    && out.slice_sent(len)
                {
                    fx.push(LinkEffect::SendSlice);
                    self.progress_out();
                    self.pump(buffered + len, &mut fx);
                }
            }
            LinkInput::ReadFailed { id } => {
                if self.out.as_ref().is_some_and(|o| o.id == id) {
                    self.out = None;
                    fx.push(LinkEffect::Send(Frame::Cancel {
                        id,
                        reason: CancelReason::Cancelled,
                    }));
                    fx.push(LinkEffect::ReleaseFile);
                    set_state(
                        &mut self.view.outgoing,
                        TransferState::Failed(LinkError::ReadFailed),
                    );
                }
            }
            LinkInput::BufferLow { buffered } => self.pump(buffered, &mut fx),
        }
        fx
    }

    fn line(&mut self, mine: bool, text: String) {
        self.view.lines.push(Line { mine, text });
        if self.view.lines.len() > MAX_LINES {
            self.view.lines.remove(0);
        }
    }

    fn frame(&mut self, frame: Frame, fx: &mut Vec<LinkEffect>) {
        match frame {
            Frame::Hello { .. } => self.view.ready = true,
            Frame::Text { text } => {
                let text: String = text.chars().take(frame::MAX_TEXT_CHARS).collect();
                self.line(false, text);
            }
            Frame::Offer {
                id,
                name,
                size,
                mime,
            } => self.offered(id, name, size, mime, fx),
            Frame::Accept { id } => {
                if let Some(out) = self.out.as_mut().filter(|o| o.id == id && !o.accepted) {
                    out.accepted = true;
                    set_state(&mut self.view.outgoing, TransferState::Active);
                    self.pump(0, fx);
                }
            }
            Frame::Cancel { id, reason } => {
                if self.out.as_ref().is_some_and(|o| o.id == id) {
                    self.out = None;
                    fx.push(LinkEffect::ReleaseFile);
                    let state = match reason {
                        CancelReason::Cancelled => TransferState::Cancelled { by_peer: true },
                        other => TransferState::Refused(other),
                    };
                    set_state(&mut self.view.outgoing, state);
                }
                if self.inc.as_ref().is_some_and(|i| i.id == id) {
                    self.inc = None;
                    fx.push(LinkEffect::DropChunks);
                    set_state(
                        &mut self.view.incoming,
                        TransferState::Cancelled { by_peer: true },
                    );
                }
            }
            Frame::End { id } => {
                let Some(inc) = self.inc.take_if(|i| i.id == id) else {
                    return;
                };
                match inc.end() {
                    EndVerdict::Complete => {
                        fx.push(LinkEffect::Deliver);
                        set_state(&mut self.view.incoming, TransferState::Done);
                    }
                    EndVerdict::Short => {
                        fx.push(LinkEffect::DropChunks);
                        self.view.error = Some(LinkError::ShortFile);
                        set_state(
                            &mut self.view.incoming,
                            TransferState::Failed(LinkError::ShortFile),
                        );
                    }
                }
            }
        }
    }

    fn offered(
        &mut self,
        id: u32,
        name: String,
        size: u64,
        mime: String,
        fx: &mut Vec<LinkEffect>,
    ) {
        if self.inc.is_some() {
            fx.push(LinkEffect::Send(Frame::Cancel {
                id,
                reason: CancelReason::Busy,
            }));
            return;
        }
        if self
            .view
            .incoming
            .as_ref()
            .is_some_and(|t| t.state == TransferState::Done)
        {
            fx.push(LinkEffect::Revoke);
        }
        let mut view = TransferView {
            id,
            direction: Direction::In,
            name,
            mime,
            size,
            done: 0,
            state: TransferState::Active,
        };
        self.draining = false;
        fx.push(LinkEffect::DropChunks);
        match Incoming::offered(id, size) {
            Some(inc) => {
                self.inc = Some(inc);
                fx.push(LinkEffect::Send(Frame::Accept { id }));
            }
            None => {
                fx.push(LinkEffect::Send(Frame::Cancel {
                    id,
                    reason: CancelReason::TooLarge,
                }));
                self.view.error = Some(LinkError::TooLarge);
                view.state = TransferState::Failed(LinkError::TooLarge);
            }
        }
        self.view.incoming = Some(view);
    }

    fn chunk(&mut self, len: u64, fx: &mut Vec<LinkEffect>) {
        let Some(inc) = self.inc.as_mut() else {
            if !self.draining {
                self.view.error = Some(LinkError::UnexpectedChunk);
            }
            return;
        };
        match inc.chunk(len) {
            ChunkVerdict::Keep => {
                fx.push(LinkEffect::KeepChunk);
                let (received, size) = (inc.received, inc.size);
                // The page redraws on every change: progress moves in steps of a read slice.
                if let Some(view) = self.view.incoming.as_mut()
                    && (received - view.done >= transfer::READ_BYTES || received == size)
                {
                    view.done = received;
                }
            }
            ChunkVerdict::TooMany => {
                let id = inc.id;
                self.inc = None;
                self.draining = true;
                fx.push(LinkEffect::DropChunks);
                fx.push(LinkEffect::Send(Frame::Cancel {
                    id,
                    reason: CancelReason::Invalid,
                }));
                self.view.error = Some(LinkError::TooManyBytes);
                set_state(
                    &mut self.view.incoming,
                    TransferState::Failed(LinkError::TooManyBytes),
                );
            }
        }
    }

    fn send_file(&mut self, name: String, size: u64, mime: String, fx: &mut Vec<LinkEffect>) {
        if !self.view.ready || self.out.is_some() {
            return;
        }
        self.next_id += 1;
        let id = self.next_id;
        let name = frame::clean_name(&name);
        let mut view = TransferView {
            id,
            direction: Direction::Out,
            name: name.clone(),
            mime: mime.clone(),
            size,
            done: 0,
            state: TransferState::Waiting,
        };
        if size > MAX_FILE_BYTES {
            view.state = TransferState::Failed(LinkError::TooLarge);
            fx.push(LinkEffect::ReleaseFile);
        } else {
            self.out = Some(Outgoing::new(id, size));
            fx.push(LinkEffect::Send(Frame::Offer {
                id,
                name,
                size,
                mime,
            }));
        }
        self.view.outgoing = Some(view);
    }

    /// Reads the next slice when flow control allows, or ends a fully sent file.
    fn pump(&mut self, buffered: u64, fx: &mut Vec<LinkEffect>) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        if out.finished() {
            let id = out.id;
            self.out = None;
            fx.push(LinkEffect::Send(Frame::End { id }));
            fx.push(LinkEffect::ReleaseFile);
            set_state(&mut self.view.outgoing, TransferState::Done);
        } else if let Some(range) = out.next_read(buffered) {
            fx.push(LinkEffect::Read { id: out.id, range });
        }
    }

    fn progress_out(&mut self) {
        if let (Some(out), Some(view)) = (&self.out, self.view.outgoing.as_mut()) {
            view.done = out.sent;
        }
    }

    fn cancel(&mut self, direction: Direction, fx: &mut Vec<LinkEffect>) {
        let reason = CancelReason::Cancelled;
        match direction {
            Direction::Out => {
                if let Some(out) = self.out.take() {
                    fx.push(LinkEffect::Send(Frame::Cancel { id: out.id, reason }));
                    fx.push(LinkEffect::ReleaseFile);
                    set_state(
                        &mut self.view.outgoing,
                        TransferState::Cancelled { by_peer: false },
                    );
                }
            }
            Direction::In => {
                if let Some(inc) = self.inc.take() {
                    self.draining = true;
                    fx.push(LinkEffect::Send(Frame::Cancel { id: inc.id, reason }));
                    fx.push(LinkEffect::DropChunks);
                    set_state(
                        &mut self.view.incoming,
                        TransferState::Cancelled { by_peer: false },
                    );
                }
            }
        }
    }

    fn dismiss(&mut self, direction: Direction, fx: &mut Vec<LinkEffect>) {
        let slot = match direction {
            Direction::Out => &mut self.view.outgoing,
            Direction::In => &mut self.view.incoming,
        };
        if let Some(view) = slot.take_if(|t| !t.state.is_live())
            && view.direction == Direction::In
            && view.state == TransferState::Done
        {
            fx.push(LinkEffect::Revoke);
        }
    }

    fn closed(&mut self, fx: &mut Vec<LinkEffect>) {
        self.view.open = false;
        self.view.ready = false;
        self.draining = false;
        let failed = TransferState::Failed(LinkError::Interrupted);
        if self.out.take().is_some() {
            fx.push(LinkEffect::ReleaseFile);
            set_state(&mut self.view.outgoing, failed);
        }
        if self.inc.take().is_some() {
            fx.push(LinkEffect::DropChunks);
            set_state(&mut self.view.incoming, failed);
        }
    }
}

fn set_state(slot: &mut Option<TransferView>, state: TransferState) {
    if let Some(view) = slot.as_mut() {
        view.state = state;
    }
}
