//! The short authentication string (pure): six digits both people read to each other to prove
//! that nobody sits in the middle of their call.
//!
//! Each browser signs its DTLS handshake with a certificate whose fingerprint it puts in its
//! session description (`a=fingerprint:sha-256 AB:CD:…`). Someone in the middle (a hostile
//! signaling server) has to put its own fingerprints in both descriptions, so the two pages then
//! see different pairs. Both sides hash the same transcript of the pair, ordered the same way
//! whoever offered, and show six digits of it; matching digits mean the same two certificates.
//!
//! [`transcript`] makes the text that is hashed (SHA-256, `crypto.subtle.digest` in the
//! browser), [`code`] the digits from the digest. The derivation is in `docs/SECURITY.md`.

/// Names this derivation in what is hashed, so another use of the same fingerprints never
/// gives the same digest.
pub const LABEL: &str = "parley-sas-1";

/// The normalised fingerprints of one description: `<algorithm lowercase> <HEX:UPPER>`, every
/// `a=fingerprint` line (session level and media level) once, sorted. Malformed lines are left
/// out. (A sorted `Vec` rather than a `BTreeSet`: the same result for less code in the page.)
pub fn fingerprints(sdp: &str) -> Vec<String> {
    let mut prints: Vec<String> = Vec::new();
    for print in sdp
        .lines()
        .filter_map(|line| line.trim().strip_prefix("a=fingerprint:"))
        .filter_map(normalise)
    {
        if let Err(at) = prints.binary_search(&print) {
            prints.insert(at, print);
        }
    }
    prints
}

fn normalise(value: &str) -> Option<String> {
    let mut parts = value.split_whitespace();
    let algorithm = parts.next()?.to_ascii_lowercase();
    let hex = parts.next()?.to_ascii_uppercase();
    let well_formed = parts.next().is_none()
        && hex
            .split(':')
            .all(|byte| byte.len() == 2 && byte.chars().all(|c| c.is_ascii_hexdigit()));
    well_formed.then(|| format!("{algorithm} {hex}"))
}

/// What both sides hash: [`LABEL`], then each side's fingerprints (one per line), the two
/// sides in sorted order, so the caller and the callee make the same text from their own
/// (local, remote) pair. `None` until both descriptions carry a fingerprint.
pub fn transcript(local_sdp: &str, remote_sdp: &str) -> Option<String> {
    let side = |sdp: &str| {
        let prints = fingerprints(sdp);
        (!prints.is_empty()).then(|| prints.join("\n"))
    };
    let (local, remote) = (side(local_sdp)?, side(remote_sdp)?);
    let (first, second) = if local <= remote {
        (local, remote)
    } else {
        (remote, local)
    };
    Some(format!("{LABEL}\n{first}\n\n{second}"))
}

/// Six digits from the digest of the transcript, shown as `123 456`: the first eight bytes as a
/// big-endian number, modulo one million. `None` for a digest shorter than eight bytes.
pub fn code(digest: &[u8]) -> Option<String> {
    let head: [u8; 8] = digest.get(..8)?.try_into().ok()?;
    let n = u64::from_be_bytes(head) % 1_000_000;
    Some(format!("{:03} {:03}", n / 1000, n % 1000))
}

#[cfg(test)]
mod tests;
