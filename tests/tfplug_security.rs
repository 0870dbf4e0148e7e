//! Security properties of the plugin server: strict, pinned mTLS and a well-formed handshake.
//!
//! The "no certificate" test fails if client authentication is made optional: the server would
//! then answer the HTTP/2 preface instead of dropping the connection.

#[path = "../crates/tfplug/examples/tfplugtest/provider.rs"]
mod test_provider;

#[path = "support/plugin_client.rs"]
mod plugin_client;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use plugin_client::{ClientIdentity, client_identity, pinned_tls_config};
use rustls::pki_types::ServerName;
use tfplug::server::{self, RunningServer, ServerOptions};
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

/// The provider binary as Terraform starts it: magic cookie set, the rest from `env`.
fn start_managed(env: &[(&str, &str)]) -> std::process::Child {
    use tfplug::server::handshake::{COOKIE_KEY, COOKIE_VALUE};
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_terraform-provider-tencentcloud"));
    cmd.env(COOKIE_KEY, COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("provider binary starts")
}

/// Waits up to 20 s for the child to exit on its own; kills it and fails otherwise.
fn exit_of(
    mut child: std::process::Child,
    what: &str,
) -> (std::process::ExitStatus, String, String) {
    use std::io::Read;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let (mut out, mut err) = (String::new(), String::new());
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status, out, err);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: the provider kept running (it served instead of refusing)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Started by Terraform but without a client certificate to pin: a WARN log line and a refusal,
/// never a plaintext server, unless TLS was turned off explicitly.
#[test]
fn managed_start_without_client_certificate_is_refused() {
    for (name, env) in [
        ("no certificate", vec![]),
        ("empty certificate", vec![("PLUGIN_CLIENT_CERT", "")]),
        (
            "TF_DISABLE_PLUGIN_TLS empty",
            vec![("TF_DISABLE_PLUGIN_TLS", "")],
        ),
    ] {
        let (status, stdout, stderr) = exit_of(start_managed(&env), name);
        assert!(!status.success(), "{name}: exit {status}");
        assert!(stdout.is_empty(), "{name}: printed a handshake: {stdout}");
        let warn = stderr
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["@level"] == "warn")
            .unwrap_or_else(|| panic!("{name}: no WARN log line in: {stderr}"));
        let message = warn["@message"].as_str().unwrap_or_default();
        assert!(
            message.contains("PLUGIN_CLIENT_CERT") && message.contains("TF_DISABLE_PLUGIN_TLS"),
            "{name}: {message}"
        );
    }
}

/// `TF_DISABLE_PLUGIN_TLS` is read as Terraform reads it: any non-empty value turns TLS off,
/// "0" and "false" included. The provider then serves plaintext (no certificate in the line).
#[test]
fn managed_start_with_tls_disabled_serves_plaintext() {
    use std::io::BufRead;
    for value in ["1", "0", "false"] {
        let mut child = start_managed(&[("TF_DISABLE_PLUGIN_TLS", value)]);
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(fields.len(), 6, "{value:?}: {line:?}");
        assert_eq!(&fields[..3], ["1", "6", "tcp"], "{value:?}: {line:?}");
        assert_eq!(fields[5], "", "{value:?}: a certificate was sent: {line:?}");
    }
}
