//! End-to-end tests: two or three real headless Chromiums (fake camera and microphone) drive the
//! release build of the client against the real server, on loopback only.
//!
//! Run them with `cargo xtask test` (or `cargo xtask bench-call` for the benchmark): it builds
//! `dist/` and `target/release/server`, then runs this binary inside a network namespace that has
//! only `lo`, where Chromium's only ICE candidate is 127.0.0.1. The harness refuses to run
//! anywhere else.
//!
//! Layout: [`harness`] starts and always stops the processes (server, chromedriver with its
//! browsers, coturn); [`page`] is one browser tab with the app's actions and the in-page probes of
//! [`probes`]; [`harness_check`] tests the harness itself; the scenarios are [`lobby`], [`call`],
//! [`ringing`] (a ringing call is never accepted by keys typed elsewhere), [`relay`] (TURN),
//! [`headers`] (security headers, no CSP violation in a call, Chromium and Firefox),
//! [`trunk_serve`] (development with `trunk serve` and its `/ws` proxy), [`https`] (a call over
//! https and wss with the self-signed certificate),
//! [`autoplay`] (Firefox, which enforces the autoplay policy, against Chromium), [`mdn_interop`]
//! (calls with a stand-in for MDN's client, both ways), [`private_message`] (private lines from
//! the lobby), [`accessibility`] (axe-core on every view, a call from the keyboard, the live
//! region), [`quality`] (the call-quality indicator under real packet loss, picture-in-picture
//! and full screen), [`devices`] (camera, microphone and speaker pickers), [`peer_media`] (mute,
//! camera off and screen sharing shown to the partner), [`alerts`] (a call ringing in a hidden
//! tab; the security code), [`cross_browser`] (Chromium and Firefox with the in-call features,
//! both ways), [`group_call`] (group calls of up to four, issue 13), [`rooms`] (private rooms
//! by link and passcode, kept apart from the lobby and other rooms) and [`bench`] (the ignored
//! call-setup benchmark), with the steps they
//! share in
//! [`scenario`]. The
//! page is found only through the hooks of `docs/ui-contract.md`.
//!
//! Calls that survive real networks (issue 9) are in [`resilience`]: signaling cut or silent, a
//! reload, a server restart and an ICE restart. For them the harness breaks the network on purpose
//! (a TCP proxy to cut or hold, nftables to drop the media, a server killed and started again) and
//! [`flow`] checks that remote video keeps arriving through an outage.
//!
//! The deployment files are tested in [`deploy`]: the systemd unit (verified, sandboxed) and
//! coturn's configuration (no relaying into private networks).
//!
//! When a test fails, its message carries the page state; the server, chromedriver and coturn
//! logs and the screenshot of the call test are in `target/e2e/<test name>/`.

mod accessibility;
mod alerts;
mod autoplay;
mod bench;
mod call;
mod call_data;
mod cross_browser;
mod deploy;
mod devices;
mod flow;
mod group_call;
mod harness;
mod harness_check;
mod headers;
mod https;
mod lobby;
mod mdn_interop;
mod page;
mod peer_media;
mod private_message;
mod probes;
mod quality;
mod relay;
mod resilience;
mod ringing;
mod rooms;
mod scenario;
mod trunk_serve;
mod wait;

/// Errors in tests carry a readable message; `?` works on every error type we meet.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
