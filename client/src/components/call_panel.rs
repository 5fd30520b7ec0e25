//! The call area, present at all times once logged in: status line, notices, the incoming-call
//! prompt, the videos (remote large, own small) and the call controls, all drawn from the call
//! layer's `CallView`.

use web_sys::MediaStream;
use yew::prelude::*;

use crate::call::{CallCommand, CallPhase, CallView};
use crate::components::call_chat::CallChatState;
use crate::components::call_controls::{CallControlsProps, EndButton};
use crate::components::call_duration::Ticking;
use crate::components::name::{notice_peer, with_name};
use crate::components::notice::NoticeProps;
use crate::components::screen_modes::Modes;
use crate::components::{CallDuration, Video, call_controls, peer_media_badges, route_badge};
use crate::context::CallContext;
use crate::text::{call_notice, peer_reconnecting, phase_name, phase_sentence};

#[derive(Properties, PartialEq)]
pub struct CallPanelProps {
    pub view: CallView,
    #[prop_or_default]
    pub local: Option<MediaStream>,
    #[prop_or_default]
    pub remote: Option<MediaStream>,
    pub on_command: Callback<CallCommand>,
    /// The call's driver and data channel, for the quality indicator and the call chat (props,
    /// not a context: a context costs a provider component and hook code in the wasm).
    #[prop_or_default]
    pub handles: Option<CallContext>,
}

#[function_component]
pub fn CallPanel(props: &CallPanelProps) -> Html {
    let view = &props.view;
    let phase = &view.phase;
    let peer = phase.peer().map(str::to_owned);
    let ringer = crate::components::ringer::use_ringer(phase);
    let devices = crate::components::device_pickers::use_devices(
        &props.local,
        &props.remote,
        &props.on_command,
    );
    let armed = crate::components::incoming_call::use_armed(match phase {
        CallPhase::Ringing { peer } => Some(peer.clone()),
        _ => None,
    });
    let notice = view.notice.as_ref().map(|notice| {
        let text = call_notice(notice);
        let on_dismiss = props.on_command.reform(|_| CallCommand::DismissNotice);
        let name = notice_peer(notice).map(AttrValue::from);
        crate::components::notice(&NoticeProps {
            text: text.into(),
            name,
            testid: "notice".into(),
            live: false,
            on_dismiss,
        })
    });

    // The partner's socket is away: that, not the phase, is the news.
    let status = match (&peer, view.peer_reconnecting) {
        (Some(peer), true) => peer_reconnecting(peer),
        _ => phase_sentence(phase),
    };
    let status = with_name(&status, peer.as_deref());
    let peer_state = view.peer_reconnecting.then_some("reconnecting");
    let staged = matches!(
        phase,
        CallPhase::Calling { .. }
            | CallPhase::Connecting { .. }
            | CallPhase::InCall { .. }
            | CallPhase::Reconnecting { .. }
    );
    let modes = crate::components::screen_modes::use_screen_modes(staged);
    let chat = crate::components::call_chat::use_call_chat(
        staged,
        props.handles.as_ref().and_then(|h| h.channel.clone()),
    );
    let shown = peer.is_some() && in_call(phase);
    let quality = crate::components::quality::use_quality(
        shown,
        props.handles.as_ref().map(|h| h.driver.clone()),
    );
    let quality = (peer.as_deref())
        .filter(|_| shown)
        .map(|peer| crate::components::quality::quality(&quality, peer));

    let body = match phase {
        CallPhase::Idle => html! {
            <div class="call-idle">
                <div class="call-idle-icon" aria-hidden="true">{ crate::components::icons::phone() }</div>
            </div>
        },
        CallPhase::Ringing { peer } => {
            crate::components::incoming_call::incoming_call(peer, armed, &props.on_command)
        }
        CallPhase::Calling { peer }
        | CallPhase::Connecting { peer }
        | CallPhase::InCall { peer, .. }
        | CallPhase::Reconnecting { peer, .. } => stage(props, peer, (&modes, &chat)),
    };

    html! {
        <section
            // `CLASS`, not `class`: no `Classes` set (see `components`).
            CLASS={crate::text::around("panel call call-", phase_name(phase), "")}
            data-testid="call"
            data-phase={phase_name(phase)}
            data-peer={peer}
            data-peer-state={peer_state}
            aria-label="Call"
        >
            <div class="call-header">
                <p class="call-status" data-testid="call-status">{ status }</p>
                <div class="call-meta">
                    if let CallPhase::InCall { since_ms, .. } | CallPhase::Reconnecting { since_ms, .. } = phase {
                        <CallDuration ticking={Ticking::Since(*since_ms)} />
                    }
                    if let (Some(route), true) = (view.route, in_call(phase)) {
                        { route_badge(route) }
                    }
                </div>
                { ringer }
            </div>
            { for quality }
            { for notice }
            { body }
            if let Some(handles) = &props.handles {
                { crate::components::group_call::group_call(&handles.group, *phase == CallPhase::Idle) }
            }
            { crate::components::device_pickers::device_pickers(&devices, props.local.as_ref(), &props.on_command) }
        </section>
    }
}

fn in_call(phase: &CallPhase) -> bool {
    matches!(
        phase,
        CallPhase::InCall { .. } | CallPhase::Reconnecting { .. }
    )
}

/// The videos and the controls of a call that is not ringing.
fn stage(props: &CallPanelProps, peer: &str, (modes, chat): (&Modes, &CallChatState)) -> Html {
    let view = &props.view;
    let end = if matches!(view.phase, CallPhase::Calling { .. }) {
        EndButton::Cancel
    } else {
        EndButton::HangUp
    };
    let waiting = match view.phase {
        CallPhase::Calling { .. } => Some(crate::text::around("Waiting for ", peer, " to answer…")),
        CallPhase::Connecting { .. } => Some(crate::text::around("Connecting to ", peer, "…")),
        CallPhase::Reconnecting { .. } => Some("Reconnecting media…".to_owned()),
        _ if props.remote.is_none() => Some(crate::text::around("Waiting for ", peer, "'s video…")),
        _ => None,
    };
    html! {
        <>
            <div class="stage">
                <Video id="remote-video" testid="remote-video" class="video-remote"
                    label={crate::text::around("", peer, "'s video")} stream={props.remote.clone()} />
                { crate::components::screen_modes::screen_modes(modes, props.remote.is_some()) }
                if let Some(waiting) = waiting {
                    <div class="stage-overlay" aria-hidden="true">{ waiting }</div>
                }
                { peer_media_badges(peer, view.peer_media, &view.peer_media_news) }
                <div class="pip">
                    <Video id="local-video" testid="local-video" class="video-local"
                        label="Your video" stream={props.local.clone()} muted=true />
                    if !view.camera_enabled && !view.sharing_screen {
                        <div class="pip-overlay" aria-hidden="true">{ "Camera off" }</div>
                    }
                </div>
            </div>
            { call_controls(&CallControlsProps {
                mic_enabled: view.mic_enabled,
                camera_enabled: view.camera_enabled,
                sharing: view.sharing_screen,
                end,
                on_command: props.on_command.clone(),
            }) }
            if let (Some(code), true) = (&view.sas, in_call(&view.phase)) {
                { crate::components::sas::sas_line(peer, code) }
            }
            { crate::components::call_chat::call_chat(chat, peer, matches!(view.phase, CallPhase::InCall { .. })) }
        </>
    }
}
