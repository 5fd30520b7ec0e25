//! The ICE servers the next peer connection uses: the list the server sent, the refresh of
//! its TURN credentials before they expire, the `?relay=1` switch, and the
//! `RTCConfiguration` built from them.

use gloo_timers::callback::Timeout;
use shared::IceServer;
use wasm_bindgen::JsValue;
use web_sys::{RtcBundlePolicy, RtcConfiguration, RtcIceServer, RtcIceTransportPolicy};

use super::inbox::{Inbox, Msg};
use crate::call::ice;

#[derive(Default)]
pub struct IceServers {
    servers: Vec<IceServer>,
    /// `?relay=1`: only TURN relay candidates (to test the relay).
    relay_only: bool,
    /// Posts [`Msg::RefreshIceServers`] shortly before the credentials expire.
    refresh: Option<Timeout>,
}

impl IceServers {
    /// No servers yet; relay-only when the page's address asks for it.
    pub fn from_page() -> Self {
        let relay_only = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .is_some_and(|q| ice::relay_only_from_query(&q));
        Self {
            relay_only,
            ..Self::default()
        }
    }

    /// Keeps `servers` for the next peer connection and plans asking for fresh ones before
    /// the credentials in them expire.
    pub fn set(&mut self, servers: Vec<IceServer>, expires: Option<u64>, inbox: &Inbox) {
        self.servers = servers;
        self.refresh = expires.map(|expires| {
            let delay = ice::refresh_delay_ms(expires, js_sys::Date::now());
            let inbox = inbox.clone();
            Timeout::new(delay, move || inbox.post(Msg::RefreshIceServers))
        });
    }

    /// No more refreshes (the socket is gone; the next one sends fresh servers).
    pub fn stop_refresh(&mut self) {
        self.refresh = None;
    }

    /// Whether a refresh that went off is still wanted (it was not stopped meanwhile).
    pub fn refresh_due(&mut self) -> bool {
        self.refresh.take().is_some()
    }

    pub fn rtc_configuration(&self) -> RtcConfiguration {
        let config = RtcConfiguration::new();
        let list: js_sys::Array = self
            .servers
            .iter()
            .map(|server| {
                let entry = RtcIceServer::new();
                let urls: js_sys::Array =
                    server.urls.iter().map(|u| JsValue::from_str(u)).collect();
                entry.set_urls(&urls);
                if let Some(username) = &server.username {
                    entry.set_username(username);
                }
                if let Some(credential) = &server.credential {
                    entry.set_credential(credential);
                }
                entry
            })
            .collect();
        config.set_ice_servers(&list);
        // One transport for audio and video from the first offer: half the candidates and
        // checks of "balanced", so the call connects sooner. Every current browser bundles.
        config.set_bundle_policy(RtcBundlePolicy::MaxBundle);
        if self.relay_only {
            config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
        }
        config
    }
}
