//! Echo over UDP, TCP and TLS through the external ports.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::TlsConnector;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_and_tcp_echo_through_external_ports() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let spec = echo_spec(root.path(), "s1", "--udp 7777 --tcp 7778")
        .port(udp("game", 7777))
        .port(tcp("query", 7778));
    let mut server = runner.start(spec).await.unwrap();
    let game = server.port("game").unwrap().external;
    let query = server.port("query").unwrap().external;
    assert!(game.ip().is_loopback() && query.ip().is_loopback());
    assert_ne!(
        game.port(),
        7777,
        "external ports are allocated, not the internal ones"
    );
    until_listening(&mut server).await;

    assert_eq!(udp_echo(game, b"hello over udp").await, b"hello over udp");
    let stream = tokio::net::TcpStream::connect(query).await.unwrap();
    assert_eq!(
        stream_echo(stream, b"hello over tcp").await,
        b"hello over tcp"
    );

    // Two UDP peers get their own answers.
    let (a, b) = tokio::join!(udp_echo(game, b"peer a"), udp_echo(game, b"peer b"));
    assert_eq!(
        (a.as_slice(), b.as_slice()),
        (&b"peer a"[..], &b"peer b"[..])
    );

    let usage = server.cpu_and_memory();
    assert!(usage.processes >= 1 && usage.memory_bytes > 0, "{usage:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_port_echoes_behind_the_self_signed_certificate() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let spec = echo_spec(root.path(), "s1", "--tcp 8443").port(tcp("secure", 8443).tls(true));
    let mut server = runner.start(spec).await.unwrap();
    let secure = server.port("secure").unwrap().external;
    assert!(server.port("secure").unwrap().tls);
    until_listening(&mut server).await;

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(runner.certificate_pem_path()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(secure).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the runner's certificate");
    assert_eq!(stream_echo(tls, b"hello over tls").await, b"hello over tls");

    // Plain TCP on the TLS port gets no echo: the relay speaks TLS there.
    let mut plain = tokio::net::TcpStream::connect(secure).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    plain.write_all(b"not a TLS hello\r\n\r\n").await.unwrap();
    let mut back = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, plain.read_to_end(&mut back)).await;
    assert!(!back.starts_with(b"not a TLS hello"), "{back:?}");
}
