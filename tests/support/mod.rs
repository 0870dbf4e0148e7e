//! End-to-end harness driving the real `terraform` CLI, modelled on terraform-plugin-testing:
//! apply, then demand an empty plan; import and compare; destroy and check.
//!
//! Use from a test file with `mod support;`. Two ways to attach a provider:
//! - [`TfWorkspace::new`]: a provider binary via `dev_overrides` (Terraform starts it, with the
//!   real handshake and AutoMTLS);
//! - [`TfWorkspace::with_reattach`]: an in-process server via `TF_REATTACH_PROVIDERS`.
//!
//! `provider_client.rs` next to this file is a tfplugin6 client over the real mTLS transport,
//! for calling RPCs as Terraform ≥ 1.12 would (resource identity); include it with
//! `#[path = "support/provider_client.rs"] mod provider_client;`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `terraform` executable on PATH. Panics with a clear message if it is missing.
pub fn terraform_bin() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("terraform");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "the `terraform` CLI was not found on PATH. These end-to-end tests need Terraform 1.11 or \
         later: install it (https://developer.hashicorp.com/terraform/install) and re-run `cargo test`."
    );
}

/// The provider binary built by Cargo for this package.
pub fn provider_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-tencentcloud"))
}

/// Exit status and output of one terraform command.
#[derive(Debug, Clone)]
pub struct TfOutput {
    /// The command line, for messages.
    pub command: String,
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Captured stdout.
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
}

impl TfOutput {
    /// True for exit code 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }
    /// Panics with the full output unless the command succeeded.
    #[track_caller]
    pub fn assert_success(self) -> Self {
        assert!(
            self.success(),
            "`{}` failed (exit {}):\n{}",
            self.command,
            self.code,
            self.combined()
        );
        self
    }
    /// Panics unless the command failed.
    #[track_caller]
    pub fn assert_failure(self) -> Self {
        assert!(
            !self.success(),
            "`{}` unexpectedly succeeded:\n{}",
            self.command,
            self.combined()
        );
        self
    }
    /// stdout and stderr together.
    pub fn combined(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// A temporary Terraform working directory with its own CLI configuration.
pub struct TfWorkspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl TfWorkspace {
    /// A workspace using `provider_binary` for `provider_source` (e.g.
    /// `terraform.local/tencentcloud/tencentcloud`) through `dev_overrides`. No `init` needed.
    pub fn new(provider_source: &str, provider_binary: &Path) -> Self {
        let dir = tempfile::tempdir().expect("create temp dir");
        let plugin_dir = dir.path().join(".plugins");
        std::fs::create_dir_all(&plugin_dir).expect("create plugin dir");
        let type_name = provider_source
            .rsplit('/')
            .next()
            .unwrap_or(provider_source);
        let link = plugin_dir.join(format!("terraform-provider-{type_name}"));
        // A symlink keeps the binary's identity (a wrapper script would break Terraform's kill).
        std::os::unix::fs::symlink(provider_binary, &link).expect("link provider binary");
        let cli = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{provider_source}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            plugin_dir.display()
        );
        Self::with_cli_config(dir, &cli, Vec::new())
    }

    /// A workspace attached to an already running (in-process) provider server.
    pub fn with_reattach(reattach_json: &str) -> Self {
        let dir = tempfile::tempdir().expect("create temp dir");
        Self::with_cli_config(
            dir,
            "# empty: providers come from TF_REATTACH_PROVIDERS\n",
            vec![("TF_REATTACH_PROVIDERS".into(), reattach_json.into())],
        )
    }

    fn with_cli_config(dir: tempfile::TempDir, cli: &str, mut env: Vec<(String, String)>) -> Self {
        let cli_path = dir.path().join(".terraformrc");
        std::fs::write(&cli_path, cli).expect("write CLI config");
        env.push(("TF_CLI_CONFIG_FILE".into(), cli_path.display().to_string()));
        env.push(("CHECKPOINT_DISABLE".into(), "1".into()));
        env.push(("TF_IN_AUTOMATION".into(), "1".into()));
        env.push(("TF_INPUT".into(), "0".into()));
        TfWorkspace { dir, env }
    }

    /// Adds an environment variable for every terraform command (e.g. an endpoint).
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating directories) relative to the working directory.
    pub fn write(&self, name: &str, contents: &str) -> &Self {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(p, contents).expect("write file");
        self
    }

    /// Reads a file relative to the working directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// The terraform command for `args`, with this workspace's directory and environment
    /// (for running it in the background, e.g. to interrupt it).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(terraform_bin());
        cmd.args(args).current_dir(self.dir.path());
        // Keep the developer's own reattach/CLI settings out of the test.
        cmd.env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_CLI_ARGS")
            .env_remove("TF_WORKSPACE");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `terraform <args>`; returns output without asserting.
    pub fn run(&self, args: &[&str]) -> TfOutput {
        let out = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run terraform: {e}"));
        TfOutput {
            command: format!("terraform {}", args.join(" ")),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `terraform apply -auto-approve`.
    pub fn apply(&self) -> TfOutput {
        self.run(&["apply", "-auto-approve", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode`: true if empty, false if changes; panics on errors.
    #[track_caller]
    pub fn plan_is_empty(&self) -> bool {
        let out = self.run(&["plan", "-detailed-exitcode", "-no-color"]);
        match out.code {
            0 => true,
            2 => false,
            _ => panic!(
                "`{}` failed (exit {}):\n{}",
                out.command,
                out.code,
                out.combined()
            ),
        }
    }

    /// Applies and then requires an empty plan, as terraform-plugin-testing does after each step.
    #[track_caller]
    pub fn apply_and_check_empty_plan(&self) -> TfOutput {
        let out = self.apply().assert_success();
        if !self.plan_is_empty() {
            let plan = self.run(&["plan", "-no-color"]);
            panic!(
                "after applying, the plan was not empty:\n{}",
                plan.combined()
            );
        }
        out
    }

    /// The saved plan as JSON (`plan -out`, then `show -json`).
    #[track_caller]
    pub fn plan_json(&self) -> serde_json::Value {
        self.run(&["plan", "-out=tfplan", "-no-color"])
            .assert_success();
        let out = self.run(&["show", "-json", "tfplan"]).assert_success();
        serde_json::from_str(&out.stdout).expect("plan JSON")
    }

    /// `terraform import ADDR ID`.
    pub fn import(&self, addr: &str, id: &str) -> TfOutput {
        self.run(&["import", "-no-color", addr, id])
    }

    /// `terraform destroy -auto-approve`.
    pub fn destroy(&self) -> TfOutput {
        self.run(&["destroy", "-auto-approve", "-no-color"])
    }

    /// The state as JSON (`terraform show -json`).
    #[track_caller]
    pub fn state_json(&self) -> serde_json::Value {
        let out = self.run(&["show", "-json"]).assert_success();
        serde_json::from_str(&out.stdout).expect("state JSON")
    }

    /// Attribute values of the resource at `addr` in the current state (`None` if absent).
    #[track_caller]
    pub fn resource_values(&self, addr: &str) -> Option<serde_json::Value> {
        let state = self.state_json();
        state["values"]["root_module"]["resources"]
            .as_array()?
            .iter()
            .find(|r| r["address"] == addr)
            .map(|r| r["values"].clone())
    }
}

/// Terraform's name of this machine's platform (`linux_amd64`, `darwin_arm64`, …).
pub fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}
