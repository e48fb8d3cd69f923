//! The scripted loopback server every non-wire test talks to: it records each request (with its
//! arrival time) and answers as the test's script says, faults included.
//!
//! Hand-written HTTP/1.1 on a `TcpListener` rather than a web framework: the fault tests need
//! exact control of the bytes written and of when and how a connection ends (closed, reset,
//! stalled, cut short), which a framework hides. Each connection carries one request and is
//! closed after its answer.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::reply::{Reply, Step};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Its number among all requests to this server, from 0.
    pub index: usize,
    /// Its number among the requests with the same method and path, from 0.
    pub route_index: usize,
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub query: Option<String>,
    /// Header names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked), as text.
    pub body: String,
    /// When its head had been read.
    pub at: Instant,
}

impl Seen {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Script = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A running scripted server on a loopback port. Dropping it stops it.
pub struct TestServer {
    addr: SocketAddr,
    url: String,
    log: Arc<Mutex<Vec<Seen>>>,
    sent: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Start on a free loopback port; `script` answers each request. It runs under the
    /// server's lock, so requests are numbered and timed in the order they arrived.
    pub async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        Self::start_on(listener, script)
    }

    /// Start on a listener the test bound itself (to take over an address it reserved).
    pub fn start_on(
        listener: TcpListener,
        script: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let addr = listener.local_addr().expect("bound address");
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let server_log = Arc::clone(&log);
        let sent: Arc<AtomicU64> = Arc::default();
        let server_sent = Arc::clone(&sent);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(
                    socket,
                    Arc::clone(&script),
                    Arc::clone(&server_log),
                    Arc::clone(&server_sent),
                ));
            }
        });
        Self {
            addr,
            url: format!("http://{addr}"),
            log,
            sent,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// How many body bytes the server has written so far, over all connections (a client
    /// that stops reading and drops the connection stops this growing).
    pub fn body_bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// The requests with this method whose path ends with `suffix`.
    pub fn calls(&self, method: &str, suffix: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.ends_with(suffix))
            .collect()
    }

    /// Wait (up to 10 s) until `count` requests with this method and path suffix arrived.
    pub async fn wait_for(&self, method: &str, suffix: &str, count: usize) -> Vec<Seen> {
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

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback address nothing listens on (bound, then released): connecting is refused.
pub async fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    listener.local_addr().expect("bound address")
}

async fn serve(
    mut socket: TcpStream,
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Seen>>>,
    sent: Arc<AtomicU64>,
) {
    let Some(head) = read_request(&mut socket).await else {
        return;
    };
    let reply = {
        let mut log = log.lock().unwrap();
        let seen = Seen {
            index: log.len(),
            route_index: log
                .iter()
                .filter(|r| r.method == head.method && r.path == head.path)
                .count(),
            ..head
        };
        let reply = script(&seen);
        log.push(seen);
        reply
    };
    if !reply.pause().is_zero() {
        tokio::time::sleep(reply.pause()).await;
    }
    if let Some(head) = reply.head_bytes()
        && socket.write_all(&head).await.is_err()
    {
        return;
    }
    for step in reply.into_steps() {
        match step {
            Step::Send(bytes) => {
                if socket.write_all(&bytes).await.is_err() || socket.flush().await.is_err() {
                    return;
                }
                sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
            }
            Step::Repeat(bytes, times) => {
                for _ in 0..times {
                    if socket.write_all(&bytes).await.is_err() {
                        return;
                    }
                    sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
                }
            }
            Step::Wait(pause) => tokio::time::sleep(pause).await,
            Step::Hold => {
                // Until the client closes its side.
                let mut buf = [0u8; 64];
                while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
                return;
            }
            Step::Close => break,
            Step::Reset => {
                let _ = socket.set_zero_linger();
                return;
            }
        }
    }
    let _ = socket.shutdown().await;
}

