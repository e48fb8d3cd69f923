//! Upload one ZIP through the facade's streamed upload and print the throughput, for
//! `benches/upload.sh`.
//!
//! ```text
//! upload_bench <api-base-url> <file.zip>
//! ```
//!
//! `<api-base-url>` must answer `POST /api/v3/builds/upload-url` (the `put_sink` example does);
//! the archive is then PUT to the URL it returns. Prints one line:
//! `bytes=<n> seconds=<s> bytes_per_second=<r> total_seconds=<t>`: `seconds` and the rate cover
//! the PUT (from its first progress report, as `curl -T` times only its PUT); `total_seconds`
//! adds the archive check and the upload-URL request before it.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(api), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: upload_bench <api-base-url> <file.zip>");
        std::process::exit(2);
    };
    let key = playflow::ServerKey::new("pf_benchmark0000000000")?;
    let client = playflow::Client::builder(key).base_url(api).build()?;
    let put_started = Arc::new(OnceLock::new());
    let mark = Arc::clone(&put_started);
    let started = Instant::now();
    let uploaded = client
        .builds()
        .upload(file)
        .on_progress(move |_| {
            mark.get_or_init(Instant::now);
        })
        .send()
        .await?;
    let total = started.elapsed().as_secs_f64();
    let seconds = put_started
        .get()
        .map_or(total, |t| t.elapsed().as_secs_f64());
    println!(
        "bytes={} seconds={seconds:.4} bytes_per_second={:.0} total_seconds={total:.4}",
        uploaded.bytes,
        uploaded.bytes as f64 / seconds
    );
    Ok(())
}
