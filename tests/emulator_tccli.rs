//! The real, unmodified `tccli` against the emulator: the associate → task → describe →
//! disassociate cycle, signature failure, a clear layer-7 error, and the per-load-balancer lock.
//!
//! tccli comes from env `TCCLI`, else `target/tccli-venv/bin/tccli` (created by `scripts/test`).

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use tencentcloud_emulator::{DEFAULT_SECRET_KEY, EmulatorConfig, RunningEmulator, World, start};

fn tccli() -> PathBuf {
    let path = std::env::var_os("TCCLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tccli-venv/bin/tccli")
        });
    assert!(
        path.exists(),
        "tccli not found at {} (set TCCLI, or run scripts/test, which creates target/tccli-venv \
         with `pip install tccli tencentcloud-sdk-python`)",
        path.display()
    );
    path
}

fn example_world() -> World {
    serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap()
}

async fn emulator(task_duration: Duration) -> RunningEmulator {
    start(EmulatorConfig {
        seed: Some(example_world()),
        task_duration,
        rate_limit_per_second: 0,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

/// What one tccli run printed.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert!(self.ok, "tccli failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("tccli printed non-JSON ({e}): {}", self.stdout))
    }

    /// The error code from tccli's `[TencentCloudSDKException] code:X message:... requestId:...` line.
    fn error_code(&self) -> String {
        assert!(!self.ok, "tccli unexpectedly succeeded: {}", self.stdout);
        let line = self
            .stderr
            .lines()
            .find(|l| l.contains("code:"))
            .unwrap_or_else(|| panic!("no error code in: {}", self.stderr));
        let rest = &line[line.find("code:").unwrap() + 5..];
        rest.split_whitespace().next().unwrap_or("").to_string()
    }
}

/// Runs tccli with an isolated HOME and the given secret key; blocking, so called via spawn_blocking.
async fn run(emu_url: &str, key: &str, args: Vec<String>) -> Run {
    let url = emu_url.to_string();
    let key = key.to_string();
    let bin = tccli();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().unwrap();
        let out = Command::new(bin)
            .arg("clb")
            .args(&args)
            .arg("--endpoint")
            .arg(&url)
            .env("HOME", home.path())
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env("TENCENTCLOUD_SECRET_ID", "AKIDEXAMPLE")
            .env("TENCENTCLOUD_SECRET_KEY", key)
            .env("TENCENTCLOUD_REGION", "ap-guangzhou")
            .output()
            .expect("cannot run tccli");
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

fn args(action: &str, pairs: &[(&str, Value)]) -> Vec<String> {
    let mut v = vec![action.to_string()];
    for (k, val) in pairs {
        v.push(format!("--{k}"));
        v.push(match val {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    v
}

async fn wait_task(url: &str, task_id: &str) -> Value {
    // Each tccli start costs about a second; 120 polls is far beyond a 200 ms task.
    for _ in 0..120 {
        let st = run(
            url,
            DEFAULT_SECRET_KEY,
            args("DescribeTaskStatus", &[("TaskId", json!(task_id))]),
        )
        .await
        .json();
        if st["Status"] != json!(2) {
            return st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("task {task_id} never finished");
}

fn web() -> Value {
    json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001", "LocationId": "loc-web00001", "TargetGroupId": "lbtg-web00001"}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tccli_associate_task_describe_disassociate_cycle() {
    let emu = emulator(Duration::from_millis(200)).await;
    let url = emu.base_url();
    let r = run(
        &url,
        DEFAULT_SECRET_KEY,
        args("AssociateTargetGroups", &[("Associations", web())]),
    )
    .await
    .json();
    let task = r["RequestId"].as_str().unwrap().to_string();
    let st = wait_task(&url, &task).await;
    assert_eq!(st["Status"], json!(0), "{st}");
    assert_eq!(st["LoadBalancerIds"], json!(["lb-demo0001"]));

    let tgs = run(
        &url,
        DEFAULT_SECRET_KEY,
        args(
            "DescribeTargetGroups",
            &[("TargetGroupIds", json!(["lbtg-web00001"]))],
        ),
    )
    .await
    .json();
    let rules = &tgs["TargetGroupSet"][0]["AssociatedRule"];
    assert_eq!(rules[0]["LocationId"], "loc-web00001", "{tgs}");
    assert_eq!(rules[0]["ListenerId"], "lbl-http0001");

    let r = run(
        &url,
        DEFAULT_SECRET_KEY,
        args("DisassociateTargetGroups", &[("Associations", web())]),
    )
    .await
    .json();
    let st = wait_task(&url, r["RequestId"].as_str().unwrap()).await;
    assert_eq!(st["Status"], json!(0), "{st}");
    let tgs = run(
        &url,
        DEFAULT_SECRET_KEY,
        args(
            "DescribeTargetGroups",
            &[("TargetGroupIds", json!(["lbtg-web00001"]))],
        ),
    )
    .await
    .json();
    assert_eq!(
        tgs["TargetGroupSet"][0]["AssociatedRule"],
        json!([]),
        "{tgs}"
    );
    assert!(emu.world().associations.is_empty());
    assert!(emu.metrics().calls["DescribeTaskStatus"] >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tccli_wrong_secret_key_is_a_signature_failure() {
    let emu = emulator(Duration::ZERO).await;
    let r = run(
        &emu.base_url(),
        "not-the-key",
        args("DescribeLoadBalancers", &[]),
    )
    .await;
    assert_eq!(r.error_code(), "AuthFailure.SignatureFailure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tccli_layer7_without_location_id_fails_clearly() {
    let emu = emulator(Duration::ZERO).await;
    let body = json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001", "TargetGroupId": "lbtg-web00001"}]);
    let r = run(
        &emu.base_url(),
        DEFAULT_SECRET_KEY,
        args("AssociateTargetGroups", &[("Associations", body)]),
    )
    .await;
    assert_eq!(r.error_code(), "InvalidParameter");
    assert!(r.stderr.contains("LocationId is required"), "{}", r.stderr);
    assert!(emu.world().associations.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tccli_second_write_during_a_running_task_is_refused() {
    // The first task outlives the test, so the second write always meets it running.
    let emu = emulator(Duration::from_secs(3600)).await;
    let url = emu.base_url();
    run(
        &url,
        DEFAULT_SECRET_KEY,
        args("AssociateTargetGroups", &[("Associations", web())]),
    )
    .await
    .json();
    let other = json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-old00001"}]);
    let r = run(
        &url,
        DEFAULT_SECRET_KEY,
        args("AssociateTargetGroups", &[("Associations", other)]),
    )
    .await;
    assert_eq!(r.error_code(), "FailedOperation.ResourceInOperating");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tccli_unfolded_arguments_and_its_own_waiter() {
    let emu = emulator(Duration::from_millis(300)).await;
    let url = emu.base_url();
    let unfolded: Vec<String> = [
        "AssociateTargetGroups",
        "--cli-unfold-argument",
        "--Associations.0.LoadBalancerId",
        "lb-demo0001",
        "--Associations.0.ListenerId",
        "lbl-tcp00001",
        "--Associations.0.TargetGroupId",
        "lbtg-old00001",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let r = run(&url, DEFAULT_SECRET_KEY, unfolded).await.json();
    let task = r["RequestId"].as_str().unwrap().to_string();
    // tccli re-issues the call itself until Status == 0 (or gives up after its timeout).
    let waiter = vec![
        "DescribeTaskStatus".to_string(),
        "--TaskId".to_string(),
        task,
        "--waiter".to_string(),
        r#"{"expr":"Status","to":0,"timeout":120,"interval":1}"#.to_string(),
    ];
    let st = run(&url, DEFAULT_SECRET_KEY, waiter).await.json();
    assert_eq!(st["Status"], json!(0), "{st}");
    let w = emu.world();
    assert_eq!(w.associations.len(), 1);
    assert_eq!(w.associations[0].target_group_id, "lbtg-old00001");
    assert_eq!(w.associations[0].location_id, None);
}
