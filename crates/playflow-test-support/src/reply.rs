//! What the scripted server answers: a status line, headers and a body written step by step,
//! or a fault (the connection closed or reset, a body cut short, a stall, raw bytes).
//!
//! A reply is data, not code, so a test states a hostile server's behaviour in one expression
//! (`Reply::server(200).truncated_after(10)`), and a new kind of fault is one more [`Step`].

use std::time::Duration;

/// A server as the API returns it (`GET /api/v3/servers/{id}`).
pub const SERVER_JSON: &str = r#"{"instance_id":"s-1","name":"ranked-eu-7","status":"running"}"#;

/// One step of writing an answer, after its head.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes (and flush them).
    Send(Vec<u8>),
    /// Pause.
    Wait(Duration),
    /// Write these bytes this many times: a large body without holding it in memory (stops
    /// when the client goes away).
    Repeat(Vec<u8>, usize),
    /// Keep the connection open, sending nothing, until the client goes away.
    Hold,
    /// Close the connection now (an orderly FIN), whatever the head announced.
    Close,
    /// Reset the connection now (RST: `SO_LINGER` of zero, then close).
    Reset,
}

/// The status line and headers of an answer.
#[derive(Debug, Clone)]
struct Head {
    status: u16,
    headers: Vec<(String, String)>,
    /// The `content-length` to announce; `None` for a body that ends when the connection does
    /// (an event stream).
    length: Option<usize>,
}

/// What the scripted server answers one request with.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Waited before anything is written.
    delay: Duration,
    /// `None`: no HTTP head at all (a fault, or raw bytes in the steps).
    head: Option<Head>,
    steps: Vec<Step>,
}

impl Reply {
    fn with_body(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            delay: Duration::ZERO,
            head: Some(Head {
                status,
                headers: vec![("content-type".into(), content_type.into())],
                length: Some(body.len()),
            }),
            steps: vec![Step::Send(body)],
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::with_body(status, "application/json", body.into().into_bytes())
    }

    /// A PlayFlow error body (`{"error", "detail", "status"}`).
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(
            status,
            format!(r#"{{"error":"{message}","detail":null,"status":{status}}}"#),
        )
    }

    /// An answer with this content type and body (e.g. a captive portal's page where an event
    /// stream was expected).
    pub fn page(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Self::with_body(status, content_type, body.into().into_bytes())
    }

    /// An HTML answer, as a proxy in front of the API sends.
    pub fn html(status: u16, body: impl Into<String>) -> Self {
        Self::with_body(status, "text/html", body.into().into_bytes())
    }

    /// [`SERVER_JSON`] with this status.
    pub fn server(status: u16) -> Self {
        Self::json(status, SERVER_JSON)
    }

    /// A `200 text/event-stream` answer: the steps, then the connection is closed.
    pub fn sse(steps: Vec<Step>) -> Self {
        Self {
            delay: Duration::ZERO,
            head: Some(Head {
                status: 200,
                headers: vec![
                    ("content-type".into(), "text/event-stream".into()),
                    ("cache-control".into(), "no-cache".into()),
                ],
                length: None,
            }),
            steps,
        }
    }

    /// A body of `chunk` repeated `times` (never held in memory whole), announced by its
    /// `content-length` when `announce`, else ended by closing the connection: a server
    /// answering far more than any real answer.
    pub fn huge(
        status: u16,
        content_type: &str,
        chunk: &[u8],
        times: usize,
        announce: bool,
    ) -> Self {
        Self {
            delay: Duration::ZERO,
            head: Some(Head {
                status,
                headers: vec![("content-type".into(), content_type.into())],
                length: announce.then_some(chunk.len() * times),
            }),
            steps: vec![Step::Repeat(chunk.to_vec(), times)],
        }
    }

    /// Announce no `content-length`: the body ends when the connection closes.
    pub fn unannounced(mut self) -> Self {
        if let Some(head) = &mut self.head {
            head.length = None;
        }
        self
    }

