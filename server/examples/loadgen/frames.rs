//! Realistic relay frames (a ~5 KB Chrome-like SDP offer/answer and ~250 B trickled ICE
//! candidates) with a sequence number embedded where the server forwards it untouched, so the
//! receiver can tell which send a frame belongs to without shared state.
//!
//! The number sits in a fixed-width slot (`x-seq-` + 10 digits): in the SDP's free-text `s=`
//! line and in the candidate's `usernameFragment`. Rendering copies the template around the
//! slot, which costs a memcpy, not a serialisation.

use std::fmt::Write as _;

use shared::{FromServer, IceCandidate, SdpType, SessionDescription, ToServer};
use tokio_tungstenite::tungstenite::Utf8Bytes;

const SEQ_MARK: &str = "x-seq-";
const SEQ_DIGITS: usize = 10;
const SEQ_PLACEHOLDER: &str = "x-seq-0000000000";

/// What is relayed, in the order one call exchanges it: offer, answer, then trickled candidates
/// alternating direction. `true` means sent by the pair's first client (the caller).
pub const CYCLE: [(Kind, bool); 10] = [
    (Kind::Offer, true),
    (Kind::Answer, false),
    (Kind::Candidate, true),
    (Kind::Candidate, false),
    (Kind::Candidate, true),
    (Kind::Candidate, false),
    (Kind::Candidate, true),
    (Kind::Candidate, false),
    (Kind::Candidate, true),
    (Kind::Candidate, false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Offer,
    Answer,
    Candidate,
}

/// One pre-serialised frame with a sequence-number slot.
struct Template {
    text: String,
    slot: usize,
}

impl Template {
    fn new(message: &ToServer) -> Self {
        let text = message.to_json();
        // The placeholder is plain ASCII, so serde_json writes it verbatim.
        let slot = text
            .find(SEQ_PLACEHOLDER)
            .map_or(0, |at| at + SEQ_MARK.len());
        Self { text, slot }
    }

    fn render(&self, seq: u64) -> Utf8Bytes {
        let mut out = String::with_capacity(self.text.len());
        out.push_str(&self.text[..self.slot]);
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "{:0width$}",
            seq % 10u64.pow(SEQ_DIGITS as u32),
            width = SEQ_DIGITS
        );
        out.push_str(&self.text[self.slot + SEQ_DIGITS..]);
        Utf8Bytes::from(out)
    }
}

/// The four frames one pair exchanges, addressed by name.
pub struct PairFrames {
    pub caller: String,
    pub callee: String,
    offer: Template,
    answer: Template,
    candidate_from_caller: Template,
    candidate_from_callee: Template,
}

impl PairFrames {
    pub fn new(caller: &str, callee: &str) -> Self {
        let sdp = |kind| SessionDescription {
            kind,
            sdp: chrome_like_sdp(),
        };
        Self {
            caller: caller.to_owned(),
            callee: callee.to_owned(),
            offer: Template::new(&ToServer::VideoOffer {
                name: Some(caller.to_owned()),
                target: callee.to_owned(),
                sdp: sdp(SdpType::Offer),
            }),
            answer: Template::new(&ToServer::VideoAnswer {
                name: Some(callee.to_owned()),
                target: caller.to_owned(),
                sdp: sdp(SdpType::Answer),
            }),
            candidate_from_caller: Template::new(&candidate(callee)),
            candidate_from_callee: Template::new(&candidate(caller)),
        }
    }

    /// The `step`-th frame of the cycle with `seq` in its slot.
    pub fn render(&self, step: u64, seq: u64) -> Utf8Bytes {
        let template = match CYCLE[cycle_index(step)] {
            (Kind::Offer, _) => &self.offer,
            (Kind::Answer, _) => &self.answer,
            (Kind::Candidate, true) => &self.candidate_from_caller,
            (Kind::Candidate, false) => &self.candidate_from_callee,
        };
        template.render(seq)
    }

