//! End to end under failure: a failed task records nothing and says why; an interrupted apply
//! and lost answers converge on re-run with no duplicate or orphan binding.

mod clb_common;
mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use clb_common::*;
use tencentcloud_emulator::Faults;

const THREE_BINDINGS: &str = r#"
resource "tencentcloud_clb_target_group_association" "fe" {
  for_each = toset(["lbl-fe000001", "lbl-fe000002", "lbl-fe000003"])

  load_balancer_id = "lb-demo0001"
  listener_id      = each.value
  target_group_id  = "lbtg-web00001"
}
"#;

#[test]
fn clb_failed_task_reports_message_and_records_nothing() {
    let env = Env::with(
        Duration::from_millis(200),
        Faults {
            task_failure: 1.0,
            rng_seed: 7,
            ..Faults::default()
        },
    );
    env.config(
        r#"
resource "tencentcloud_clb_target_group_association" "tcp" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
}
"#,
    );
    let out = env.ws.apply();
    assert_failed_with(
        &out,
        &[
            "Failed to bind the target group",
            "Injected fault: the backend failed to update the load balancer",
            "RequestId: ",
        ],
    );
    assert!(!out.combined().contains("rpc error"), "{}", out.combined());
    assert!(env.cloud().is_empty());
    assert!(
        env.state().is_empty(),
        "a failed bind must not be recorded in state"
    );
    env.assert_agree();
}

/// Sends SIGINT (what Ctrl-C does) to a process.
fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[test]
fn clb_interrupted_apply_reruns_to_convergence() {
    // Long tasks so the interrupt lands while the first bind is in flight.
    let env = Env::with(Duration::from_millis(2500), Faults::default());
    env.config(THREE_BINDINGS);

    let mut cmd = env.ws.command(&["apply", "-auto-approve", "-no-color"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("start terraform apply");
    env.wait_for("the first AssociateTargetGroups call", |e| {
        e.calls("AssociateTargetGroups") >= 1
    });
    interrupt(child.id());
    let out = child.wait_with_output().expect("terraform exits");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "the interrupted apply should not report success:\n{printed}"
    );
    // StopProvider reached the provider: waits ended with a diagnostic, not a hang or a crash.
    assert!(printed.contains("cancelled"), "{printed}");
    assert!(!printed.contains("panicked"), "{printed}");

    // The three binds share one call and one task (the engine batches per load balancer); the
    // interrupt lands while that task runs, so no create saw it finish: whatever was recorded is
    // recorded tainted, never as a finished binding.
    env.wait_for("the emulator's tasks to settle", |e| {
        e.emu().metrics().tasks_running == 0
    });
    let recorded = env.state();
    let state = env.ws.state_json();
    let untainted: Vec<&serde_json::Value> = state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["tainted"] != true)
        .collect();
    assert!(
        untainted.is_empty(),
        "the apply was not interrupted: {untainted:?}"
    );
    eprintln!(
        "after the interrupt: cloud {:?}, state {recorded:?}",
        env.cloud()
    );
    // The cloud may hold a binding that the interrupted run never recorded; the re-run adopts it.
    env.ws.apply_and_check_empty_plan();
    let cloud = env.cloud();
    assert_eq!(cloud.len(), 3, "{cloud:?}");
    env.assert_agree();
    env.ws.destroy().assert_success();
    assert!(env.cloud().is_empty());
}

#[test]
fn clb_lost_answers_converge_in_one_apply_without_duplicates() {
    // Half of all replies are dropped after the emulator processed the request.
    let env = Env::with(
        Duration::from_millis(200),
        Faults {
            drop_connection: 0.5,
            rng_seed: 42,
            ..Faults::default()
        },
    );
    env.config(THREE_BINDINGS);
    // Every lost answer is followed by a look at the cloud and, if needed, a re-send, within the
    // create timeout: one apply is enough.
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    assert_eq!(env.cloud().len(), 3);
}

#[test]
fn clb_create_timeout_is_honoured_and_rerun_replaces_the_tainted_binding() {
    // Tasks take longer than the configured create timeout.
    let env = Env::with(Duration::from_millis(4000), Faults::default());
    let config = |timeout: &str| {
        format!(
            r#"
resource "tencentcloud_clb_target_group_association" "tcp" {{
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"

  timeouts {{
    create = "{timeout}"
  }}
}}
"#
        )
    };
    env.config(&config("2s"));
    let out = env.ws.apply();
    assert_failed_with(
        &out,
        &[
            "did not finish before the deadline",
            "recorded in state, marked tainted",
            "Raise `timeouts.create`",
        ],
    );
    // The cloud accepted the bind: it is recorded (tainted), not lost.
    assert_eq!(env.state().len(), 1);

    // The task finishes in the cloud; the re-run replaces the tainted object (unbind, bind).
    env.wait_for("the emulator's tasks to settle", |e| {
        e.emu().metrics().tasks_running == 0
    });
    assert_eq!(env.cloud().len(), 1);
    env.config(&config("5m"));
    env.ws.apply_and_check_empty_plan();
    assert_eq!(env.cloud().len(), 1);
    env.assert_agree();
}

fn listeners_block(name: &str, from: u32, to: u32) -> String {
    format!(
        r#"
resource "tencentcloud_clb_target_group_association" "{name}" {{
  for_each = toset([for i in range({from}, {to}) : format("lbl-fe%06d", i)])

  load_balancer_id = "lb-demo0001"
  listener_id      = each.value
  target_group_id  = "lbtg-api00001"
}}
"#
    )
}

#[test]
fn clb_two_parallel_applies_on_one_load_balancer_both_converge() {
    // Two terraform runs (two provider processes) write to the same load balancer at once: the
    // cloud answers ResourceInOperating to whichever collides, and the client waits and retries.
    let env = Env::with(Duration::from_millis(300), Faults::default());
    let other = env.another_workspace();
    env.config(&listeners_block("a", 1, 6));
    other.write(
        "main.tf",
        &format!("{PROVIDER_BLOCK}\n{}", listeners_block("b", 6, 11)),
    );
    let spawn = |ws: &support::TfWorkspace| {
        let mut cmd = ws.command(&["apply", "-auto-approve", "-no-color"]);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn().expect("start terraform apply")
    };
    let (a, b) = (spawn(&env.ws), spawn(&other));
    for (name, child) in [("first", a), ("second", b)] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{name} apply failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(env.cloud().len(), 10);
    eprintln!("emulator errors: {:?}", env.emu().metrics().errors);
    // Both states together are exactly the cloud.
    let mut both = env.state();
    let v: serde_json::Value =
        serde_json::from_str(&other.run(&["show", "-json"]).assert_success().stdout).unwrap();
    let second: Vec<_> = v["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["values"]["listener_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(second.len(), 5);
    both.extend(env.cloud().into_iter().filter(|r| second.contains(&r.1)));
    both.sort();
    assert_eq!(both, env.cloud());
}
