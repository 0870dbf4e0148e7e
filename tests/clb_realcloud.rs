//! End to end against endpoints that answer as the real cloud may, not as our emulator usually
//! does: replies far too large, replies a write cannot be read from, empty replies.

mod clb_common;
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clb_common::*;
use support::{TfWorkspace, provider_bin};

const ONE_BINDING: &str = r#"
resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000001"
  target_group_id  = "lbtg-web00001"
}
"#;

/// A loopback HTTP server answering every request with `200` and `body_len` bytes of a JSON
/// reply that never ends well (a long array), written lazily so the test itself stays small.
fn huge_reply_server(body_len: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = read_request(&mut stream);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
                let start = br#"{"Response":{"RequestId":"huge","LoadBalancerSet":["#;
                let item = br#"{"LoadBalancerId":"lb-00000000","LoadBalancerName":"padding"},"#;
                let mut chunk = Vec::with_capacity(64 * 1024);
                while chunk.len() + item.len() <= 64 * 1024 {
                    chunk.extend_from_slice(item);
                }
                if stream.write_all(head.as_bytes()).is_err() || stream.write_all(start).is_err() {
                    return;
                }
                let mut sent = start.len();
                while sent < body_len {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
                let _ = stream.write_all(br#"{}]}}"#);
            });
        }
    });
    format!("http://{addr}")
}

/// Reads one request's head and body (by Content-Length).
fn read_request(stream: &mut std::net::TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(());
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body)
}

/// A provider "binary" that records its process ID, then becomes the real provider (same
/// process, so Terraform's handshake and kill work as usual).
fn recording_provider(dir: &Path) -> (PathBuf, PathBuf) {
    let pids = dir.join("provider.pids");
    let wrapper = dir.join("provider-wrapper");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho $$ >> '{}'\nexec '{}' \"$@\"\n",
            pids.display(),
            provider_bin().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (wrapper, pids)
}

/// Watches every process listed in `pids` and keeps the largest peak resident size (VmHWM, in
/// KiB) seen, until `stop`.
fn watch_peak_rss(pids: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0u64;
        while !stop.load(Ordering::Relaxed) {
            for pid in std::fs::read_to_string(&pids).unwrap_or_default().lines() {
                let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim()))
                    .unwrap_or_default();
                if let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    peak = peak.max(kib);
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    })
}

#[test]
fn clb_a_300_mb_reply_is_refused_with_bounded_memory() {
    let endpoint = huge_reply_server(300 << 20);
    let scratch = tempfile::tempdir().unwrap();
    let (wrapper, pids) = recording_provider(scratch.path());
    let mut ws = TfWorkspace::new("terraform.local/tencentcloud/tencentcloud", &wrapper);
    for (k, v) in [
        ("TENCENTCLOUD_CLB_ENDPOINT", endpoint.as_str()),
        (
            "TENCENTCLOUD_SECRET_ID",
            tencentcloud_emulator::DEFAULT_SECRET_ID,
        ),
        (
            "TENCENTCLOUD_SECRET_KEY",
            tencentcloud_emulator::DEFAULT_SECRET_KEY,
        ),
        ("TENCENTCLOUD_REGION", "ap-guangzhou"),
        ("TENCENTCLOUD_METADATA_BASE_URL", "off"),
        ("NO_PROXY", "127.0.0.1,localhost"),
    ] {
        ws.env(k, v);
    }
    ws.write("main.tf", &format!("{PROVIDER_BLOCK}\n{ONE_BINDING}"));

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_peak_rss(pids, stop.clone());
    let out = ws.run(&["plan", "-no-color"]);
    stop.store(true, Ordering::Relaxed);
    let peak_kib = watcher.join().unwrap();
    println!(
        "provider peak RSS with a 300 MB reply: {:.1} MB",
        peak_kib as f64 / 1024.0
    );
    assert_failed_with(&out, &["is larger than 8388608 bytes"]);
    assert!(peak_kib > 0, "the provider's memory was never observed");
    assert!(
        peak_kib < 100 * 1024,
        "the provider peaked at {peak_kib} KiB (limit 100 MB)"
    );
}

/// Bindings of the example world's `lbtg-web00001` on the front-end listeners, as the cloud has them.
fn web_bindings(env: &Env) -> usize {
    env.cloud()
        .iter()
        .filter(|r| r.3 == "lbtg-web00001" && r.1 == "lbl-fe000001")
        .count()
}

