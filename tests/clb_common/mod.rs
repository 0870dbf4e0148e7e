//! Shared setup of the resource's end-to-end tests: an in-process emulator seeded with the
//! example world, a terraform workspace wired to it, and the check that the emulator's bindings
//! and terraform's state agree exactly.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::Value as Json;
use tencentcloud_emulator::{self as emulator, EmulatorConfig, Faults, RunningEmulator};

use crate::support::{TfOutput, TfWorkspace, provider_bin};

/// The resource type under test.
pub const TYPE: &str = "tencentcloud_clb_target_group_association";

/// One binding: load balancer, listener, rule, target group, weight.
pub type Row = (String, String, Option<String>, String, Option<u64>);

/// An emulator plus a terraform workspace pointed at it.
pub struct Env {
    /// Keeps the emulator's server running while the test blocks on terraform.
    pub rt: tokio::runtime::Runtime,
    /// The emulator (in this process).
    pub emu: Option<RunningEmulator>,
    /// The terraform working directory.
    pub ws: TfWorkspace,
}

/// Header of every configuration: the provider, credentials come from the environment.
pub const PROVIDER_BLOCK: &str = r#"
terraform {
  required_providers {
    tencentcloud = {
      source = "terraform.local/tencentcloud/tencentcloud"
    }
  }
}

provider "tencentcloud" {}
"#;

/// The example world the demo uses.
pub fn example_world() -> emulator::World {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/emulator/world.json"
    ))
    .expect("examples/emulator/world.json");
    serde_json::from_str(&text).expect("world.json parses")
}

impl Env {
    /// Emulator with short tasks and no faults.
    pub fn new() -> Self {
        Self::with(Duration::from_millis(200), Faults::default())
    }

    /// Emulator with the given task duration and faults.
    pub fn with(task_duration: Duration, faults: Faults) -> Self {
        Self::with_world(example_world(), task_duration, faults)
    }

    /// Emulator seeded with `world`, with the given task duration and faults.
    pub fn with_world(world: emulator::World, task_duration: Duration, faults: Faults) -> Self {
        Self::with_config(EmulatorConfig {
            seed: Some(world),
            task_duration,
            faults,
            ..EmulatorConfig::default()
        })
    }

    /// Emulator started from `config` (its rate limit turned off).
    pub fn with_config(config: EmulatorConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let config = EmulatorConfig {
            // Terraform's parallel reads must not trip the emulator's limit; the client limits itself.
            rate_limit_per_second: 0,
            ..config
        };
        let emu = rt
            .block_on(emulator::start(config))
            .expect("emulator starts");
        let ws = workspace_for(&emu.base_url());
        Env {
            rt,
            emu: Some(emu),
            ws,
        }
    }

    /// Another workspace (its own state) against the same emulator, e.g. a second team's run.
    pub fn another_workspace(&self) -> TfWorkspace {
        workspace_for(&self.emu().base_url())
    }

    /// The emulator.
    pub fn emu(&self) -> &RunningEmulator {
        self.emu.as_ref().expect("emulator running")
    }

    /// Writes `main.tf` with the provider header and `body`.
    pub fn config(&self, body: &str) {
        self.ws
            .write("main.tf", &format!("{PROVIDER_BLOCK}\n{body}"));
    }

    /// Bindings as the emulator has them now, sorted (duplicates kept, so they show).
    pub fn cloud(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .emu()
            .world()
            .associations
            .iter()
            .map(|a| {
                (
                    a.load_balancer_id.clone(),
                    a.listener_id.clone(),
                    a.location_id.clone().filter(|s| !s.is_empty()),
                    a.target_group_id.clone(),
                    a.weight,
                )
            })
            .collect();
        rows.sort();
        rows
    }

    /// Bindings as terraform's state records them (every instance of the resource type).
    pub fn state(&self) -> Vec<Row> {
        let out = self.ws.run(&["show", "-json"]).assert_success();
        let v: Json = serde_json::from_str(&out.stdout).expect("state JSON");
        let mut rows = Vec::new();
        collect(&v["values"]["root_module"], &mut rows);
        rows.sort();
        rows
    }

