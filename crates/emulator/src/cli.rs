//! The `tencentcloud-emulator` command line.

use crate::clb::world::World;
use crate::config::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, EmulatorConfig, Faults, UnknownIds};
use crate::error::EmulatorError;
use crate::server::start;
use clap::Parser;
use std::io::{ErrorKind, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A local emulator of the Tencent Cloud CLB API (version 2018-03-17) for tests and demos.
#[derive(Debug, Parser)]
#[command(name = "tencentcloud-emulator", version)]
struct Cli {
    /// Loopback address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// JSON world to start from (ignored when --state names an existing file).
    #[arg(long)]
    seed: Option<PathBuf>,
    /// File holding the world and tasks, rewritten after every change and reloaded at start.
    #[arg(long)]
    state: Option<PathBuf>,
    /// SecretId the emulator accepts.
    #[arg(long, default_value = DEFAULT_SECRET_ID)]
    secret_id: String,
    /// SecretKey used to verify signatures (the default is the documented example key).
    #[arg(long, default_value = DEFAULT_SECRET_KEY, hide_default_value = true)]
    secret_key: String,
    /// How long an association task stays in progress, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    task_duration_ms: u64,
    /// Requests per second allowed per action (0 = unlimited).
    #[arg(long, default_value_t = 20)]
    rate_limit: u32,
    /// Probability that a call answers InternalError.
    #[arg(long, default_value_t = 0.0)]
    fault_internal_error: f64,
    /// Probability that a call is processed but its connection dropped before the reply.
    #[arg(long, default_value_t = 0.0)]
    fault_drop_connection: f64,
    /// Extra latency added to every API call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    fault_delay_ms: u64,
    /// Probability that an accepted task fails.
    #[arg(long, default_value_t = 0.0)]
    fault_task_failure: f64,
    /// Answer with the detailed CLB error codes (InvalidParameter.LBIdNotFound, ResourceNotFound,
    /// ...) instead of only the codes each action documents.
    #[arg(long)]
    detailed_errors: bool,
    /// DescribeTargetGroups with an unknown ID: answer-known (leave it out) or refuse
    /// (InvalidParameterValue for the whole call).
    #[arg(long, value_enum, default_value = "answer-known")]
    describe_unknown_ids: UnknownIdsArg,
    /// Region of every load balancer and target group whose seed names none.
    #[arg(long, default_value = crate::config::DEFAULT_REGION)]
    region: String,
    /// Most bindings one load balancer may hold (LimitExceeded beyond); unlimited when unset.
    #[arg(long)]
    binding_quota: Option<usize>,
    /// Probability that a failed task first applies the first half of its members.
    #[arg(long, default_value_t = 0.0)]
    fault_partial_task_failure: f64,
    /// Probability that a write is processed but answered with a body that is not valid JSON.
    #[arg(long, default_value_t = 0.0)]
    fault_garbled_write_reply: f64,
    /// Probability that a read is answered with an empty success (every field missing).
    #[arg(long, default_value_t = 0.0)]
    fault_empty_read_reply: f64,
    /// Seed of the fault generator; the same seed and calls replay the same faults.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Caps every STS session (AssumeRole*) at this many seconds, to exercise credential refresh.
    #[arg(long)]
    sts_max_session_seconds: Option<u64>,
}

/// Reads and checks the seed, naming the file and, for bad JSON, the line and column.
fn load_seed(path: &PathBuf) -> Result<World, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the seed file {shown}: {e}. Pass an existing JSON world, e.g. \
             --seed examples/emulator/world.json (format: docs/emulator.md, \"Seed and state format\")."
        )
    })?;
    // serde_json's message ends with "at line L column C".
    let mut world: World = serde_json::from_str(&text).map_err(|e| {
        format!(
            "the seed file {shown} is not a valid world: {e}. Fix it there (format: \
             docs/emulator.md, \"Seed and state format\")."
        )
    })?;
    world.normalize().map_err(|e| {
        format!("the seed file {shown} is not a consistent world: {e}. Fix it there.")
    })?;
    Ok(world)
}

/// Says what to do when the emulator cannot start, for the mistakes a newcomer makes.
fn start_failure(e: EmulatorError) -> String {
    match e {
        EmulatorError::Bind { addr, source } if source.kind() == ErrorKind::AddrInUse => format!(
            "cannot listen on {addr}: the port is already in use (an earlier emulator may \
             still run there; stop it, or check with `ss -ltnp`). Pick a free port with \
             --listen 127.0.0.1:PORT, or let the system choose one with --listen 127.0.0.1:0 \
             and read it from the first line printed."
        ),
        other => other.to_string(),
    }
}

/// `--describe-unknown-ids` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum UnknownIdsArg {
    AnswerKnown,
    Refuse,
}

fn config_from(cli: Cli) -> Result<EmulatorConfig, String> {
    let seed = cli.seed.as_ref().map(load_seed).transpose()?;
    Ok(EmulatorConfig {
        listen: cli.listen,
        seed,
        state_file: cli.state,
        secret_id: cli.secret_id,
        secret_key: cli.secret_key,
        task_duration: Duration::from_millis(cli.task_duration_ms),
        rate_limit_per_second: cli.rate_limit,
        faults: Faults {
            internal_error: cli.fault_internal_error,
            drop_connection: cli.fault_drop_connection,
            task_failure: cli.fault_task_failure,
            partial_task_failure: cli.fault_partial_task_failure,
            garbled_write_reply: cli.fault_garbled_write_reply,
            empty_read_reply: cli.fault_empty_read_reply,
            delay: Duration::from_millis(cli.fault_delay_ms),
            rng_seed: cli.fault_seed,
        },
        sts_max_session_seconds: cli.sts_max_session_seconds,
        detailed_errors: cli.detailed_errors,
        describe_unknown_ids: match cli.describe_unknown_ids {
            UnknownIdsArg::AnswerKnown => UnknownIds::AnswerKnown,
            UnknownIdsArg::Refuse => UnknownIds::Refuse,
        },
        binding_quota: cli.binding_quota,
        region: cli.region,
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs the emulator binary: parses flags, starts, prints `listening on http://…` as the
/// first stdout line, and serves until SIGINT/SIGTERM.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EMULATOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let config = match config_from(cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tencentcloud-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tencentcloud-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let emulator = match start(config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("tencentcloud-emulator: {}", start_failure(e));
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        // Tools wait for this exact first line to learn the port.
        let _ = writeln!(out, "listening on {}", emulator.base_url());
        let _ = out.flush();
        drop(out);
        wait_for_signal().await;
        emulator.shutdown().await;
        ExitCode::SUCCESS
    })
}
