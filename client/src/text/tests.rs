//! Tests of the page's sentences (`crate::text`).

use super::*;

#[test]
fn durations_are_m_ss() {
    assert_eq!(duration_mmss(0.0), "0:00");
    assert_eq!(duration_mmss(999.0), "0:00");
    assert_eq!(duration_mmss(9_000.0), "0:09");
    assert_eq!(duration_mmss(61_500.0), "1:01");
    assert_eq!(duration_mmss(3_600_000.0 + 5_000.0), "60:05");
    assert_eq!(duration_mmss(-5.0), "0:00");
    assert_eq!(duration_mmss(f64::NAN), "0:00");
}

#[test]
fn the_countdown_counts_whole_seconds_up() {
    assert_eq!(countdown_seconds(Some(10_000), 10_000.0), 0);
    assert_eq!(countdown_seconds(Some(10_000), 9_999.0), 1);
    assert_eq!(countdown_seconds(Some(10_000), 7_000.0), 3);
    assert_eq!(countdown_seconds(Some(10_000), 6_999.0), 4);
    assert_eq!(countdown_seconds(Some(10_000), 12_000.0), 0, "late timers");
    assert_eq!(countdown_seconds(None, 0.0), 0, "trying now");
    assert_eq!(countdown_seconds(Some(1), f64::NAN), 0);
}

#[test]
fn clock_pads() {
    assert_eq!(clock(9, 5), "09:05");
    assert_eq!(clock(23, 59), "23:59");
}

#[test]
fn contract_values() {
    let peer = || "alice".to_string();
    assert_eq!(phase_name(&CallPhase::Idle), "idle");
    assert_eq!(phase_name(&CallPhase::Calling { peer: peer() }), "calling");
    assert_eq!(phase_name(&CallPhase::Ringing { peer: peer() }), "ringing");
    assert_eq!(
        phase_name(&CallPhase::Connecting { peer: peer() }),
        "connecting"
    );
    assert_eq!(
        phase_name(&CallPhase::InCall {
            peer: peer(),
            since_ms: 0.0
        }),
        "in-call"
    );
    assert_eq!(
        phase_name(&CallPhase::Reconnecting {
            peer: peer(),
            since_ms: 0.0
        }),
        "reconnecting"
    );
    assert_eq!(
        phase_sentence(&CallPhase::Calling { peer: peer() }),
        "Calling alice…"
    );
    assert_eq!(route_name(Route::Direct).0, "direct");
    assert_eq!(route_name(Route::Relayed).0, "relayed");
}

/// The exact words of every call notice: the browser tests of the driver, the end-to-end
/// tests and docs/ui-contract.md rely on them ("bob declined.", "bob is busy." …).
#[test]
fn call_notices_keep_their_words() {
    let peer = || "bob".to_string();
    let cases = [
        (CallNotice::Declined { peer: peer() }, "bob declined."),
        (CallNotice::Busy { peer: peer() }, "bob is busy."),
        (
            CallNotice::PeerMediaFailed { peer: peer() },
            "bob's camera or microphone could not be used.",
        ),
        (CallNotice::Left { peer: peer() }, "bob left."),
        (CallNotice::Missed { peer: peer() }, "Missed call from bob."),
        (CallNotice::HungUp { peer: peer() }, "bob hung up."),
        (CallNotice::NoAnswer { peer: peer() }, "bob did not answer."),
        (
            CallNotice::SetupFailed { peer: peer() },
            "The call with bob could not be set up.",
        ),
        (
            CallNotice::ConnectionFailed {
                peer: peer(),
                relay_refused: false,
            },
            "The connection to bob failed.",
        ),
        (
            CallNotice::ConnectionFailed {
                peer: peer(),
                relay_refused: true,
            },
            "The relay server refused our credentials, so the connection to bob failed.",
        ),
        (
            CallNotice::NoPath {
                peer: peer(),
                relay_refused: false,
            },
            "No network path to bob could be found.",
        ),
        (
            CallNotice::NoPath {
                peer: peer(),
                relay_refused: true,
            },
            "The relay server refused our credentials, so bob cannot be reached.",
        ),
        (
            CallNotice::ServerLost,
            "The connection to the server was lost; the call ended.",
        ),
        (
            CallNotice::Media(MediaError::NotAllowed),
            "Permission to use the camera and microphone was denied.",
        ),
    ];
    for (notice, words) in cases {
        assert_eq!(call_notice(&notice), words, "{notice:?}");
    }
}

#[test]
fn media_errors_keep_their_words() {
    let cases = [
        (MediaError::NotFound, "No camera or microphone was found."),
        (
            MediaError::NotAllowed,
            "Permission to use the camera and microphone was denied.",
        ),
        (
            MediaError::NotReadable,
            "The camera or microphone is in use by another application.",
        ),
        (
            MediaError::Other("TypeError: bad".into()),
            "The camera or microphone could not be started (TypeError: bad).",
        ),
    ];
    for (error, words) in cases {
        assert_eq!(media_error_sentence(&error), words);
    }
}

#[test]
fn sentences_say_why() {
    assert_eq!(
        name_error_sentence(&NameError::Empty),
        "Please enter a name."
    );
    assert!(name_error_sentence(&NameError::TooLong).contains("32"));
    assert_eq!(chat_error_sentence(ChatError::Empty), None);
    assert!(
        chat_error_sentence(ChatError::TooLong)
            .unwrap()
            .contains("2000")
    );
    let bad_id = ServerError {
        code: ErrorCode::BadId,
        message: "bad id".into(),
    };
    assert!(server_error_sentence(&bad_id).contains("bad id"));
    let too_fast = ServerError {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
    };
    assert_eq!(
        server_error_sentence(&too_fast),
        "You are sending too fast; the last message was dropped."
    );
}
