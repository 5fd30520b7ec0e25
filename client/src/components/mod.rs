//! The page's components, one per file, each taking props and callbacks.
//!
//! [`Page`] is the whole view (it reads the state context); below it: the header pieces
//! ([`ConnectionStatus`], [`Identity`]), [`LoginForm`], and the lobby ([`Lobby`]: [`UserList`],
//! [`CallPanel`] with [`IncomingCall`], [`CallControls`], [`CallChat`], [`CallDuration`], [`RouteBadge`] and
//! [`Video`], and [`Chat`]). [`Notice`] shows dismissable sentences; [`name`] isolates every displayed user name. `DOM hooks
//! (`data-testid`) follow `docs/ui-contract.md`.

pub mod call_chat;
pub mod call_controls;
pub mod call_duration;
pub mod call_panel;
pub mod chat;
pub mod connection_status;
pub mod icons;
pub mod identity;
pub mod incoming_call;
pub mod lobby;
pub mod login_form;
pub mod name;
pub mod notice;
pub mod page;
pub mod route_badge;
pub mod user_list;
pub mod video;

pub use call_chat::CallChat;
pub use call_controls::CallControls;
pub use call_duration::CallDuration;
pub use call_panel::CallPanel;
pub use chat::Chat;
pub use connection_status::ConnectionStatus;
pub use identity::Identity;
pub use incoming_call::IncomingCall;
pub use lobby::Lobby;
pub use login_form::LoginForm;
pub use notice::Notice;
pub use page::Page;
pub use route_badge::RouteBadge;
pub use user_list::UserList;
pub use video::Video;
