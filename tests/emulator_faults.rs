//! Fault injection: internal errors, dropped connections, failing tasks, delays, and replay
//! of the same faults from the same seed.

use serde_json::json;
use std::time::{Duration, Instant};
use tencentcloud_emulator::probe::ApiProbe;
use tencentcloud_emulator::{EmulatorConfig, Faults, RunningEmulator, World, start};

fn example_world() -> World {
    serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap()
}

async fn emulator(faults: Faults) -> RunningEmulator {
    start(EmulatorConfig {
        seed: Some(example_world()),
        task_duration: Duration::ZERO,
        rate_limit_per_second: 0,
        faults,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

/// Runs a fixed sequence of calls and records what each one got.
async fn run(faults: Faults) -> Vec<String> {
    let emu = emulator(faults).await;
    let p = ApiProbe::new(emu.base_url());
    let mut seen = Vec::new();
    for i in 0..20 {
        let listener = format!("lbl-fe{:06}", i + 1);
        let body = json!({"Associations": [{"LoadBalancerId": "lb-demo0001", "ListenerId": listener, "TargetGroupId": "lbtg-web00001"}]});
        let r = p.call("AssociateTargetGroups", body).await.unwrap();
        let outcome = match r.error_code() {
            Some(code) => code.to_string(),
            None => {
                let id = r.response()["RequestId"].as_str().unwrap();
                let st = p
                    .call("DescribeTaskStatus", json!({"TaskId": id}))
                    .await
                    .unwrap();
                match st.error_code() {
                    Some(code) => format!("ok, then {code}"),
                    None => format!("task {}", st.response()["Status"]),
                }
            }
        };
        seen.push(outcome);
    }
    seen
}

#[tokio::test]
async fn the_same_seed_replays_the_same_faults() {
    let faults = |seed| Faults {
        internal_error: 0.3,
        task_failure: 0.4,
        rng_seed: seed,
        ..Faults::default()
    };
    let a = run(faults(42)).await;
    let b = run(faults(42)).await;
    let c = run(faults(43)).await;
    assert_eq!(a, b);
    assert_ne!(a, c, "a different seed should give different faults");
    assert!(a.iter().any(|o| o.contains("InternalError")), "{a:?}");
    assert!(a.iter().any(|o| o == "task 1"), "{a:?}");
    assert!(a.iter().any(|o| o == "task 0"), "{a:?}");
}

#[tokio::test]
async fn internal_error_changes_nothing() {
    let emu = emulator(Faults {
        internal_error: 1.0,
        ..Faults::default()
    })
    .await;
    let p = ApiProbe::new(emu.base_url());
    let body = json!({"Associations": [{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-web00001"}]});
    let r = p.call("AssociateTargetGroups", body).await.unwrap();
    assert_eq!(r.error_code(), Some("InternalError"));
    assert!(emu.world().associations.is_empty());
    assert_eq!(emu.metrics().errors["InternalError"], 1);
}

#[tokio::test]
async fn a_dropped_connection_still_applies_the_write() {
    let emu = emulator(Faults {
        drop_connection: 1.0,
        ..Faults::default()
    })
    .await;
    let p = ApiProbe::new(emu.base_url());
    let body = json!({"Associations": [{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-web00001"}]});
    let r = p.call("AssociateTargetGroups", body).await;
    assert!(r.is_err(), "the client must see a network error, got {r:?}");
    // The outcome is unknown to the client, but the emulator did the work.
    assert_eq!(emu.world().associations.len(), 1);
    assert_eq!(emu.snapshot().tasks.len(), 1);
}

#[tokio::test]
async fn a_failed_task_reports_a_message_and_applies_nothing() {
    let emu = emulator(Faults {
        task_failure: 1.0,
        ..Faults::default()
    })
    .await;
    let p = ApiProbe::new(emu.base_url());
    let body = json!({"Associations": [{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-web00001"}]});
    let r = p.call("AssociateTargetGroups", body).await.unwrap();
    let id = r.response()["RequestId"].as_str().unwrap();
    let st = p
        .call("DescribeTaskStatus", json!({"TaskId": id}))
        .await
        .unwrap();
    assert_eq!(st.response()["Status"], json!(1));
    assert!(
        st.response()["Message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(emu.world().associations.is_empty());
    assert_eq!(emu.metrics().tasks_failed, 1);
}

#[tokio::test]
async fn delay_is_added_to_every_call() {
    let emu = emulator(Faults {
        delay: Duration::from_millis(300),
        ..Faults::default()
    })
    .await;
    let p = ApiProbe::new(emu.base_url());
    let t0 = Instant::now();
    let r = p.call("DescribeLoadBalancers", json!({})).await.unwrap();
    assert_eq!(r.error_code(), None);
    // Only a lower bound: a loaded machine can be slower, never faster.
    assert!(t0.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn probabilities_outside_zero_one_are_refused() {
    let r = start(EmulatorConfig {
        faults: Faults {
            task_failure: 1.5,
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    assert!(r.is_err());
}
