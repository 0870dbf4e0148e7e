//! The plugin server: go-plugin handshake, strict AutoMTLS, side services and debug mode.
//!
//! [`serve_main`] is what a provider binary calls. [`start`] is the same server as a library
//! call, used by tests (in-process reattach, TLS checks).

mod goplugin;
pub mod handshake;
pub mod logging;
pub mod tls;

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tokio_util::sync::CancellationToken;

use super::framework::FrameworkServer;
use super::proto::plugin as goplugin_pb;
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::provider::Provider;

/// gRPC message limit in both directions (what terraform-plugin-go uses); states can be large.
pub(crate) const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How connections are secured.
#[derive(Debug, Clone)]
pub enum Transport {
    /// No TLS: debug/reattach mode, or `TF_DISABLE_PLUGIN_TLS` set to any non-empty value.
    Plaintext,
    /// Strict mutual TLS: the client must present exactly this PEM certificate.
    MutualTls {
        /// The client's certificate as PEM (`PLUGIN_CLIENT_CERT`).
        client_cert_pem: String,
    },
}

/// Options for [`start`].
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// TLS or not.
    pub transport: Transport,
    /// First port to try on 127.0.0.1 (0 with `max_port` 0 = any free port).
    pub min_port: u16,
    /// Last port to try.
    pub max_port: u16,
}