#[test]
fn clb_a_garbled_reply_to_a_write_is_outcome_unknown_and_destroy_leaves_no_orphan() {
    let env = Env::with(
        Duration::from_millis(200),
        tencentcloud_emulator::Faults {
            garbled_write_reply: 1.0,
            ..Default::default()
        },
    );
    env.config(ONE_BINDING);
    // Every bind is applied but answered with a cut-off body: the provider must not take that
    // for a failure that changed nothing. It reads the cloud, finds the binding and adopts it.
    let out = env.ws.apply();
    assert_eq!(web_bindings(&env), 1, "{}", out.combined());
    assert_eq!(
        env.state().len(),
        1,
        "the binding the cloud made is not in state:\n{}",
        out.combined()
    );
    env.assert_agree();
    // Unbinds are garbled too; destroy reads the cloud to see that the unbind happened.
    let out = env.ws.destroy();
    assert!(out.success(), "{}", out.combined());
    assert_eq!(web_bindings(&env), 0, "orphan left:\n{}", out.combined());
    env.assert_agree();
}

#[test]
fn clb_an_empty_reply_to_a_read_is_malformed_not_absent() {
    let env = Env::with(
        Duration::from_millis(200),
        tencentcloud_emulator::Faults {
            empty_read_reply: 1.0,
            ..Default::default()
        },
    );
    env.config(ONE_BINDING);
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(&out, &["malformed reply to Describe", "the reply has no"]);
    assert!(
        !out.combined().contains("not found"),
        "an empty reply was taken for a missing object:\n{}",
        out.combined()
    );
}

/// An emulator answering as the API documents (the default), with `change` applied to its config.
fn documented_env(change: impl FnOnce(&mut tencentcloud_emulator::EmulatorConfig)) -> Env {
    let mut config = tencentcloud_emulator::EmulatorConfig {
        seed: Some(example_world()),
        task_duration: Duration::from_millis(200),
        ..Default::default()
    };
    change(&mut config);
    Env::with_config(config)
}

const THREE_BINDINGS: &str = r#"
resource "tencentcloud_clb_target_group_association" "fe" {
  for_each = toset(["lbl-fe000001", "lbl-fe000002", "lbl-fe000003"])

  load_balancer_id = "lb-demo0001"
  listener_id      = each.value
  target_group_id  = "lbtg-web00001"
}
"#;

#[test]
fn clb_a_refused_batch_member_under_documented_codes_fails_alone() {
    // Room for two more bindings: whichever way the three are batched, exactly one is refused
    // with the generic `LimitExceeded`, which names no member.
    let env = documented_env(|c| c.binding_quota = Some(2));
    env.config(THREE_BINDINGS);
    let out = env.ws.apply();
    assert_failed_with(&out, &["LimitExceeded"]);
    let text = out.combined();
    assert_eq!(
        text.matches("Error: ").count(),
        1,
        "expected exactly one error:\n{text}"
    );
    let cloud = env.cloud();
    assert_eq!(cloud.len(), 2, "{text}");
    let refused = ["lbl-fe000001", "lbl-fe000002", "lbl-fe000003"]
        .into_iter()
        .find(|l| !cloud.iter().any(|r| r.1 == *l))
        .unwrap();
    assert!(
        text.contains(&format!(
            "tencentcloud_clb_target_group_association.fe[\"{refused}\"]"
        )),
        "the error is not on the refused binding {refused}:\n{text}"
    );
    env.assert_agree();
}

const TWO_GROUPS: &str = r#"
resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000001"
  target_group_id  = "lbtg-web00001"
}

resource "tencentcloud_clb_target_group_association" "api" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000002"
  target_group_id  = "lbtg-api00001"
}
"#;

fn deleted_group_among_siblings(unknown_ids: tencentcloud_emulator::UnknownIds) {
    let env = documented_env(|c| c.describe_unknown_ids = unknown_ids);
    env.config(TWO_GROUPS);
    env.ws.apply_and_check_empty_plan();
    // The api target group is deleted out of band (with its binding).
    env.edit_world(|w| {
        w["TargetGroups"]
            .as_array_mut()
            .unwrap()
            .retain(|tg| tg["TargetGroupId"] != "lbtg-api00001");
        w["Associations"]
            .as_array_mut()
            .unwrap()
            .retain(|a| a["TargetGroupId"] != "lbtg-api00001");
    });
    let out = env
        .ws
        .run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert!(out.success(), "{:?}: {}", unknown_ids, out.combined());
    assert_eq!(
        env.state(),
        vec![row(
            "lb-demo0001",
            "lbl-fe000001",
            None,
            "lbtg-web00001",
            Some(10)
        )],
        "{unknown_ids:?}: only the deleted group's binding may leave the state"
    );
    env.assert_agree();
}

