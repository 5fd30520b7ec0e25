//! The page's components, one per file, each taking props and callbacks.
//!
//! [`Page`] is the whole view (it reads the state context); below it: the header pieces
//! ([`connection_status`], [`identity`]), [`LoginForm`], and the lobby ([`Lobby`]: [`user_list`],
//! [`CallPanel`] with [`incoming_call`], [`call_controls`], [`call_chat`], [`CallDuration`],
//! [`route_badge`] and [`Video`], and [`chat`]). [`peer_media_badges`] shows the partner's mute,
//! camera and screen; [`notice`] shows dismissable sentences; [`live_region`] says what changed;
//! `ringer` sets off a ringing call's alerts and `sas` shows the security code; [`name`] isolates
//! every displayed user name. DOM hooks (`data-testid`) follow `docs/ui-contract.md`. In a call,
//! [`quality`] (bars, details, the poor-call sentence) and [`screen_modes`] (picture-in-picture,
//! full screen). [`room_bar`] (issue 13) says where the page is, shares a room's link and makes
//! new private rooms.
//!
//! A computed class name is written `CLASS={…}`, not `class={…}`: HTML attribute names are
//! case-insensitive, so the browser sets the same `class` attribute, but Yew's `html!` turns a
//! lower-case `class` expression into its `Classes` set (an `IndexSet`, with hashing): ~2.3 KB
//! gzip of wasm for seven attributes (bundle diet, issue 13). A literal `class="…"` stays.

pub mod call_chat;
pub mod call_controls;
pub mod call_duration;
pub mod call_panel;
pub mod chat;
pub mod connection_status;
pub mod device_pickers;
pub mod group_call;
pub mod icons;
pub mod identity;
pub mod incoming_call;
pub mod live_region;
pub mod lobby;
pub mod login_form;
pub mod name;
pub mod notice;
pub mod page;
pub mod peer_media;
pub mod quality;
pub mod ringer;
pub mod room_bar;
pub mod route_badge;
pub mod sas;
pub mod screen_modes;
pub mod user_list;
pub mod video;

pub use call_controls::call_controls;
pub use call_duration::CallDuration;
pub use call_panel::CallPanel;
pub use connection_status::connection_status;
pub use identity::identity;
pub use lobby::Lobby;
pub use login_form::LoginForm;
pub use notice::notice;
pub use page::Page;
pub use peer_media::peer_media_badges;
pub use room_bar::room_bar;
pub use route_badge::route_badge;
pub use user_list::user_list;
pub use video::Video;

/// A boolean attribute's text (`aria-pressed`, `data-ready`, …) as a static string: no
/// allocation and no formatting code, unlike `bool::to_string`.
pub fn truth(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
