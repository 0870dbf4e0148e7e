//! `--state` persistence: everything survives a restart, and tasks in flight at shutdown are
//! finished (completed or failed) when the state is reloaded.

use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tencentcloud_emulator::probe::ApiProbe;
use tencentcloud_emulator::{EmulatorConfig, EmulatorError, Faults, RunningEmulator, World, start};

fn example_world() -> World {
    serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap()
}

async fn emulator(
    state: &Path,
    seed: Option<World>,
    task_duration: Duration,
    task_failure: f64,
) -> RunningEmulator {
    start(EmulatorConfig {
        seed,
        state_file: Some(state.to_path_buf()),
        task_duration,
        rate_limit_per_second: 0,
        faults: Faults {
            task_failure,
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

fn web() -> Value {
    json!({"Associations": [{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001", "LocationId": "loc-web00001", "TargetGroupId": "lbtg-web00001", "Weight": 25}]})
}

async fn task_status(p: &ApiProbe, task_id: &str) -> Value {
    p.call("DescribeTaskStatus", json!({"TaskId": task_id}))
        .await
        .unwrap()
        .response()
        .clone()
}

#[tokio::test]
async fn associations_survive_a_restart_and_the_file_is_always_valid() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let emu = emulator(&state, Some(example_world()), Duration::ZERO, 0.0).await;
    // The seed is written at start.
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(on_disk["LoadBalancers"][0]["LoadBalancerId"], "lb-demo0001");
    let p = ApiProbe::new(emu.base_url());
    let r = p.call("AssociateTargetGroups", web()).await.unwrap();
    assert_eq!(r.error_code(), None);
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(on_disk["Associations"][0]["Weight"], json!(25));
    let before = emu.world();
    emu.shutdown().await;

    // Restart without a seed: the state file alone brings everything back.
    let emu = emulator(&state, None, Duration::ZERO, 0.0).await;
    assert_eq!(emu.world(), before);
    assert_eq!(emu.world().associations.len(), 1);
    let p = ApiProbe::new(emu.base_url());
    let task_id = r.response()["RequestId"].as_str().unwrap();
    assert_eq!(task_status(&p, task_id).await["Status"], json!(0));
    // A seed given on restart does not override the existing state.
    emu.shutdown().await;
    let emu = emulator(&state, Some(example_world()), Duration::ZERO, 0.0).await;
    assert_eq!(emu.world().associations.len(), 1);
}

#[tokio::test]
async fn tasks_in_flight_are_finished_on_reload() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let emu = emulator(
        &state,
        Some(example_world()),
        Duration::from_secs(3600),
        0.0,
    )
    .await;
    let p = ApiProbe::new(emu.base_url());
    let r = p.call("AssociateTargetGroups", web()).await.unwrap();
    let task_id = r.response()["RequestId"].as_str().unwrap().to_string();
    assert_eq!(task_status(&p, &task_id).await["Status"], json!(2));
    assert!(emu.world().associations.is_empty());
    emu.shutdown().await;

    let emu = emulator(&state, None, Duration::from_secs(3600), 0.0).await;
    let p = ApiProbe::new(emu.base_url());
    assert_eq!(task_status(&p, &task_id).await["Status"], json!(0));
    assert_eq!(emu.world().associations.len(), 1);
    // The lock went with the task.
    let r = p.call("DisassociateTargetGroups", web()).await.unwrap();
    assert_eq!(r.error_code(), None);
    let dis_id = r.response()["RequestId"].as_str().unwrap().to_string();
    emu.shutdown().await;

    // A task planned to fail (fault injection) fails on reload and changes nothing.
    let emu = emulator(&state, None, Duration::from_secs(3600), 0.0).await;
    let p = ApiProbe::new(emu.base_url());
    assert_eq!(task_status(&p, &dis_id).await["Status"], json!(0));
    assert!(emu.world().associations.is_empty());
    emu.shutdown().await;
    let emu = emulator(&state, None, Duration::from_secs(3600), 1.0).await;
    let p = ApiProbe::new(emu.base_url());
    let r = p.call("AssociateTargetGroups", web()).await.unwrap();
    let failing = r.response()["RequestId"].as_str().unwrap().to_string();
    emu.shutdown().await;
    let emu = emulator(&state, None, Duration::from_secs(3600), 0.0).await;
    let p = ApiProbe::new(emu.base_url());
    let st = task_status(&p, &failing).await;
    assert_eq!(st["Status"], json!(1));
    assert!(st["Message"].as_str().unwrap().contains("fault"));
    assert!(emu.world().associations.is_empty());
}

#[tokio::test]
async fn a_corrupt_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    std::fs::write(&state, b"{ half").unwrap();
    let err = start(EmulatorConfig {
        state_file: Some(state),
        ..EmulatorConfig::default()
    })
    .await
    .err()
    .unwrap();
    assert!(matches!(err, EmulatorError::StateFile { .. }), "{err}");
}

#[tokio::test]
async fn a_non_loopback_listen_address_is_refused() {
    let err = start(EmulatorConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..EmulatorConfig::default()
    })
    .await
    .err()
    .unwrap();
    assert!(matches!(err, EmulatorError::NotLoopback(_)), "{err}");
}

#[tokio::test]
async fn a_task_finishes_and_is_persisted_without_further_calls() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let emu = emulator(
        &state,
        Some(example_world()),
        Duration::from_millis(100),
        0.0,
    )
    .await;
    let p = ApiProbe::new(emu.base_url());
    assert_eq!(
        p.call("AssociateTargetGroups", web())
            .await
            .unwrap()
            .error_code(),
        None
    );
    // Only the file is read here, so nothing but the emulator's own timer can finish the task.
    for _ in 0..600 {
        let on_disk: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
        if on_disk["Tasks"][0]["Status"] == json!(0) {
            assert_eq!(on_disk["Associations"].as_array().unwrap().len(), 1);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the task never finished on its own");
}