#[test]
fn clb_a_deleted_target_group_changes_only_its_bindings_when_unknown_ids_are_answered() {
    deleted_group_among_siblings(tencentcloud_emulator::UnknownIds::AnswerKnown);
}

#[test]
fn clb_a_deleted_target_group_changes_only_its_bindings_when_unknown_ids_are_refused() {
    deleted_group_among_siblings(tencentcloud_emulator::UnknownIds::Refuse);
}

#[test]
fn clb_a_targetgroup_v2_listener_takes_v2_groups_and_refuses_v1_with_advice() {
    let mut world = example_world();
    for lb in &mut world.load_balancers {
        for l in &mut lb.listeners {
            if l.listener_id == "lbl-fe000020" {
                l.target_type = Some("TARGETGROUP-V2".into());
            }
        }
    }
    let env = Env::with_config(tencentcloud_emulator::EmulatorConfig {
        seed: Some(world),
        task_duration: Duration::from_millis(200),
        ..Default::default()
    });
    env.config(
        r#"
resource "tencentcloud_clb_target_group_association" "v2" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000020"
  target_group_id  = "lbtg-web00001"
}
"#,
    );
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    env.config(
        r#"
resource "tencentcloud_clb_target_group_association" "v2" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000020"
  target_group_id  = "lbtg-web00001"
}

resource "tencentcloud_clb_target_group_association" "v1" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-fe000020"
  target_group_id  = "lbtg-old00001"
}
"#,
    );
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(
        &out,
        &[
            "target type TARGETGROUP-V2",
            "This listener serves v2 target groups",
        ],
    );
}

/// The example world plus a load balancer, listener and target group in `ap-shanghai`.
fn two_region_world() -> tencentcloud_emulator::World {
    let mut world: serde_json::Value =
        serde_json::to_value(example_world()).expect("world as JSON");
    world["LoadBalancers"].as_array_mut().unwrap().push(serde_json::json!({
        "LoadBalancerId": "lb-sh000001",
        "VpcId": "vpc-sh000001",
        "Region": "ap-shanghai",
        "Listeners": [{"ListenerId": "lbl-sh000001", "Protocol": "TCP", "Port": 80, "TargetType": "TARGETGROUP"}]
    }));
    world["TargetGroups"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "TargetGroupId": "lbtg-sh000001",
            "VpcId": "vpc-sh000001",
            "Region": "ap-shanghai",
            "TargetGroupType": "v2",
            "Protocol": "TCP",
            "Port": 80
        }));
    let mut world: tencentcloud_emulator::World = serde_json::from_value(world).unwrap();
    world.normalize().expect("a consistent world");
    world
}

fn two_region_env() -> Env {
    Env::with_config(tencentcloud_emulator::EmulatorConfig {
        seed: Some(two_region_world()),
        task_duration: Duration::from_millis(200),
        ..Default::default()
    })
}

const SHANGHAI_BINDING: &str = r#"
resource "tencentcloud_clb_target_group_association" "sh" {
  region           = "ap-shanghai"
  load_balancer_id = "lb-sh000001"
  listener_id      = "lbl-sh000001"
  target_group_id  = "lbtg-sh000001"
}
"#;

#[test]
fn clb_two_regions_in_one_configuration() {
    let env = two_region_env();
    env.config(&format!(
        "{ONE_BINDING}\n{SHANGHAI_BINDING}\n{}",
        r#"
data "tencentcloud_clb_target_group_associations" "sh" {
  region          = "ap-shanghai"
  target_group_id = "lbtg-sh000001"
  depends_on      = [tencentcloud_clb_target_group_association.sh]
}

output "sh_count" {
  value = length(data.tencentcloud_clb_target_group_associations.sh.associations)
}
"#
    ));
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    let web = env
        .ws
        .resource_values("tencentcloud_clb_target_group_association.web")
        .unwrap();
    assert_eq!(web["region"], "ap-guangzhou");
    let sh = env
        .ws
        .resource_values("tencentcloud_clb_target_group_association.sh")
        .unwrap();
    assert_eq!(sh["region"], "ap-shanghai");
    let out = env.ws.run(&["output", "-raw", "sh_count"]).assert_success();
    assert_eq!(out.stdout.trim(), "1");
    // A binding in another region is invisible from the provider's region.
    env.ws
        .run(&["destroy", "-auto-approve", "-no-color"])
        .assert_success();
    env.config(&SHANGHAI_BINDING.replace("  region           = \"ap-shanghai\"\n", ""));
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(&out, &["lb-sh000001", "in this region"]);
}

