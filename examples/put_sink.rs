//! A loopback stand-in for PlayFlow's upload path, for `benches/upload.sh`: it answers
//! `POST /api/v3/builds/upload-url` with a presigned-style URL pointing back at itself, and
//! takes `PUT /upload/...` bodies, counting and discarding them (200 with the byte count).
//!
//! ```text
//! cargo run --release --example put_sink            # prints: listening on http://127.0.0.1:PORT
//! ```

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{post, put};
use futures::StreamExt as _;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/api/v3/builds/upload-url", post(upload_url))
        .route("/upload/{*file}", put(sink))
        .with_state(addr);
    println!("listening on http://{addr}");
    axum::serve(listener, app).await
}

/// A registration answer whose URL carries a fake signature, like a real presigned URL.
async fn upload_url(State(addr): State<SocketAddr>) -> (StatusCode, HeaderMap, String) {
    let body = serde_json::json!({
        "build_id": "bench",
        "name": "default",
        "upload_url": format!("http://{addr}/upload/bench.zip?X-Amz-Signature=bench"),
        "message": "PUT your ZIP"
    });
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    (StatusCode::CREATED, headers, body.to_string())
}

/// Read the whole body and drop it.
async fn sink(body: Body) -> (StatusCode, String) {
    let mut received = 0u64;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        match chunk {
            Ok(bytes) => received += bytes.len() as u64,
            Err(e) => return (StatusCode::BAD_REQUEST, format!("body error: {e}")),
        }
    }
    (StatusCode::OK, format!("received {received} bytes\n"))
}
