//! End to end: state never lies about the cloud. One test per failure of issue 8 ("State never
//! lies"): refused credentials must not empty the state, a create that times out must not leave an
//! orphan, and a replacement of a binding by itself under `create_before_destroy` must not unbind
//! it. (The fourth, transient faults, is `tests/clb_chaos.rs`.)

mod clb_common;
mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use clb_common::*;
use support::TfWorkspace;
use tencentcloud_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Faults};
use tencentcloud_provider::clb::PROVIDER_ADDRESS;
use tencentcloud_provider::clb::provider::TencentCloudProvider;
use tfplug::server::{self, ServerOptions};

const ADDR: &str = "tencentcloud_clb_target_group_association.tcp";

fn one_binding(extra: &str) -> String {
    format!(
        r#"
resource "tencentcloud_clb_target_group_association" "tcp" {{
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
{extra}
}}
"#
    )
}

/// Whether the state marks `addr` as tainted.
fn tainted(env: &Env, addr: &str) -> bool {
    let v = env.ws.state_json();
    v["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["address"] == addr && r["tainted"] == true)
}

#[test]
fn clb_unknown_secret_id_stops_refresh_and_destroy_and_keeps_state() {
    let mut env = Env::new();
    env.config(&one_binding(""));
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();

    // The key is rotated: the cloud no longer knows the SecretId the provider sends.
    env.ws.env(
        "TENCENTCLOUD_SECRET_ID",
        "AKIDrotatedAwayXXXXXXXXXXXXXXXXXXXX",
    );
    let refresh = env
        .ws
        .run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_failed_with(
        &refresh,
        &["AuthFailure.SecretIdNotFound", "RequestId: ", "secret_id"],
    );
    let plan = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(&plan, &["AuthFailure.SecretIdNotFound", "RequestId: "]);
    let destroy = env.ws.destroy();
    assert_failed_with(&destroy, &["AuthFailure.SecretIdNotFound", "RequestId: "]);

    // Nothing was dropped from state and nothing was unbound.
    assert_eq!(env.cloud().len(), 1);
    env.assert_agree();
}

#[test]
fn clb_create_timeout_then_destroy_leaves_no_orphan() {
    // The bind task takes longer than the create timeout.
    let env = Env::with(Duration::from_millis(6000), Faults::default());
    env.config(&one_binding("  timeouts {\n    create = \"2s\"\n  }\n"));
    let out = env.ws.apply();
    assert_failed_with(&out, &["did not finish before the deadline"]);
    // The accepted bind is recorded, tainted, with its task still running in the cloud.
    assert!(
        tainted(&env, ADDR),
        "{}",
        env.ws.run(&["show", "-no-color"]).stdout
    );
    assert_eq!(
        env.emu().metrics().tasks_running,
        1,
        "the task is still running"
    );

    // Destroy while the task runs: it waits for the task, then unbinds what it made.
    env.ws.destroy().assert_success();
    env.wait_for("the emulator's tasks to settle", |e| {
        e.emu().metrics().tasks_running == 0
    });
    assert!(env.cloud().is_empty(), "orphan: {:?}", env.cloud());
    env.assert_agree();
}

#[test]
fn clb_replace_under_create_before_destroy_keeps_the_binding() {
    let env = Env::new();
    env.config(&one_binding(
        "  lifecycle {\n    create_before_destroy = true\n  }\n",
    ));
    env.ws.apply_and_check_empty_plan();
    let before = env.cloud();
    assert_eq!(before.len(), 1);

    let unbinds = env.calls("DisassociateTargetGroups");
    env.ws
        .run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            &format!("-replace={ADDR}"),
        ])
        .assert_success();
    assert_eq!(
        env.cloud(),
        before,
        "the live binding must stay in the cloud"
    );
    assert_eq!(
        env.calls("DisassociateTargetGroups"),
        unbinds,
        "no unbind sent"
    );
    env.assert_agree();
    assert!(env.ws.plan_is_empty());
}

#[test]
fn clb_weight_change_warns_at_plan_that_it_replaces_the_binding() {
    let env = Env::new();
    env.config(&one_binding("  weight = 10\n"));
    env.ws.apply_and_check_empty_plan();
    env.config(&one_binding("  weight = 30\n"));
    let plan = env.ws.run(&["plan", "-no-color"]).assert_success();
    let text = plan
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("Changing weight replaces the binding")
            && text.contains("unbinds it and binds it again with weight 30"),
        "{text}"
    );
    env.ws.apply_and_check_empty_plan();
    assert_eq!(env.cloud()[0].4, Some(30));
    env.assert_agree();
}

#[test]
fn clb_interrupted_create_then_destroy_leaves_no_orphan() {
    // Ctrl-C (StopProvider) while the bind task runs: the accepted bind is recorded, and a destroy
    // right away removes what that task makes.
    let env = Env::with(Duration::from_millis(4000), Faults::default());
    env.config(&one_binding(""));
    let mut cmd = env.ws.command(&["apply", "-auto-approve", "-no-color"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("start terraform apply");
    env.wait_for("the bind call", |e| e.calls("AssociateTargetGroups") >= 1);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("terraform exits");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{printed}");
    assert!(printed.contains("cancelled"), "{printed}");
    assert!(
        tainted(&env, ADDR),
        "the accepted bind is not in state:\n{printed}"
    );
    assert_eq!(
        env.emu().metrics().tasks_running,
        1,
        "the task is still running"
    );

    env.ws.destroy().assert_success();
    env.wait_for("the emulator's tasks to settle", |e| {
        e.emu().metrics().tasks_running == 0
    });
    assert!(env.cloud().is_empty(), "orphan: {:?}", env.cloud());
    env.assert_agree();
}

#[test]
fn clb_destroy_by_the_provider_process_that_created_the_binding_unbinds_it() {
    // A provider served across terraform commands (debug mode, `TF_REATTACH_PROVIDERS`) remembers
    // what its creates put into state, so that a replacement of a binding by itself keeps it.
    // Destroying the very object it created is no replacement: the binding must go.
    let env = Env::new();
    let server = env
        .rt
        .block_on(server::start(
            Arc::new(TencentCloudProvider::new()) as Arc<_>,
            ServerOptions::plaintext(),
        ))
        .expect("start provider server");
    let ws = TfWorkspace::with_reattach(&server.reattach_json(PROVIDER_ADDRESS));
    ws.write(
        "main.tf",
        &format!(
            r#"
terraform {{
  required_providers {{
    tencentcloud = {{ source = "{PROVIDER_ADDRESS}" }}
  }}
}}

provider "tencentcloud" {{
  endpoint   = "{}"
  secret_id  = "{DEFAULT_SECRET_ID}"
  secret_key = "{DEFAULT_SECRET_KEY}"
  region     = "ap-guangzhou"
}}
{}"#,
            env.emu().base_url(),
            one_binding("")
        ),
    );
    ws.apply_and_check_empty_plan();
    assert_eq!(env.cloud().len(), 1);

    ws.destroy().assert_success();
    assert_eq!(
        env.cloud(),
        Vec::<Row>::new(),
        "destroy by the creating process left the binding in the cloud"
    );
    env.rt.block_on(server.shutdown());
}
