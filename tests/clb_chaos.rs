//! Chaos: 208 bindings on 8 load balancers, applied by the real terraform against an emulator that
//! answers 10% of calls with `InternalError`, drops 5% of connections after doing the work, fails
//! 2% of tasks, while an out-of-band writer keeps the same load balancers busy (so Terraform's
//! writes meet `FailedOperation.ResourceInOperating`).
//!
//! Asserted after each scenario: the first apply shows errors only for bindings whose task the
//! cloud failed; the next apply converges; Terraform's state equals the emulator's bindings
//! exactly (nothing lost, orphaned or duplicated); the following plan is empty; destroy leaves no
//! binding. One scenario runs normally, the other kills terraform (and its provider) with SIGKILL
//! mid-apply first. The figures are printed to stderr past the test harness's capture.

mod clb_common;
mod support;

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clb_common::*;
use serde_json::json;
use tencentcloud::clb::types::{
    AssociateTargetGroupsRequest, DisassociateTargetGroupsRequest, TargetGroupAssociation,
};
use tencentcloud::retry::{Jitter, RetryPolicy};
use tencentcloud::{Client, ClientConfig, CredentialOptions, Deadline, EndpointOptions};
use tencentcloud_emulator::{self as emulator, Faults, TaskAction};
use tokio_util::sync::CancellationToken;

const LOAD_BALANCERS: usize = 8;
const LISTENERS_PER_LB: usize = 26;
const OUT_OF_BAND_GROUP: &str = "lbtg-oob1";

fn lb(i: usize) -> String {
    format!("lb-chaos{i}")
}
fn listener(i: usize, j: usize) -> String {
    format!("lbl-c{i}x{j:02}")
}
fn target_group(i: usize) -> String {
    format!("lbtg-chaos{i}")
}
fn out_of_band_listener(i: usize) -> String {
    format!("lbl-c{i}oob")
}

/// Load balancers with `LISTENERS_PER_LB` target-group-mode TCP listeners each (plus one for the
/// out-of-band writer), one v2 target group per load balancer, and the writer's own group.
fn chaos_world() -> emulator::World {
    let lbs: Vec<_> = (1..=LOAD_BALANCERS)
        .map(|i| {
            let mut listeners: Vec<_> = (1..=LISTENERS_PER_LB)
                .map(|j| json!({"ListenerId": listener(i, j), "Protocol": "TCP", "Port": 1000 + j, "TargetType": "TARGETGROUP"}))
                .collect();
            listeners.push(json!({"ListenerId": out_of_band_listener(i), "Protocol": "TCP", "Port": 999, "TargetType": "TARGETGROUP"}));
            json!({"LoadBalancerId": lb(i), "VpcId": "vpc-chaos1", "Listeners": listeners})
        })
        .collect();
    let mut groups: Vec<_> = (1..=LOAD_BALANCERS)
        .map(|i| json!({"TargetGroupId": target_group(i), "VpcId": "vpc-chaos1", "TargetGroupType": "v2"}))
        .collect();
    groups.push(
        json!({"TargetGroupId": OUT_OF_BAND_GROUP, "VpcId": "vpc-chaos1", "TargetGroupType": "v2"}),
    );
    serde_json::from_value(json!({"LoadBalancers": lbs, "TargetGroups": groups}))
        .expect("chaos world")
}

fn chaos_config() -> String {
    format!(
        r#"
locals {{
  pairs = {{ for p in setproduct(range(1, {lbs}), range(1, {ls})) : format("c%dx%02d", p[0], p[1]) => p }}
}}

resource "tencentcloud_clb_target_group_association" "b" {{
  for_each = local.pairs

  load_balancer_id = format("lb-chaos%d", each.value[0])
  listener_id      = format("lbl-c%dx%02d", each.value[0], each.value[1])
  target_group_id  = format("lbtg-chaos%d", each.value[0])
}}
"#,
        lbs = LOAD_BALANCERS + 1,
        ls = LISTENERS_PER_LB + 1
    )
}

fn expected() -> Vec<Row> {
    let mut rows = Vec::new();
    for i in 1..=LOAD_BALANCERS {
        for j in 1..=LISTENERS_PER_LB {
            rows.push(row(
                &lb(i),
                &listener(i, j),
                None,
                &target_group(i),
                Some(10),
            ));
        }
    }
    rows.sort();
    rows
}

fn faults() -> Faults {
    Faults {
        internal_error: 0.10,
        drop_connection: 0.05,
        task_failure: 0.02,
        rng_seed: 2026,
        ..Faults::default()
    }
}

