//! JavaScript the tests run inside the pages. Timings are taken in the page
//! (`performance.timeOrigin + performance.now()`, comparable across the browsers of one machine)
//! so WebDriver round trips don't count.

/// Installed before the app's own scripts on every document the browser loads (a reload
/// included; see `harness/chromedriver.rs`), and again after the first load (a no-op then):
/// - wraps `RTCPeerConnection` to keep every instance in `__e2e.pcs` (the app constructs peer
///   connections only when a call starts, and wasm-bindgen looks the constructor up then);
/// - records each change of the call area's `data-phase` with its time in `__e2e.phases`, of its
///   `data-peer-state` in `__e2e.peerStates` and of the connection status's `data-state` in
///   `__e2e.connection` (so a state shown only briefly is still seen);
/// - records the time of the first frame the remote `<video>` shows in `__e2e.firstFrameAt`;
/// - records the time of the last click on each `data-testid` in `__e2e.clickAt` (a capturing
///   listener on `document` runs before the app's own handlers);
/// - counts console errors and warnings in `__e2e.console`;
/// - keeps every Content-Security-Policy violation (`securitypolicyviolation`) in `__e2e.csp`.
///
/// It observes `document` itself, which exists before any element is parsed.
pub const INSTALL: &str = r#"
if (!window.__e2e) {
  const now = () => performance.timeOrigin + performance.now();
  const e2e = window.__e2e = { pcs: [], phases: [], peerStates: [], connection: [], firstFrameAt: null, video: null, clickAt: {}, tracks: [], console: [], csp: [] };
  document.addEventListener('securitypolicyviolation', (e) => {
    e2e.csp.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || '?') + (e.sample ? ' (' + e.sample + ')' : ''));
  });
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = new Proxy(Original, {
    construct(target, args) { const pc = Reflect.construct(target, args); e2e.pcs.push(pc); return pc; },
  });
  const frame = () => { if (e2e.firstFrameAt === null) e2e.firstFrameAt = now(); };
  const watch = (video) => {
    video.addEventListener('resize', () => { if (video.videoWidth > 0) frame(); });
    video.addEventListener('loadeddata', frame);
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => frame());
    if (video.videoWidth > 0) frame();
  };
  const record = (list, value) => {
    const last = list.length ? list[list.length - 1][0] : undefined;
    if (value !== last) list.push([value, now()]);
  };
  e2e.check = () => {
    const call = document.querySelector('[data-testid=call]');
    record(e2e.phases, call ? call.getAttribute('data-phase') : null);
    record(e2e.peerStates, call ? call.getAttribute('data-peer-state') : null);
    const status = document.querySelector('[data-testid=connection-status]');
    record(e2e.connection, status ? status.getAttribute('data-state') : null);
    const video = document.querySelector('#remote-video');
    if (video && video !== e2e.video) { e2e.video = video; watch(video); }
  };
  new MutationObserver(e2e.check).observe(document,
    { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase', 'data-peer-state', 'data-state'] });
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-testid]') : null;
    if (target) e2e.clickAt[target.getAttribute('data-testid')] = now();
  }, true);
  for (const level of ['error', 'warn']) {
    const original = console[level].bind(console);
    console[level] = (...args) => { e2e.console.push(level + ': ' + args.map(String).join(' ')); original(...args); };
  }
  e2e.check();
}
return true;
"#;

/// Forgets the timings and histories so far (benchmark loop; the start of an outage).
pub const RESET_TIMINGS: &str = r#"
const e2e = window.__e2e;
e2e.phases = []; e2e.peerStates = []; e2e.connection = []; e2e.firstFrameAt = null; e2e.video = null; e2e.clickAt = {};
e2e.check();
return true;
"#;

