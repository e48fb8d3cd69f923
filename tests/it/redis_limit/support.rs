//! What the shared-limit tests run against: their own `redis-server`, a loopback server that
//! enforces a per-key write window, and replica processes (this binary, started again).

use std::collections::VecDeque;
use std::fmt;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use playflow::transport::RedisRateLimit;
use playflow::{Client, RateLimitConfig, ServerKey};

/// The API key every replica shares.
pub const KEY: &str = "pf_live0123456789abcdefSECRETkey";

/// The multi-process tests run one at a time: their pacing is what they check, and four
/// replicas of each on a 2-core machine at once would only add scheduling noise.
pub static SERIAL: Mutex<()> = Mutex::new(());

const SERVER_JSON: &str = r#"{"instance_id":"s-1","name":"ranked-eu-7","status":"running"}"#;

/// The environment variables that make this binary a replica.
const ENV_REPLICA: &str = "PLAYFLOW_TEST_REPLICA";
const ENV_URL: &str = "PLAYFLOW_TEST_URL";
const ENV_LIMIT: &str = "PLAYFLOW_TEST_WRITE_LIMIT";
const ENV_WRITES: &str = "PLAYFLOW_TEST_WRITES";
const ENV_REDIS: &str = "PLAYFLOW_TEST_REDIS";
const ENV_SHARE: &str = "PLAYFLOW_TEST_FALLBACK_SHARE";
const ENV_OUT: &str = "PLAYFLOW_TEST_OUT";

/// A `redis-server` of this test's own, on a free loopback port, killed on drop.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut server = Self { port, child: None };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Start the server (again, empty) on its port, and wait until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server; .ci/run installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.ping().is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url())?.get_connection_with_timeout(Duration::from_secs(1))
    }

    fn ping(&self) -> redis::RedisResult<String> {
        redis::cmd("PING").query(&mut self.connection()?)
    }

    /// Every key in the server.
    pub fn keys(&self) -> Vec<String> {
        let mut connection = self.connection().expect("redis-server answers");
        redis::cmd("KEYS").arg("*").query(&mut connection).unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One write the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When it arrived, from the server's start.
    pub at: Duration,
    /// The replica (from its `User-Agent: replica-N`).
    pub replica: usize,
    pub status: u16,
}

struct State {
    started: Instant,
    limit: usize,
    /// Arrivals of the accepted writes of the last second.
    window: VecDeque<Instant>,
    seen: Vec<Seen>,
    /// The n-th write (from 1) is answered 429 with this `Retry-After`.
    reject_nth: Option<(usize, Duration)>,
}

/// A loopback PlayFlow stand-in enforcing `limit` writes of the key in any one second (a
/// sliding log), answering 429 beyond it like PlayFlow, and answering reads. It runs on its own
/// thread and runtime until the test process ends.
pub struct EnforcingServer {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl EnforcingServer {
    pub fn start(limit: usize) -> Self {
        let state = Arc::new(Mutex::new(State {
            started: Instant::now(),
            limit,
            window: VecDeque::new(),
            seen: Vec::new(),
            reject_nth: None,
        }));
        let app_state = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(
                    move |method: axum::http::Method, headers: axum::http::HeaderMap| {
                        let state = app_state.clone();
                        async move { answer(&state, &method, &headers) }
                    },
                );
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().unwrap();
        Self {
            url: format!("http://{addr}"),
            state,
        }
    }

