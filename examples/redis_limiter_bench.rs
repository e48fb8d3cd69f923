//! What sharing the rate limits through Redis costs, and what it delivers.
//!
//! ```text
//! cargo run --release --features redis --example redis_limiter_bench
//! ```
//!
//! Starts its own `redis-server` on a free loopback port (it must be on `PATH`) and a loopback
//! HTTP server, then prints:
//!
//! 1. **Cost of one limiter decision**, shared store against in-process, in the same run: the
//!    time each call spends in its `playflow.rate_limit` span (the wait for the limiter),
//!    recorded by a `tracing` layer, for `GET` calls under a read limit far above the call
//!    rate (so no call waits; the span times the decision alone). The two clients alternate
//!    in blocks of 500 calls so that drift hits both alike. Median and p99 of each.
//! 2. **Aggregate write rate of 4 processes** (this binary, started again as replicas) sharing
//!    one key's write limit through Redis, as a fraction of the limit, with the server's 429
//!    count; and, as the control, the same 4 processes with in-process limiters. The server
//!    enforces the limit over any one-second window. The pacing runs at
//!    `0.95 × (limit − 1)` per second, so the ceiling is 0.855 of a limit of 10 and 0.93 of 50.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use playflow::transport::RedisRateLimit;
use playflow::{Client, RateLimitConfig, ServerKey};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

const KEY: &str = "pf_bench0123456789abcdef";
const SERVER_JSON: &str = r#"{"instance_id":"s-1","name":"ranked-eu-7","status":"running"}"#;
const REPLICAS: usize = 4;
const BLOCK: usize = 500;
const DECISIONS: usize = 10_000;

fn main() {
    if let Ok(args) = std::env::var("BENCH_REPLICA") {
        return replica(&args);
    }
    let redis = RedisServer::start();
    decision_cost(&redis.url());
    for (limit, writes) in [(10, 25), (50, 100)] {
        aggregate(&redis.url(), limit, writes, true);
        aggregate(&redis.url(), limit, writes, false);
    }
}

// ---- 1. Cost of one decision -------------------------------------------------------------

/// Durations of the `playflow.rate_limit` spans closed since the last drain.
static SPANS: Mutex<Vec<Duration>> = Mutex::new(Vec::new());

/// Times each `playflow.rate_limit` span from creation to close.
struct SpanTimer;

struct Opened(Instant);

impl<S> Layer<S> for SpanTimer
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        _: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Opened(Instant::now()));
        }
    }

    fn on_close(&self, id: tracing::span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        if let Some(Opened(at)) = span.extensions().get::<Opened>() {
            SPANS.lock().unwrap().push(at.elapsed());
        }
    }
}

fn decision_cost(redis_url: &str) {
    let layer = SpanTimer.with_filter(tracing_subscriber::filter::filter_fn(|meta| {
        meta.name() == "playflow.rate_limit"
    }));
    tracing::subscriber::set_global_default(Registry::default().with(layer)).unwrap();

    let server = EnforcingServer::start(1_000_000);
    let limits = RateLimitConfig::new().reads_per_second(10_000_000);
    let builder = || {
        Client::builder(ServerKey::new(KEY).unwrap())
            .base_url(&server.url)
            .rate_limit(limits)
    };
    let local = builder().build().unwrap();
    let shared = builder()
        .redis_rate_limit(RedisRateLimit::new(redis_url).prefix("bench:decisions"))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut local_spans, mut shared_spans) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        // Warm up: connections, script load.
        for client in [&local, &shared] {
            for _ in 0..200 {
                client.servers().get("s-1").await.unwrap();
            }
        }
        SPANS.lock().unwrap().clear();
        for _ in 0..DECISIONS / BLOCK {
            for (client, spans) in [(&local, &mut local_spans), (&shared, &mut shared_spans)] {
                for _ in 0..BLOCK {
                    client.servers().get("s-1").await.unwrap();
                }
                spans.append(&mut SPANS.lock().unwrap());
            }
        }
    });
    println!("cost of one limiter decision ({DECISIONS} GETs each, interleaved, loopback)");
    let (local_p50, local_p99) = percentiles(&mut local_spans);
    let (shared_p50, shared_p99) = percentiles(&mut shared_spans);
    println!("  in-process      median {local_p50:>8.1} µs   p99 {local_p99:>8.1} µs");
    println!("  shared (Redis)  median {shared_p50:>8.1} µs   p99 {shared_p99:>8.1} µs");
    println!(
        "  shared / in-process: median ×{:.1}, p99 ×{:.1}",
        shared_p50 / local_p50,
        shared_p99 / local_p99
    );
}

