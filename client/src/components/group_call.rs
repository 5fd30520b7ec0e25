//! The group call in the call area (issue 13): "Start group call" / "Join call" while out of
//! it, and once in: one tile per person (our own preview first, muted), laid out for one to
//! four by the stylesheet's grid, the active speaker highlighted, each member's mute, camera
//! and quality state, our microphone and camera toggles, "Leave call", and the send cap.
//! Plain functions, no hooks (smaller wasm); the hooks are in docs/ui-contract.md.

use yew::prelude::*;

use crate::call::driver::{GroupDriver, GroupUpdate};
use crate::components::{Video, icons, truth};
use crate::group::{GroupNotice, Tile, caps_sentence};

/// The group call as the root hands it down: its driver and its last update.
#[derive(Clone, PartialEq)]
pub struct GroupHandles {
    pub driver: GroupDriver,
    pub update: GroupUpdate,
}

impl GroupHandles {
    /// We are in the group call (or joining it): no 1:1 calls meanwhile.
    pub fn joined(&self) -> bool {
        self.update.view.joined
    }
}

/// The group call's part of the call area; `can_join`: no 1:1 call going on.
pub fn group_call(group: &GroupHandles, can_join: bool) -> Html {
    let view = &group.update.view;
    let driver = &group.driver;
    let notice = view.notice.map(|n| match n {
        GroupNotice::Full => "full",
        GroupNotice::InCall => "in-call",
    });
    if !view.joined {
        let join = {
            let driver = driver.clone();
            Callback::from(move |_: MouseEvent| driver.join())
        };
        let count = view.members.len();
        return html! {
            <div class="group-bar" data-notice={notice}>
                if count == 0 {
                    <button type="button" class="btn" data-testid="start-group-call"
                        disabled={!can_join} onclick={join}>
                        { icons::camera(false) }{ "Start group call" }
                    </button>
                } else {
                    <button type="button" class="btn btn-primary" data-testid="join-group-call"
                        data-count={count.to_string()} disabled={!can_join} onclick={join}>
                        { icons::camera(false) }{ "Join call" }
                        <span class="count">{ count }</span>
                    </button>
                }
            </div>
        };
    }
    let (mic, camera) = (view.mic_enabled, view.camera_enabled);
    let toggle_mic = {
        let driver = driver.clone();
        Callback::from(move |_: MouseEvent| driver.set_mic(!mic))
    };
    let toggle_camera = {
        let driver = driver.clone();
        Callback::from(move |_: MouseEvent| driver.set_camera(!camera))
    };
    let leave = {
        let driver = driver.clone();
        Callback::from(move |_: MouseEvent| driver.leave())
    };
    let count = view.count().to_string();
    let own = tile(
        &view.me,
        group.update.local.clone(),
        true,
        (!mic, !camera, None, false),
    );
    let others = view.tiles.iter().map(|t| {
        let stream = group
            .update
            .remotes
            .iter()
            .find(|(name, _)| *name == t.name)
            .map(|(_, s)| s.clone());
        other_tile(t, stream, view.speaker.as_deref() == Some(t.name.as_str()))
    });
    html! {
        // `CLASS`, not `class`: no `Classes` set (see `components`).
        <section CLASS={crate::text::around("group-call tiles-", &count, "")}
            data-testid="group-call" data-count={count} aria-label="Group call">
            <div class="tiles">
                { own }
                { for others }
            </div>
            <div class="call-controls" role="group" aria-label="Group call controls">
                <button type="button" class="btn btn-toggle" data-testid="toggle-mic"
                    aria-pressed={truth(!mic)} onclick={toggle_mic}>
                    { icons::mic(!mic) }{ "Mute" }
                </button>
                <button type="button" class="btn btn-toggle" data-testid="toggle-camera"
                    aria-pressed={truth(!camera)} onclick={toggle_camera}>
                    { icons::camera(!camera) }{ "Camera off" }
                </button>
                <button type="button" class="btn btn-danger" data-testid="leave-group-call"
                    onclick={leave}>
                    { icons::hang_up() }{ "Leave call" }
                </button>
            </div>
            if let Some(caps) = &view.caps {
                <p class="group-caps" data-testid="group-caps">{ caps_sentence(caps) }</p>
            }
        </section>
    }
}

fn other_tile(t: &Tile, stream: Option<web_sys::MediaStream>, speaking: bool) -> Html {
    let level = t.level.map(|l| l.name());
    tile(
        &t.name,
        stream,
        false,
        (!t.media.audio, !t.media.video, level, speaking),
    )
}

/// One person's tile: (muted, camera off, quality level, speaking).
fn tile(
    name: &str,
    stream: Option<web_sys::MediaStream>,
    own: bool,
    (muted, camera_off, level, speaking): (bool, bool, Option<&'static str>, bool),
) -> Html {
    html! {
        <div class="tile" data-testid="tile" data-name={name.to_owned()} data-self={own.then_some("true")}
            data-speaking={speaking.then_some("true")} data-muted={muted.then_some("true")}
            data-camera-off={camera_off.then_some("true")} data-level={level}>
            <Video id={crate::text::around("tile-", name, "")} testid="tile-video" class="tile-video"
                label={crate::text::around("", name, "'s video")} stream={stream} muted={own} />
            <span class="tile-name">
                { crate::components::name::name(name) }
                if muted { <span class="tile-badge" title="Muted">{ icons::mic(true) }</span> }
                if camera_off { <span class="tile-badge" title="Camera off">{ icons::camera(true) }</span> }
            </span>
        </div>
    }
}
