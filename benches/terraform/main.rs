//! The benchmark: the real `terraform` drives the provider against an emulator process and
//! the figures are printed, never asserted. Run it through `scripts/bench` (which builds the
//! binaries and installs the provider into a filesystem mirror); see docs/performance.md.
//!
//! For each case (N bindings over 1 or more load balancers, task time T, `-parallelism` P):
//! a fresh emulator seeded with the case's world, `terraform init` from the mirror, then
//! apply, `plan -refresh-only` and destroy, each timed, with the emulator's API counters and
//! the provider's peak memory. Before the matrix, the start-up figures.

mod case;
mod emulator;
mod phase;
#[path = "../../tests/support/plugin_client.rs"]
mod plugin_client;
mod report;
mod rss;
mod startup;
mod world;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tencentcloud_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};

use case::Case;
use emulator::EmulatorProcess;
use phase::{Phase, Terraform};
use world::Layout;

/// Benchmark of apply, refresh-only plan and destroy against the floor, plus start-up times.
#[derive(Debug, Parser)]
#[command(
    name = "scripts/bench",
    bin_name = "scripts/bench",
    after_help = "scripts/bench also takes --dev: use the debug build instead of the release build. \
                  How to read the figures: docs/performance.md."
)]
struct Options {
    /// Numbers of bindings (comma-separated).
    #[arg(long = "n", value_delimiter = ',', default_values_t = [20, 100, 500])]
    bindings: Vec<usize>,
    /// Numbers of load balancers the bindings are spread over.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 5])]
    lbs: Vec<usize>,
    /// Emulator task times in seconds.
    #[arg(long = "t", value_delimiter = ',', default_values_t = [0.5, 2.0])]
    task_time: Vec<f64>,
    /// Terraform -parallelism values.
    #[arg(long, value_delimiter = ',', default_values_t = [10, 20])]
    parallelism: Vec<usize>,
    /// The smallest case: N=20 on 1 load balancer, T=0.2 s, parallelism 10, 5 starts.
    #[arg(long)]
    quick: bool,
    /// Provider starts measured for each start-up figure (0 skips them).
    #[arg(long, default_value_t = 30)]
    startup_spawns: usize,
    /// Only the start-up figures.
    #[arg(long, conflicts_with = "no_startup")]
    startup_only: bool,
    /// Skip the start-up figures.
    #[arg(long)]
    no_startup: bool,
    /// Print the cases, their floors and how long the matrix takes at the floor; run nothing.
    #[arg(long)]
    estimate: bool,
    /// Stop a terraform command that runs longer than this many seconds (the case fails).
    #[arg(long, default_value_t = 1800)]
    phase_timeout: u64,
    /// Keep each case's directory (configuration, world, terraform logs).
    #[arg(long)]
    keep: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
    /// Passed by `cargo bench --quiet`; ignored.
    #[arg(short, long, hide = true)]
    quiet: bool,
}

impl Options {
    fn apply_quick(&mut self) {
        if self.quick {
            self.bindings = vec![20];
            self.lbs = vec![1];
            self.task_time = vec![0.2];
            self.parallelism = vec![10];
            self.startup_spawns = self.startup_spawns.min(5);
        }
    }

    fn cases(&self) -> Result<Vec<Case>, String> {
        let mut cases = Vec::new();
        for &n in &self.bindings {
            for &lbs in &self.lbs {
                for &t in &self.task_time {
                    for &p in &self.parallelism {
                        if n == 0 || lbs == 0 || p == 0 || lbs > n {
                            return Err(format!(
                                "--n {n} --lbs {lbs} --parallelism {p}: need N >= 1, 1 <= LBs <= N, parallelism >= 1"
                            ));
                        }
                        if !(0.0..=600.0).contains(&t) {
                            return Err(format!("--t {t}: task time must be 0..600 seconds"));
                        }
                        cases.push(Case {
                            layout: Layout {
                                bindings: n,
                                load_balancers: lbs,
                            },
                            task_time: Duration::from_secs_f64(t),
                            parallelism: p,
                        });
                    }
                }
            }
        }
        Ok(cases)
    }
}

