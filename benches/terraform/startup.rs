//! Start-up figures: the provider binary started the way Terraform starts it (magic cookie,
//! protocol version, `PLUGIN_CLIENT_CERT` for AutoMTLS), timed from spawn to the handshake line
//! and to the first answered RPC (`GetProviderSchema`, Terraform's first call).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tfplug::server::handshake::{COOKIE_KEY, COOKIE_VALUE};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::plugin_client::{self, ClientIdentity, Handshake};

/// The timings of one start.
struct Start {
    handshake: Duration,
    first_rpc: Option<Duration>,
}

/// Medians and spreads over several starts, in milliseconds.
#[derive(Debug, Clone)]
pub struct StartupFigures {
    /// Starts measured per row.
    pub spawns: usize,
    /// (label, sorted samples in ms)
    pub rows: Vec<(&'static str, Vec<f64>)>,
}

/// Starts the provider `spawns` times with mTLS (handshake line and first answered RPC) and
/// `spawns` times without TLS (handshake line), one at a time.
pub async fn measure(provider: &Path, spawns: usize) -> Result<StartupFigures, String> {
    let client = plugin_client::client_identity();
    let mut tls_handshake = Vec::new();
    let mut tls_rpc = Vec::new();
    let mut plain_handshake = Vec::new();
    for _ in 0..spawns {
        let s = start_once(provider, Some(&client)).await?;
        tls_handshake.push(ms(s.handshake));
        tls_rpc.extend(s.first_rpc.map(ms));
        let s = start_once(provider, None).await?;
        plain_handshake.push(ms(s.handshake));
    }
    let mut rows = vec![
        ("spawn to handshake line, mTLS", tls_handshake),
        (
            "spawn to first answered RPC (GetProviderSchema), mTLS",
            tls_rpc,
        ),
        ("spawn to handshake line, TLS disabled", plain_handshake),
    ];
    for (_, samples) in &mut rows {
        samples.sort_by(f64::total_cmp);
    }
    Ok(StartupFigures { spawns, rows })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One start. With `client`: AutoMTLS with that identity, then the first RPC. Without:
/// `TF_DISABLE_PLUGIN_TLS`, handshake line only.
async fn start_once(provider: &Path, client: Option<&ClientIdentity>) -> Result<Start, String> {
    let mut cmd = Command::new(provider);
    cmd.env(COOKIE_KEY, COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .env_remove("TF_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    match client {
        Some(id) => cmd.env("PLUGIN_CLIENT_CERT", &id.pem),
        None => cmd.env("TF_DISABLE_PLUGIN_TLS", "1"),
    };
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", provider.display()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .map_err(|_| "the provider printed no handshake line within 30 s".to_string())?
        .map_err(|e| format!("reading the provider's stdout: {e}"))?
        .ok_or("the provider exited without a handshake line")?;
    let handshake_at = started.elapsed();
    let handshake =
        Handshake::parse(&line).ok_or_else(|| format!("not a handshake line: {line:?}"))?;
    let first_rpc = match client {
        Some(id) => {
            let channel = plugin_client::connect(&handshake, id)
                .await
                .map_err(|e| format!("cannot connect to the provider: {e}"))?;
            plugin_client::call_with::<(), ()>(
                &channel,
                "/tfplugin6.Provider/GetProviderSchema",
                (),
            )
            .await
            .map_err(|e| format!("GetProviderSchema failed: {e}"))?;
            let answered = started.elapsed();
            // Stop it the way Terraform does; it is killed below if it does not exit.
            let _ =
                plugin_client::call_with::<(), ()>(&channel, "/plugin.GRPCController/Shutdown", ())
                    .await;
            Some(answered)
        }
        None => None,
    };
    let grace = if first_rpc.is_some() {
        Duration::from_secs(5)
    } else {
        Duration::ZERO
    };
    if tokio::time::timeout(grace, child.wait()).await.is_err() {
        let _ = child.kill().await;
    }
    Ok(Start {
        handshake: handshake_at,
        first_rpc,
    })
}
