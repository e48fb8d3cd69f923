//! Per-request overhead of the facade against raw reqwest, on the same loopback server, in the
//! same process.
//!
//! ```text
//! cargo run --release --example overhead [-- REQUESTS]
//! ```
//!
//! Both sides share one `reqwest::Client` (injected into the facade), so the connection pool,
//! timeouts and redirect policy are identical. Each request is `GET /api/v3/servers/{id}` with
//! the `api-key` header, decoded into `model::Server`:
//!
//! - **raw**: `reqwest` get + header + status check + `json::<Server>()`, as a hand-written
//!   client would do it;
//! - **facade**: `client.servers().get(id)`, with its default retry policy, client-side rate
//!   limiting **disabled** (PlayFlow's 100 reads/s would pace 20,000 GETs over 210 s and
//!   measure the limiter's sleeps, not overhead);
//! - **facade + limiter**: the same with a rate limit far above the request rate
//!   (10,000,000 reads/s), to show what the limiter's bookkeeping costs.
//!
//! The server runs on its own thread and runtime; the client side runs on a current-thread
//! runtime. The three variants are interleaved in blocks of 500 requests so that drift (CPU
//! frequency, other load) hits all of them alike. Prints the median and 90th percentile of
//! each, and the facade/raw ratio of medians.

use std::time::{Duration, Instant};

use playflow::model::Server;
use playflow::{Client, RateLimitConfig, ServerKey};

const KEY: &str = "pf_bench0123456789abcdef";
const SERVER_JSON: &str = r#"{"instance_id":"9b2f6c1e-4a7d-4f3b-8e21-5c0d7a9e3f14","name":"ranked-eu-7","status":"running","network_ports":[{"name":"game","internal_port":7777,"external_port":30001,"protocol":"udp","host":"203.0.113.10","tls_enabled":false}],"region":"eu-west","compute_size":"small","version_tag":"default","version":12,"auto_restart":false,"is_pool_server":false,"created_at":"2025-03-14T09:26:12Z","updated_at":"2025-03-14T09:26:41Z"}"#;
const BLOCK: usize = 500;

fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("REQUESTS must be a number"))
        .unwrap_or(20_000);
    let base_url = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(base_url, requests));
}

/// A loopback server on its own thread, answering every request with one server.
fn start_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            let app = axum::Router::new()
                .fallback(|| async { ([("content-type", "application/json")], SERVER_JSON) });
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

async fn run(base_url: String, requests: usize) {
    let http = reqwest::Client::builder()
        .user_agent(playflow::USER_AGENT)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .redirect(playflow::redirect_policy())
        .build()
        .unwrap();
    let key = ServerKey::new(KEY).unwrap();
    let facade = Client::builder(key.clone())
        .base_url(&base_url)
        .http_client(http.clone())
        .no_rate_limit()
        .build()
        .unwrap();
    let limited = Client::builder(key)
        .base_url(&base_url)
        .http_client(http.clone())
        .rate_limit(RateLimitConfig::new().reads_per_second(10_000_000))
        .build()
        .unwrap();
    let url = format!("{base_url}/api/v3/servers/9b2f6c1e-4a7d-4f3b-8e21-5c0d7a9e3f14");

    let raw_get = || async {
        let response = http.get(&url).header("api-key", KEY).send().await.unwrap();
        assert!(response.status().is_success());
        let server: Server = response.json().await.unwrap();
        assert_eq!(server.name, "ranked-eu-7");
    };
    let facade_get = |client: &Client| {
        let client = client.clone();
        async move {
            let server = client
                .servers()
                .get("9b2f6c1e-4a7d-4f3b-8e21-5c0d7a9e3f14")
                .await
                .unwrap();
            assert_eq!(server.name, "ranked-eu-7");
        }
    };

    // Warm up: connections, allocator, caches.
    for _ in 0..1_000 {
        raw_get().await;
        facade_get(&facade).await;
        facade_get(&limited).await;
    }

    let mut raw = Vec::with_capacity(requests);
    let mut plain = Vec::with_capacity(requests);
    let mut with_limiter = Vec::with_capacity(requests);
    let started = Instant::now();
    while raw.len() < requests {
        let n = BLOCK.min(requests - raw.len());
        for _ in 0..n {
            let t = Instant::now();
            raw_get().await;
            raw.push(t.elapsed());
        }
        for _ in 0..n {
            let t = Instant::now();
            facade_get(&facade).await;
            plain.push(t.elapsed());
        }
        for _ in 0..n {
            let t = Instant::now();
            facade_get(&limited).await;
            with_limiter.push(t.elapsed());
        }
    }
    let total = started.elapsed();

    let (raw_median, raw_p90) = stats(&mut raw);
    let (plain_median, plain_p90) = stats(&mut plain);
    let (limited_median, limited_p90) = stats(&mut with_limiter);
    println!(
        "{requests} GETs per variant ({} in all) in {:.1} s, loopback, same process",
        requests * 3,
        total.as_secs_f64()
    );
    println!("variant                    median      p90");
    row("raw reqwest", raw_median, raw_p90);
    row("facade (no rate limit)", plain_median, plain_p90);
    row("facade + rate limiter", limited_median, limited_p90);
    println!(
        "ratio facade/raw (medians): {:.3}  (goal <= 1.10)",
        ratio(plain_median, raw_median)
    );
    println!(
        "ratio facade+limiter/raw:   {:.3}",
        ratio(limited_median, raw_median)
    );
}

fn stats(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}

fn row(name: &str, median: Duration, p90: Duration) {
    println!(
        "{name:<24} {:>7.1} µs {:>7.1} µs",
        median.as_secs_f64() * 1e6,
        p90.as_secs_f64() * 1e6
    );
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
