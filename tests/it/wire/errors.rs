//! Error paths, one status class at a time: what the generated layer hands back for each, so
//! the facade's error type can be built on it. Nothing a server sends may panic.

use playflow::raw::types::{self, ErrorDetail, ValidationIssueLocItem};
use progenitor_client::{Error, ResponseValue};
use serde_json::{Value, json};

use playflow::raw::operations as ops;
use playflow_test_support::wire::{AWKWARD, Expect, PLAYER, json, schema_example, start};

/// The typed error body of a documented error response, or a panic naming what came instead.
fn error_response(
    result: Result<impl std::fmt::Debug, Error<types::Error>>,
) -> ResponseValue<types::Error> {
    match result {
        Err(Error::ErrorResponse(response)) => response,
        other => panic!("expected Error::ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn not_found_is_an_error_response_with_the_typed_body() {
    let wire = start(ops::GET_SERVER).await;
    let example = schema_example("Error");
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc",
                query: &[],
                body: None,
            },
            |then| json(then, 404, example),
        )
        .await;
    let result = wire.client.get_server().instance_id(AWKWARD).send().await;
    mock.assert_async().await;
    let err = error_response(result);
    assert_eq!(err.status().as_u16(), 404);
    assert_eq!(err.error, "Not found");
    assert_eq!(err.status, 404);
    assert_eq!(
        err.detail,
        Some(ErrorDetail::String(
            "No server 9b2f6c1e-4a7d-4f3b-8e21-5c0d7a9e3f14 in this project".into()
        ))
    );
}

#[tokio::test]
async fn validation_issues_decode_as_a_list_with_mixed_locations() {
    let wire = start(ops::START_SERVER).await;
    let body = json!({
        "error": "Validation failed",
        "detail": [
            { "loc": ["body", "port_configs", 0, "internal_port"], "msg": "Number must be greater than 0", "type": "too_small" },
            { "loc": ["body", "ttl"], "msg": "Number must be greater than or equal to 60", "type": "too_small" },
        ],
        "status": 422,
    });
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/start",
                query: &[],
                body: Some(json!({ "name": "x", "region": "eu-west", "ttl": 10 })),
            },
            |then| json(then, 422, body),
        )
        .await;
    let result = wire
        .client
        .start_server()
        .body(
            types::StartServerRequest::builder()
                .name("x")
                .region("eu-west")
                .ttl(10i64),
        )
        .send()
        .await;
    mock.assert_async().await;
    let err = error_response(result);
    assert_eq!(err.status().as_u16(), 422);
    assert_eq!(err.error, "Validation failed");
    let Some(ErrorDetail::Array(issues)) = &err.detail else {
        panic!("expected validation issues, got {:?}", err.detail);
    };
    assert_eq!(issues.len(), 2);
    assert_eq!(
        issues[0].loc,
        [
            ValidationIssueLocItem::String("body".into()),
            ValidationIssueLocItem::String("port_configs".into()),
            ValidationIssueLocItem::Integer(0),
            ValidationIssueLocItem::String("internal_port".into()),
        ]
    );
    assert_eq!(
        issues[0].msg.as_deref(),
        Some("Number must be greater than 0")
    );
    assert_eq!(issues[1].type_.as_deref(), Some("too_small"));
}

/// The spec's own `ValidationError` example decodes as the merged `Error` type.
#[tokio::test]
async fn the_spec_validation_error_example_decodes_as_error() {
    let wire = start(ops::LIST_SERVERS).await;
    let example = schema_example("ValidationError");
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers",
                query: &[("limit", "100")],
                body: None,
            },
            |then| json(then, 422, example),
        )
        .await;
    let result = wire.client.list_servers().limit(100u64).send().await;
    mock.assert_async().await;
    let err = error_response(result);
    let Some(ErrorDetail::Array(issues)) = &err.detail else {
        panic!("expected validation issues, got {:?}", err.detail);
    };
    assert_eq!(
        issues[0].loc,
        [
            ValidationIssueLocItem::String("body".into()),
            ValidationIssueLocItem::String("ttl".into())
        ]
    );
}

#[tokio::test]
async fn rate_limited_keeps_status_and_rate_limit_headers() {
    let wire = start(ops::LIST_SERVERS).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers",
                query: &[],
                body: None,
            },
            |then| {
                then.status(429)
                    .header("content-type", "application/json")
                    .header("X-RateLimit-Limit", "100")
                    .header("X-RateLimit-Remaining", "0")
                    .header("Retry-After", "1")
                    .body(
                        json!({ "error": "Too many requests", "detail": null, "status": 429 })
                            .to_string(),
                    );
            },
        )
        .await;
    let result = wire.client.list_servers().send().await;
    mock.assert_async().await;
    let err = error_response(result);
    assert_eq!(err.status().as_u16(), 429);
    assert_eq!(err.headers()["x-ratelimit-limit"], "100");
    assert_eq!(err.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(err.headers()["retry-after"], "1");
    assert_eq!(err.error, "Too many requests");
    assert_eq!(err.detail, None);
}

#[tokio::test]
async fn a_documented_conflict_is_an_error_response() {
    let wire = start(ops::CREATE_LOBBY).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual",
                query: &[],
                body: Some(json!({ "name": "Quick match" })),
            },
            |then| {
                json(
                    then,
                    409,
                    json!({ "error": "Player already in a lobby", "detail": { "lobbyId": "3c7e9a52" }, "status": 409 }),
                )
            },
        )
        .await;
    let result = wire
        .client
        .create_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .body(types::CreateLobbyRequest::builder().name("Quick match"))
        .send()
        .await;
    mock.assert_async().await;
    let err = error_response(result);
    assert_eq!(err.status().as_u16(), 409);
    let Some(ErrorDetail::Object(detail)) = &err.detail else {
        panic!("expected an object detail, got {:?}", err.detail);
    };
    assert_eq!(detail["lobbyId"], "3c7e9a52");
}

