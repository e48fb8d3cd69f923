//! The API key appears nowhere: not in traces or logs (captured at TRACE level, including the
//! `log` records of reqwest), not in `Debug`/`Display` of any error, configuration, key or
//! client type, and not in query strings in traces.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use playflow::{
    ApiError, Client, ClientKey, DecodeError, Error, InvalidInput, KeyError, KeyKind,
    RateLimitConfig, RetryConfig, ServerKey,
};
use playflow_test_support::*;

const CLIENT_KEY: &str = "pfclient_live0123456789abcdefSECRETkey";

/// The parts of the keys that must never show: all but the last four characters.
fn secrets() -> [&'static str; 4] {
    [
        SERVER_KEY,
        &SERVER_KEY[..SERVER_KEY.len() - 4],
        CLIENT_KEY,
        &CLIENT_KEY[..CLIENT_KEY.len() - 4],
    ]
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(secret), "{what} contains a key: {text}");
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything the client side traced or logged in this test binary, at every level. The
/// binary holds every integration test, so httpmock's own traces (the mock server logging the
/// requests it received, keys included) are left out: they are the server's, not the client's.
fn captured() -> String {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::{Layer as _, filter};

    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    let capture = CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let client_side = filter::filter_fn(|meta| !meta.target().starts_with("httpmock"));
        tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || writer.clone())
                    .with_filter(filter::LevelFilter::TRACE)
                    .with_filter(client_side),
            )
            .try_init()
            .expect("the only subscriber of this binary");
        capture
    });
    String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned()
}

