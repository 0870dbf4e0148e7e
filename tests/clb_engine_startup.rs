//! Start-up cost of the provider binary as Terraform sees it: spawn → handshake line, and
//! spawn → first answered RPC (`GetProviderSchema`) over strict mTLS. Terraform starts the
//! provider several times per command, so this is paid on every plan.
//!
//! Prints medians; asserts only that every start completes the handshake and answers.
//! `STARTUP_RUNS` sets the number of starts (default 30).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tonic::codegen::http::uri::PathAndQuery;

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Terraform-shaped client identity: self-signed P-521 certificate for localhost.
fn client_identity() -> (String, CertificateDer<'static>, PrivatePkcs8KeyDer<'static>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    (
        cert.pem(),
        cert.der().clone(),
        PrivatePkcs8KeyDer::from(key.serialize_der()),
    )
}

/// Trusts exactly the certificate the handshake line announced, as go-plugin does.
#[derive(Debug)]
struct Pinned {
    der: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
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

/// Any reply message: unknown fields are skipped, so the schema decodes into this.
#[derive(Clone, PartialEq, prost::Message)]
struct Anything {}

/// One start: (spawn → handshake line, spawn → first answered RPC).
async fn one_start(
    pem: &str,
    der: &CertificateDer<'static>,
    key: &PrivatePkcs8KeyDer<'static>,
) -> (Duration, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-tencentcloud"))
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", pem)
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("handshake line");
    let to_handshake = started.elapsed();
    let parts: Vec<&str> = line.trim().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line: {line}");
    let server_der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("server certificate");

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            der: server_der,
            provider,
        }))
        .with_client_auth_cert(vec![der.clone()], PrivateKeyDer::Pkcs8(key.clone_key()))
        .unwrap();
    tls.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls));
    let addr = parts[3].to_string();
    let channel = tonic::transport::Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let (connector, addr) = (connector.clone(), addr.clone());
            async move {
                let tcp = tokio::net::TcpStream::connect(addr).await?;
                // Terraform is written in Go, whose TCP connections never delay small writes.
                tcp.set_nodelay(true)?;
                let tls = connector
                    .connect(ServerName::try_from("localhost").unwrap(), tcp)
                    .await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
            }
        }))
        .await
        .expect("mTLS connection");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let codec = tonic_prost::ProstCodec::<Anything, Anything>::default();
    grpc.unary(
        tonic::Request::new(Anything {}),
        PathAndQuery::from_static("/tfplugin6.Provider/GetProviderSchema"),
        codec,
    )
    .await
    .expect("GetProviderSchema answered");
    let to_rpc = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    (to_handshake, to_rpc)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_to_handshake_and_first_rpc_with_mtls() {
    let runs: usize = std::env::var("STARTUP_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let (pem, der, key) = client_identity();
    let mut handshakes = Vec::new();
    let mut rpcs = Vec::new();
    for _ in 0..runs {
        let (h, r) = one_start(&pem, &der, &key).await;
        handshakes.push(h);
        rpcs.push(r);
    }
    println!(
        "provider start-up over {runs} runs (mTLS): spawn→handshake line median {:.1} ms, spawn→first answered RPC median {:.1} ms",
        median(handshakes).as_secs_f64() * 1000.0,
        median(rpcs).as_secs_f64() * 1000.0
    );
}