    /// Sizes of the offer and candidate frames, in bytes, for the printout.
    pub fn sizes(&self) -> (usize, usize) {
        (self.offer.text.len(), self.candidate_from_caller.text.len())
    }

    /// Full parse of a received frame: right type, `name` stamped with the real sender, right
    /// target. Costs a JSON parse, so callers sample it.
    pub fn verify(&self, step: u64, text: &str) -> Result<(), String> {
        let (kind, from_caller) = CYCLE[cycle_index(step)];
        let (sender, receiver) = if from_caller {
            (&self.caller, &self.callee)
        } else {
            (&self.callee, &self.caller)
        };
        let parsed = FromServer::from_json(text).map_err(|e| format!("unparsable relay: {e}"))?;
        let (got_kind, name, target) = match &parsed {
            FromServer::VideoOffer { name, target, .. } => (Kind::Offer, name, target),
            FromServer::VideoAnswer { name, target, .. } => (Kind::Answer, name, target),
            FromServer::NewIceCandidate { name, target, .. } => (Kind::Candidate, name, target),
            other => return Err(format!("expected a relay, got {other:?}")),
        };
        if got_kind != kind || name != sender || target != receiver {
            return Err(format!(
                "expected {kind:?} {sender}→{receiver}, got {got_kind:?} {name}→{target}"
            ));
        }
        Ok(())
    }
}

pub fn cycle_index(step: u64) -> usize {
    (step % CYCLE.len() as u64) as usize
}

/// The sequence number in a relayed frame, if it carries one.
pub fn parse_seq(text: &str) -> Option<u64> {
    let at = text.find(SEQ_MARK)? + SEQ_MARK.len();
    text.get(at..at + SEQ_DIGITS)?.parse().ok()
}

fn candidate(target: &str) -> ToServer {
    // MDN's client sends candidates without `name`; the server adds the sender's.
    ToServer::NewIceCandidate {
        name: None,
        target: target.to_owned(),
        candidate: IceCandidate {
            candidate: "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr \
                        192.168.1.23 rport 54321 generation 0 ufrag EsAw network-id 1 network-cost 10"
                .to_owned(),
            sdp_mid: Some("0".to_owned()),
            sdp_m_line_index: Some(0),
            username_fragment: Some(SEQ_PLACEHOLDER.to_owned()),
        },
    }
}

