//! The browser side of the chat-and-files loop (`channel.rs`): the data channel with its
//! listeners, the `File` being sent, the chunks being received and the download's URL, and
//! how each [`LinkEffect`] of the pure [`Link`] is carried out on them.
//!
//! Bytes stay JS buffers from end to end (never copied into wasm memory, which never
//! shrinks): a slice of the file is read with `Blob.slice` + `arrayBuffer()` and sent as
//! views of at most 16 KiB; received chunks are kept in a JS array and become one `Blob` at
//! the end. The channel's `bufferedamountlow` drives the flow control.

use futures::channel::mpsc::UnboundedSender;
use gloo_events::EventListener;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    Blob, BlobPropertyBag, File, MessageEvent, RtcDataChannel, RtcDataChannelState,
    RtcDataChannelType, Url,
};

use crate::call::link::transfer::{CHUNK_BYTES, LOW_WATER, pieces};
use crate::call::link::{Frame, Link, LinkEffect, LinkInput};
use crate::error::ClientError;

/// One thing for the loop to handle.
pub enum Msg {
    /// The call's current channel (a new one after a rebuild; `None` without a call).
    Channel(Option<RtcDataChannel>),
    Input(LinkInput),
    /// The person picked a file to send.
    File(File),
    /// A binary message from the peer.
    Binary(ArrayBuffer),
    /// A slice of the file being sent was read.
    Slice {
        id: u32,
        data: ArrayBuffer,
    },
    Close,
}

/// Where listeners and promises post; cheap to clone.
#[derive(Clone)]
pub struct Post(pub UnboundedSender<Msg>);

impl Post {
    pub fn post(&self, msg: Msg) {
        // The only failure is a stopped loop, which has nothing left to do with it.
        let _ = self.0.unbounded_send(msg);
    }
}

pub struct Io {
    post: Post,
    channel: Option<RtcDataChannel>,
    listeners: Vec<EventListener>,
    file: Option<File>,
    /// The received chunks of the current incoming file.
    chunks: Array,
    /// The received file's object URL, while it is offered.
    url: Option<String>,
}

impl Io {
    pub fn new(post: Post) -> Self {
        Self {
            post,
            channel: None,
            listeners: Vec::new(),
            file: None,
            chunks: Array::new(),
            url: None,
        }
    }

    pub fn download(&self) -> Option<String> {
        self.url.clone()
    }

    pub fn step(&mut self, link: &mut Link, msg: Msg) {
        match msg {
            Msg::Channel(channel) => self.set_channel(link, channel),
            Msg::Input(input) => self.handle(link, input, None),
            Msg::File(file) => {
                let input = LinkInput::SendFile {
                    name: file.name(),
                    size: file.size() as u64,
                    mime: file.type_(),
                };
                // Kept only when the link takes it: a file picked while another is on its
                // way must not replace the one being read.
                let kept = self.file.replace(file);
                let effects = link.handle(input);
                let offered = effects
                    .iter()
                    .any(|e| matches!(e, LinkEffect::Send(Frame::Offer { .. })));
                if !offered {
                    self.file = kept;
                }
                self.run(effects, None);
            }
            Msg::Binary(data) => {
                let len = u64::from(data.byte_length());
                self.handle(link, LinkInput::Chunk { len }, Some(&data));
            }
            Msg::Slice { id, data } => {
                let input = LinkInput::SliceRead {
                    id,
                    len: u64::from(data.byte_length()),
                    buffered: self.buffered(),
                };
                self.handle(link, input, Some(&data));
            }
            Msg::Close => {}
        }
    }

    fn buffered(&self) -> u64 {
        self.channel
            .as_ref()
            .map_or(0, |c| u64::from(c.buffered_amount()))
    }

