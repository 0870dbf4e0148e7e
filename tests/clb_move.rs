//! Migrating from the official provider's `tencentcloud_clb_target_group_attachment`, end to end
//! with the real `terraform`: a stand-in for the official provider (its type name, schema and ID
//! format; `tests/fixtures/official/provider.rs`) creates the binding and its state, then the
//! configuration switches to `tencentcloud_clb_target_group_association`:
//! - with a `moved {}` block (our MoveResourceState): no bind or unbind call, the next plan is empty;
//! - with `removed { lifecycle { destroy = false } }` plus an `import` block using the official ID;
//! - and a `moved` block from another official type is refused with a diagnostic, nothing written.
//!
//! Both providers are installed through `dev_overrides`, as a user would run them side by side.
//! This test binary has its own `main` (no libtest harness) so it can double as the stand-in:
//! Terraform starts it with `SERVE_OFFICIAL_ENV` set (inherited from the test) and no arguments.

mod clb_common;
#[path = "fixtures/official/provider.rs"]
mod official;
mod support;

use std::path::Path;
use std::process::ExitCode;

use clb_common::*;
use serde_json::Value as Json;

const SERVE_OFFICIAL_ENV: &str = "CLB_MOVE_TEST_SERVE_OFFICIAL";

fn main() -> ExitCode {
    if std::env::var_os(SERVE_OFFICIAL_ENV).is_some() {
        return official::serve();
    }
    let tests: [(&str, fn()); 3] = [
        (
            "moved_block_takes_over_official_bindings_without_writes",
            moved_block_takes_over_official_bindings_without_writes,
        ),
        (
            "removed_and_import_blocks_take_over_with_the_official_id",
            removed_and_import_blocks_take_over_with_the_official_id,
        ),
        (
            "moving_another_official_type_is_refused_with_advice",
            moving_another_official_type_is_refused_with_advice,
        ),
    ];
    // Honour a `cargo test FILTER` positional argument like libtest would.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (mut ran, mut failed) = (0, 0);
    for (name, test) in tests {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        ran - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Header with both providers: the official one keeps the local name `tencentcloud` (as in a
/// user's existing configuration), ours is `tencentcloudclb`.
const PROVIDERS: &str = r#"
terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
    tencentcloudclb = {
      source = "terraform.local/tencentcloud/tencentcloud"
    }
  }
}

provider "tencentcloud" {}
provider "tencentcloudclb" {}
"#;

/// The official resources: a layer-7 binding and a layer-4 one (no `rule_id`).
const OFFICIAL: &str = r#"
resource "tencentcloud_clb_target_group_attachment" "api" {
  clb_id          = "lb-demo0001"
  listener_id     = "lbl-http0001"
  rule_id         = "loc-api00001"
  target_group_id = "lbtg-api00001"
}

resource "tencentcloud_clb_target_group_attachment" "tcp" {
  clb_id          = "lb-demo0001"
  listener_id     = "lbl-tcp00001"
  target_group_id = "lbtg-web00001"
}
"#;

/// The same bindings as our resources.
const OURS: &str = r#"
resource "tencentcloud_clb_target_group_association" "api" {
  provider         = tencentcloudclb
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  location_id      = "loc-api00001"
  target_group_id  = "lbtg-api00001"
}

resource "tencentcloud_clb_target_group_association" "tcp" {
  provider         = tencentcloudclb
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
}
"#;

const API_ID: &str = "lbtg-api00001#lbl-http0001#lb-demo0001#loc-api00001";
const TCP_ID: &str = "lbtg-web00001#lbl-tcp00001#lb-demo0001#";

/// An emulator and a workspace where both providers are installed through `dev_overrides`.
fn env_with_official() -> Env {
    let mut env = Env::new();
    let ws = &mut env.ws;
    let official_dir = ws.path().join(".official");
    std::fs::create_dir_all(&official_dir).unwrap();
    std::os::unix::fs::symlink(
        std::env::current_exe().unwrap(),
        official_dir.join("terraform-provider-tencentcloud"),
    )
    .unwrap();
    let ours_dir = ws.path().join(".plugins");
    ws.write(".terraformrc", &cli_config(&ours_dir, &official_dir));
    ws.env(SERVE_OFFICIAL_ENV, "1");
    env
}

fn cli_config(ours: &Path, official: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"terraform.local/tencentcloud/tencentcloud\" = \"{}\"\n    \"{}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        ours.display(),
        official::ADDRESS,
        official.display()
    )
}

fn writes(env: &Env) -> u64 {
    env.calls("AssociateTargetGroups") + env.calls("DisassociateTargetGroups")
}