/// An offer shaped like Chrome's for one audio and one video track (~5 KB), with the sequence
/// slot in the free-text session-name line.
fn chrome_like_sdp() -> String {
    let mut s = String::with_capacity(6 * 1024);
    let mut line = |l: &str| {
        s.push_str(l);
        s.push_str("\r\n");
    };
    line("v=0");
    line("o=- 4215775240449105457 2 IN IP4 127.0.0.1");
    line(&format!("s={SEQ_PLACEHOLDER}"));
    line("t=0 0");
    line("a=group:BUNDLE 0 1");
    line("a=extmap-allow-mixed");
    line("a=msid-semantic: WMS 3b2c6c5e-4f6e-4b0a-9d4e-2f8f1f7b9a10");
    let transport = [
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:EsAw",
        "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y",
        "a=ice-options:trickle",
        "a=fingerprint:sha-256 DA:52:67:C5:2A:2E:91:13:A2:7D:3A:E1:2E:A4:F3:28:90:67:71:0E:B7:6F:7B:56:79:F4:B2:D1:54:4B:92:7E",
        "a=setup:actpass",
    ];
    line("m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126");
    transport.iter().for_each(|l| line(l));
    line("a=mid:0");
    line("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    line("a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time");
    line("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
    line("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid");
    line("a=sendrecv");
    line("a=msid:3b2c6c5e-4f6e-4b0a-9d4e-2f8f1f7b9a10 8a1f0c52-3c55-4a7e-bb2a-6a1c9f1e2d3b");
    line("a=rtcp-mux");
    line("a=rtcp-rsize");
    line("a=rtpmap:111 opus/48000/2");
    line("a=rtcp-fb:111 transport-cc");
    line("a=fmtp:111 minptime=10;useinbandfec=1");
    line("a=rtpmap:63 red/48000/2");
    line("a=fmtp:63 111/111");
    line("a=rtpmap:9 G722/8000");
    line("a=rtpmap:0 PCMU/8000");
    line("a=rtpmap:8 PCMA/8000");
    line("a=rtpmap:13 CN/8000");
    line("a=rtpmap:110 telephone-event/48000");
    line("a=rtpmap:126 telephone-event/8000");
    line("a=ssrc:1001725402 cname:qPl4nSWKtS1m0Fmk");
    line(
        "a=ssrc:1001725402 msid:3b2c6c5e-4f6e-4b0a-9d4e-2f8f1f7b9a10 8a1f0c52-3c55-4a7e-bb2a-6a1c9f1e2d3b",
    );
    // Video: each codec with its feedback lines and an RTX companion, as Chrome lists them.
    let codecs: [(u16, &str, &str); 10] = [
        (96, "VP8/90000", ""),
        (98, "VP9/90000", "profile-id=0"),
        (100, "VP9/90000", "profile-id=2"),
        (
            102,
            "H264/90000",
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
        ),
        (
            104,
            "H264/90000",
            "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
        ),
        (
            106,
            "H264/90000",
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        ),
        (
            108,
            "H264/90000",
            "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
        ),
        (
            112,
            "H264/90000",
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f",
        ),
        (45, "AV1/90000", "level-idx=5;profile=0;tier=0"),
        (116, "red/90000", ""),
    ];
    let payloads: Vec<String> = codecs
        .iter()
        .flat_map(|(pt, _, _)| [pt.to_string(), (pt + 1).to_string()])
        .chain(["118".to_owned()])
        .collect();
    line(&format!(
        "m=video 9 UDP/TLS/RTP/SAVPF {}",
        payloads.join(" ")
    ));
    transport.iter().for_each(|l| line(l));
    line("a=mid:1");
    line("a=extmap:14 urn:ietf:params:rtp-hdrext:toffset");
    line("a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time");
    line("a=extmap:13 urn:3gpp:video-orientation");
    line("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
    line("a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay");
    line("a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type");
    line("a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing");
    line("a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space");
    line("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid");
    line("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
    line("a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id");
    line("a=sendrecv");
    line("a=msid:3b2c6c5e-4f6e-4b0a-9d4e-2f8f1f7b9a10 5d0e7c1b-9f3a-4c2d-8e6f-0a1b2c3d4e5f");
    line("a=rtcp-mux");
    line("a=rtcp-rsize");
    for (pt, codec, fmtp) in codecs {
        line(&format!("a=rtpmap:{pt} {codec}"));
        if codec != "red/90000" {
            for fb in ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"] {
                line(&format!("a=rtcp-fb:{pt} {fb}"));
            }
        }
        if !fmtp.is_empty() {
            line(&format!("a=fmtp:{pt} {fmtp}"));
        }
        line(&format!("a=rtpmap:{} rtx/90000", pt + 1));
        line(&format!("a=fmtp:{} apt={pt}", pt + 1));
    }
    line("a=rtpmap:118 ulpfec/90000");
    line("a=ssrc-group:FID 2831522415 3412570432");
    line("a=ssrc:2831522415 cname:qPl4nSWKtS1m0Fmk");
    line(
        "a=ssrc:2831522415 msid:3b2c6c5e-4f6e-4b0a-9d4e-2f8f1f7b9a10 5d0e7c1b-9f3a-4c2d-8e6f-0a1b2c3d4e5f",
    );
    line("a=ssrc:3412570432 cname:qPl4nSWKtS1m0Fmk");
    line(
        "a=ssrc:3412570432 msid:3b2c6c5e-4f6e-4b0a-9d4e-2f8f1f7b9a10 5d0e7c1b-9f3a-4c2d-8e6f-0a1b2c3d4e5f",
    );
    s
}