/// A client outside Terraform that binds and unbinds its own group on every load balancer in a
/// loop, so Terraform's writes find the load balancers busy.
struct OutOfBandWriter {
    stop: CancellationToken,
    done: tokio::task::JoinHandle<u64>,
}

impl OutOfBandWriter {
    fn start(env: &Env) -> Self {
        let config = ClientConfig {
            credentials: CredentialOptions {
                secret_id: Some(emulator::DEFAULT_SECRET_ID.into()),
                secret_key: Some(emulator::DEFAULT_SECRET_KEY.into()),
                metadata_base_url: Some("off".into()),
                ..CredentialOptions::default()
            },
            region: Some("ap-guangzhou".into()),
            endpoint: EndpointOptions {
                endpoint: Some(env.emu().base_url()),
                ..EndpointOptions::default()
            },
            rate_limit_per_second: 0,
            retry: RetryPolicy {
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(100),
                max_attempts: 3,
                jitter: Jitter::Full,
            },
            ..ClientConfig::default()
        };
        let client = env.rt.block_on(Client::new(config)).expect("writer client");
        let stop = CancellationToken::new();
        let token = stop.clone();
        let done = env.rt.spawn(async move {
            let mut accepted = 0u64;
            let mut bind = true;
            while !token.is_cancelled() {
                for i in 1..=LOAD_BALANCERS {
                    let association = TargetGroupAssociation {
                        load_balancer_id: lb(i),
                        target_group_id: OUT_OF_BAND_GROUP.into(),
                        listener_id: Some(out_of_band_listener(i)),
                        location_id: None,
                        weight: None,
                    };
                    let opts = Deadline::in_(Duration::from_millis(300));
                    let sent = if bind {
                        let req = AssociateTargetGroupsRequest {
                            associations: vec![association],
                        };
                        client.associate_target_groups(&req, &opts).await
                    } else {
                        let req = DisassociateTargetGroupsRequest {
                            associations: vec![association],
                        };
                        client.disassociate_target_groups(&req, &opts).await
                    };
                    accepted += u64::from(sent.is_ok());
                    tokio::time::sleep(Duration::from_millis(60)).await;
                }
                bind = !bind;
            }
            accepted
        });
        OutOfBandWriter { stop, done }
    }

    fn stop(self, env: &Env) -> u64 {
        self.stop.cancel();
        env.rt.block_on(self.done).expect("writer ends")
    }
}

/// The terraform-managed bindings in the emulator (the writer's group left out).
fn managed_cloud(env: &Env) -> Vec<Row> {
    env.cloud()
        .into_iter()
        .filter(|r| r.3 != OUT_OF_BAND_GROUP)
        .collect()
}

/// Asserts that every error an apply showed is a bind whose task the cloud reported failed;
/// returns how many errors it showed.
#[track_caller]
fn errors_only_for_failed_tasks(env: &Env, out: &support::TfOutput) -> usize {
    let text = out
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let shown = text.matches("Error: ").count();
    let marker = "Error: Failed to bind the target group (";
    let ids: Vec<&str> = text
        .match_indices(marker)
        .map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            &rest[..rest.find(')').expect("closing parenthesis")]
        })
        .collect();
    assert_eq!(
        shown,
        ids.len(),
        "an error other than a failed bind task was shown:\n{text}"
    );
    print_errors("apply", &text);
    let failed: BTreeSet<(String, String, String)> = env
        .emu()
        .snapshot()
        .tasks
        .iter()
        .filter(|t| t.action == TaskAction::AssociateTargetGroups && t.status == 1)
        .flat_map(|t| t.associations.iter())
        .map(|a| {
            (
                a.load_balancer_id.clone(),
                a.listener_id.clone(),
                a.target_group_id.clone(),
            )
        })
        .collect();
    for id in &ids {
        let parts: Vec<&str> = id.split('#').collect();
        assert_eq!(parts.len(), 3, "{id}");
        let key = (parts[0].into(), parts[1].into(), parts[2].into());
        assert!(
            failed.contains(&key),
            "{id} showed an error but none of its tasks failed:\n{text}"
        );
        assert!(
            text.contains("its task failed"),
            "the error for {id} does not say the task failed:\n{text}"
        );
    }
    shown
}

/// Prints past libtest's capture, so the figures show in CI logs of a passing run.
fn figures(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "chaos: {line}");
}

