//! Speaking to a plugin server the way Terraform does: a client identity shaped like
//! Terraform's, TLS pinned to the certificate from the handshake line, and unary gRPC calls.
//!
//! Include with `#[path = "support/plugin_client.rs"] mod plugin_client;` (tests) or the
//! matching relative path (benches).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint, Uri};

/// A client identity shaped like Terraform's: self-signed P-521 CA certificate for localhost.
pub struct ClientIdentity {
    /// The certificate as PEM, what `PLUGIN_CLIENT_CERT` carries.
    pub pem: String,
    /// The certificate.
    pub der: CertificateDer<'static>,
    /// Its private key.
    pub key: PrivatePkcs8KeyDer<'static>,
}

/// A fresh identity, as Terraform makes one for every plugin it starts.
pub fn client_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// The parts of a go-plugin handshake line (`1|6|tcp|ADDR|grpc|CERT`) a client needs.
#[derive(Debug, Clone)]
pub struct Handshake {
    /// Where the server listens.
    pub addr: SocketAddr,
    /// The server certificate (DER), absent when the server runs without TLS.
    pub server_cert_der: Option<Vec<u8>>,
}

impl Handshake {
    /// Parses a handshake line; `None` if it is not one.
    pub fn parse(line: &str) -> Option<Handshake> {
        let parts: Vec<&str> = line.trim_end().split('|').collect();
        if parts.len() < 5 || parts[2] != "tcp" || parts[4] != "grpc" {
            return None;
        }
        let addr = parts[3].parse().ok()?;
        let server_cert_der = match parts.get(5).filter(|c| !c.is_empty()) {
            Some(cert) => Some(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(cert)
                    .ok()?,
            ),
            None => None,
        };
        Some(Handshake {
            addr,
            server_cert_der,
        })
    }
}

/// Trusts exactly the server certificate from the handshake line, as go-plugin does.
#[derive(Debug)]
pub struct PinnedServer {
    der: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS client configuration that pins `server_der` and presents `client` (or no
/// certificate), offering HTTP/2.
pub fn pinned_tls_config(server_der: &[u8], client: Option<&ClientIdentity>) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            der: server_der.to_vec(),
            provider,
        }));
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.der.clone()],
                PrivateKeyDer::Pkcs8(id.key.clone_key()),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// A gRPC channel to the server of `handshake`: over mutual TLS with `client` when the server
/// announced a certificate, plaintext otherwise.
pub async fn connect(
    handshake: &Handshake,
    client: &ClientIdentity,
) -> Result<Channel, tonic::transport::Error> {
    let addr = handshake.addr;
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))?;
    let Some(der) = &handshake.server_cert_der else {
        return endpoint.connect().await;
    };
    let tls = tokio_rustls::TlsConnector::from(Arc::new(pinned_tls_config(der, Some(client))));
    let connector = tower::service_fn(move |_: Uri| {
        let tls = tls.clone();
        async move {
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            let name = ServerName::try_from("localhost").expect("static name");
            let stream = tls.connect(name, tcp).await?;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
        }
    });
    endpoint.connect_with_connector(connector).await
}

/// Calls the unary method `path` (`/package.Service/Method`) with `req` and decodes the reply
/// as `M`.
pub async fn call_with<Q, M>(channel: &Channel, path: &str, req: Q) -> Result<M, tonic::Status>
where
    Q: prost::Message + Send + Sync + 'static,
    M: prost::Message + Default + Send + Sync + 'static,
{
    let path = PathAndQuery::try_from(path)
        .map_err(|e| tonic::Status::invalid_argument(format!("method path {path:?}: {e}")))?;
    let mut grpc = tonic::client::Grpc::new(channel.clone())
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let codec = tonic_prost::ProstCodec::<Q, M>::default();
    grpc.unary(tonic::Request::new(req), path, codec)
        .await
        .map(tonic::Response::into_inner)
}

/// Calls the server-streaming method `path` with `req`; the caller reads the messages (and ends
/// the call early by dropping the stream, as Terraform cancels a list at its limit).
pub async fn server_streaming_with<Q, M>(
    channel: &Channel,
    path: &str,
    req: Q,
) -> Result<tonic::Streaming<M>, tonic::Status>
where
    Q: prost::Message + Send + Sync + 'static,
    M: prost::Message + Default + Send + Sync + 'static,
{
    let path = PathAndQuery::try_from(path)
        .map_err(|e| tonic::Status::invalid_argument(format!("method path {path:?}: {e}")))?;
    let mut grpc = tonic::client::Grpc::new(channel.clone())
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let codec = tonic_prost::ProstCodec::<Q, M>::default();
    grpc.server_streaming(tonic::Request::new(req), path, codec)
        .await
        .map(tonic::Response::into_inner)
}