/// Resources in state as (address, type, id).
fn state_resources(env: &Env) -> Vec<(String, String, String)> {
    let state = env.ws.state_json();
    let mut out: Vec<_> = state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["address"].as_str().unwrap_or_default().to_string(),
                r["type"].as_str().unwrap_or_default().to_string(),
                r["values"]["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The official stand-in binds both targets; returns the number of writes it made.
fn create_with_official(env: &Env) -> u64 {
    env.ws.write("main.tf", &format!("{PROVIDERS}\n{OFFICIAL}"));
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        state_resources(env),
        vec![
            (
                "tencentcloud_clb_target_group_attachment.api".into(),
                "tencentcloud_clb_target_group_attachment".into(),
                API_ID.into()
            ),
            (
                "tencentcloud_clb_target_group_attachment.tcp".into(),
                "tencentcloud_clb_target_group_attachment".into(),
                TCP_ID.into()
            ),
        ]
    );
    let cloud = env.cloud();
    assert_eq!(
        cloud,
        vec![
            row(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-api00001"),
                "lbtg-api00001",
                Some(10)
            ),
            row(
                "lb-demo0001",
                "lbl-tcp00001",
                None,
                "lbtg-web00001",
                Some(10)
            ),
        ]
    );
    // Two binds on one load balancer: one call, or two when they did not arrive together (the
    // stand-in goes through the same engine, which batches binds per load balancer).
    let n = writes(env);
    assert!(
        (1..=2).contains(&n),
        "the stand-in binds each target once: {n} calls"
    );
    n
}

/// After the switch: our two resources, with canonical IDs and the cloud's weight, and nothing
/// written to the cloud.
fn assert_taken_over(env: &Env, writes_before: u64) {
    assert_eq!(writes(env), writes_before, "the switch must not write");
    assert_eq!(
        state_resources(env),
        vec![
            (
                "tencentcloud_clb_target_group_association.api".into(),
                "tencentcloud_clb_target_group_association".into(),
                "lb-demo0001#lbl-http0001#loc-api00001#lbtg-api00001".into()
            ),
            (
                "tencentcloud_clb_target_group_association.tcp".into(),
                "tencentcloud_clb_target_group_association".into(),
                "lb-demo0001#lbl-tcp00001#lbtg-web00001".into()
            ),
        ]
    );
    env.assert_agree();
    assert!(env.ws.plan_is_empty(), "plan after the switch is not empty");
}

fn moved_block_takes_over_official_bindings_without_writes() {
    let env = env_with_official();
    let before = create_with_official(&env);

    env.ws.write(
        "main.tf",
        &format!(
            "{PROVIDERS}\n{OURS}\nmoved {{\n  from = tencentcloud_clb_target_group_attachment.api\n  to   = tencentcloud_clb_target_group_association.api\n}}\nmoved {{\n  from = tencentcloud_clb_target_group_attachment.tcp\n  to   = tencentcloud_clb_target_group_association.tcp\n}}\n"
        ),
    );
    // The plan shows two moves and no change.
    let plan = env.ws.plan_json();
    for name in ["api", "tcp"] {
        let addr = format!("tencentcloud_clb_target_group_association.{name}");
        assert_eq!(planned_actions(&plan, &addr), ["no-op"], "{addr}");
        let change = plan["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"] == addr.as_str())
            .unwrap();
        assert_eq!(
            change["previous_address"],
            Json::from(format!("tencentcloud_clb_target_group_attachment.{name}"))
        );
    }
    assert_eq!(writes(&env), before);
    env.ws.apply().assert_success();
    assert_taken_over(&env, before);
}

fn removed_and_import_blocks_take_over_with_the_official_id() {
    let env = env_with_official();
    let before = create_with_official(&env);

    env.ws.write(
        "main.tf",
        &format!(
            "{PROVIDERS}\n{OURS}\nremoved {{\n  from = tencentcloud_clb_target_group_attachment.api\n  lifecycle {{\n    destroy = false\n  }}\n}}\nremoved {{\n  from = tencentcloud_clb_target_group_attachment.tcp\n  lifecycle {{\n    destroy = false\n  }}\n}}\nimport {{\n  to = tencentcloud_clb_target_group_association.api\n  id = \"{API_ID}\"\n}}\nimport {{\n  to = tencentcloud_clb_target_group_association.tcp\n  id = \"{TCP_ID}\"\n}}\n"
        ),
    );
    let out = env.ws.apply().assert_success();
    assert!(
        out.stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.combined()
    );
    assert_taken_over(&env, before);
}

fn moving_another_official_type_is_refused_with_advice() {
    let env = env_with_official();
    env.ws.write(
        "main.tf",
        &format!(
            "{PROVIDERS}\nresource \"{}\" \"all\" {{\n  load_balancer_id = \"lb-demo0001\"\n}}\n",
            official::PLURAL_TYPE
        ),
    );
    env.ws.apply_and_check_empty_plan();
    env.ws.write(
        "main.tf",
        &format!(
            "{PROVIDERS}\n{OURS}\nmoved {{\n  from = {}.all\n  to   = tencentcloud_clb_target_group_association.tcp\n}}\n",
            official::PLURAL_TYPE
        ),
    );
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(
        &out,
        &[
            "Unsupported move source",
            "tencentcloud_clb_target_group_attachments",
            "accepts moves only from: tencentcloud_clb_target_group_attachment (registry.terraform.io/tencentcloudstack/tencentcloud)",
            "removed",
        ],
    );
    assert_eq!(writes(&env), 0, "a refused move writes nothing");
    assert!(env.cloud().is_empty());
}
