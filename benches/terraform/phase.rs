//! One timed terraform command (a phase of a case), with the provider's memory sampled and
//! the emulator's counters read before and after.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;

use crate::emulator::{Counters, EmulatorProcess};
use crate::rss::{ProviderMemory, RssSampler};

/// What `terraform plan -refresh-only` prints when a refresh changed the state. (Its
/// `-detailed-exitcode` answers 2 even when nothing changed, so the text is what tells.)
const DRIFT_REPORTED: &str = "Objects have changed outside of Terraform";

/// The three timed phases of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `terraform apply`: creates every binding.
    Apply,
    /// `terraform plan -refresh-only`: reads every binding.
    Refresh,
    /// `terraform destroy`: removes every binding.
    Destroy,
}

impl Phase {
    /// All phases, in the order a case runs them.
    pub const ALL: [Phase; 3] = [Phase::Apply, Phase::Refresh, Phase::Destroy];

    /// The label in the report.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Apply => "apply",
            Phase::Refresh => "refresh",
            Phase::Destroy => "destroy",
        }
    }

    fn args(self, parallelism: usize) -> Vec<String> {
        let p = format!("-parallelism={parallelism}");
        let list: &[&str] = match self {
            Phase::Apply => &["apply", "-auto-approve"],
            Phase::Refresh => &["plan", "-refresh-only"],
            Phase::Destroy => &["destroy", "-auto-approve"],
        };
        list.iter()
            .map(|s| s.to_string())
            .chain([p, "-input=false".into(), "-no-color".into()])
            .collect()
    }

    /// Bindings the emulator must hold after this phase.
    fn bindings_after(self, n: usize) -> usize {
        match self {
            Phase::Apply | Phase::Refresh => n,
            Phase::Destroy => 0,
        }
    }
}

/// What one phase measured.
#[derive(Debug, Clone)]
pub struct PhaseResult {
    /// Wall time of the terraform command.
    pub wall: Duration,
    /// API calls and errors during the command.
    pub api: Counters,
    /// The provider processes' memory.
    pub memory: ProviderMemory,
}

/// Where and how terraform runs for a case.
pub struct Terraform {
    /// The configuration directory (already `init`ed).
    pub dir: PathBuf,
    /// Environment for every command (endpoint, credentials).
    pub env: Vec<(String, String)>,
    /// A phase taking longer than this is stopped and reported as failed.
    pub phase_timeout: Duration,
}

impl Terraform {
    fn command(&self, args: &[String], log: &Path) -> Result<Command, String> {
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new("terraform");
        cmd.args(args)
            .current_dir(&self.dir)
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_CLI_ARGS")
            .env_remove("TF_LOG")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true);
        Ok(cmd)
    }

    /// `terraform init` from the filesystem mirror named by `TF_CLI_CONFIG_FILE`.
    pub async fn init(&self) -> Result<(), String> {
        let log = self.dir.join("init.log");
        let args = ["init", "-input=false", "-no-color"].map(String::from);
        let status = self
            .command(&args, &log)?
            .status()
            .await
            .map_err(|e| format!("cannot run terraform: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("terraform init failed:\n{}", tail(&log)))
        }
    }

    /// Runs `phase` and checks the emulator holds the bindings it should afterwards.
    pub async fn run(
        &self,
        phase: Phase,
        parallelism: usize,
        bindings: usize,
        emulator: &EmulatorProcess,
    ) -> Result<PhaseResult, String> {
        let log = self.dir.join(format!("{}.log", phase.label()));
        let before = emulator.counters().await?;
        let started = Instant::now();
        let mut child = self
            .command(&phase.args(parallelism), &log)?
            .spawn()
            .map_err(|e| format!("cannot run terraform: {e}"))?;
        let sampler = RssSampler::start(child.id().unwrap_or(0));
        let status = match tokio::time::timeout(self.phase_timeout, child.wait()).await {
            Ok(status) => status.map_err(|e| format!("waiting for terraform: {e}"))?,
            Err(_) => {
                let _ = child.kill().await;
                return Err(format!(
                    "terraform {} did not finish within {} s and was stopped (raise --phase-timeout); last lines:\n{}",
                    phase.label(),
                    self.phase_timeout.as_secs(),
                    tail(&log)
                ));
            }
        };
        let wall = started.elapsed();
        let memory = sampler.finish();
        if !status.success() {
            return Err(format!(
                "terraform {} failed ({status}); last lines of {}:\n{}",
                phase.label(),
                log.display(),
                tail(&log)
            ));
        }
        // Nothing changed out of band, so a refresh that reports drift read something wrong.
        if phase == Phase::Refresh
            && std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains(DRIFT_REPORTED)
        {
            return Err(format!(
                "the refresh-only plan reported drift where there is none; see {}:\n{}",
                log.display(),
                tail(&log)
            ));
        }
        let api = emulator.counters().await?.since(&before);
        let held = emulator.binding_count().await?;
        let want = phase.bindings_after(bindings);
        if held != want {
            return Err(format!(
                "after terraform {} the emulator holds {held} bindings, expected {want}",
                phase.label()
            ));
        }
        Ok(PhaseResult { wall, api, memory })
    }
}

/// The last lines of a log, for failure messages.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
