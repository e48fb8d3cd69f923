//! Decoding of the lobby event stream: a recorded stream split at every byte boundary, the
//! SSE details PlayFlow (or a proxy) may produce, and property tests on arbitrary input.

use futures::executor::block_on;
use futures::{StreamExt, stream};
use playflow::lobbies::{LobbyEvent, decode_event_stream};
use playflow::raw::operations as ops;
use proptest::prelude::*;

/// Decode `chunks`; errors as text so results compare.
fn decode(chunks: Vec<Vec<u8>>) -> Vec<Result<LobbyEvent, String>> {
    block_on(
        decode_event_stream(stream::iter(chunks))
            .map(|event| event.map_err(|e| e.to_string()))
            .collect(),
    )
}

fn whole(bytes: &[u8]) -> Vec<Result<LobbyEvent, String>> {
    decode(vec![bytes.to_vec()])
}

fn lobby_json(status: &str, name: &str) -> String {
    serde_json::json!({
        "id": "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4", "code": "WOLF-17", "config": "casual",
        "name": name, "status": status, "host": "p-123", "maxPlayers": 4, "currentPlayers": 2,
        "region": "us-east",
        "players": [{"id": "p-123", "state": {"ready": true}, "isHost": true},
                    {"id": "p-456", "state": null, "isHost": false}],
        "matchmaking": {"mode": "duo_ranked", "queueStats": {"playersSearching": 3}}
    })
    .to_string()
}

/// A stream as PlayFlow could send it: a comment first, a multi-line JSON body, keep-alives,
/// an event added later with two data lines, CRLF line endings, a non-ASCII name, the end.
fn recorded() -> Vec<u8> {
    let connected = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&lobby_json("waiting", "Arena")).unwrap(),
    )
    .unwrap();
    let mut s = String::new();
    s.push_str(": connected to lobby events\n\n");
    s.push_str("event: connected\n");
    for line in connected.lines() {
        s.push_str("data: ");
        s.push_str(line);
        s.push('\n');
    }
    s.push('\n');
    s.push_str("event: queue_stats\ndata: {\"playersSearching\":18,\"lobbiesInQueue\":5,\"avgWaitSeconds\":9.4}\n\n");
    s.push_str(": keep-alive\n\n");
    s.push_str("event: ping\ndata:\n\n");
    s.push_str("id: 42\nevent: party_invite\ndata: {\"from\":\"p-9\"}\ndata: second line\n\n");
    s.push_str("event: lobby_updated\r\ndata: ");
    s.push_str(&lobby_json("in_queue", "Ärena 🎮 ночь"));
    s.push_str("\r\n\r\n");
    s.push_str("event: lobby_deleted\ndata: {\"id\":\"3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4\"}\n\n");
    s.into_bytes()
}

fn expected() -> Vec<Result<LobbyEvent, String>> {
    let lobby = |status, name| serde_json::from_str(&lobby_json(status, name)).unwrap();
    vec![
        Ok(LobbyEvent::Connected(lobby("waiting", "Arena"))),
        Ok(LobbyEvent::QueueStats(
            serde_json::from_str(
                r#"{"playersSearching":18,"lobbiesInQueue":5,"avgWaitSeconds":9.4}"#,
            )
            .unwrap(),
        )),
        Ok(LobbyEvent::Ping),
        Ok(LobbyEvent::Unknown {
            event: "party_invite".into(),
            data: "{\"from\":\"p-9\"}\nsecond line".into(),
        }),
        Ok(LobbyEvent::LobbyUpdated(lobby("in_queue", "Ärena 🎮 ночь"))),
        Ok(LobbyEvent::LobbyDeleted {
            id: "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4".into(),
        }),
    ]
}

#[test]
fn recorded_stream_decodes_to_typed_events() {
    let events = whole(&recorded());
    assert_eq!(events, expected());
    // The multi-line JSON really was spread over many `data:` lines.
    assert!(
        String::from_utf8(recorded())
            .unwrap()
            .matches("data: ")
            .count()
            > 15
    );
}