    /// Answer the `n`-th write (from 1) with a 429 and `Retry-After` (whole seconds).
    pub fn reject_nth_write(self, n: usize, retry_after: Duration) -> Self {
        self.lock().reject_nth = Some((n, retry_after));
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The server's clock: time since it started.
    pub fn now(&self) -> Duration {
        self.lock().started.elapsed()
    }

    /// Block until the server has seen `n` writes.
    pub fn wait_for_writes(&self, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.lock().seen.len() < n {
            assert!(Instant::now() < deadline, "fewer than {n} writes arrived");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn answer(
    state: &Mutex<State>,
    method: &axum::http::Method,
    headers: &axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("api-key") != Some(KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let json = [("content-type", "application/json")];
    if method == axum::http::Method::GET {
        return (StatusCode::OK, json, SERVER_JSON).into_response();
    }
    let now = Instant::now();
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let replica = header("user-agent")
        .and_then(|ua| ua.strip_prefix("replica-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    while state
        .window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        state.window.pop_front();
    }
    let nth = state.seen.len() + 1;
    let limit = state.limit;
    let (status, retry_after) = match state.reject_nth {
        Some((n, retry_after)) if n == nth => (429, Some(retry_after)),
        _ if state.window.len() >= limit => (429, Some(Duration::from_secs(1))),
        _ => (201, None),
    };
    let at = now.duration_since(state.started);
    state.seen.push(Seen {
        at,
        replica,
        status,
    });
    match retry_after {
        Some(retry_after) => (
            StatusCode::TOO_MANY_REQUESTS,
            json,
            [
                ("retry-after", retry_after.as_secs().max(1).to_string()),
                ("x-ratelimit-limit", limit.to_string()),
                ("x-ratelimit-remaining", "0".to_string()),
            ],
            r#"{"error":"Too Many Requests"}"#,
        )
            .into_response(),
        None => {
            state.window.push_back(now);
            let remaining = limit - state.window.len();
            (
                StatusCode::CREATED,
                json,
                [
                    ("x-ratelimit-limit", limit.to_string()),
                    ("x-ratelimit-remaining", remaining.to_string()),
                ],
                SERVER_JSON,
            )
                .into_response()
        }
    }
}

pub fn start_request() -> playflow::model::StartServerRequest {
    playflow::model::StartServerRequest::builder()
        .name("ranked-eu-7")
        .region("eu-west")
        .try_into()
        .unwrap()
}

/// What each replica of a run does.
#[derive(Debug, Clone)]
pub struct Run {
    url: String,
    limit: usize,
    writes: usize,
    redis: Option<String>,
    fallback_share: f64,
}

impl Run {
    /// `writes` writes to `server`, paced to `limit` writes per second.
    pub fn new(server: &EnforcingServer, limit: usize, writes: usize) -> Self {
        Self {
            url: server.url.clone(),
            limit,
            writes,
            redis: None,
            fallback_share: 0.25,
        }
    }

    /// Share the limits through `redis`.
    pub fn redis(mut self, redis: &RedisServer) -> Self {
        self.redis = Some(redis.url());
        self
    }

    pub fn fallback_share(mut self, share: f64) -> Self {
        self.fallback_share = share;
        self
    }

    /// The client of replica `replica`.
    pub fn client(&self, replica: usize) -> Client {
        let mut builder = Client::builder(ServerKey::new(KEY).unwrap())
            .base_url(&self.url)
            .user_agent(format!("replica-{replica}"))
            .rate_limit(RateLimitConfig::new().writes_per_second(self.limit as u32));
        if let Some(url) = &self.redis {
            builder = builder.redis_rate_limit(
                RedisRateLimit::new(url)
                    .prefix("test:playflow")
                    .fallback_share(self.fallback_share)
                    .probe_interval(Duration::from_millis(200)),
            );
        }
        builder.build().unwrap()
    }
}

/// Replica processes of one run.
pub struct Replicas {
    children: Vec<(Child, PathBuf, PathBuf)>,
    _dir: tempfile::TempDir,
}

impl Replicas {
    /// Start `n` replicas of `run` and wait for them.
    pub fn run(n: usize, run: &Run) -> Report {
        Self::spawn(n, run).wait()
    }

    pub fn spawn(n: usize, run: &Run) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let exe = std::env::current_exe().unwrap();
        let children = (0..n)
            .map(|replica| {
                let out = dir.path().join(format!("replica-{replica}.out"));
                let log = dir.path().join(format!("replica-{replica}.log"));
                let mut command = Command::new(&exe);
                command
                    .args(["redis_limit::replica_entry_point", "--exact", "--nocapture"])
                    .args(["--test-threads", "1"])
                    .env(ENV_REPLICA, replica.to_string())
                    .env(ENV_URL, &run.url)
                    .env(ENV_LIMIT, run.limit.to_string())
                    .env(ENV_WRITES, run.writes.to_string())
                    .env(ENV_SHARE, run.fallback_share.to_string())
                    .env(ENV_OUT, &out)
                    .stdout(Stdio::null())
                    .stderr(std::fs::File::create(&log).unwrap());
                if let Some(redis) = &run.redis {
                    command.env(ENV_REDIS, redis);
                }
                (command.spawn().unwrap(), out, log)
            })
            .collect();
        Self {
            children,
            _dir: dir,
        }
    }

    /// Wait for every replica (two minutes at most) and collect what each reports.
    pub fn wait(mut self) -> Report {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut replicas = Vec::new();
        for (child, out, log) in &mut self.children {
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("a replica did not finish within two minutes");
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let out = std::fs::read_to_string(out).unwrap_or_default();
            let log = std::fs::read_to_string(log).unwrap_or_default();
            replicas.push(Outcome::parse(status.success(), &out, log));
        }
        Report { replicas }
    }
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for (child, _, _) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What one replica reported.
#[derive(Debug)]
struct Outcome {
    exited_ok: bool,
    ok: usize,
    rejected: usize,
    failures: Vec<String>,
    log: String,
}

impl Outcome {
    fn parse(exited_ok: bool, out: &str, log: String) -> Self {
        let mut outcome = Self {
            exited_ok,
            ok: 0,
            rejected: 0,
            failures: Vec::new(),
            log,
        };
        for line in out.lines() {
            match line.split_once(' ') {
                Some(("ok", n)) => outcome.ok = n.parse().unwrap(),
                Some(("rejected", n)) => outcome.rejected = n.parse().unwrap(),
                Some(("failure", what)) => outcome.failures.push(what.to_string()),
                _ => {}
            }
        }
        outcome
    }
}

/// What all replicas of a run reported.
pub struct Report {
    replicas: Vec<Outcome>,
}

impl Report {
    /// Writes answered 2xx.
    pub fn ok(&self) -> usize {
        self.replicas.iter().map(|r| r.ok).sum()
    }

    /// Writes answered 429.
    pub fn rejected(&self) -> usize {
        self.replicas.iter().map(|r| r.rejected).sum()
    }

    /// Any other failure, and replicas that did not exit cleanly.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (i, replica) in self.replicas.iter().enumerate() {
            if !replica.exited_ok {
                failures.push(format!("replica {i} failed"));
            }
            failures.extend(replica.failures.iter().map(|f| format!("replica {i}: {f}")));
        }
        failures
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.replicas.iter().enumerate() {
            writeln!(
                f,
                "replica {i}: exited ok {}, {} ok, {} × 429, failures {:?}\n{}",
                r.exited_ok, r.ok, r.rejected, r.failures, r.log
            )?;
        }
        Ok(())
    }
}

/// A replica's life: its writes, then its tally in the file named by `PLAYFLOW_TEST_OUT`. Does
/// nothing when the binary was not started as a replica.
pub fn replica_main() {
    let Ok(replica) = std::env::var(ENV_REPLICA) else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} unset"));
    let run = Run {
        url: var(ENV_URL),
        limit: var(ENV_LIMIT).parse().unwrap(),
        writes: var(ENV_WRITES).parse().unwrap(),
        redis: std::env::var(ENV_REDIS).ok(),
        fallback_share: var(ENV_SHARE).parse().unwrap(),
    };
    // Its log (stderr, into a file the test shows on failure) says when Redis went away.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = run.client(replica.parse().unwrap());
    let (mut ok, mut rejected, mut failures) = (0, 0, Vec::new());
    runtime.block_on(async {
        for _ in 0..run.writes {
            match client.servers().start_request(start_request()).await {
                Ok(_) => ok += 1,
                Err(e) if e.status() == Some(429) => rejected += 1,
                Err(e) => failures.push(e.to_string()),
            }
        }
    });
    let mut out = format!("ok {ok}\nrejected {rejected}\n");
    for failure in failures {
        out.push_str(&format!("failure {}\n", failure.replace('\n', " ")));
    }
    std::fs::write(var(ENV_OUT), out).unwrap();
}
