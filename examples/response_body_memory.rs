//! Peak memory (RSS) of reading a response body at the cap, and of refusing one of 10× the cap,
//! with and without `Content-Length`.
//!
//! ```text
//! cargo run --release --example response_body_memory [-- CAP_MIB]
//! ```
//!
//! Each case runs in a child process of its own (this program, re-run with the case's name),
//! since a process's peak RSS (`VmHWM` in `/proc/self/status`, Linux only) only grows. The
//! child starts a loopback server (`playflow-test-support`) on a thread of its own, makes one
//! `servers().get(id)` call with `max_response_body(CAP)` (default: the client's default,
//! 32 MiB), and prints its peak RSS. The body at the cap is a server with an unknown field
//! padding it to the cap (so the figure is the body's reading, not its decoded form); the
//! refused ones are 10× the cap. A `baseline` case (a small body) shows the process's own
//! footprint. Goal: every case ≤ cap + 16 MiB.

use std::process::Command;
use std::time::Duration;

use playflow::{Client, Error, ServerKey};
use playflow_test_support::{Reply, Step, TestServer};

const CASES: &[&str] = &[
    "baseline",
    "at-cap-announced",
    "at-cap-unannounced",
    "10x-cap-announced",
    "10x-cap-unannounced",
];
const MIB: u64 = 1 << 20;

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if let Some(case) = first.as_deref().filter(|a| CASES.contains(a)) {
        let cap: u64 = args.next().and_then(|a| a.parse().ok()).unwrap();
        run_case(case, cap);
        return;
    }
    let cap_mib: u64 = first.map_or(32, |a| a.parse().expect("CAP_MIB must be a number"));
    let cap = cap_mib * MIB;
    let exe = std::env::current_exe().expect("this program's path");
    println!("cap {cap_mib} MiB; goal: peak RSS <= {} MiB", cap_mib + 16);
    println!(
        "{:<22} {:>14} {:>10}  outcome",
        "case", "peak RSS MiB", "goal met"
    );
    for case in CASES {
        let out = Command::new(&exe)
            .args([case.to_string(), cap.to_string()])
            .output()
            .expect("run a case");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.trim().splitn(2, ' ');
        let kib: u64 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
        let outcome = fields.next().unwrap_or("(no output)");
        let mib = kib as f64 / 1024.0;
        let met = mib <= (cap_mib + 16) as f64;
        println!(
            "{case:<22} {mib:>14.1} {:>10}  {outcome}",
            if met { "yes" } else { "NO" }
        );
    }
}

/// One case: prints `<peak RSS in KiB> <outcome>`.
fn run_case(case: &str, cap: u64) {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (announced, len) = match case {
        "baseline" => (true, 1024),
        "at-cap-announced" => (true, cap),
        "at-cap-unannounced" => (false, cap),
        "10x-cap-announced" => (true, 10 * cap),
        _ => (false, 10 * cap),
    };
    let server = server_rt.block_on(TestServer::start(move |_| {
        padded_server(len as usize, announced)
    }));
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = client_rt.block_on(async {
        let key = ServerKey::new("pf_bench0123456789abcdef").unwrap();
        let client = Client::builder(key)
            .base_url(server.url())
            .max_response_body(cap)
            .timeout(Duration::from_secs(120))
            .no_retry()
            .build()
            .unwrap();
        match client.servers().get("s-1").await {
            Ok(server) => format!("read ({})", server.instance_id),
            Err(Error::ResponseTooLarge(e)) => format!("refused: {e}"),
            Err(e) => format!("failed: {e}"),
        }
    });
    println!("{} {outcome}", peak_rss_kib());
}

/// A server answer of `len` bytes, most of it an unknown field's value, sent in 64 KiB writes.
fn padded_server(len: usize, announced: bool) -> Reply {
    let prefix = br#"{"instance_id":"s-1","name":"n","status":"running","padding":""#;
    let suffix = br#""}"#;
    let chunk = vec![b'x'; 64 * 1024];
    let padding = len.saturating_sub(prefix.len() + suffix.len());
    let mut head = String::from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
    if announced {
        head.push_str(&format!(
            "content-length: {}\r\n",
            prefix.len() + padding + suffix.len()
        ));
    }
    head.push_str("connection: close\r\n\r\n");
    Reply::raw(vec![
        Step::Send(head.into_bytes()),
        Step::Send(prefix.to_vec()),
        Step::Repeat(chunk, padding / (64 * 1024)),
        Step::Send(vec![b'x'; padding % (64 * 1024)]),
        Step::Send(suffix.to_vec()),
        Step::Close,
    ])
}

/// `VmHWM` of this process, in KiB (0 where `/proc` has no such line).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