/// The page's state in one object, for failure messages.
pub const DUMP: &str = r#"
const q = (s) => document.querySelector(s);
const text = (s) => { const e = q(s); return e ? e.textContent : null; };
const call = q('[data-testid=call]');
const e2e = window.__e2e || {};
return JSON.stringify({
  url: location.href,
  connection: q('[data-testid=connection-status]') ? q('[data-testid=connection-status]').getAttribute('data-state') : null,
  me: text('[data-testid=my-name]'),
  loginError: text('[data-testid=login-error]'),
  phase: call ? call.getAttribute('data-phase') : null,
  peer: call ? call.getAttribute('data-peer') : null,
  callStatus: text('[data-testid=call-status]'),
  notices: [...document.querySelectorAll('[data-testid=notice]')].map((n) => n.textContent),
  users: [...document.querySelectorAll('[data-testid=user]')].map((u) => u.getAttribute('data-name')),
  phases: (e2e.phases || []).map((p) => p[0]),
  peerStates: (e2e.peerStates || []).map((p) => p[0]),
  connectionStates: (e2e.connection || []).map((p) => p[0]),
  pcs: (e2e.pcs || []).map((pc) => pc.connectionState + '/' + pc.iceConnectionState + '/' + pc.signalingState),
  console: e2e.console || [],
});
"#;

/// Media flowing into this page: the remote `<video>`'s size, inbound video frames decoded and
/// audio packets (getStats over the open peer connections), and whether every remote audio
/// track is live.
pub const MEDIA: &str = r#"
return (async () => {
  const e2e = window.__e2e;
  const video = document.querySelector('#remote-video');
  const open = e2e.pcs.filter((pc) => pc.connectionState !== 'closed');
  let framesDecoded = 0, audioPackets = 0;
  for (const pc of open) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded += s.framesDecoded || 0;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audioPackets += s.packetsReceived || 0;
    });
  }
  const audio = open.flatMap((pc) => pc.getReceivers()).map((r) => r.track).filter((t) => t && t.kind === 'audio');
  return {
    videoWidth: video ? video.videoWidth : 0,
    framesDecoded,
    audioPackets,
    audioLive: audio.length > 0 && audio.every((t) => t.readyState === 'live'),
    openPcs: open.length,
  };
})();
"#;

/// Keeps every track of the call (the local and remote `<video>` streams and the peer
/// connections' senders and receivers) in `__e2e.tracks`, so that they can be checked after the
/// call ends, when the page no longer shows them. Returns how many were found.
pub const CAPTURE_TRACKS: &str = r#"
const e2e = window.__e2e;
const tracks = new Set();
for (const selector of ['#local-video', '#remote-video']) {
  const video = document.querySelector(selector);
  if (video && video.srcObject) video.srcObject.getTracks().forEach((t) => tracks.add(t));
}
for (const pc of e2e.pcs) {
  pc.getSenders().forEach((s) => s.track && tracks.add(s.track));
  pc.getReceivers().forEach((r) => r.track && tracks.add(r.track));
}
e2e.tracks = [...tracks];
return e2e.tracks.length;
"#;

/// What is still running after a call: tracks not `ended` and peer connections not closed.
pub const LEFTOVERS: &str = r#"
const e2e = window.__e2e;
return {
  liveTracks: e2e.tracks.filter((t) => t.readyState !== 'ended').map((t) => t.kind + ' ' + t.label),
  openPcs: e2e.pcs.filter((pc) => pc.signalingState !== 'closed').length,
};
"#;

/// The selected ICE candidate pair of the open peer connection: local and remote candidate types.
pub const ROUTE: &str = r#"
return (async () => {
  const pc = window.__e2e.pcs.filter((p) => p.connectionState !== 'closed').pop();
  if (!pc) return null;
  const stats = await pc.getStats();
  let pairId = null;
  stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
  if (!pairId) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId = s.id; });
  const pair = pairId ? stats.get(pairId) : null;
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return { local: local ? local.candidateType : null, remote: remote ? remote.candidateType : null,
           localAddress: local ? (local.address || local.ip || null) : null };
})();
"#;

/// The ports of every local ICE candidate (UDP, and ICE-TCP's listening ports) of this page's
/// open peer connections.
pub const ICE_PORTS: &str = r#"
return (async () => {
  const ports = new Set();
  for (const pc of window.__e2e.pcs.filter((p) => p.connectionState !== 'closed')) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'local-candidate' && s.port && s.port !== 9) ports.add(s.port); // 9: an active TCP candidate's placeholder
    });
  }
  return [...ports];
})();
"#;

/// The local ICE username fragments of this page's open peer connections (an ICE restart
/// changes them).
pub const ICE_UFRAGS: &str = r#"
return window.__e2e.pcs.filter((p) => p.connectionState !== 'closed')
  .map((pc) => { const m = /a=ice-ufrag:(\S+)/.exec(pc.localDescription ? pc.localDescription.sdp : ''); return m ? m[1] : null; });
"#;
