//! The driver's message loop: one `spawn_local` task that owns the [`Core`] (the machine and
//! every browser object of the call) by value and handles one [`Msg`] at a time. Nothing else
//! touches the core, so nothing can re-enter it: an effect that makes the browser fire an
//! event only adds a message to the queue, handled after the current one.
//!
//! After the queue is drained the loop tells the UI what changed, as a [`CallUpdate`]. It
//! stops on [`Msg::Close`]; dropping the core then tells the peer we left and releases
//! everything.
//!
//! Timing: the loop is woken by a microtask, which the browser runs as soon as the callback
//! that posted returns. So a `hang-up` caused by `pagehide` is on the socket before the
//! `pagehide` task ends, as it was when the listener sent it itself.

use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use gloo_events::EventListener;
use web_sys::{MediaStream, RtcDataChannel};
use yew::Callback;

use super::effects::Core;
use super::inbox::Msg;
use super::media;
use crate::call::CallView;
use crate::call::machine::Input;

/// What the UI draws: the view plus the media streams (which only exist in the browser).
#[derive(Debug, Clone, PartialEq)]
pub struct CallUpdate {
    pub view: CallView,
    pub local: Option<MediaStream>,
    pub remote: Option<MediaStream>,
    /// The call's data channel, for the in-call chat (`channel.rs`).
    pub channel: Option<RtcDataChannel>,
}

/// Whether the loop goes on after a message.
#[derive(PartialEq)]
enum Flow {
    Continue,
    Stop,
}

/// Runs until [`Msg::Close`]. `pagehide` is the page's listener, kept alive as long as the
/// loop runs.
pub async fn run(
    mut inbox: UnboundedReceiver<Msg>,
    mut core: Core,
    on_update: Callback<CallUpdate>,
    pagehide: Option<EventListener>,
) {
    let mut last: Option<CallUpdate> = None;
    'serve: while let Some(msg) = inbox.next().await {
        let mut next = Some(msg);
        while let Some(msg) = next {
            if step(&mut core, msg) == Flow::Stop {
                break 'serve;
            }
            // What is already queued is handled before the UI hears of it.
            next = inbox.try_recv().ok();
        }
        publish(&core, &mut last, &on_update);
    }
    // The listener first, so a `pagehide` now finds nothing; then the core (see its `Drop`).
    drop(pagehide);
    drop(core);
    // From now on posting fails (a camera that opens late is stopped by its task); a camera
    // that opened just before is stopped here.
    inbox.close();
    while let Ok(msg) = inbox.try_recv() {
        match msg {
            Msg::MediaOpened {
                result: Ok(stream), ..
            }
            | Msg::ScreenOpened {
                result: Ok(stream), ..
            } => media::stop(&stream),
            Msg::DeviceOpened { result: Ok(t), .. } => t.stop(),
            _ => {}
        }
    }
}

fn step(core: &mut Core, msg: Msg) -> Flow {
    match msg {
        Msg::Input(input) => {
            let described = matches!(
                input,
                Input::LocalDescriptionSet { .. } | Input::RemoteDescriptionSet { .. }
            );
            core.handle(input);
            if described {
                core.refresh_sas();
            }
        }
        Msg::Sas {
            pc,
            transcript,
            code,
        } => core.sas_arrived(pc, transcript, code),
        Msg::IceServers { servers, expires } => core.set_ice_servers(servers, expires),
        Msg::RefreshIceServers => core.refresh_ice_servers(),
        Msg::SocketLost => core.socket_lost(),
        Msg::TimerFired { timer, generation } => core.timer_fired(timer, generation),
        Msg::MediaOpened { call, result } => core.media_opened(call, result),
        Msg::ScreenOpened { call, result } => core.screen_opened(call, result),
        Msg::RemoteTrack { pc, track } => core.remote_track(pc, track),
        Msg::UseDevice { kind, id } => core.use_device(kind, id),
        Msg::DeviceOpened { kind, result } => core.device_opened(kind, result),
        Msg::SimulatePeerState(state) => {
            if let Some(pc) = core.pc_id() {
                core.handle(Input::ConnectionState { pc, state });
            }
        }
        Msg::PeerConnection(answer) => {
            // The asker may have given up; then nobody wants the answer.
            let _ = answer.send(core.peer_connection());
        }
        Msg::Close => return Flow::Stop,
        // The group call's loop's own.
        Msg::Group(_) | Msg::GroupTick => {}
    }
    Flow::Continue
}

/// Tells the UI, when anything it shows changed.
fn publish(core: &Core, last: &mut Option<CallUpdate>, on_update: &Callback<CallUpdate>) {
    let mut view = core.view().clone();
    view.sas = core.sas();
    let update = CallUpdate {
        view,
        local: core.local().cloned(),
        remote: core.remote().cloned(),
        channel: core.channel().cloned(),
    };
    if last.as_ref() != Some(&update) {
        *last = Some(update.clone());
        on_update.emit(update);
    }
}