/// Median and 99th percentile, in µs.
fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.99))
}

// ---- 2. Aggregate write rate of 4 processes ----------------------------------------------

fn aggregate(redis_url: &str, limit: usize, writes: usize, shared: bool) {
    let server = EnforcingServer::start(limit);
    // A fresh namespace per run: no schedule left over from the previous one.
    let prefix = format!("bench:{limit}:{}", std::process::id());
    let exe = std::env::current_exe().unwrap();
    let mut replicas: Vec<Child> = (0..REPLICAS)
        .map(|_| {
            let redis = if shared { redis_url } else { "-" };
            Command::new(&exe)
                .env(
                    "BENCH_REPLICA",
                    format!("{} {limit} {writes} {redis} {prefix}", server.url),
                )
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for replica in &mut replicas {
        assert!(replica.wait().unwrap().success(), "a replica failed");
    }
    let seen = server.seen();
    let rejected = seen.iter().filter(|s| s.1 == 429).count();
    let span = seen.last().unwrap().0 - seen[0].0;
    let rate = (seen.len() - 1) as f64 / span.as_secs_f64();
    println!(
        "{REPLICAS} processes × {writes} writes, limit {limit}/s, {}: {rate:.2} writes/s = {:.3} × the limit, {rejected} × 429",
        if shared {
            "shared through Redis"
        } else {
            "in-process limiters (control)"
        },
        rate / limit as f64,
    );
}

/// One replica: `writes` writes, paced to `limit`, shared through `redis` unless it is `-`.
fn replica(args: &str) {
    let [url, limit, writes, redis, prefix] = args.split(' ').collect::<Vec<_>>()[..] else {
        panic!("BENCH_REPLICA: url limit writes redis prefix");
    };
    let mut builder = Client::builder(ServerKey::new(KEY).unwrap())
        .base_url(url)
        .rate_limit(RateLimitConfig::new().writes_per_second(limit.parse().unwrap()));
    if redis != "-" {
        builder = builder.redis_rate_limit(RedisRateLimit::new(redis).prefix(prefix));
    }
    let client = builder.build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let request = || {
            playflow::model::StartServerRequest::builder()
                .name("ranked-eu-7")
                .region("eu-west")
                .try_into()
                .unwrap()
        };
        for _ in 0..writes.parse::<usize>().unwrap() {
            // A 429 is counted by the server; the replica carries on.
            let _ = client.servers().start_request(request()).await;
        }
    });
}

// ---- Servers ------------------------------------------------------------------------------

/// This benchmark's own `redis-server` on a free loopback port, killed on drop.
struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { port, child }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback server answering reads, and writes up to `limit` in any one second (429 beyond,
/// with `Retry-After: 1` and `X-RateLimit-Remaining: 0`). Records each write's arrival and
/// status.
struct EnforcingServer {
    url: String,
    seen: Arc<Mutex<Vec<(Instant, u16)>>>,
}

impl EnforcingServer {
    fn start(limit: usize) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let window = Arc::new(Mutex::new(VecDeque::<Instant>::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let log = seen.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(move |method: axum::http::Method| {
                    let (log, window) = (log.clone(), window.clone());
                    async move {
                        use axum::response::IntoResponse;
                        let json = [("content-type", "application/json")];
                        if method == axum::http::Method::GET {
                            return (json, SERVER_JSON).into_response();
                        }
                        let now = Instant::now();
                        let mut window = window.lock().unwrap();
                        while window
                            .front()
                            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
                        {
                            window.pop_front();
                        }
                        if window.len() >= limit {
                            log.lock().unwrap().push((now, 429));
                            let headers = [("retry-after", "1"), ("x-ratelimit-remaining", "0")];
                            return (axum::http::StatusCode::TOO_MANY_REQUESTS, headers, json)
                                .into_response();
                        }
                        window.push_back(now);
                        log.lock().unwrap().push((now, 201));
                        (axum::http::StatusCode::CREATED, json, SERVER_JSON).into_response()
                    }
                });
                axum::serve(listener, app).await.unwrap();
            });
        });
        Self {
            url: format!("http://{}", rx.recv().unwrap()),
            seen,
        }
    }

    fn seen(&self) -> Vec<(Instant, u16)> {
        self.seen.lock().unwrap().clone()
    }
}