fn main() -> ExitCode {
    let mut opts = Options::parse();
    opts.apply_quick();
    let cases = match opts.cases() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.estimate {
        print_estimate(&cases);
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&opts, &cases)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_estimate(cases: &[Case]) {
    println!("| case | floor s (apply, destroy) |");
    println!("|---|---:|");
    let mut total = Duration::ZERO;
    for case in cases {
        let floor = case.write_floor();
        // Apply and destroy at the floor; the refresh is counted as one more floor, which is
        // generous for a refresh that has no task to wait for.
        total += floor * 3;
        println!("| {} | {:.1} |", case.slug(), floor.as_secs_f64());
    }
    println!();
    println!(
        "{} cases; at the floor the matrix takes about {:.0} s (3 x the sum of floors), plus \
         terraform's own fixed cost (init, planning, provider starts: a few seconds per phase).",
        cases.len(),
        total.as_secs_f64()
    );
}

async fn run(opts: &Options, cases: &[Case]) -> Result<(), String> {
    let provider = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-tencentcloud"));
    let emulator = PathBuf::from(env!("CARGO_BIN_EXE_tencentcloud-emulator"));
    let build = if cfg!(debug_assertions) {
        "debug (dev profile; slower start-up and more memory than a release build)"
    } else {
        "release"
    };
    report::print_context(build);

    if !opts.no_startup && opts.startup_spawns > 0 {
        let fig = startup::measure(&provider, opts.startup_spawns).await?;
        report::print_startup(&fig);
    }
    if opts.startup_only {
        return Ok(());
    }

    let work = work_dir()?;
    report::print_matrix_header();
    let mut failures = Vec::new();
    for case in cases {
        let dir = work.join(case.slug());
        let result = run_case(case, &emulator, &dir, opts).await;
        if !opts.keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
        if let Err(e) = result {
            eprintln!("case {} failed: {e}", case.slug());
            failures.push(case.slug());
        }
    }
    println!();
    println!("load average at end: {}", report::load_average());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} case(s) failed: {}",
            failures.len(),
            failures.join(", ")
        ))
    }
}

/// Where case directories go: `BENCH_WORK_DIR` (set by scripts/bench), after checking that
/// Terraform is configured to install the provider from a mirror.
fn work_dir() -> Result<PathBuf, String> {
    let config = std::env::var_os("TF_CLI_CONFIG_FILE").map(PathBuf::from);
    if !config.as_deref().is_some_and(Path::is_file) {
        return Err(
            "TF_CLI_CONFIG_FILE does not name a Terraform CLI configuration with the provider's \
             filesystem mirror; run the benchmark through scripts/bench, which sets it up."
                .into(),
        );
    }
    let dir = std::env::var_os("BENCH_WORK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

async fn run_case(
    case: &Case,
    emulator_bin: &Path,
    dir: &Path,
    opts: &Options,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    case.layout
        .write(dir)
        .map_err(|e| format!("writing the case: {e}"))?;
    let emulator =
        EmulatorProcess::start(emulator_bin, &dir.join("world.json"), case.task_time).await?;
    let terraform = Terraform {
        dir: dir.join("config"),
        env: vec![
            ("TENCENTCLOUD_CLB_ENDPOINT".into(), emulator.url.clone()),
            ("TENCENTCLOUD_SECRET_ID".into(), DEFAULT_SECRET_ID.into()),
            ("TENCENTCLOUD_SECRET_KEY".into(), DEFAULT_SECRET_KEY.into()),
            ("TENCENTCLOUD_REGION".into(), "ap-guangzhou".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
        ],
        phase_timeout: Duration::from_secs(opts.phase_timeout),
    };
    let outcome = run_phases(case, &terraform, &emulator).await;
    emulator.stop().await;
    outcome
}

async fn run_phases(
    case: &Case,
    terraform: &Terraform,
    emulator: &EmulatorProcess,
) -> Result<(), String> {
    terraform.init().await?;
    for phase in Phase::ALL {
        match terraform
            .run(phase, case.parallelism, case.layout.bindings, emulator)
            .await
        {
            Ok(result) => report::print_row(case, phase, &result),
            Err(e) => {
                report::print_failed_row(case, phase);
                return Err(e);
            }
        }
    }
    Ok(())
}