    /// Send the body in pieces of `piece` bytes with `pause` between them: a server that
    /// drips its answer.
    pub fn dripped(mut self, piece: usize, pause: Duration) -> Self {
        let body = self.body_prefix(usize::MAX);
        self.steps = body
            .chunks(piece.max(1))
            .flat_map(|c| [Step::Send(c.to_vec()), Step::Wait(pause)])
            .collect();
        self
    }

    /// Close the connection after reading the request, without answering.
    pub fn close() -> Self {
        Self::raw(vec![Step::Close])
    }

    /// Reset the connection after reading the request, without answering.
    pub fn reset() -> Self {
        Self::raw(vec![Step::Reset])
    }

    /// Write exactly these steps, with no HTTP head of the server's making: for answers no
    /// correct server sends (a broken status line, a lying header).
    pub fn raw(steps: Vec<Step>) -> Self {
        Self {
            delay: Duration::ZERO,
            head: None,
            steps,
        }
    }

    /// One more header (after `content-type`; `content-length` and `connection` are the
    /// server's).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        if let Some(head) = &mut self.head {
            head.headers.push((name.to_owned(), value.into()));
        }
        self
    }

    /// Wait this long before writing anything.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Announce the whole body but send only its first `n` bytes, then close.
    pub fn truncated_after(mut self, n: usize) -> Self {
        self.steps = vec![Step::Send(self.body_prefix(n)), Step::Close];
        self
    }

    /// Send the head and the first `n` bytes of the body, then nothing more (the connection
    /// stays open until the client gives up).
    pub fn stalled_after(mut self, n: usize) -> Self {
        self.steps = vec![Step::Send(self.body_prefix(n)), Step::Hold];
        self
    }

    /// Send the head and the first `n` bytes of the body, then reset the connection (RST).
    pub fn reset_after(mut self, n: usize) -> Self {
        self.steps = vec![Step::Send(self.body_prefix(n)), Step::Reset];
        self
    }

    fn body_prefix(&self, n: usize) -> Vec<u8> {
        let body: Vec<u8> = self
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Send(bytes) => Some(bytes.as_slice()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect();
        body[..n.min(body.len())].to_vec()
    }

    pub(crate) fn pause(&self) -> Duration {
        self.delay
    }

    /// The head's bytes, if the reply has one. Every answer closes its connection, so a test
    /// sees one request per connection and a fault never hits a pooled one by surprise.
    pub(crate) fn head_bytes(&self) -> Option<Vec<u8>> {
        let head = self.head.as_ref()?;
        let mut text = format!("HTTP/1.1 {} {}\r\n", head.status, reason(head.status));
        for (name, value) in &head.headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(length) = head.length {
            text.push_str(&format!("content-length: {length}\r\n"));
        }
        text.push_str("connection: close\r\n\r\n");
        Some(text.into_bytes())
    }

    pub(crate) fn into_steps(self) -> Vec<Step> {
        self.steps
    }
}

/// A reason phrase; clients ignore it, but a status line needs one.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// An event of a `text/event-stream` answer.
pub fn event(name: &str, data: &str) -> Step {
    Step::Send(format!("event: {name}\ndata: {data}\n\n").into_bytes())
}

/// The `lobby_deleted` event of the [`lobby`](crate::lobby) fixture, which ends a stream.
pub fn lobby_deleted() -> Step {
    event(
        "lobby_deleted",
        r#"{"id":"3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4"}"#,
    )
}

/// Everything a lobby event stream yields until it ends; panics if it has not ended `within`.
pub async fn drain(
    events: playflow::lobbies::LobbyEvents<playflow::ClientKey>,
    within: Duration,
) -> Vec<playflow::Result<playflow::lobbies::LobbyEvent>> {
    use futures::StreamExt as _;
    tokio::time::timeout(within, events.collect())
        .await
        .expect("the event stream should end")
}
