//! Writes the frames the page sends ([`ToServer`]) as JSON text, by hand: serde's derive for an
//! internally tagged enum and serde_json's writer cost the page ~3 KB gzip of wasm (bundle diet,
//! issue 13).
//!
//! The text is byte for byte what `ToServer::to_json` writes: `type` first, then the fields in
//! their declaration order, the same fields left out when empty, strings escaped as serde_json
//! escapes them. `net/write/tests.rs` checks every variant against `to_json` and
//! `ToServer::from_json`. This file is the one place the page names the fields it sends: a new
//! variant gets an arm in [`frame`] (the `match` stops the build until it has one), a new field a
//! line in its arm, a new leaf enum value a name in [`feature`], [`reason`] or [`sdp_type`].

use shared::{Feature, HangUpReason, IceCandidate, SdpType, SessionDescription, ToServer};

/// `frame` as JSON text.
pub fn frame(frame: &ToServer) -> String {
    let mut o = Obj::new();
    match frame {
        ToServer::Username {
            id,
            name,
            date,
            features,
            passcode,
            capacity,
        } => {
            o.kind("username");
            o.opt_num("id", *id);
            o.str("name", name);
            o.opt_num("date", *date);
            o.features(features);
            o.opt_str("passcode", passcode.as_deref());
            o.opt_num("capacity", capacity.map(u64::from));
        }
        ToServer::Message {
            id,
            text,
            date,
            target,
        } => {
            o.kind("message");
            o.opt_num("id", *id);
            o.str("text", text);
            o.opt_num("date", *date);
            o.opt_str("target", target.as_deref());
        }
        ToServer::VideoOffer { name, target, sdp } => {
            o.kind("video-offer");
            o.opt_str("name", name.as_deref());
            o.str("target", target);
            o.sdp(sdp);
        }
        ToServer::VideoAnswer { name, target, sdp } => {
            o.kind("video-answer");
            o.opt_str("name", name.as_deref());
            o.str("target", target);
            o.sdp(sdp);
        }
        ToServer::NewIceCandidate {
            name,
            target,
            candidate,
        } => {
            o.kind("new-ice-candidate");
            o.opt_str("name", name.as_deref());
            o.str("target", target);
            o.candidate(candidate);
        }
        ToServer::HangUp {
            name,
            target,
            reason: why,
        } => {
            o.kind("hang-up");
            o.opt_str("name", name.as_deref());
            // Written as `null` when absent, as MDN's client does.
            o.key("target");
            o.string_or_null(target.as_deref());
            if let Some(why) = why {
                o.key("reason");
                o.string(reason(*why));
            }
        }
        ToServer::GetIceServers => o.kind("get-ice-servers"),
        ToServer::Resume {
            token,
            ack,
            fresh,
            features,
        } => {
            o.kind("resume");
            o.str("token", token);
            o.opt_num("ack", Some(*ack));
            if *fresh {
                o.key("fresh");
                o.raw("true");
            }
            o.features(features);
        }
        ToServer::Leaving => o.kind("leaving"),
        ToServer::Ping { ack } => {
            o.kind("ping");
            o.opt_num("ack", *ack);
        }
        ToServer::MediaState {
            target,
            audio,
            video,
            screen,
        } => {
            o.kind("media-state");
            o.str("target", target);
            o.flag("audio", *audio);
            o.flag("video", *video);
            o.flag("screen", *screen);
        }
        ToServer::GroupJoin => o.kind("group-join"),
        ToServer::GroupLeave => o.kind("group-leave"),
        ToServer::GroupSignal {
            name,
            target,
            sdp,
            candidate,
        } => {
            o.kind("group-signal");
            o.opt_str("name", name.as_deref());
            o.str("target", target);
            if let Some(sdp) = sdp {
                o.sdp(sdp);
            }
            if let Some(candidate) = candidate {
                o.candidate(candidate);
            }
        }
    }
    o.end()
}

