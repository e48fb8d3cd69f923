//! A tiny scripted HTTP/1.1 server on loopback for the lobby event-stream tests: it records
//! every request and answers each with what the test's handler says, including Server-Sent
//! Events sent step by step (so a test can close a stream mid-way, or hold it open).
//!
//! Hand-written on a `TcpListener` instead of a web framework: the tests need exact control of
//! the bytes and of when a connection closes, and it keeps the dev build small.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When the request arrived.
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One step of an event-stream answer.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Pause.
    Wait(Duration),
    /// Keep the connection open until the client goes away (or the test ends).
    Hold,
}

/// What to answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A JSON answer with this status.
    Json(u16, String),
    /// A JSON answer with this status and extra headers.
    JsonWithHeaders(u16, Vec<(&'static str, String)>, String),
    /// A `text/event-stream` answer: the steps, then the connection is closed.
    Sse(Vec<Step>),
}

/// The handler sees the request and how many requests with the same method and path came
/// before it.
pub type Handler = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

pub struct TestServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl TestServer {
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let handler: Handler = Arc::new(handler);
        let server_log = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&server_log);
                tokio::spawn(serve(socket, handler, log));
            }
        });
        Self { addr, log }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// Requests with this method whose path ends with `suffix`.
    pub fn calls(&self, method: &str, suffix: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.ends_with(suffix))
            .collect()
    }

    /// Wait (up to 10 s) until a request with this method and path suffix arrived.
    pub async fn wait_for(&self, method: &str, suffix: &str, count: usize) -> Vec<Recorded> {
        for _ in 0..1000 {
            let calls = self.calls(method, suffix);
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "no {count} × {method} …{suffix} within 10 s; got {:#?}",
            self.requests()
        );
    }
}

async fn serve(mut socket: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Recorded>>>) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let seen = {
        let mut log = log.lock().unwrap();
        let seen = log
            .iter()
            .filter(|r| r.method == request.method && r.path == request.path)
            .count();
        log.push(request.clone());
        seen
    };
    match handler(&request, seen) {
        Reply::Json(status, body) => write_json(&mut socket, status, &[], &body).await,
        Reply::JsonWithHeaders(status, headers, body) => {
            write_json(&mut socket, status, &headers, &body).await;
        }
        Reply::Sse(steps) => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for step in steps {
                match step {
                    Step::Send(bytes) => {
                        if socket.write_all(&bytes).await.is_err() || socket.flush().await.is_err()
                        {
                            return;
                        }
                    }
                    Step::Wait(d) => tokio::time::sleep(d).await,
                    Step::Hold => {
                        // Until the client closes its side.
                        let mut buf = [0u8; 64];
                        while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
                        return;
                    }
                }
            }
        }
    }
    let _ = socket.shutdown().await;
}

async fn write_json(
    socket: &mut TcpStream,
    status: u16,
    headers: &[(&'static str, String)],
    body: &str,
) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(body.as_bytes()).await;
}

async fn read_request(socket: &mut TcpStream) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&data[head_end..]).into_owned();
    Some(Recorded {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

/// An SSE event as bytes.
pub fn event(name: &str, data: &str) -> Step {
    Step::Send(format!("event: {name}\ndata: {data}\n\n").into_bytes())
}

/// A lobby as the API sends it, with `status`, and the extra fields merged in.
pub fn lobby(status: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut lobby = serde_json::json!({
        "id": "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4",
        "code": "WOLF-17",
        "config": "casual",
        "name": "Friday night arena",
        "status": status,
        "host": "p-123",
        "maxPlayers": 2,
        "currentPlayers": 1,
        "region": "us-east",
        "players": [{"id": "p-123", "state": {"ready": true}, "isHost": true}],
        "server": null,
        "matchmaking": null,
        "matchId": null
    });
    if let (Some(base), serde_json::Value::Object(extra)) = (lobby.as_object_mut(), extra) {
        base.extend(extra);
    }
    lobby
}

/// A game-client key client for `url`, with no whole-request timeout (streams stay open).
pub fn client(url: &str) -> playflow::Client<playflow::ClientKey> {
    playflow::Client::builder(playflow::ClientKey::new("pfclient_1234567890abcdef1234").unwrap())
        .base_url(url)
        .timeout(None)
        .build()
        .unwrap()
}
