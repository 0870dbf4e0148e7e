//! End to end: the per-load-balancer engine with the real `terraform` and the emulator.
//! Writes that arrive together go out as one call; a call the cloud refuses because of one
//! member fails that member only; refresh reads share calls. Figures are printed, not asserted
//! as times.

mod clb_common;
mod support;

use std::time::{Duration, Instant};

use clb_common::*;
use tencentcloud_emulator::Faults;

/// `tencentcloud_clb_target_group_association.fe["lbl-fe0000NN"]` for listeners 1..=n, all bound
/// to the v2 target group `lbtg-web00001`.
fn bindings(n: usize) -> String {
    let listeners: Vec<String> = (1..=n).map(|i| format!("\"lbl-fe{i:06}\"")).collect();
    format!(
        r#"
resource "tencentcloud_clb_target_group_association" "fe" {{
  for_each         = toset([{}])
  load_balancer_id = "lb-demo0001"
  listener_id      = each.key
  target_group_id  = "lbtg-web00001"
}}
"#,
        listeners.join(", ")
    )
}

fn calls(env: &Env) -> String {
    let m = env.emu().metrics();
    let mut v: Vec<String> = m.calls.iter().map(|(k, n)| format!("{k}={n}")).collect();
    v.sort();
    v.join(" ")
}

#[test]
fn clb_engine_batch_with_one_bad_member_gives_exactly_one_error() {
    let env = Env::with(Duration::from_millis(500), Faults::default());
    // Out of band, listener 7 gets a legacy (v1) target group: the cloud refuses to put any other
    // group next to it, which the plan cannot know.
    env.edit_world(|w| {
        w["Associations"] = serde_json::json!([{
            "LoadBalancerId": "lb-demo0001",
            "ListenerId": "lbl-fe000007",
            "TargetGroupId": "lbtg-old00001"
        }]);
    });
    let seeded = env.cloud();
    assert_eq!(seeded.len(), 1);
    env.config(&bindings(12));
    let out = env
        .ws
        .run(&["apply", "-auto-approve", "-no-color", "-parallelism=20"]);
    assert_failed_with(&out, &["FailedOperation", "lbl-fe000007"]);
    let text = out.combined();
    assert_eq!(
        text.matches("Error: ").count(),
        1,
        "exactly one binding fails:\n{text}"
    );
    // Every other binding was made, and state tells the truth about them.
    let made: Vec<Row> = env
        .cloud()
        .into_iter()
        .filter(|r| !seeded.contains(r))
        .collect();
    assert_eq!(made.len(), 11, "{made:?}");
    assert!(made.iter().all(|r| r.1 != "lbl-fe000007"));
    assert_eq!(env.state(), made);
    let associate_calls = env.calls("AssociateTargetGroups");
    println!("12 binds, one refused by the cloud: {}", calls(&env));
    assert!(
        associate_calls < 12,
        "binds share calls ({associate_calls} calls for 12 bindings)"
    );
}

#[test]
fn clb_engine_twenty_bindings_apply_refresh_destroy_in_few_calls() {
    let env = Env::with(Duration::from_millis(500), Faults::default());
    env.config(&bindings(20));
    let started = Instant::now();
    env.ws
        .run(&["apply", "-auto-approve", "-no-color", "-parallelism=20"])
        .assert_success();
    let apply_time = started.elapsed();
    env.assert_agree();
    let after_apply = env.emu().metrics().calls.clone();
    println!(
        "apply of 20 (T = 0.5 s, -parallelism=20) in {:.1} s: {}",
        apply_time.as_secs_f64(),
        calls(&env)
    );
    assert!(
        after_apply["AssociateTargetGroups"] < 20,
        "binds share calls"
    );

    let reads_before = after_apply
        .get("DescribeTargetGroups")
        .copied()
        .unwrap_or(0);
    env.ws
        .run(&["plan", "-refresh-only", "-no-color"])
        .assert_success();
    let refresh_reads = env.calls("DescribeTargetGroups") - reads_before;
    println!(
        "refresh of 20 bindings on one target group: {refresh_reads} DescribeTargetGroups calls"
    );
    // One target group: at most ceil(1 / 20) + 1 calls.
    assert!(refresh_reads <= 2, "{refresh_reads} reads");

    let started = Instant::now();
    env.ws
        .run(&["destroy", "-auto-approve", "-no-color", "-parallelism=20"])
        .assert_success();
    println!(
        "destroy of 20 in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        calls(&env)
    );
    assert!(env.cloud().is_empty());
    assert!(
        env.calls("DisassociateTargetGroups") < 20,
        "unbinds share calls"
    );
}