/// A feature's wire name.
pub fn feature(feature: Feature) -> &'static str {
    match feature {
        Feature::UserlistDelta => "userlist-delta",
        Feature::PlainText => "plain-text",
        Feature::IceServers => "ice-servers",
        Feature::Resume => "resume",
        Feature::Heartbeat => "heartbeat",
        Feature::MediaState => "media-state",
        Feature::GroupCall => "group-call",
        Feature::Unknown => "unknown",
    }
}

/// A hang-up reason's wire name.
pub fn reason(reason: HangUpReason) -> &'static str {
    match reason {
        HangUpReason::Ended => "ended",
        HangUpReason::Cancelled => "cancelled",
        HangUpReason::Declined => "declined",
        HangUpReason::Busy => "busy",
        HangUpReason::MediaError => "media-error",
        HangUpReason::ConnectionFailed => "connection-failed",
        HangUpReason::Left => "left",
    }
}

/// A session description's type as the browser names it.
pub fn sdp_type(kind: SdpType) -> &'static str {
    match kind {
        SdpType::Offer => "offer",
        SdpType::Answer => "answer",
        SdpType::Pranswer => "pranswer",
        SdpType::Rollback => "rollback",
    }
}

/// `text` as a JSON string literal, escaped as serde_json escapes it (`"`, `\` and control
/// characters; nothing else).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

fn push_quoted(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let byte = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[byte >> 4]));
                out.push(char::from(HEX[byte & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON object being written, `{"k":v,…}`.
pub struct Obj {
    out: String,
}

impl Obj {
    pub fn new() -> Self {
        Self {
            out: String::from("{"),
        }
    }

    /// `"key":`, after a comma unless it is the first field.
    pub fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        push_quoted(&mut self.out, key);
        self.out.push(':');
    }

    pub fn raw(&mut self, json: &str) {
        self.out.push_str(json);
    }

    pub fn string(&mut self, text: &str) {
        push_quoted(&mut self.out, text);
    }

    fn string_or_null(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.string(text),
            None => self.raw("null"),
        }
    }

    fn kind(&mut self, kind: &str) {
        self.str("type", kind);
    }

    pub fn str(&mut self, key: &str, text: &str) {
        self.key(key);
        self.string(text);
    }

    /// The field only when there is a value.
    pub fn opt_str(&mut self, key: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.str(key, text);
        }
    }

    /// A whole number, only when there is one.
    pub fn opt_num(&mut self, key: &str, number: Option<u64>) {
        if let Some(number) = number {
            self.key(key);
            self.number(number);
        }
    }

    fn number(&mut self, mut number: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (number % 10) as u8;
            number /= 10;
            if number == 0 {
                break;
            }
        }
        for &digit in &digits[at..] {
            self.out.push(char::from(digit));
        }
    }

    fn flag(&mut self, key: &str, value: bool) {
        self.key(key);
        self.raw(if value { "true" } else { "false" });
    }

    /// `features`, left out when empty.
    fn features(&mut self, features: &[Feature]) {
        if features.is_empty() {
            return;
        }
        self.key("features");
        for (i, f) in features.iter().enumerate() {
            self.raw(if i == 0 { "[" } else { "," });
            self.string(feature(*f));
        }
        self.raw("]");
    }

    fn sdp(&mut self, sdp: &SessionDescription) {
        let mut o = Obj::new();
        o.str("type", sdp_type(sdp.kind));
        o.str("sdp", &sdp.sdp);
        self.key("sdp");
        self.raw(&o.end());
    }

    fn candidate(&mut self, candidate: &IceCandidate) {
        let mut o = Obj::new();
        o.str("candidate", &candidate.candidate);
        o.key("sdpMid");
        o.string_or_null(candidate.sdp_mid.as_deref());
        o.key("sdpMLineIndex");
        match candidate.sdp_m_line_index {
            Some(index) => o.number(u64::from(index)),
            None => o.raw("null"),
        }
        o.key("usernameFragment");
        o.string_or_null(candidate.username_fragment.as_deref());
        self.key("candidate");
        self.raw(&o.end());
    }

    /// The finished text.
    pub fn end(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

impl Default for Obj {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests;
