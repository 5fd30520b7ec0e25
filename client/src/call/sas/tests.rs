//! The SAS derivation against fixed fingerprints: the same code on both sides whatever the
//! order, a different one when either certificate changes, several fingerprint lines at session
//! and media level, and a fixed vector checked with an independent SHA-256 (`sha2`).

use sha2::{Digest, Sha256};

use super::{code, fingerprints, transcript};

const ALICE: &str = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
const BOB: &str = "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
const MALLORY: &str = "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EE";

/// A description with the fingerprint at media level (as Chromium writes it), once per m-line.
fn media_level(print: &str) -> String {
    format!(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n\
         m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=fingerprint:sha-256 {print}\r\na=setup:actpass\r\n\
         m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=fingerprint:sha-256 {print}\r\na=setup:actpass\r\n"
    )
}

/// The same at session level, lower-case hex (as Firefox writes it).
fn session_level(print: &str) -> String {
    format!(
        "v=0\r\no=mozilla 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=fingerprint:SHA-256 {}\r\n\
         m=audio 9 UDP/TLS/RTP/SAVPF 109\r\na=mid:0\r\n",
        print.to_ascii_lowercase()
    )
}

fn sas(local: &str, remote: &str) -> Option<String> {
    let text = transcript(local, remote)?;
    code(&Sha256::digest(text.as_bytes()))
}

#[test]
fn both_sides_get_the_same_code() {
    let alice = media_level(ALICE);
    let bob = media_level(BOB);
    let at_alice = sas(&alice, &bob);
    assert!(at_alice.is_some());
    assert_eq!(
        at_alice,
        sas(&bob, &alice),
        "the order of the pair does not matter"
    );
}

#[test]
fn session_and_media_level_lines_and_case_are_one_fingerprint() {
    assert_eq!(
        fingerprints(&media_level(ALICE)),
        fingerprints(&session_level(ALICE))
    );
    assert_eq!(
        fingerprints(&media_level(ALICE)).len(),
        1,
        "repeated lines count once"
    );
    // Firefox on one side, Chromium on the other: the same code.
    assert_eq!(
        sas(&session_level(ALICE), &media_level(BOB)),
        sas(&media_level(BOB), &media_level(ALICE))
    );
}

#[test]
fn a_changed_certificate_on_either_side_changes_the_code() {
    let honest = sas(&media_level(ALICE), &media_level(BOB));
    assert_ne!(honest, sas(&media_level(ALICE), &media_level(MALLORY)));
    assert_ne!(honest, sas(&media_level(MALLORY), &media_level(BOB)));
}

#[test]
fn several_fingerprints_all_count() {
    let two = format!(
        "{}a=fingerprint:sha-384 {}\r\n",
        media_level(ALICE),
        [ALICE, &ALICE[..47]].join(":")
    );
    assert_eq!(fingerprints(&two).len(), 2);
    assert_ne!(
        sas(&two, &media_level(BOB)),
        sas(&media_level(ALICE), &media_level(BOB)),
        "a second certificate is part of what is compared"
    );
    assert_eq!(sas(&two, &media_level(BOB)), sas(&media_level(BOB), &two));
}

#[test]
fn no_code_until_both_sides_have_a_fingerprint() {
    assert_eq!(transcript(&media_level(ALICE), "v=0\r\ns=-\r\n"), None);
    assert_eq!(transcript("", &media_level(BOB)), None);
    // Malformed lines are no fingerprint.
    let bad =
        "a=fingerprint:sha-256\r\na=fingerprint:sha-256 XYZ\r\na=fingerprint:sha-256 AB:C\r\n";
    assert!(fingerprints(bad).is_empty());
    assert_eq!(transcript(bad, &media_level(BOB)), None);
}

/// The vector of `docs/SECURITY.md`: these two fingerprints give `053 857`.
#[test]
fn fixed_vector() {
    let text = transcript(&media_level(ALICE), &session_level(BOB));
    let expected = format!("parley-sas-1\nsha-256 {BOB}\n\nsha-256 {ALICE}");
    assert_eq!(text.as_deref(), Some(expected.as_str()));
    let digest = Sha256::digest(expected.as_bytes());
    assert_eq!(
        digest[..8],
        [0x68, 0x0b, 0x8c, 0xbf, 0x26, 0xb0, 0x50, 0x61],
        "SHA-256 of the transcript"
    );
    assert_eq!(code(&digest).as_deref(), Some("053 857"));
}

#[test]
fn code_is_six_digits_from_eight_bytes() {
    assert_eq!(code(&[0; 32]).as_deref(), Some("000 000"));
    assert_eq!(
        code(&[0, 0, 0, 0, 0, 0, 0x03, 0xe7]).as_deref(),
        Some("000 999")
    );
    assert_eq!(
        code(&[0xff; 8]).as_deref(),
        Some("551 615"),
        "2^64-1 mod 10^6"
    );
    assert_eq!(code(&[1; 7]), None);
}
