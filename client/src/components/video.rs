//! A `<video>` showing a `MediaStream`, and the one tap that turns its sound on when the browser
//! refused to play it with sound.
//!
//! `srcObject` has no attribute, and the `muted` attribute only sets the default, not the
//! current state, so both are set as properties from an effect whenever they change.
//!
//! Autoplay: a page that has had no user gesture yet (a reload mid-call) may be refused playback
//! with sound — `play()` rejects with `NotAllowedError` (Firefox does; Chromium without its
//! autoplay flag too). A frozen picture would look like a dead call, so the video then plays muted
//! (muted playback is always allowed) and a button offers one tap to unmute: its click is a user
//! gesture, so `play()` with sound is allowed from its handler. Where sound is allowed (our tests'
//! Chromium) nothing of this shows.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, HtmlMediaElement, MediaStream};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VideoProps {
    pub id: AttrValue,
    pub testid: AttrValue,
    pub label: AttrValue,
    pub stream: Option<MediaStream>,
    /// Our own preview is muted so we never hear ourselves.
    #[prop_or_default]
    pub muted: bool,
    #[prop_or_default]
    pub class: AttrValue,
}

/// How a `play()` ended.
enum Played {
    Playing,
    /// The browser refuses playback with sound until the user interacts with the page.
    SoundRefused,
    /// Anything else: a newer stream interrupted it (`AbortError`), or the media failed; the
    /// element reports those itself and nothing here can mend them.
    Other,
}

async fn play(video: &HtmlMediaElement) -> Played {
    let promise = match video.play() {
        Ok(promise) => promise,
        Err(error) => return classify(&error),
    };
    match JsFuture::from(promise).await {
        Ok(_) => Played::Playing,
        Err(error) => classify(&error),
    }
}

fn classify(error: &wasm_bindgen::JsValue) -> Played {
    match error.dyn_ref::<DomException>() {
        Some(e) if e.name() == "NotAllowedError" => Played::SoundRefused,
        _ => Played::Other,
    }
}

/// Starts `video` with sound; when that is refused (and `stream` is still the one shown), plays
/// it muted and reports `true` through `refused`.
async fn start_with_sound(
    video: HtmlMediaElement,
    stream: MediaStream,
    refused: UseStateSetter<bool>,
) {
    if let Played::SoundRefused = play(&video).await {
        if video.src_object().as_ref() != Some(&stream) {
            return;
        }
        video.set_muted(true);
        // Muted playback is allowed without a gesture; if even that fails the element shows
        // its own error state and the button still offers to try again.
        let _ = play(&video).await;
        refused.set(true);
    }
}

#[function_component]
pub fn Video(props: &VideoProps) -> Html {
    let node = use_node_ref();
    // True while the video plays muted because the browser refused its sound.
    let refused = use_state_eq(|| false);
    {
        let node = node.clone();
        let refused = refused.setter();
        use_effect_with(
            (props.stream.clone(), props.muted),
            move |(stream, muted)| {
                refused.set(false);
                if let Some(video) = node.cast::<HtmlMediaElement>() {
                    video.set_muted(*muted);
                    video.set_src_object(stream.as_ref());
                    if let (Some(stream), false) = (stream.clone(), *muted) {
                        wasm_bindgen_futures::spawn_local(start_with_sound(video, stream, refused));
                    }
                }
            },
        );
    }
    let unmute = {
        let node = node.clone();
        let refused = refused.setter();
        Callback::from(move |_: MouseEvent| {
            let Some(video) = node.cast::<HtmlMediaElement>() else {
                return;
            };
            // Both inside the click handler: the gesture is what allows sound.
            video.set_muted(false);
            let started = video.play();
            refused.set(false);
            let refused = refused.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let played = match started {
                    Ok(promise) => JsFuture::from(promise)
                        .await
                        .map_or_else(|e| classify(&e), |_| Played::Playing),
                    Err(error) => classify(&error),
                };
                if let Played::SoundRefused = played {
                    video.set_muted(true);
                    let _ = play(&video).await;
                    refused.set(true);
                }
            });
        })
    };
    html! {
        <>
            <video
                ref={node}
                id={props.id.clone()}
                // `CLASS`, not `class`: no `Classes` set (see `components`).
                CLASS={props.class.clone()}
                data-testid={props.testid.clone()}
                aria-label={props.label.clone()}
                autoplay=true
                playsinline=true
                muted={props.muted}
            />
            // Only a video meant to have sound (the remote one) can be refused it.
            if *refused && !props.muted {
                <button type="button" class="btn btn-primary unmute" data-testid="unmute-remote"
                    onclick={unmute}>
                    { "Sound is off — tap to unmute" }
                </button>
            }
        </>
    }
}
