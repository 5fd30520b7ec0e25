//! A `<video>` showing a `MediaStream`.
//!
//! `srcObject` has no attribute, and the `muted` attribute only sets the default, not the
//! current state, so both are set as properties from an effect whenever they change.

use web_sys::{HtmlMediaElement, MediaStream};
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
    pub class: Classes,
}

#[function_component]
pub fn Video(props: &VideoProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(
            (props.stream.clone(), props.muted),
            move |(stream, muted)| {
                if let Some(video) = node.cast::<HtmlMediaElement>() {
                    video.set_muted(*muted);
                    video.set_src_object(stream.as_ref());
                }
            },
        );
    }
    html! {
        <video
            ref={node}
            id={props.id.clone()}
            class={props.class.clone()}
            data-testid={props.testid.clone()}
            aria-label={props.label.clone()}
            autoplay=true
            playsinline=true
            muted={props.muted}
        />
    }
}
