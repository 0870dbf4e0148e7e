//! Security properties of the plugin server: strict, pinned mTLS and a well-formed handshake.
//!
//! The "no certificate" test fails if client authentication is made optional: the server would
//! then answer the HTTP/2 preface instead of dropping the connection.

#[path = "fixtures/tfplug/provider.rs"]
mod test_provider;

#[path = "support/plugin_client.rs"]
mod plugin_client;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use plugin_client::{ClientIdentity, client_identity, pinned_tls_config};
use rustls::pki_types::ServerName;
use tencentcloud_provider::tfplug::server::{self, RunningServer, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What happened when a client spoke HTTP/2 over TLS to the server.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The server answered with an HTTP/2 SETTINGS frame (connection accepted); ALPN seen.
    Served { alpn: Option<Vec<u8>> },
    /// The TLS handshake or the first read failed, or the connection was closed.
    Refused(String),
}

async fn speak_h2(server: &RunningServer, client: Option<&ClientIdentity>) -> Outcome {
    let config = pinned_tls_config(
        server.server_cert_der.as_deref().expect("TLS server"),
        client,
    );
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("tcp connect");
    let mut tls = match connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
    {
        Ok(t) => t,
        Err(e) => return Outcome::Refused(format!("handshake: {e}")),
    };
    let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    // HTTP/2 client preface followed by an empty SETTINGS frame.
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
    if let Err(e) = tls.write_all(&hello).await {
        return Outcome::Refused(format!("write: {e}"));
    }
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_secs(10), tls.read(&mut buf)).await {
        Ok(Ok(n)) if n >= 9 && buf[3] == 4 => Outcome::Served { alpn },
        Ok(Ok(n)) => Outcome::Refused(format!("read {n} bytes: {:?}", &buf[..n])),
        Ok(Err(e)) => Outcome::Refused(format!("read: {e}")),
        Err(_) => Outcome::Refused("no answer".into()),
    }
}

async fn tls_server(client: &ClientIdentity) -> RunningServer {
    let (provider, _store) = test_provider::TestProvider::new();
    server::start(
        provider as Arc<_>,
        ServerOptions::mutual_tls(client.pem.clone()),
    )
    .await
    .expect("start TLS server")
}

#[tokio::test]
async fn pinned_client_certificate_is_served_with_h2() {
    let id = client_identity();
    let server = tls_server(&id).await;
    let outcome = speak_h2(&server, Some(&id)).await;
    assert_eq!(
        outcome,
        Outcome::Served {
            alpn: Some(b"h2".to_vec())
        }
    );
    server.shutdown().await;
}

#[tokio::test]
async fn connection_without_client_certificate_is_refused() {
    let id = client_identity();
    let server = tls_server(&id).await;
    let outcome = speak_h2(&server, None).await;
    assert!(
        matches!(outcome, Outcome::Refused(_)),
        "must refuse, got {outcome:?}"
    );
    // The server survives refused clients.
    assert!(matches!(
        speak_h2(&server, Some(&id)).await,
        Outcome::Served { .. }
    ));
    server.shutdown().await;
}

#[tokio::test]
async fn connection_with_another_certificate_is_refused() {
    let id = client_identity();
    let other = client_identity();
    let server = tls_server(&id).await;
    let outcome = speak_h2(&server, Some(&other)).await;
    assert!(
        matches!(outcome, Outcome::Refused(_)),
        "must refuse, got {outcome:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn handshake_line_parses_like_go_plugin() {
    let id = client_identity();
    let server = tls_server(&id).await;
    let line = server.handshake_line();
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "{line}");
    assert_eq!(&parts[..3], &["1", "6", "tcp"]);
    let addr: std::net::SocketAddr = parts[3].parse().expect("address");
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_eq!(parts[4], "grpc");
    assert!(!parts[5].contains('='), "go-plugin rejects padding: {line}");
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("unpadded base64");
    assert_eq!(Some(der), server.server_cert_der);
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_client_certificate_is_a_startup_error() {
    let (provider, _store) = test_provider::TestProvider::new();
    let err = server::start(
        provider as Arc<_>,
        ServerOptions::mutual_tls("not a certificate"),
    )
    .await
    .err()
    .expect("must fail");
    assert!(err.to_string().contains("PLUGIN_CLIENT_CERT"), "{err}");
}