/// Read one request: its head, then a body by `content-length` or chunked encoding. `None`
/// when the client went away first.
async fn read_request(socket: &mut TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&data, b"\r\n\r\n") {
            break i + 4;
        }
        read_more(socket, &mut data).await?;
    };
    let at = Instant::now();
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let value = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let mut rest = data.split_off(head_end);
    let body = if value("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(socket, &mut rest).await?
    } else {
        let length: usize = value("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while rest.len() < length {
            read_more(socket, &mut rest).await?;
        }
        rest.truncate(length);
        rest
    };
    Some(Seen {
        index: 0,
        route_index: 0,
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at,
    })
}

async fn read_chunked(socket: &mut TcpStream, data: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(data, b"\r\n") {
                break i;
            }
            read_more(socket, data).await?;
        };
        let size_text = String::from_utf8_lossy(&data[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data.drain(..line_end + 2);
        if size == 0 {
            return Some(body);
        }
        while data.len() < size + 2 {
            read_more(socket, data).await?;
        }
        body.extend_from_slice(&data[..size]);
        data.drain(..size + 2);
    }
}

async fn read_more(socket: &mut TcpStream, data: &mut Vec<u8>) -> Option<()> {
    let mut buf = [0u8; 8192];
    match socket.read(&mut buf).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            data.extend_from_slice(&buf[..n]);
            Some(())
        }
    }
}

fn find(data: &[u8], needle: &[u8]) -> Option<usize> {
    data.windows(needle.len()).position(|w| w == needle)
}

/// The server itself: each kind of answer and fault reaches a plain HTTP client as intended.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::event;

    async fn get(server: &TestServer) -> reqwest::Result<(u16, String)> {
        let response = reqwest::Client::new()
            .get(format!("{}/api/x?a=1", server.url()))
            .timeout(Duration::from_millis(500))
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }

    #[tokio::test]
    async fn answers_and_records_in_order() {
        let server = TestServer::start(|seen| match seen.index {
            0 => Reply::json(201, "{}").header("x-a", "1"),
            _ => Reply::error(503, "busy"),
        })
        .await;
        assert_eq!(get(&server).await.unwrap(), (201, "{}".into()));
        let (status, body) = get(&server).await.unwrap();
        assert_eq!(status, 503);
        assert!(body.contains(r#""error":"busy""#), "{body}");
        let seen = server.requests();
        assert_eq!((seen[1].index, seen[1].route_index), (1, 1));
        assert_eq!(seen[0].path, "/api/x");
        assert_eq!(seen[0].query.as_deref(), Some("a=1"));
    }

    #[tokio::test]
    async fn reads_chunked_and_sized_bodies() {
        let server = TestServer::start(|_| Reply::json(200, "{}")).await;
        let client = reqwest::Client::new();
        client
            .post(server.url())
            .body("sized")
            .send()
            .await
            .unwrap();
        let chunks = futures::stream::iter(["chun", "ked"].map(Ok::<_, std::io::Error>));
        client
            .post(server.url())
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .unwrap();
        let bodies: Vec<String> = server.requests().into_iter().map(|r| r.body).collect();
        assert_eq!(bodies, ["sized", "chunked"]);
    }

    #[tokio::test]
    async fn streams_events_step_by_step() {
        let server = TestServer::start(|_| {
            Reply::sse(vec![
                event("a", "1"),
                Step::Wait(Duration::from_millis(50)),
                event("b", "2"),
            ])
        })
        .await;
        let (status, body) = get(&server).await.unwrap();
        assert_eq!(status, 200);
        assert_eq!(body, "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n");
    }

    #[tokio::test]
    async fn faults_reach_the_client_as_failures() {
        let server = TestServer::start(|seen| match seen.index {
            0 => Reply::close(),
            1 => Reply::reset(),
            2 => Reply::server(200).truncated_after(10),
            3 => Reply::server(200).stalled_after(10),
            4 => Reply::server(200).delay(Duration::from_secs(2)),
            _ => Reply::raw(vec![Step::Send(b"NOT HTTP\r\n\r\n".to_vec()), Step::Close]),
        })
        .await;
        for fault in ["close", "reset", "truncated", "stalled", "delayed", "raw"] {
            let result = get(&server).await;
            assert!(result.is_err(), "{fault}: {result:?}");
        }
        assert_eq!(server.count(), 6);
    }
}
