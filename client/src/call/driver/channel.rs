//! The call's data channel and the chat-and-files loop on it (issue 12, point 6).
//!
//! - [`open`]: the channel itself, `negotiated` with id 0 on both sides (so no `datachannel`
//!   event is needed and perfect negotiation is untouched). `peer.rs` creates it with the peer
//!   connection of a caller (its first offer carries the `m=application` section) and right
//!   before a callee applies the first remote offer that has an `m=application` section (no
//!   `negotiationneeded` of its own then; a peer without the channel is left alone).
//!   A rebuilt peer connection (reload, resume) brings a new channel.
//! - [`ChatLink`]: the page's handle on a loop like the call driver's: one `spawn_local` task
//!   owns the pure [`Link`] and the browser objects by value (`channel_io::Io`: the channel,
//!   its listeners, the `File` being sent, the chunks being received, the download's URL) and
//!   handles one [`Msg`] at a time. Listeners and promises only post messages.
//!
//! Dropping the last handle (the chat leaving the page, which it does when the call ends)
//! stops the loop: listeners go, chunks are dropped, the download's URL is revoked.

use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{self, UnboundedReceiver};
use wasm_bindgen_futures::spawn_local;
use web_sys::{File, RtcDataChannel, RtcDataChannelInit, RtcPeerConnection};
use yew::Callback;

use super::channel_io::{Io, Msg, Post};
use crate::call::link::{Link, LinkInput, LinkView};

/// The label both sides give the channel (only the id matters to a negotiated channel).
pub const LABEL: &str = "parley";

/// Creates the call's negotiated data channel on `pc`.
pub fn open(pc: &RtcPeerConnection) -> RtcDataChannel {
    let init = RtcDataChannelInit::new();
    init.set_negotiated(true);
    init.set_id(0);
    pc.create_data_channel_with_data_channel_dict(LABEL, &init)
}

/// What the chat draws: the link's view and the received file's object URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkUpdate {
    pub view: LinkView,
    pub download: Option<String>,
}

/// The page's handle on the chat of the call. Clones share one loop; equality is identity.
#[derive(Clone)]
pub struct ChatLink {
    post: Post,
    closer: Rc<CloseOnDrop>,
}

impl PartialEq for ChatLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.closer, &other.closer)
    }
}

struct CloseOnDrop(Post);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.post(Msg::Close);
    }
}

impl ChatLink {
    pub fn new(on_update: Callback<LinkUpdate>) -> Self {
        let (tx, rx) = mpsc::unbounded();
        let post = Post(tx);
        spawn_local(run(rx, Io::new(post.clone()), on_update));
        Self {
            closer: Rc::new(CloseOnDrop(post.clone())),
            post,
        }
    }

    pub fn set_channel(&self, channel: Option<RtcDataChannel>) {
        self.post.post(Msg::Channel(channel));
    }

    pub fn input(&self, input: LinkInput) {
        self.post.post(Msg::Input(input));
    }

    pub fn send_file(&self, file: File) {
        self.post.post(Msg::File(file));
    }
}

async fn run(mut inbox: UnboundedReceiver<Msg>, mut io: Io, on_update: Callback<LinkUpdate>) {
    let mut link = Link::new();
    let mut last: Option<LinkUpdate> = None;
    'serve: while let Some(msg) = inbox.next().await {
        let mut next = Some(msg);
        while let Some(msg) = next {
            if matches!(msg, Msg::Close) {
                break 'serve;
            }
            io.step(&mut link, msg);
            next = inbox.try_recv().ok();
        }
        let update = LinkUpdate {
            view: link.view().clone(),
            download: io.download(),
        };
        if last.as_ref() != Some(&update) {
            last = Some(update.clone());
            on_update.emit(update);
        }
    }
    inbox.close();
    // `io` drops here: listeners removed, chunks dropped, the download's URL revoked.
}