    /// Asserts that the emulator and the state hold exactly the same bindings.
    #[track_caller]
    pub fn assert_agree(&self) {
        let (cloud, state) = (self.cloud(), self.state());
        assert_eq!(
            cloud, state,
            "emulator (left) and terraform state (right) disagree"
        );
    }

    /// Number of calls of `action` the emulator has served.
    pub fn calls(&self, action: &str) -> u64 {
        self.emu().metrics().calls.get(action).copied().unwrap_or(0)
    }

    /// Edits the world out of band through the admin API (`GET`, change, `PUT /_emulator/state`).
    pub fn edit_world(&self, change: impl FnOnce(&mut Json)) {
        let base = self.emu().base_url();
        self.rt.block_on(async {
            let http = reqwest::Client::builder().no_proxy().build().unwrap();
            let mut world: Json = http
                .get(format!("{base}/_emulator/state"))
                .send()
                .await
                .expect("GET state")
                .json()
                .await
                .expect("state JSON");
            change(&mut world);
            let resp = http
                .put(format!("{base}/_emulator/state"))
                .json(&world)
                .send()
                .await
                .expect("PUT state");
            assert!(
                resp.status().is_success(),
                "PUT state: {}",
                resp.text().await.unwrap_or_default()
            );
        });
    }

    /// Waits (bounded) until `cond` holds; panics with `what` if it never does.
    #[track_caller]
    pub fn wait_for(&self, what: &str, mut cond: impl FnMut(&Env) -> bool) {
        let give_up = Instant::now() + Duration::from_secs(120);
        while !cond(self) {
            assert!(Instant::now() < give_up, "gave up waiting for: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A workspace whose provider talks to the emulator at `base_url` with its example credentials.
fn workspace_for(base_url: &str) -> TfWorkspace {
    let mut ws = TfWorkspace::new("terraform.local/tencentcloud/tencentcloud", &provider_bin());
    let env = [
        ("TENCENTCLOUD_CLB_ENDPOINT", base_url),
        ("TENCENTCLOUD_SECRET_ID", emulator::DEFAULT_SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", emulator::DEFAULT_SECRET_KEY),
        ("TENCENTCLOUD_REGION", "ap-guangzhou"),
        // Never reach for the real instance metadata service from a test.
        ("TENCENTCLOUD_METADATA_BASE_URL", "off"),
        ("NO_PROXY", "127.0.0.1,localhost"),
    ];
    for (k, v) in env {
        ws.env(k, v);
    }
    ws
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.rt.block_on(emu.shutdown());
        }
    }
}

fn collect(module: &Json, rows: &mut Vec<Row>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        if r["type"] != TYPE || r["mode"] != "managed" {
            continue;
        }
        let v = &r["values"];
        let s = |k: &str| v[k].as_str().map(str::to_string);
        rows.push((
            s("load_balancer_id").unwrap_or_default(),
            s("listener_id").unwrap_or_default(),
            s("location_id"),
            s("target_group_id").unwrap_or_default(),
            v["weight"].as_u64(),
        ));
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect(child, rows);
    }
}

/// The actions planned for `addr` in a saved plan's JSON.
pub fn planned_actions(plan: &Json, addr: &str) -> Vec<String> {
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == addr)
        .map(|c| {
            c["change"]["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A binding row.
pub fn row(lb: &str, lbl: &str, loc: Option<&str>, tg: &str, weight: Option<u64>) -> Row {
    (
        lb.into(),
        lbl.into(),
        loc.map(str::to_string),
        tg.into(),
        weight,
    )
}

/// Panics unless `out` failed and its output contains every one of `needles`.
#[track_caller]
pub fn assert_failed_with(out: &TfOutput, needles: &[&str]) {
    assert!(
        !out.success(),
        "`{}` unexpectedly succeeded:\n{}",
        out.command,
        out.combined()
    );
    // Terraform wraps long lines; compare with whitespace collapsed.
    let text = out
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for n in needles {
        let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(&n),
            "expected {n:?} in the output of `{}`:\n{text}",
            out.command
        );
    }
}