impl ServerOptions {
    /// Plaintext on any free port of 127.0.0.1.
    pub fn plaintext() -> Self {
        ServerOptions {
            transport: Transport::Plaintext,
            min_port: 0,
            max_port: 0,
        }
    }
    /// Strict mTLS pinned to `client_cert_pem`, on any free port.
    pub fn mutual_tls(client_cert_pem: impl Into<String>) -> Self {
        ServerOptions {
            transport: Transport::MutualTls {
                client_cert_pem: client_cert_pem.into(),
            },
            min_port: 0,
            max_port: 0,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// No port could be bound.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(#[from] std::io::Error),
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// A server running on the current tokio runtime.
pub struct RunningServer {
    /// The bound address (127.0.0.1).
    pub addr: SocketAddr,
    /// Our certificate's DER when TLS is on.
    pub server_cert_der: Option<Vec<u8>>,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl RunningServer {
    /// The go-plugin handshake line for this server.
    pub fn handshake_line(&self) -> String {
        handshake::handshake_line(self.addr, self.server_cert_der.as_deref())
    }
    /// A `TF_REATTACH_PROVIDERS` value pointing Terraform at this server (plaintext only).
    pub fn reattach_json(&self, provider_address: &str) -> String {
        handshake::reattach_json(provider_address, self.addr, std::process::id())
    }
    /// Cancelling this token stops the server (as `GRPCController.Shutdown` does).
    pub(crate) fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
    /// Stops serving and waits for the server to finish.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
    /// Waits until the server stops (after a Shutdown call or token cancellation).
    pub async fn wait(self) -> Result<(), String> {
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Starts serving `provider` with all go-plugin side services; returns once listening.
pub async fn start(
    provider: Arc<dyn Provider>,
    opts: ServerOptions,
) -> Result<RunningServer, ServeError> {
    let listener = handshake::bind_in_range(opts.min_port, opts.max_port).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let framework = Arc::new(FrameworkServer::new(provider));
    let provider_service = ProviderServer::from_arc(framework)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(
            goplugin_pb::grpc_controller_server::GrpcControllerServer::new(goplugin::Controller {
                shutdown: shutdown.clone(),
            }),
        )
        .add_service(goplugin_pb::grpc_stdio_server::GrpcStdioServer::new(
            goplugin::Stdio {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(goplugin_pb::grpc_broker_server::GrpcBrokerServer::new(
            goplugin::Broker {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(provider_service);

    let signal = {
        let s = shutdown.clone();
        async move { s.cancelled().await }
    };
    let (task, server_cert_der) = match opts.transport {
        Transport::Plaintext => {
            let incoming = TcpListenerStream::new(listener);
            let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, signal));
            (task, None)
        }
        Transport::MutualTls { client_cert_pem } => {
            let client_cert = tls::parse_client_cert(&client_cert_pem)?;
            let identity = tls::ServerIdentity::generate()?;
            let config = tls::server_config(&identity, client_cert)?;
            let incoming = tls_incoming(listener, config, shutdown.clone());
            let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, signal));
            (task, Some(identity.cert_der.to_vec()))
        }
    };
    Ok(RunningServer {
        addr,
        server_cert_der,
        shutdown,
        task,
    })
}

type TlsConn = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

/// Accepts TCP connections and hands completed TLS sessions to tonic. Failed handshakes (wrong
/// or missing client certificate) are logged and dropped without affecting the server.
fn tls_incoming(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    shutdown: CancellationToken,
) -> ReceiverStream<Result<TlsConn, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                a = listener.accept() => a,
            };
            let (tcp, peer) = match accepted {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            // gRPC answers are small writes; with Nagle on, each waits for the client's delayed
            // ACK (~40 ms on Linux), which would be paid on every RPC Terraform makes.
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("cannot disable Nagle's algorithm for {peer}: {e}");
            }
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(Duration::from_secs(30), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send(Ok(tls)).await;
                    }
                    Ok(Err(e)) => tracing::warn!("TLS handshake with {peer} refused: {e}"),
                    Err(_) => tracing::warn!("TLS handshake with {peer} timed out"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Runs the provider as a Terraform plugin: parses `--debug`, checks the magic cookie, serves
/// until Terraform shuts it down, and returns the process exit code.
///
/// `address` is the provider source address used in debug mode's `TF_REATTACH_PROVIDERS`
/// (e.g. `terraform.local/example/example`); `log_filter` says which log targets follow
/// `TF_LOG`.
pub fn serve_main(
    provider: Arc<dyn Provider>,
    address: &str,
    log_filter: logging::LogFilter,
) -> ExitCode {
    let debug = std::env::args()
        .skip(1)
        .any(|a| a == "--debug" || a == "-debug");
    let env = |k: &str| std::env::var(k).ok();
    if !debug && !handshake::cookie_ok(env(handshake::COOKIE_KEY).as_deref()) {
        eprintln!("{}", handshake::NOT_A_COMMAND);
        return ExitCode::FAILURE;
    }
    logging::init(&log_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        if debug {
            run_debug(provider, address).await
        } else {
            run_managed(provider).await
        }
    });
    // Don't wait for stray blocking tasks: Terraform expects a prompt exit after Shutdown.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            tracing::error!("{msg}");
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

async fn run_managed(provider: Arc<dyn Provider>) -> Result<(), String> {
    let env = |k: &str| std::env::var(k).ok();
    handshake::negotiate_version(env("PLUGIN_PROTOCOL_VERSIONS").as_deref())?;
    let (min_port, max_port) = handshake::port_range(
        env("PLUGIN_MIN_PORT").as_deref(),
        env("PLUGIN_MAX_PORT").as_deref(),
    );
    let transport = match handshake::managed_transport(
        env(handshake::CLIENT_CERT_KEY).as_deref(),
        env(handshake::DISABLE_TLS_KEY).as_deref(),
    ) {
        Ok(t) => t,
        Err(refusal) => {
            tracing::warn!("{refusal}");
            return Err(refusal);
        }
    };
    if matches!(transport, Transport::Plaintext) {
        tracing::info!(
            "{} is set: serving without TLS, as Terraform asked",
            handshake::DISABLE_TLS_KEY
        );
    }
    // Ctrl-C reaches the whole process group; Terraform answers it with StopProvider and
    // waits for us, so the signal itself must not kill the plugin. Installed before serving.
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| format!("cannot install the SIGINT handler: {e}"))?;
    tokio::spawn(async move {
        while sigint.recv().await.is_some() {
            tracing::debug!("ignoring SIGINT; Terraform will send StopProvider");
        }
    });
    let options = ServerOptions {
        transport,
        min_port,
        max_port,
    };
    let server = start(provider, options).await.map_err(|e| e.to_string())?;
    let line = server.handshake_line();
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|_| out.flush())
            .map_err(|e| format!("cannot write the handshake: {e}"))?;
    }
    tracing::info!(address = %server.addr, mtls = server.server_cert_der.is_some(), "plugin server started");
    server.wait().await
}

async fn run_debug(provider: Arc<dyn Provider>, address: &str) -> Result<(), String> {
    let server = start(provider, ServerOptions::plaintext())
        .await
        .map_err(|e| e.to_string())?;
    let json = server.reattach_json(address);
    // In debug mode the person at the terminal reads stdout; no handshake is expected there.
    println!(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{json}'\n\nPress Ctrl-C to stop."
    );
    let token = server.shutdown_token();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        token.cancel();
    });
    server.wait().await
}
