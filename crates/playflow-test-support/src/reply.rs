//! A scripted loopback HTTP server for the transport tests: it records every request it
//! receives (with its arrival time) and answers as the test's script says.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use playflow::{Client, ClientBuilder, ServerKey};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The server key the tests use; no output may ever contain it.
pub const SERVER_KEY: &str = "pf_live0123456789abcdefSECRETkey";
/// A server as the API returns it.
pub const SERVER_JSON: &str = r#"{"instance_id":"s-1","name":"ranked-eu-7","status":"running"}"#;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    /// When the server received it (after its headers were read).
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the script answers.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// A PlayFlow error body.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(
            status,
            format!(r#"{{"error":"{message}","detail":null,"status":{status}}}"#),
        )
    }

    pub fn html(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/html".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn server(status: u16) -> Self {
        Self::json(status, SERVER_JSON)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Wait this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Script>,
}

/// A running test server. Dropping it stops it.
pub struct TestServer {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Start on a free loopback port. `script(n, request)` answers the `n`-th request (from 0);
    /// it runs under the server's lock, so requests are numbered and timed in order.
    pub async fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(listener, script)
    }

    pub fn start_on(
        listener: TcpListener,
        script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared {
            seen: Arc::default(),
            script: Arc::new(script),
        };
        let seen = shared.seen.clone();
        let app = Router::new().fallback(handle).with_state(shared);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, seen, task }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(shared): State<Shared>, request: Request) -> Response {
    let reply = {
        let mut seen = shared.seen.lock().unwrap();
        let request = Seen {
            method: request.method().to_string(),
            path: request.uri().path().to_string(),
            query: request.uri().query().map(str::to_string),
            headers: request.headers().clone(),
            at: Instant::now(),
        };
        let reply = (shared.script)(seen.len(), &request);
        seen.push(request);
        reply
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}

/// A loopback address nothing listens on (bound, then released): connecting is refused.
pub async fn free_addr() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// A server-key client for `url`, with retries fast enough for tests and no rate limiting.
pub fn client_builder(url: &str) -> ClientBuilder<ServerKey> {
    Client::builder(ServerKey::new(SERVER_KEY).unwrap())
        .base_url(url)
        .retry(fast_retry())
        .no_rate_limit()
}

pub fn client(url: &str) -> Client {
    client_builder(url).build().unwrap()
}

/// The default retry policy with short delays.
pub fn fast_retry() -> playflow::RetryConfig {
    playflow::RetryConfig::new()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
}

/// A start request body.
pub fn start_request() -> playflow::model::StartServerRequest {
    playflow::model::StartServerRequest::builder()
        .name("ranked-eu-7")
        .region("eu-west")
        .try_into()
        .unwrap()
}
