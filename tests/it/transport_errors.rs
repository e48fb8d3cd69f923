//! How answers and failures become a typed `playflow::Error`.

use playflow::raw::operations as ops;
use std::error::Error as _;
use std::time::Duration;

use playflow::{Error, ErrorDetail, LocPart};
use playflow_test_support::*;

#[tokio::test]
async fn status_classes_map_to_variants() {
    for (status, check) in [
        (
            401,
            (|e: &Error| matches!(e, Error::Unauthorized(_))) as fn(&Error) -> bool,
        ),
        (403, |e| matches!(e, Error::Forbidden(_))),
        (404, |e| matches!(e, Error::NotFound(_))),
        (409, |e| matches!(e, Error::Api(_))),
        (400, |e| matches!(e, Error::Api(_))),
    ] {
        let server = TestServer::start(move |_| Reply::error(status, "Nope")).await;
        let err = client(server.url()).servers().get("s-1").await.unwrap_err();
        assert!(check(&err), "{status}: {err:?}");
        assert_eq!(err.status(), Some(status));
        assert!(!err.is_retryable(), "{status}");
        let api = err.api_error().unwrap();
        assert_eq!(api.message, "Nope");
        assert_eq!(api.operation, ops::GET_SERVER.name);
        assert!(err.to_string().contains(ops::GET_SERVER.name), "{err}");
    }
}

#[tokio::test]
async fn validation_issues_are_typed() {
    let body = r#"{"error":"Validation failed","status":422,"detail":[
        {"loc":["body","ttl"],"msg":"Input should be greater than or equal to 60","type":"greater_than_equal"},
        {"loc":["body","ports",0,"name"],"msg":"Field required","type":"missing"}]}"#;
    let server = TestServer::start(move |_| Reply::json(422, body)).await;
    let err = client(server.url())
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(!err.is_retryable());
    let issues = err.validation_issues();
    assert_eq!(issues.len(), 2);
    assert_eq!(
        issues[0].loc,
        vec![LocPart::Field("body".into()), LocPart::Field("ttl".into())]
    );
    assert_eq!(issues[0].msg, "Input should be greater than or equal to 60");
    assert_eq!(issues[0].kind, "greater_than_equal");
    assert_eq!(issues[1].loc[2], LocPart::Index(0));
    let text = err.to_string();
    assert!(text.contains("body.ttl: Input should be greater"), "{text}");
    assert!(text.contains("body.ports.0.name: Field required"), "{text}");
}

#[tokio::test]
async fn a_string_detail_is_kept() {
    let body = r#"{"error":"Conflict","status":409,"detail":"Player already in a lobby"}"#;
    let server = TestServer::start(move |_| Reply::json(409, body)).await;
    let err = client(server.url()).servers().get("s-1").await.unwrap_err();
    assert_eq!(
        err.api_error().unwrap().detail,
        ErrorDetail::Message("Player already in a lobby".into())
    );
}

#[tokio::test]
async fn rate_limited_carries_the_headers() {
    let server = TestServer::start(|_| {
        Reply::error(429, "Too Many Requests")
            .header("retry-after", "3")
            .header("x-ratelimit-limit", "10")
            .header("x-ratelimit-remaining", "0")
    })
    .await;
    let err = client(server.url())
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    let Error::RateLimited(limited) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(limited.retry_after, Some(Duration::from_secs(3)));
    assert_eq!(limited.limit, Some(10));
    assert_eq!(limited.remaining, Some(0));
    assert_eq!(err.status(), Some(429));
    assert!(err.is_retryable());
}

/// A proxy's HTML 502 is still a 502: an API error, retryable, with an excerpt of the page.
#[tokio::test]
async fn an_html_502_is_classified_by_its_status() {
    let page = "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>";
    let server = TestServer::start(move |_| Reply::html(502, page)).await;
    let err = client(server.url()).servers().get("s-1").await.unwrap_err();
    assert_eq!(server.count(), 4, "the GET was retried 3 times");
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(api.status, 502);
    assert_eq!(api.message, "Bad Gateway");
    assert_eq!(api.detail, ErrorDetail::Message(page.into()));
    assert!(err.is_retryable());

    // The same for a start, sent once.
    let server = TestServer::start(move |_| Reply::html(502, page)).await;
    let err = client(server.url())
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
    assert_eq!(err.status(), Some(502));
}

#[tokio::test]
async fn a_body_that_does_not_decode_is_a_decode_error_with_a_short_excerpt() {
    let body = format!(
        r#"{{"instance_id": 42, "padding": "{}"}}"#,
        "x".repeat(1000)
    );
    let server = TestServer::start(move |_| Reply::json(200, body.clone())).await;
    let err = client(server.url()).servers().get("s-1").await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected Decode, got {err:?}")
    };
    assert_eq!(decode.status, Some(200));
    assert_eq!(decode.operation, ops::GET_SERVER.name);
    assert!(decode.excerpt.starts_with(r#"{"instance_id": 42"#));
    assert_eq!(decode.excerpt.len(), playflow::DecodeError::EXCERPT_LEN);
    assert!(err.source().is_some(), "the serde error is the source");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_excerpt_is_cut_at_a_character_boundary() {
    let body = format!("{}é{}", "a".repeat(199), "b".repeat(50));
    let server = TestServer::start(move |_| Reply::json(200, body.clone())).await;
    let err = client(server.url()).servers().get("s-1").await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.excerpt, "a".repeat(199));
}

#[tokio::test]
async fn server_texts_are_scrubbed_of_the_key() {
    // A server that echoes the key, in a JSON error, in an HTML page, in a bad body.
    let json = format!(
        r#"{{"error":"invalid key {SERVER_KEY}","status":401,"detail":[{{"loc":["header","{SERVER_KEY}"],"msg":"bad key {SERVER_KEY}","type":"x"}}]}}"#
    );
    let html = format!("<p>{}{SERVER_KEY}</p>", "-".repeat(187));
    let bad = format!(r#"{{"instance_id":1,"echo":"{SERVER_KEY}"}}"#);
    let server = TestServer::start(move |seen| match seen.index {
        0 => Reply::json(401, json.clone()),
        1 => Reply::html(400, html.clone()),
        _ => Reply::json(200, bad.clone()),
    })
    .await;
    let client = client(server.url());
    for _ in 0..3 {
        let err = client.servers().get("s-1").await.unwrap_err();
        let texts = [format!("{err}"), format!("{err:?}"), format!("{err:#?}")];
        for text in texts {
            assert!(!text.contains(SERVER_KEY), "{text}");
            // Not even the start of the key survives at the edge of an excerpt.
            assert!(!text.contains(&SERVER_KEY[..10]), "{text}");
        }
    }
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let server = TestServer::start(|_| Reply::server(200)).await;
    let err = client(server.url()).servers().get("").await.unwrap_err();
    let Error::InvalidInput(input) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(input.field, "instance_id");
    assert_eq!(err.status(), None);
    assert!(!err.is_retryable());
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn transport_errors_expose_their_cause() {
    let addr = free_addr().await;
    let client = client_builder(&format!("http://{addr}"))
        .no_retry()
        .build()
        .unwrap();
    let err = client.servers().get("s-1").await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.is_connect());
    // Error → TransportError → reqwest::Error → ...
    let first = err.source().expect("a source");
    assert!(first.source().is_some());
    // No URL in the text (it could carry a signed query string).
    assert!(!err.to_string().contains(&addr.to_string()), "{err}");
}