#[test]
fn clb_import_with_a_region_suffix_reads_the_binding_in_that_region() {
    let env = two_region_env();
    env.config(SHANGHAI_BINDING);
    env.ws.apply_and_check_empty_plan();
    let addr = "tencentcloud_clb_target_group_association.sh";
    let applied = env.ws.resource_values(addr).unwrap();
    env.ws.run(&["state", "rm", addr]).assert_success();
    assert!(env.state().is_empty());
    let id = "lb-sh000001#lbl-sh000001#lbtg-sh000001";
    // Without a region: the provider's (ap-guangzhou), where the binding does not exist.
    let out = env.ws.import(addr, id);
    assert_failed_with(&out, &["non-existent"]);
    // A malformed region is refused before any call.
    let out = env.ws.import(addr, &format!("{id}@Shanghai"));
    assert_failed_with(&out, &["region after '@'", "@REGION"]);
    assert!(env.state().is_empty());
    // With `@ap-shanghai`: read there, recorded there, and the configuration plans nothing.
    env.ws
        .import(addr, &format!("{id}@ap-shanghai"))
        .assert_success();
    let imported = env.ws.resource_values(addr).expect("imported");
    for key in [
        "id",
        "load_balancer_id",
        "listener_id",
        "target_group_id",
        "weight",
        "region",
    ] {
        assert_eq!(imported[key], applied[key], "{key} after import");
    }
    assert_eq!(imported["region"], "ap-shanghai");
    assert!(env.ws.plan_is_empty(), "plan after import is not empty");
    env.assert_agree();
}

#[test]
fn clb_a_provider_region_change_keeps_the_binding_in_its_own_region() {
    let mut env = two_region_env();
    env.config(ONE_BINDING);
    env.ws.apply_and_check_empty_plan();
    env.ws.env("TENCENTCLOUD_REGION", "ap-shanghai");
    // Refresh reads the binding in its own region: it stays in state.
    env.ws
        .run(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .assert_success();
    assert_eq!(env.state().len(), 1, "the binding vanished from state");
    let addr = "tencentcloud_clb_target_group_association.web";
    assert_eq!(
        env.ws.resource_values(addr).unwrap()["region"],
        "ap-guangzhou"
    );
    // The configuration names no region, so the binding would now be made in ap-shanghai:
    // a replacement, which the plan-time checks refuse because the load balancer is not there.
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(&out, &["lb-demo0001", "exists in this region", "`region`"]);
    assert_eq!(env.state().len(), 1);
    // Pinned to its region, the binding needs no change at all.
    env.config(&ONE_BINDING.replace(
        "  load_balancer_id",
        "  region           = \"ap-guangzhou\"\n  load_balancer_id",
    ));
    assert!(env.ws.plan_is_empty(), "a pinned binding plans a change");
    env.assert_agree();
}

#[test]
fn clb_failed_tasks_that_applied_part_of_their_batch_converge_in_one_apply_and_destroy() {
    // Every task fails, after applying the first half of its members (a lone member included):
    // the provider must find what the failed tasks did instead of trusting their status.
    let env = documented_env(|c| {
        c.faults = tencentcloud_emulator::Faults {
            task_failure: 1.0,
            partial_task_failure: 1.0,
            ..Default::default()
        }
    });
    env.config(THREE_BINDINGS);
    let out = env.ws.apply();
    assert!(out.success(), "{}", out.combined());
    assert_eq!(env.cloud().len(), 3, "{}", out.combined());
    env.assert_agree();
    let out = env.ws.destroy();
    assert!(out.success(), "{}", out.combined());
    assert!(env.cloud().is_empty(), "orphans left:\n{}", out.combined());
    env.assert_agree();
}
