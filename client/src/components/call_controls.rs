//! The buttons under the videos: mute the microphone, turn the camera off (both toggles with
//! `aria-pressed`), share a screen in place of the camera (toggle, issue 12), and end the call (Cancel while it rings, Hang Up once answered).

use yew::prelude::*;

use crate::call::CallCommand;
use crate::components::icons;

/// How the call is ended from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndButton {
    /// Give up an unanswered outgoing call.
    Cancel,
    HangUp,
}

/// What the controls show and where their commands go.
pub struct CallControlsProps {
    pub mic_enabled: bool,
    pub camera_enabled: bool,
    /// A screen is shared in place of the camera.
    pub sharing: bool,
    pub end: EndButton,
    pub on_command: Callback<CallCommand>,
}

/// The controls (a plain function, not a component: smaller wasm).
pub fn call_controls(props: &CallControlsProps) -> Html {
    let mic_enabled = props.mic_enabled;
    let camera_enabled = props.camera_enabled;
    let toggle_mic = props
        .on_command
        .reform(move |_: MouseEvent| CallCommand::SetMicEnabled(!mic_enabled));
    let toggle_camera = props
        .on_command
        .reform(move |_: MouseEvent| CallCommand::SetCameraEnabled(!camera_enabled));
    let end = match props.end {
        EndButton::Cancel => html! {
            <button type="button" class="btn btn-danger" data-testid="cancel-call"
                onclick={props.on_command.reform(|_: MouseEvent| CallCommand::Cancel)}>
                { icons::hang_up() }{ "Cancel" }
            </button>
        },
        EndButton::HangUp => html! {
            <button type="button" class="btn btn-danger" data-testid="hang-up"
                onclick={props.on_command.reform(|_: MouseEvent| CallCommand::HangUp)}>
                { icons::hang_up() }{ "Hang Up" }
            </button>
        },
    };
    html! {
        <div class="call-controls" role="group" aria-label="Call controls">
            <button type="button" class="btn btn-toggle" data-testid="toggle-mic"
                aria-pressed={super::truth(!mic_enabled)} onclick={toggle_mic}
                title={if mic_enabled { "Mute the microphone" } else { "Unmute the microphone" }}>
                { icons::mic(!mic_enabled) }{ "Mute" }
            </button>
            <button type="button" class="btn btn-toggle" data-testid="toggle-camera"
                aria-pressed={super::truth(!camera_enabled)} onclick={toggle_camera}
                title={if camera_enabled { "Turn the camera off" } else { "Turn the camera on" }}>
                { icons::camera(!camera_enabled) }{ "Camera off" }
            </button>
            <button type="button" class="btn btn-toggle" data-testid="share-screen"
                aria-pressed={super::truth(props.sharing)}
                onclick={props.on_command.reform({ let on = !props.sharing; move |_: MouseEvent| CallCommand::ShareScreen(on) })}
                title={if props.sharing { "Stop sharing the screen" } else { "Share a screen instead of the camera" }}>
                { crate::components::peer_media::screen_icon() }{ "Share screen" }
            </button>
            { end }
        </div>
    }
}