#[tokio::test]
async fn server_errors_are_error_responses() {
    for status in [500u16, 503] {
        let wire = start(ops::GET_BUILD).await;
        let body =
            json!({ "error": "Internal error", "detail": "try again later", "status": status });
        let mock = wire
            .mock(
                Expect {
                    path: "/api/v3/builds/b1",
                    query: &[],
                    body: None,
                },
                |then| json(then, status, body),
            )
            .await;
        let result = wire.client.get_build().build_id("b1").send().await;
        mock.assert_async().await;
        let err = error_response(result);
        assert_eq!(err.status().as_u16(), status);
        assert_eq!(err.status, i64::from(status));
        assert_eq!(
            err.detail,
            Some(ErrorDetail::String("try again later".into()))
        );
    }
}

/// A proxy's HTML page instead of JSON: the body is kept, the serde error is the cause.
/// progenitor's `InvalidResponsePayload` does not carry the status (`status()` is `None`), so
/// the facade must not rely on it for retry decisions.
#[tokio::test]
async fn an_html_bad_gateway_page_is_an_invalid_payload_not_a_panic() {
    let wire = start(ops::LIST_SERVERS).await;
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers",
                query: &[],
                body: None,
            },
            |then| {
                then.status(502)
                    .header("content-type", "text/html")
                    .body(html);
            },
        )
        .await;
    let result = wire.client.list_servers().send().await;
    mock.assert_async().await;
    match result {
        Err(Error::InvalidResponsePayload(bytes, cause)) => {
            assert_eq!(&bytes[..], html.as_bytes());
            assert!(cause.is_syntax(), "{cause}");
        }
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}

#[tokio::test]
async fn a_non_json_success_body_is_an_invalid_payload() {
    let wire = start(ops::GET_SERVER).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/s1",
                query: &[],
                body: None,
            },
            |then| {
                then.status(200)
                    .header("content-type", "text/plain")
                    .body("OK");
            },
        )
        .await;
    let result = wire.client.get_server().instance_id("s1").send().await;
    mock.assert_async().await;
    assert!(
        matches!(&result, Err(Error::InvalidResponsePayload(bytes, _)) if &bytes[..] == b"OK"),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_empty_server_error_body_is_an_invalid_payload() {
    let wire = start(ops::DELETE_BUILD).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/b1",
                query: &[],
                body: None,
            },
            |then| {
                then.status(500);
            },
        )
        .await;
    let result = wire.client.delete_build().build_id("b1").send().await;
    mock.assert_async().await;
    match result {
        Err(Error::InvalidResponsePayload(bytes, cause)) => {
            assert!(bytes.is_empty());
            assert!(cause.is_eof(), "{cause}");
        }
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}

/// The health check documents no error response: a 503 there is `UnexpectedResponse`, with the
/// raw response (status and body) still readable.
#[tokio::test]
async fn an_undocumented_status_is_an_unexpected_response() {
    let wire = start(ops::GET_HEALTH).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/health",
                query: &[],
                body: None,
            },
            |then| {
                then.status(503)
                    .header("content-type", "text/html")
                    .body("<h1>maintenance</h1>");
            },
        )
        .await;
    let result = wire.client.get_health().send().await;
    mock.assert_async().await;
    match result {
        Err(Error::UnexpectedResponse(response)) => {
            assert_eq!(response.status().as_u16(), 503);
            assert_eq!(
                response.text().await.expect("the body reads"),
                "<h1>maintenance</h1>"
            );
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

/// The event stream's errors are JSON like every other operation's.
#[tokio::test]
async fn the_event_stream_reports_errors_typed() {
    let wire = start(ops::SUBSCRIBE_LOBBY_EVENTS).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual/me/events",
                query: &[],
                body: None,
            },
            |then| {
                json(
                    then,
                    404,
                    json!({ "error": "Not in a lobby", "detail": null, "status": 404 }),
                )
            },
        )
        .await;
    let result = wire
        .client
        .subscribe_lobby_events()
        .config("casual")
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let err = match result {
        Err(Error::ErrorResponse(response)) => response,
        Err(other) => panic!("expected Error::ErrorResponse, got {other:?}"),
        Ok(_) => panic!("expected an error, got the stream"),
    };
    assert_eq!(err.status().as_u16(), 404);
    assert_eq!(err.error, "Not in a lobby");
}

/// A body that is JSON but not the error shape is an invalid payload too, never a panic.
#[tokio::test]
async fn an_error_body_of_the_wrong_shape_is_an_invalid_payload() {
    let wire = start(ops::GET_MY_LOBBY).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual/me",
                query: &[],
                body: None,
            },
            |then| json(then, 404, json!({ "message": "no such lobby" })),
        )
        .await;
    let result = wire
        .client
        .get_my_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    match result {
        Err(Error::InvalidResponsePayload(bytes, cause)) => {
            let sent: Value = serde_json::from_slice(&bytes).expect("the body is kept");
            assert_eq!(sent["message"], "no such lobby");
            assert!(cause.is_data(), "{cause}");
        }
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}