/// Display, Debug, pretty Debug and the whole source chain of an error.
fn error_texts(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{err}\n{err:?}\n{err:#?}\n");
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!("{cause}\n{cause:?}\n"));
        source = cause.source();
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_appears_in_traces_errors_or_debug_output() {
    captured(); // install the subscriber before any call

    let elsewhere = TestServer::start(|_| Reply::server(200)).await;
    let redirect_to = format!("{}/steal", elsewhere.url());
    let html = format!("<html>{SERVER_KEY}</html>");
    let server = TestServer::start(move |seen| match seen.path.as_str() {
        "/api/health" => Reply::json(200, r#"{"status":"ok"}"#),
        "/api/v3/servers/ok" => Reply::server(200),
        "/api/v3/servers/flaky" if seen.index % 2 == 0 => Reply::error(503, "Service Unavailable"),
        "/api/v3/servers/flaky" => Reply::server(200),
        // A server that echoes the key it received.
        "/api/v3/servers/echo" => Reply::json(
            401,
            format!(
                r#"{{"error":"bad key {}","detail":null,"status":401}}"#,
                seen.header("api-key").unwrap_or_default()
            ),
        ),
        "/api/v3/servers/forbidden" => Reply::error(403, "Forbidden"),
        "/api/v3/servers/missing" => Reply::error(404, "Not Found"),
        "/api/v3/servers/html" => Reply::html(502, html.clone()),
        "/api/v3/servers/bad-body" => Reply::json(200, format!(r#"{{"x":"{SERVER_KEY}"}}"#)),
        "/api/v3/servers/slow" => Reply::server(200).delay(Duration::from_secs(2)),
        "/api/v3/servers/moved" => Reply::json(302, "").header("location", redirect_to.clone()),
        "/api/v3/servers/start" => Reply::server(201),
        "/api/v3/servers" => Reply::json(200, r#"{"servers":[],"total":0}"#),
        _ => Reply::error(429, "Too Many Requests").header("retry-after", "30"),
    })
    .await;

    let client = client_builder(server.url())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let game = Client::builder(ClientKey::new(CLIENT_KEY).unwrap())
        .base_url(server.url())
        .no_rate_limit()
        .build()
        .unwrap();

    // Successful calls, including a retried one and one with a query string.
    client.health().await.unwrap();
    client.servers().get("ok").await.unwrap();
    client.servers().get("flaky").await.unwrap();
    client
        .servers()
        .start_request(start_request())
        .await
        .unwrap();
    game.servers().get("ok").await.unwrap();
    let _ = client
        .raw()
        .list_servers()
        .limit(7)
        .offset(31337)
        .send()
        .await;

    // Failing calls of every kind.
    let refused = client_builder(&format!("http://{}", free_addr().await))
        .retry(fast_retry().max_retries(1))
        .build()
        .unwrap();
    let errors: Vec<Error> = vec![
        client.servers().get("echo").await.unwrap_err(),
        client.servers().get("forbidden").await.unwrap_err(),
        client.servers().get("missing").await.unwrap_err(),
        client.servers().get("html").await.unwrap_err(),
        client.servers().get("bad-body").await.unwrap_err(),
        client.servers().get("slow").await.unwrap_err(),
        client.servers().get("moved").await.unwrap_err(),
        client.servers().get("limited").await.unwrap_err(),
        client.servers().get("").await.unwrap_err(),
        game.servers().get("echo").await.unwrap_err(),
        refused.servers().get("ok").await.unwrap_err(),
        Error::from(ServerKey::new(CLIENT_KEY).unwrap_err()),
    ];
    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not found",
            Error::Api(_) => "api",
            Error::Decode(_) => "decode",
            Error::Timeout(_) => "timeout",
            Error::RateLimited(_) => "rate limited",
            Error::InvalidInput(_) => "invalid input",
            Error::Transport(_) => "transport",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "unauthorized",
            "forbidden",
            "not found",
            "api",
            "decode",
            "timeout",
            "api",
            "rate limited",
            "invalid input",
            "unauthorized",
            "transport",
            "invalid input"
        ]
    );
    for err in &errors {
        assert_clean("an error", &error_texts(err));
    }
    assert_eq!(elsewhere.count(), 0);

    // Every error, configuration, key and client type, printed.
    let key_errors = [
        KeyError::Empty,
        KeyError::InvalidCharacters,
        KeyError::MissingEnv {
            var: "PLAYFLOW_API_KEY",
        },
        ServerKey::new(CLIENT_KEY).unwrap_err(),
        ClientKey::new(SERVER_KEY).unwrap_err(),
        ServerKey::new("pf_").unwrap_err(),
        ServerKey::new(format!("{SERVER_KEY} x")).unwrap_err(),
    ];
    for err in &key_errors {
        assert_clean("a key error", &error_texts(err));
    }
    let others: Vec<Box<dyn std::error::Error>> = vec![
        Box::new(Error::Api(Box::new(ApiError::new(409, "conflict")))),
        Box::new(InvalidInput::new("ttl", "too short")),
    ];
    for err in &others {
        assert_clean("an error", &error_texts(err.as_ref()));
    }
    let server_key = ServerKey::new(SERVER_KEY).unwrap();
    let client_key = ClientKey::new(CLIENT_KEY).unwrap();
    let printed = [
        format!("{server_key} {server_key:?} {server_key:#?}"),
        format!("{client_key} {client_key:?} {client_key:#?}"),
        format!("{client:?} {client:#?}"),
        format!("{game:?} {game:#?}"),
        format!("{:?} {:#?}", client.raw(), client.raw()),
        format!("{:?}", Client::builder(server_key.clone())),
        format!("{:?}", Client::builder(client_key.clone())),
        format!("{:?}", client_builder(server.url())),
        format!(
            "{:?} {:?}",
            RetryConfig::default(),
            RateLimitConfig::default()
        ),
        format!("{:?}", playflow::transport::Transport::default()),
        format!("{:?} {}", KeyKind::Server, KeyKind::Client),
        format!("{}", DecodeError::EXCERPT_LEN),
    ];
    for text in &printed {
        assert_clean("a printed value", text);
    }
    assert!(printed[4].contains("<redacted>"), "{}", printed[4]);

    // The traces show the calls ...
    let traces = captured();
    for expected in [
        "playflow.request",
        "operation=\"get_server\"",
        "operation=\"start_server\"",
        // The path template, not the concrete path with its id.
        "path=\"/api/v3/servers/{instance_id}\"",
        "status=200",
        "status=503",
        "attempt=2",
        "retrying PlayFlow call",
        "latency_ms=",
    ] {
        assert!(
            traces.contains(expected),
            "no {expected} in traces:\n{traces}"
        );
    }
    // ... but never a key, nor a query string, nor a concrete path.
    assert!(
        !traces.contains("path=\"/api/v3/servers/ok\""),
        "a concrete path was traced:\n{traces}"
    );
    assert_clean("the traces", &traces);
    assert!(
        !traces.contains("31337"),
        "a query string was traced:\n{traces}"
    );
}

/// Credentials inside generated types (marked `secret-field` by the normalizer) are `Secret`s:
/// `Debug` of the request and answer types never shows them.
#[test]
fn generated_types_never_show_registry_passwords_or_presigned_queries() {
    use playflow::raw::types;
    let request = types::DockerImageBuildRequest::builder()
        .image_url("ghcr.io/acme/arena-server:2.1.0")
        .registry_credentials(
            types::RegistryCredentials::try_from(
                types::RegistryCredentials::builder()
                    .username("acme-ci")
                    .password("ghp_0123456789abcdef"),
            )
            .unwrap(),
        );
    let request: types::DockerImageBuildRequest = request.try_into().unwrap();
    let shown = format!("{request:?}");
    assert!(shown.contains("acme-ci"), "{shown}");
    assert!(!shown.contains("ghp_0123456789abcdef"), "{shown}");
    // On the wire the password is sent as it is.
    let wire = serde_json::to_value(&request).unwrap();
    assert_eq!(
        wire["registry_credentials"]["password"],
        "ghp_0123456789abcdef"
    );

    let answer: types::BuildUploadUrl = serde_json::from_value(serde_json::json!({
        "build_id": "b-1", "name": "default", "message": "PUT the ZIP",
        "upload_url": "https://uploads.example.com/builds/b-1.zip?X-Amz-Signature=deadbeef"
    }))
    .unwrap();
    let shown = format!("{answer:?}");
    assert!(
        shown.contains("uploads.example.com/builds/b-1.zip"),
        "{shown}"
    );
    assert!(!shown.contains("deadbeef"), "{shown}");
    assert!(
        answer
            .upload_url
            .expose()
            .ends_with("X-Amz-Signature=deadbeef")
    );
}

/// The presigned URL the echoing server hands out and echoes, and the parts of it that are
/// credentials.
const SIGNATURE: &str = "s1gn4tur3S3CR3Tdeadbeef";
const CREDENTIAL: &str = "AKIAEXAMPLE7Q2CRED";
const REGISTRY_PASSWORD: &str = "ghp_regPASS0123456789xyz";

fn presigned_url() -> String {
    format!(
        "https://uploads.example.com/b-1.zip?X-Amz-Credential={CREDENTIAL}&X-Amz-Signature={SIGNATURE}"
    )
}

/// Every secret, and every partial run of the key a server might echo (8 characters or more).
fn echoed_secrets() -> Vec<String> {
    let key = SERVER_KEY;
    let n = key.len();
    vec![
        key.to_owned(),
        key[..n - 2].to_owned(),
        key[2..].to_owned(),
        key[n - 8..].to_owned(),
        key[5..15].to_owned(),
        presigned_url(),
        SIGNATURE.to_owned(),
        CREDENTIAL.to_owned(),
        REGISTRY_PASSWORD.to_owned(),
    ]
}

fn assert_no_echo(what: &str, text: &str) {
    for secret in echoed_secrets() {
        assert!(
            !text.contains(&secret),
            "{what} contains {secret:?}:\n{text}"
        );
    }
}

/// A server that echoes the key (whole and in parts), the presigned URL and the registry
/// password in every place an answer has: message values, details, object keys, validation
/// issues (`loc`, `msg`, `type`), headers, HTML pages, bodies that do not decode.
fn echoing_server_script(seen: &playflow_test_support::Seen) -> Reply {
    let key = seen.header("api-key").unwrap_or_default().to_owned();
    let n = key.len().max(10);
    let (minus_two, tail, middle) = (
        key.get(..n - 2).unwrap_or_default(),
        key.get(n - 8..).unwrap_or_default(),
        key.get(5..15).unwrap_or_default(),
    );
    let url = presigned_url();
    let password = serde_json::from_str::<serde_json::Value>(&seen.body)
        .ok()
        .and_then(|b| {
            b["registry_credentials"]["password"]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let json = |status: u16, body: serde_json::Value| Reply::json(status, body.to_string());
    match seen.path.rsplit('/').next().unwrap_or_default() {
        "values" => json(
            400,
            serde_json::json!({
                "error": format!("bad key {key}"),
                "detail": format!("you sent {minus_two}, ending {tail}, around {middle}; upload to {url}"),
                "status": 400,
            }),
        ),
        "keys" => json(
            409,
            serde_json::json!({
                "error": "conflict",
                "detail": { key.clone(): { tail: [middle], url.clone(): url } },
                "status": 409,
            }),
        ),
        "issues" => json(
            422,
            serde_json::json!({
                "error": "Validation failed",
                "detail": [{ "loc": ["body", key.clone(), url.clone()], "msg": format!("{minus_two} is wrong"), "type": key }],
                "status": 422,
            }),
        ),
        "headers" => Reply::error(429, "Too Many Requests")
            .header("retry-after", key.clone())
            .header("x-ratelimit-limit", key.clone())
            .header("x-echo", format!("{key} {url}")),
        "moved" => {
            Reply::json(302, "").header("location", format!("http://elsewhere.invalid/{key}?{url}"))
        }
        "html" => Reply::html(502, format!("<html>{key} {minus_two} {url}</html>")),
        "undecodable" => Reply::json(
            200,
            format!("{{\"instance_id\": 7, \"name\": \"{key}\", \"url\": \"{url}\"}}"),
        ),
        // A list whose `total` is the key: serde quotes the offending value in its message.
        "servers" => json(200, serde_json::json!({ "servers": [], "total": key })),
        // An upload-url answer without `build_id`: the URL is all it has.
        "upload-url" => json(200, serde_json::json!({ "upload_url": url, "name": key })),
        "docker-image" => json(
            400,
            serde_json::json!({
                "error": format!("login failed for password {password}"),
                "detail": { password.clone(): password },
                "status": 400,
            }),
        ),
        _ => Reply::error(404, "Not Found"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_secrets_never_appear_in_any_error_or_trace_of_facade_or_raw_calls() {
    use playflow::builds::RegistryLogin;
    captured(); // install the subscriber before any call

    let server = TestServer::start(echoing_server_script).await;
    let client = client_builder(server.url())
        .retry(fast_retry().max_retries(1))
        .build()
        .unwrap();
    let ids = [
        "values",
        "keys",
        "issues",
        "headers",
        "moved",
        "html",
        "undecodable",
    ];
    let mut errors: Vec<Error> = Vec::new();
    for id in ids {
        errors.push(client.servers().get(id).await.unwrap_err());
        let raw = client.raw().get_server().instance_id(id).send().await;
        errors.push(raw.unwrap_err().into());
    }
    errors.push(client.servers().list().send().await.unwrap_err());
    errors.push(client.raw().list_servers().send().await.unwrap_err().into());
    errors.push(client.builds().create_upload_url().await.unwrap_err());
    errors.push(
        client
            .raw()
            .create_build_upload_url()
            .send()
            .await
            .unwrap_err()
            .into(),
    );
    let login = RegistryLogin::new("acme-ci", REGISTRY_PASSWORD);
    errors.push(
        client
            .builds()
            .create_from_docker_image("ghcr.io/acme/arena:2.1.0")
            .registry_login(login)
            .send()
            .await
            .unwrap_err(),
    );
    let request = playflow::raw::types::DockerImageBuildRequest::builder()
        .image_url("ghcr.io/acme/arena:2.1.0")
        .registry_credentials(
            playflow::raw::types::RegistryCredentials::try_from(
                playflow::raw::types::RegistryCredentials::builder()
                    .username("acme-ci")
                    .password(REGISTRY_PASSWORD),
            )
            .unwrap(),
        );
    let raw_docker = client
        .raw()
        .create_build_from_docker_image()
        .body(request)
        .send()
        .await
        .unwrap_err();
    errors.push(raw_docker.into());

    // The calls failed the way they should: the scrubbing kept the errors' meaning.
    let statuses: Vec<Option<u16>> = errors.iter().map(Error::status).collect();
    assert_eq!(
        statuses,
        [
            Some(400),
            Some(400),
            Some(409),
            Some(409),
            Some(422),
            Some(422),
            Some(429),
            Some(429),
            Some(302),
            Some(302),
            Some(502),
            Some(502),
            Some(200),
            Some(200),
            Some(200),
            Some(200),
            Some(200),
            Some(200),
            Some(400),
            Some(400),
        ],
        "{errors:#?}"
    );
    assert!(matches!(errors[0], Error::Api(_)));
    assert_eq!(errors[4].validation_issues().len(), 1);
    assert!(errors[4].validation_issues()[0].kind.contains("<redacted>"));
    assert!(matches!(errors[16], Error::Decode(_)), "{:?}", errors[16]);
    for (i, err) in errors.iter().enumerate() {
        assert_no_echo(&format!("error {i}"), &error_texts(err));
    }
    let traces = captured();
    assert!(traces.contains("get_server"), "the calls were traced");
    assert_no_echo("the traces", &traces);
}