#[test]
fn split_at_every_byte_boundary_gives_the_same_events() {
    let bytes = recorded();
    let expected = expected();
    for at in 0..=bytes.len() {
        let (a, b) = bytes.split_at(at);
        assert_eq!(
            decode(vec![a.to_vec(), b.to_vec()]),
            expected,
            "split at byte {at} of {}",
            bytes.len()
        );
    }
}

#[test]
fn one_byte_chunks_give_the_same_events() {
    let chunks = recorded().into_iter().map(|b| vec![b]).collect();
    assert_eq!(decode(chunks), expected());
}

#[test]
fn crlf_split_between_cr_and_lf_is_one_line_ending() {
    // A CR at the end of a chunk must wait for the next byte: "\r" + "\n" is one line end,
    // not an end of line followed by an empty line (which would dispatch early).
    let chunks = vec![
        b"event: unknown_x\r\ndata: A\r".to_vec(),
        b"\ndata: B\r".to_vec(),
        b"\n\r".to_vec(),
        b"\n".to_vec(),
    ];
    assert_eq!(
        decode(chunks),
        vec![Ok(LobbyEvent::Unknown {
            event: "unknown_x".into(),
            data: "A\nB".into()
        })]
    );
}

#[test]
fn cr_only_line_endings_are_accepted() {
    let events = whole(b"event: lobby_deleted\rdata: {\"id\":\"l1\"}\r\r");
    assert_eq!(
        events,
        vec![Ok(LobbyEvent::LobbyDeleted { id: "l1".into() })]
    );
}

#[test]
fn comments_and_fields_without_data_are_skipped() {
    let events = whole(b": keep-alive\n\n:\n\nretry: 1000\n\nid: 7\n\nevent: ping\n\n");
    // `event: ping` with no data line is no event per the SSE standard.
    assert_eq!(events, vec![]);
}

#[test]
fn data_without_space_and_leading_bom() {
    let events = whole(
        "\u{feff}event:ping\ndata:\n\nevent:lobby_deleted\ndata:{\"id\":\"x\"}\n\n".as_bytes(),
    );
    assert_eq!(
        events,
        vec![
            Ok(LobbyEvent::Ping),
            Ok(LobbyEvent::LobbyDeleted { id: "x".into() })
        ]
    );
}

#[test]
fn leading_bom_split_across_chunks_or_doubled_never_panics() {
    // eventsource-stream 0.2.3 alone panics on a leading BOM; ours removes exactly one.
    let bytes = "\u{feff}event: lobby_deleted\ndata: {\"id\":\"l1\"}\n\n"
        .as_bytes()
        .to_vec();
    for at in 0..=3 {
        let (a, b) = bytes.split_at(at);
        assert_eq!(
            decode(vec![a.to_vec(), b.to_vec()]),
            vec![Ok(LobbyEvent::LobbyDeleted { id: "l1".into() })]
        );
    }
    // A second BOM is part of the first field's name (so that line is an unknown field).
    let doubled = "\u{feff}\u{feff}event: x\ndata: y\n\n".as_bytes();
    assert_eq!(
        whole(doubled),
        vec![Ok(LobbyEvent::Unknown {
            event: "message".into(),
            data: "y".into()
        })]
    );
}

#[test]
fn unnamed_events_are_unknown_messages() {
    let events = whole(b"data: hello\n\n");
    assert_eq!(
        events,
        vec![Ok(LobbyEvent::Unknown {
            event: "message".into(),
            data: "hello".into()
        })]
    );
}

