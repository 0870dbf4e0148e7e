//! Start-up cost of the provider binary as Terraform sees it: spawn → handshake line, and
//! spawn → first answered RPC (`GetProviderSchema`) over strict mTLS. Terraform starts the
//! provider several times per command, so this is paid on every plan.
//!
//! Prints medians; asserts only that every start completes the handshake and answers.
//! `STARTUP_RUNS` sets the number of starts (default 30).

#[path = "support/plugin_client.rs"]
mod plugin_client;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plugin_client::{ClientIdentity, Handshake, call_with, client_identity, connect};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Any reply message: unknown fields are skipped, so the schema decodes into this.
#[derive(Clone, PartialEq, prost::Message)]
struct Anything {}

/// One start: (spawn → handshake line, spawn → first answered RPC).
async fn one_start(client: &ClientIdentity) -> (Duration, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-tencentcloud"))
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", &client.pem)
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
    let handshake = Handshake::parse(&line).expect("a go-plugin handshake line");
    assert!(handshake.server_cert_der.is_some(), "mTLS: {line}");
    let channel = connect(&handshake, client).await.expect("mTLS connection");
    let _: Anything = call_with(
        &channel,
        "/tfplugin6.Provider/GetProviderSchema",
        Anything {},
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
    let client = client_identity();
    let mut handshakes = Vec::new();
    let mut rpcs = Vec::new();
    for _ in 0..runs {
        let (h, r) = one_start(&client).await;
        handshakes.push(h);
        rpcs.push(r);
    }
    println!(
        "provider start-up over {runs} runs (mTLS): spawn→handshake line median {:.1} ms, spawn→first answered RPC median {:.1} ms",
        median(handshakes).as_secs_f64() * 1000.0,
        median(rpcs).as_secs_f64() * 1000.0
    );
}