/// The assertions shared by both scenarios, from the first apply after the cloud was (maybe)
/// touched. Returns (errors shown by that apply, applies needed).
fn converge_and_check(env: &Env, scenario: &str, started: Instant) {
    let t = Instant::now();
    let first = env.ws.apply();
    let first_secs = t.elapsed().as_secs_f64();
    let errors = errors_only_for_failed_tasks(env, &first);
    let mut applies = 1;
    if !first.success() {
        // The next apply converges.
        let t = Instant::now();
        env.ws.apply().assert_success();
        applies += 1;
        figures(&format!(
            "{scenario}: second apply took {:.1}s",
            t.elapsed().as_secs_f64()
        ));
    }
    let cloud = managed_cloud(env);
    let unique: BTreeSet<_> = cloud.iter().cloned().collect();
    assert_eq!(unique.len(), cloud.len(), "duplicated bindings: {cloud:?}");
    assert_eq!(cloud, expected(), "lost or orphaned bindings");
    assert_eq!(env.state(), cloud, "state and cloud disagree");
    assert!(
        env.ws.plan_is_empty(),
        "the plan after converging is not empty"
    );

    let t = Instant::now();
    let mut destroys = 0;
    loop {
        destroys += 1;
        let out = env.ws.destroy();
        if out.success() {
            break;
        }
        errors_only_for_failed_unbinds(&out);
        assert!(
            destroys < 3,
            "destroy does not converge:\n{}",
            out.combined()
        );
    }
    assert!(managed_cloud(env).is_empty(), "destroy left bindings");
    assert!(env.state().is_empty());

    let m = env.emu().metrics();
    let managed_failed = env
        .emu()
        .snapshot()
        .tasks
        .iter()
        .filter(|t| t.status == 1)
        .filter(|t| {
            t.associations
                .iter()
                .any(|a| a.target_group_id != OUT_OF_BAND_GROUP)
        })
        .count();
    figures(&format!(
        "{scenario}: {} bindings on {LOAD_BALANCERS} load balancers; first apply {first_secs:.1}s showed {errors} errors; applies needed {applies}; destroys needed {destroys} ({:.1}s); wall time {:.1}s",
        expected().len(),
        t.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    ));
    figures(&format!(
        "{scenario}: injected/seen: InternalError {}, ResourceInOperating {}, tasks failed {} of {} ({managed_failed} of them terraform's, each tried once more), API calls {}",
        m.errors.get("InternalError").copied().unwrap_or(0),
        m.errors
            .get("FailedOperation.ResourceInOperating")
            .copied()
            .unwrap_or(0),
        m.tasks_failed,
        m.tasks_started,
        m.calls.values().sum::<u64>()
    ));
}

/// A destroy may only fail on unbinds whose task failed twice.
#[track_caller]
fn errors_only_for_failed_unbinds(out: &support::TfOutput) {
    let text = out
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        text.matches("Error: ").count(),
        text.matches("Error: Failed to unbind the target group (")
            .count(),
        "{text}"
    );
    assert!(text.contains("its task failed"), "{text}");
    print_errors("destroy", &text);
}

/// Prints each error a run showed (its first few hundred characters).
fn print_errors(what: &str, text: &str) {
    for (at, _) in text.match_indices("Error: ") {
        let end = text[at..]
            .char_indices()
            .nth(600)
            .map_or(text.len(), |(i, _)| at + i);
        figures(&format!("{what} error: {}", &text[at..end]));
    }
}

fn chaos_env() -> Env {
    // Short tasks keep the suite fast; the faults are what is being tested.
    let env = Env::with_world(chaos_world(), Duration::from_millis(50), faults());
    env.config(&chaos_config());
    env
}

#[test]
fn clb_chaos_one_apply_rides_through_transient_faults() {
    let started = Instant::now();
    let env = chaos_env();
    let writer = OutOfBandWriter::start(&env);
    converge_and_check(&env, "faults", started);
    let writes = writer.stop(&env);
    figures(&format!("faults: out-of-band writes accepted {writes}"));
    assert!(writes > 0, "the out-of-band writer never got a write in");
}

#[test]
fn clb_chaos_sigkill_mid_apply_then_reapply_converges() {
    let started = Instant::now();
    let env = chaos_env();
    let writer = OutOfBandWriter::start(&env);

    // terraform and its provider in their own process group, killed together mid-apply.
    let mut cmd = env.ws.command(&["apply", "-auto-approve", "-no-color"]);
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().expect("start terraform apply");
    env.wait_for("terraform to be well into the apply", |e| {
        managed_cloud(e).len() >= 60
    });
    let status = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status()
        .expect("run kill");
    assert!(status.success());
    let _ = child.wait();
    let made = managed_cloud(&env).len();
    figures(&format!(
        "sigkill: killed with {made} of {} bindings made",
        expected().len()
    ));
    assert!(
        made < expected().len(),
        "the apply finished before the kill"
    );

    converge_and_check(&env, "sigkill", started);
    let writes = writer.stop(&env);
    figures(&format!("sigkill: out-of-band writes accepted {writes}"));
}