    fn set_channel(&mut self, link: &mut Link, channel: Option<RtcDataChannel>) {
        if self.channel == channel {
            return;
        }
        self.listeners.clear();
        if self.channel.take().is_some() {
            self.handle(link, LinkInput::Closed, None);
        }
        let Some(channel) = channel else {
            return;
        };
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        channel.set_buffered_amount_low_threshold(LOW_WATER as u32);
        let on = |event: &'static str, f: fn(&web_sys::Event, &RtcDataChannel) -> Option<Msg>| {
            let post = self.post.clone();
            let watched = channel.clone();
            EventListener::new(&channel, event, move |e| {
                if let Some(msg) = f(e, &watched) {
                    post.post(msg);
                }
            })
        };
        self.listeners = vec![
            on("open", |_, _| Some(Msg::Input(LinkInput::Opened))),
            on("close", |_, _| Some(Msg::Input(LinkInput::Closed))),
            on("bufferedamountlow", |_, c| {
                let buffered = u64::from(c.buffered_amount());
                Some(Msg::Input(LinkInput::BufferLow { buffered }))
            }),
            on("message", |e, _| {
                let data = e.dyn_ref::<MessageEvent>()?.data();
                if let Some(text) = data.as_string() {
                    Some(Msg::Input(LinkInput::Message(text)))
                } else {
                    data.dyn_into::<ArrayBuffer>().ok().map(Msg::Binary)
                }
            }),
        ];
        let open = channel.ready_state() == RtcDataChannelState::Open;
        self.channel = Some(channel);
        if open {
            self.handle(link, LinkInput::Opened, None);
        }
    }

    /// Hands `input` to the link and carries out its effects; `data` is the buffer the input
    /// is about (a received chunk, a slice read).
    fn handle(&mut self, link: &mut Link, input: LinkInput, data: Option<&ArrayBuffer>) {
        let effects = link.handle(input);
        self.run(effects, data);
    }

    fn run(&mut self, effects: Vec<LinkEffect>, data: Option<&ArrayBuffer>) {
        for effect in effects {
            if let Err(error) = self.execute(effect, data) {
                crate::log::debug_of("data channel", &error);
            }
        }
    }

    fn execute(
        &mut self,
        effect: LinkEffect,
        data: Option<&ArrayBuffer>,
    ) -> Result<(), ClientError> {
        match effect {
            LinkEffect::Send(frame) => {
                if let Some(channel) = &self.channel {
                    channel.send_with_str(&frame.encode())?;
                }
            }
            LinkEffect::Read { id, range } => {
                if let Some(file) = &self.file {
                    let slice =
                        file.slice_with_f64_and_f64(range.start as f64, range.end as f64)?;
                    let post = self.post.clone();
                    spawn_local(async move {
                        let read = JsFuture::from(slice.array_buffer()).await;
                        match read.map(JsCast::dyn_into::<ArrayBuffer>) {
                            Ok(Ok(data)) => post.post(Msg::Slice { id, data }),
                            _ => post.post(Msg::Input(LinkInput::ReadFailed { id })),
                        }
                    });
                }
            }
            LinkEffect::SendSlice => {
                if let (Some(channel), Some(data)) = (&self.channel, data) {
                    for piece in pieces(u64::from(data.byte_length()), CHUNK_BYTES) {
                        let view = Uint8Array::new_with_byte_offset_and_length(
                            data,
                            piece.start as u32,
                            (piece.end - piece.start) as u32,
                        );
                        channel.send_with_array_buffer_view(&view)?;
                    }
                }
            }
            LinkEffect::KeepChunk => {
                if let Some(data) = data {
                    self.chunks.push(data);
                }
            }
            LinkEffect::DropChunks => self.chunks = Array::new(),
            LinkEffect::Deliver => {
                let chunks = std::mem::replace(&mut self.chunks, Array::new());
                // Never the peer's type: a `text/html` blob opened from our origin would run
                // as our page. Saved bytes are the same either way.
                let options = BlobPropertyBag::new();
                options.set_type("application/octet-stream");
                let blob = Blob::new_with_buffer_source_sequence_and_options(&chunks, &options)?;
                self.revoke();
                self.url = Some(Url::create_object_url_with_blob(&blob)?);
            }
            LinkEffect::Revoke => self.revoke(),
            LinkEffect::ReleaseFile => self.file = None,
        }
        Ok(())
    }

    fn revoke(&mut self) {
        if let Some(url) = self.url.take()
            && let Err(error) = Url::revoke_object_url(&url)
        {
            crate::log::debug_of("revokeObjectURL", &ClientError::from(error));
        }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.listeners.clear();
        self.revoke();
    }
}
