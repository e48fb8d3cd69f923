//! The runner's self-signed certificate, for `tls` TCP ports.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// A certificate for `localhost` and `127.0.0.1`, made when the runner starts.
pub(crate) struct Certificate {
    pub(crate) pem_path: PathBuf,
    pub(crate) pem: String,
    pub(crate) acceptor: TlsAcceptor,
}

impl Certificate {
    /// Makes a fresh self-signed certificate and writes its PEM (certificate only, not the key)
    /// to `folder/certificate.pem`.
    pub(crate) fn create(folder: &Path) -> io::Result<Certificate> {
        let made = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .map_err(io::Error::other)?;
        let pem = made.cert.pem();
        let pem_path = folder.join("certificate.pem");
        std::fs::write(&pem_path, &pem)?;
        let chain = vec![CertificateDer::from(made.cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(io::Error::other)?;
        Ok(Certificate {
            pem_path,
            pem,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}