#[test]
fn bad_data_of_a_known_event_is_an_error_and_the_stream_goes_on() {
    let events = whole(
        b"event: connected\ndata: {not json\n\nevent: lobby_deleted\ndata: {\"id\":\"l1\"}\n\n",
    );
    assert_eq!(events.len(), 2);
    let err = events[0].as_ref().unwrap_err();
    assert!(err.contains(ops::SUBSCRIBE_LOBBY_EVENTS.name), "{err}");
    assert!(err.contains("{not json"), "{err}");
    assert_eq!(events[1], Ok(LobbyEvent::LobbyDeleted { id: "l1".into() }));
}

#[test]
fn invalid_utf8_is_replaced_and_does_not_hold_back_later_events() {
    // A byte that can never start a character, in the middle of an unknown event's data.
    let mut bytes = b"event: x\ndata: a\xffb\n\n".to_vec();
    bytes.extend_from_slice(b"event: lobby_deleted\ndata: {\"id\":\"l1\"}\n\n");
    let expected = vec![
        Ok(LobbyEvent::Unknown {
            event: "x".into(),
            data: "a\u{fffd}b".into(),
        }),
        Ok(LobbyEvent::LobbyDeleted { id: "l1".into() }),
    ];
    assert_eq!(whole(&bytes), expected);
    // Also when the bad byte ends a chunk, so the next chunk's events must still come out.
    let at = bytes.iter().position(|b| *b == 0xff).unwrap() + 1;
    assert_eq!(
        decode(vec![bytes[..at].to_vec(), bytes[at..].to_vec()]),
        expected
    );
}

#[test]
fn incomplete_trailing_event_is_dropped() {
    // The connection ended before the blank line: per the standard, no event.
    assert_eq!(
        whole(b"event: lobby_deleted\ndata: {\"id\":\"l1\"}\n"),
        vec![]
    );
}

/// Cut `bytes` into chunks at the given (sorted, deduplicated) positions.
fn chunk(bytes: &[u8], mut cuts: Vec<usize>) -> Vec<Vec<u8>> {
    cuts.iter_mut().for_each(|c| *c %= bytes.len() + 1);
    cuts.sort_unstable();
    cuts.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(bytes[start..cut].to_vec());
        start = cut;
    }
    chunks.push(bytes[start..].to_vec());
    chunks
}

/// Byte strings that look like SSE, to reach deep into the parser.
fn sse_like() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"event: connected\n".to_vec()),
        Just(b"event: lobby_updated\r\n".to_vec()),
        Just(b"event: lobby_deleted\n".to_vec()),
        Just(b"event: queue_stats\r".to_vec()),
        Just(b"event: ping\n".to_vec()),
        Just(b"data: {\"id\":\"l1\"}\n".to_vec()),
        Just(b"data: {\"playersSearching\":1}\n".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"data: {".to_vec()),
        Just(b": keep-alive\n".to_vec()),
        Just(b"id: 1\n".to_vec()),
        Just(b"retry: x\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b":".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just("é🎮".as_bytes().to_vec()),
        Just(vec![0xf0, 0x9f]),
        Just(vec![0xff]),
        Just(vec![0]),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_in_arbitrary_chunks_never_panic_and_decode_alike(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
        cuts in proptest::collection::vec(any::<usize>(), 0..16),
    ) {
        let chunked = decode(chunk(&bytes, cuts));
        prop_assert_eq!(chunked, whole(&bytes));
    }

    #[test]
    fn sse_like_bytes_in_arbitrary_chunks_never_panic_and_decode_alike(
        bytes in sse_like(),
        cuts in proptest::collection::vec(any::<usize>(), 0..24),
    ) {
        let chunked = decode(chunk(&bytes, cuts));
        prop_assert_eq!(chunked, whole(&bytes));
    }

    #[test]
    fn recorded_stream_in_arbitrary_chunks_gives_the_recorded_events(
        cuts in proptest::collection::vec(any::<usize>(), 0..64),
    ) {
        let bytes = recorded();
        prop_assert_eq!(decode(chunk(&bytes, cuts)), expected());
    }
}
