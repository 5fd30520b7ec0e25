//! Host tests of the in-call link: frames, the chunking plan, flow control, and the machine
//! on both sides of a transfer, including what a misbehaving peer sends.

use super::frame::{CancelReason, Frame, FrameError, clean_name};
use super::transfer::{
    CHUNK_BYTES, HIGH_WATER, MAX_FILE_BYTES, Outgoing, READ_BYTES, may_send, pieces,
};
use super::{Direction, Link, LinkEffect, LinkError, LinkInput, TransferState};

fn ready() -> Link {
    let mut link = Link::new();
    assert_eq!(
        link.handle(LinkInput::Opened),
        vec![LinkEffect::Send(Frame::Hello { version: 1 })]
    );
    assert!(!link.view().ready, "not before the peer's hello");
    link.handle(LinkInput::Message(r#"{"type":"hello","version":1}"#.into()));
    assert!(link.view().ready);
    link
}

fn msg(frame: Frame) -> LinkInput {
    LinkInput::Message(frame.encode())
}

#[test]
fn frames_round_trip_and_have_exact_json() {
    let offer = Frame::Offer {
        id: 3,
        name: "a.bin".into(),
        size: 42,
        mime: "application/octet-stream".into(),
    };
    assert_eq!(
        offer.encode(),
        r#"{"id":3,"mime":"application/octet-stream","name":"a.bin","size":42,"type":"offer"}"#
    );
    for frame in [
        offer,
        Frame::Hello { version: 1 },
        Frame::Text {
            text: "hi <b>".into(),
        },
        Frame::Accept { id: 1 },
        Frame::Cancel {
            id: 2,
            reason: CancelReason::TooLarge,
        },
        Frame::End { id: 9 },
    ] {
        assert_eq!(Frame::parse(&frame.encode()), Ok(frame));
    }
}

#[test]
fn bad_frames_are_errors() {
    assert_eq!(Frame::parse("nope"), Err(FrameError::NotJson));
    assert_eq!(Frame::parse("[1]"), Err(FrameError::NotJson));
    assert_eq!(
        Frame::parse(r#"{"type":"x"}"#),
        Err(FrameError::UnknownType)
    );
    assert_eq!(
        Frame::parse(r#"{"type":"offer","id":1,"name":"a"}"#),
        Err(FrameError::MissingField("size"))
    );
    assert_eq!(
        Frame::parse(r#"{"type":"accept","id":-1}"#),
        Err(FrameError::MissingField("id"))
    );
    assert_eq!(
        Frame::parse(r#"{"type":"accept","id":4294967296}"#),
        Err(FrameError::MissingField("id"))
    );
    let long = format!(r#"{{"type":"text","text":"{}"}}"#, "a".repeat(20_000));
    assert_eq!(Frame::parse(&long), Err(FrameError::TooLong));
}

#[test]
fn offered_names_are_cleaned() {
    assert_eq!(clean_name("../../etc/passwd"), "passwd");
    assert_eq!(clean_name(r"C:\x\report.pdf"), "report.pdf");
    assert_eq!(clean_name("..."), "file");
    assert_eq!(clean_name("a\u{0}b\nc"), "abc");
    assert_eq!(clean_name(&"n".repeat(500)).chars().count(), 200);
}

#[test]
fn the_plan_covers_the_file_exactly() {
    assert_eq!(pieces(0, CHUNK_BYTES).count(), 0);
    let sizes = [
        1,
        CHUNK_BYTES - 1,
        CHUNK_BYTES,
        CHUNK_BYTES + 1,
        100 * 1024 * 1024 + 7,
    ];
    for size in sizes {
        let mut next = 0;
        for range in pieces(size, CHUNK_BYTES) {
            assert_eq!(range.start, next);
            assert!(range.end - range.start <= CHUNK_BYTES && range.end > range.start);
            next = range.end;
        }
        assert_eq!(next, size);
    }
    assert_eq!(pieces(MAX_FILE_BYTES, CHUNK_BYTES).count(), 6400);
}

#[test]
fn flow_control_pauses_above_the_high_water_mark() {
    assert!(may_send(0));
    assert!(may_send(HIGH_WATER - 1));
    assert!(!may_send(HIGH_WATER));
    let mut out = Outgoing::new(1, 3 * READ_BYTES);
    assert_eq!(out.next_read(0), None, "not before accept");
    out.accepted = true;
    assert_eq!(out.next_read(0), Some(0..READ_BYTES));
    assert_eq!(out.next_read(0), None, "one read at a time");
    assert!(!out.slice_sent(4 * READ_BYTES), "more than the file");
    assert!(out.slice_sent(READ_BYTES));
    assert_eq!(out.next_read(HIGH_WATER), None, "the buffer is full: wait");
    assert_eq!(out.next_read(0), Some(READ_BYTES..2 * READ_BYTES));
}

/// Runs a whole transfer between two machines, wiring effects as the glue does, with the
/// sender's buffer draining only on `BufferLow`. Returns (reads, pauses) seen.
#[test]
fn a_file_goes_across_with_flow_control_and_progress() {
    let (mut alice, mut bob) = (ready(), ready());
    let size = 5 * READ_BYTES + 123;
    let mut to_bob = alice.handle(LinkInput::SendFile {
        name: "x.bin".into(),
        size,
        mime: "".into(),
    });
    assert_eq!(
        alice.view().outgoing.as_ref().map(|t| t.state),
        Some(TransferState::Waiting)
    );
    let mut buffered = 0;
    let mut kept = 0;
    let mut pauses = 0;
    let mut delivered = false;
    for _ in 0..100 {
        let mut back = Vec::new();
        for effect in std::mem::take(&mut to_bob) {
            match effect {
                LinkEffect::Send(frame) => {
                    for fx in bob.handle(msg(frame)) {
                        match fx {
                            LinkEffect::Send(f) => back.push(msg(f)),
                            LinkEffect::KeepChunk => kept += 1,
                            LinkEffect::Deliver => delivered = true,
                            _ => {}
                        }
                    }
                }
                LinkEffect::Read { id, range } => {
                    let len = range.end - range.start;
                    back.push(LinkInput::SliceRead { id, len, buffered });
                    buffered += len;
                    for piece in pieces(len, CHUNK_BYTES) {
                        let fx = bob.handle(LinkInput::Chunk {
                            len: piece.end - piece.start,
                        });
                        assert_eq!(fx, vec![LinkEffect::KeepChunk]);
                        kept += 1;
                    }
                }
                _ => {}
            }
        }
        if back.is_empty() {
            // The sender waits on its buffer: it drains.
            if alice.view().outgoing.as_ref().map(|t| t.state) == Some(TransferState::Done) {
                break;
            }
            pauses += 1;
            buffered = 0;
            back.push(LinkInput::BufferLow { buffered: 0 });
        }
        for input in back {
            to_bob.extend(alice.handle(input));
        }
    }
    assert!(delivered, "bob got the whole file");
    assert_eq!(kept, pieces(size, CHUNK_BYTES).count());
    assert!(pauses >= 1, "the sender paused on its high-water mark");
    let out = alice.view().outgoing.as_ref().map(|t| (t.state, t.done));
    let inc = bob
        .view()
        .incoming
        .as_ref()
        .map(|t| (t.state, t.done, t.name.clone()));
    assert_eq!(out, Some((TransferState::Done, size)));
    assert_eq!(inc, Some((TransferState::Done, size, "x.bin".to_owned())));
    assert_eq!(
        bob.handle(LinkInput::Dismiss(Direction::In)),
        vec![LinkEffect::Revoke]
    );
    assert!(bob.view().incoming.is_none());
}

#[test]
fn text_goes_both_ways_once_ready() {
    let mut link = Link::new();
    assert!(link.handle(LinkInput::SendText("early".into())).is_empty());
    let mut link = ready();
    assert_eq!(
        link.handle(LinkInput::SendText("  hi  ".into())),
        vec![LinkEffect::Send(Frame::Text { text: "hi".into() })]
    );
    assert!(link.handle(LinkInput::SendText("   ".into())).is_empty());
    link.handle(msg(Frame::Text { text: "yo".into() }));
    let lines: Vec<_> = link
        .view()
        .lines
        .iter()
        .map(|l| (l.mine, l.text.as_str()))
        .collect();
    assert_eq!(lines, vec![(true, "hi"), (false, "yo")]);
}

fn receiving(size: u64) -> Link {
    let mut bob = ready();
    let fx = bob.handle(msg(Frame::Offer {
        id: 7,
        name: "f".into(),
        size,
        mime: "".into(),
    }));
    assert_eq!(
        fx,
        vec![
            LinkEffect::DropChunks,
            LinkEffect::Send(Frame::Accept { id: 7 })
        ]
    );
    bob
}

#[test]
fn the_receiver_refuses_a_file_over_100_mb() {
    let mut bob = ready();
    let fx = bob.handle(msg(Frame::Offer {
        id: 1,
        name: "big".into(),
        size: MAX_FILE_BYTES + 1,
        mime: "".into(),
    }));
    assert!(fx.contains(&LinkEffect::Send(Frame::Cancel {
        id: 1,
        reason: CancelReason::TooLarge
    })));
    assert_eq!(bob.view().error, Some(LinkError::TooLarge));
    // Its bytes, should they come anyway, are not kept.
    assert!(bob.handle(LinkInput::Chunk { len: 10 }).is_empty());
}

#[test]
fn the_sender_refuses_its_own_file_over_100_mb() {
    let mut alice = ready();
    let fx = alice.handle(LinkInput::SendFile {
        name: "big".into(),
        size: MAX_FILE_BYTES + 1,
        mime: "".into(),
    });
    assert_eq!(fx, vec![LinkEffect::ReleaseFile]);
    assert_eq!(
        alice.view().outgoing.as_ref().map(|t| t.state),
        Some(TransferState::Failed(LinkError::TooLarge))
    );
}

#[test]
fn an_unexpected_chunk_is_an_error_not_a_panic() {
    let mut bob = ready();
    assert!(bob.handle(LinkInput::Chunk { len: 5 }).is_empty());
    assert_eq!(bob.view().error, Some(LinkError::UnexpectedChunk));
    bob.handle(LinkInput::Message("{{{".into()));
    assert_eq!(
        bob.view().error,
        Some(LinkError::BadFrame(FrameError::NotJson))
    );
}

#[test]
fn more_bytes_than_announced_fail_the_transfer() {
    let mut bob = receiving(10);
    assert_eq!(
        bob.handle(LinkInput::Chunk { len: 8 }),
        vec![LinkEffect::KeepChunk]
    );
    let fx = bob.handle(LinkInput::Chunk { len: 8 });
    assert!(fx.contains(&LinkEffect::DropChunks));
    assert!(fx.contains(&LinkEffect::Send(Frame::Cancel {
        id: 7,
        reason: CancelReason::Invalid
    })));
    assert_eq!(bob.view().error, Some(LinkError::TooManyBytes));
    // The rest already on its way is dropped quietly.
    assert!(bob.handle(LinkInput::Chunk { len: 8 }).is_empty());
}

#[test]
fn an_end_before_all_bytes_is_a_size_mismatch() {
    let mut bob = receiving(10);
    bob.handle(LinkInput::Chunk { len: 4 });
    let fx = bob.handle(msg(Frame::End { id: 7 }));
    assert_eq!(fx, vec![LinkEffect::DropChunks]);
    assert_eq!(bob.view().error, Some(LinkError::ShortFile));
    assert_eq!(
        bob.view().incoming.as_ref().map(|t| t.state),
        Some(TransferState::Failed(LinkError::ShortFile))
    );
}

#[test]
fn a_second_offer_while_receiving_is_refused_as_busy() {
    let mut bob = receiving(10);
    let fx = bob.handle(msg(Frame::Offer {
        id: 8,
        name: "g".into(),
        size: 1,
        mime: "".into(),
    }));
    assert_eq!(
        fx,
        vec![LinkEffect::Send(Frame::Cancel {
            id: 8,
            reason: CancelReason::Busy
        })]
    );
    assert_eq!(bob.view().incoming.as_ref().map(|t| t.id), Some(7));
}

#[test]
fn the_receiver_cancels_and_both_stop() {
    let mut alice = ready();
    alice.handle(LinkInput::SendFile {
        name: "f".into(),
        size: 10 * READ_BYTES,
        mime: "".into(),
    });
    let id = alice.view().outgoing.as_ref().map_or(0, |t| t.id);
    assert_eq!(id, 1);
    alice.handle(msg(Frame::Accept { id }));
    let mut bob = ready();
    bob.handle(msg(Frame::Offer {
        id,
        name: "f".into(),
        size: 10 * READ_BYTES,
        mime: "".into(),
    }));
    bob.handle(LinkInput::Chunk { len: CHUNK_BYTES });
    let fx = bob.handle(LinkInput::Cancel(Direction::In));
    assert_eq!(
        fx,
        vec![
            LinkEffect::Send(Frame::Cancel {
                id,
                reason: CancelReason::Cancelled
            }),
            LinkEffect::DropChunks
        ]
    );
    // Chunks in flight are dropped quietly, with no error.
    assert!(bob.handle(LinkInput::Chunk { len: CHUNK_BYTES }).is_empty());
    assert_eq!(bob.view().error, None);
    let fx = alice.handle(msg(Frame::Cancel {
        id,
        reason: CancelReason::Cancelled,
    }));
    assert_eq!(fx, vec![LinkEffect::ReleaseFile]);
    assert_eq!(
        alice.view().outgoing.as_ref().map(|t| t.state),
        Some(TransferState::Cancelled { by_peer: true })
    );
    // A read that finishes afterwards sends nothing.
    assert!(
        alice
            .handle(LinkInput::SliceRead {
                id,
                len: READ_BYTES,
                buffered: 0
            })
            .is_empty()
    );
}

#[test]
fn the_sender_cancels_and_both_stop() {
    let mut alice = ready();
    alice.handle(LinkInput::SendFile {
        name: "f".into(),
        size: 100,
        mime: "".into(),
    });
    let fx = alice.handle(LinkInput::Cancel(Direction::Out));
    assert_eq!(
        fx,
        vec![
            LinkEffect::Send(Frame::Cancel {
                id: 1,
                reason: CancelReason::Cancelled
            }),
            LinkEffect::ReleaseFile
        ]
    );
    let mut bob = receiving(100);
    let fx = bob.handle(msg(Frame::Cancel {
        id: 7,
        reason: CancelReason::Cancelled,
    }));
    assert_eq!(fx, vec![LinkEffect::DropChunks]);
    assert_eq!(
        bob.view().incoming.as_ref().map(|t| t.state),
        Some(TransferState::Cancelled { by_peer: true })
    );
}

#[test]
fn a_closed_channel_interrupts_transfers_and_frees_everything() {
    let mut bob = receiving(100);
    bob.handle(LinkInput::SendFile {
        name: "g".into(),
        size: 5,
        mime: "".into(),
    });
    let fx = bob.handle(LinkInput::Closed);
    assert_eq!(fx, vec![LinkEffect::ReleaseFile, LinkEffect::DropChunks]);
    assert!(!bob.view().ready);
    let failed = Some(TransferState::Failed(LinkError::Interrupted));
    assert_eq!(bob.view().incoming.as_ref().map(|t| t.state), failed);
    assert_eq!(bob.view().outgoing.as_ref().map(|t| t.state), failed);
}

#[test]
fn a_new_offer_replaces_a_finished_download_and_revokes_it() {
    let mut bob = receiving(0);
    assert_eq!(
        bob.handle(msg(Frame::End { id: 7 })),
        vec![LinkEffect::Deliver]
    );
    let fx = bob.handle(msg(Frame::Offer {
        id: 8,
        name: "g".into(),
        size: 1,
        mime: "".into(),
    }));
    assert_eq!(fx[0], LinkEffect::Revoke);
}
