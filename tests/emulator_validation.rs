//! AssociateTargetGroups / DisassociateTargetGroups validations against the example world,
//! through the HTTP API.

use serde_json::{Value, json};
use std::time::Duration;
use tencentcloud_emulator::probe::ApiProbe;
use tencentcloud_emulator::{EmulatorConfig, RunningEmulator, World, start};

fn example_world() -> World {
    serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap()
}

/// An emulator answering the detailed CLB codes (`--detailed-errors`), which these tests name.
async fn emulator(task_duration: Duration) -> (RunningEmulator, ApiProbe) {
    emulator_with(EmulatorConfig {
        task_duration,
        detailed_errors: true,
        ..EmulatorConfig::default()
    })
    .await
}

async fn emulator_with(config: EmulatorConfig) -> (RunningEmulator, ApiProbe) {
    let emu = start(EmulatorConfig {
        seed: Some(example_world()),
        rate_limit_per_second: 0,
        ..config
    })
    .await
    .unwrap();
    let probe = ApiProbe::new(emu.base_url());
    (emu, probe)
}

fn assoc(lb: &str, listener: &str, loc: Option<&str>, tg: &str) -> Value {
    let mut a = json!({"LoadBalancerId": lb, "ListenerId": listener, "TargetGroupId": tg});
    if let Some(loc) = loc {
        a["LocationId"] = json!(loc);
    }
    a
}

fn web() -> Value {
    assoc(
        "lb-demo0001",
        "lbl-http0001",
        Some("loc-web00001"),
        "lbtg-web00001",
    )
}

/// Calls and returns (error code or "", message).
async fn code(p: &ApiProbe, action: &str, body: Value) -> (String, String) {
    let r = p.call(action, body).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.response()["RequestId"].is_string());
    (
        r.error_code().unwrap_or("").to_string(),
        r.response()["Error"]["Message"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

async fn associate_code(p: &ApiProbe, items: Vec<Value>) -> (String, String) {
    code(p, "AssociateTargetGroups", json!({ "Associations": items })).await
}

/// Polls DescribeTaskStatus until the task leaves status 2; bounded by a generous deadline.
async fn wait_task(p: &ApiProbe, task_id: &str) -> Value {
    for _ in 0..600 {
        let r = p
            .call("DescribeTaskStatus", json!({"TaskId": task_id}))
            .await
            .unwrap();
        let resp = r.response().clone();
        if resp["Status"] != json!(2) {
            return resp;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {task_id} never finished");
}

#[tokio::test]
async fn request_shape_errors() {
    let (emu, p) = emulator(Duration::ZERO).await;
    assert_eq!(
        code(&p, "AssociateTargetGroups", json!({})).await.0,
        "MissingParameter"
    );
    assert_eq!(associate_code(&p, vec![]).await.0, "InvalidParameterValue");
    let many: Vec<Value> = (1..=21)
        .map(|i| {
            assoc(
                "lb-demo0001",
                &format!("lbl-fe{i:06}"),
                None,
                "lbtg-web00001",
            )
        })
        .collect();
    assert_eq!(
        associate_code(&p, many).await.0,
        "InvalidParameterValue.Length"
    );
    let mut a = web();
    a.as_object_mut().unwrap().remove("ListenerId");
    assert_eq!(associate_code(&p, vec![a]).await.0, "MissingParameter");
    let mut a = web();
    a["Colour"] = json!("red");
    assert_eq!(associate_code(&p, vec![a]).await.0, "UnknownParameter");
    assert_eq!(
        code(
            &p,
            "AssociateTargetGroups",
            json!({"Associations": [web()], "Extra": 1})
        )
        .await
        .0,
        "UnknownParameter"
    );
    assert_eq!(
        code(&p, "AssociateTargetGroups", json!({"Associations": "x"}))
            .await
            .0,
        "InvalidParameter"
    );
    let mut a = web();
    a["Weight"] = json!("ten");
    assert_eq!(associate_code(&p, vec![a]).await.0, "InvalidParameter");
    assert!(emu.world().associations.is_empty());
    assert_eq!(emu.metrics().tasks_started, 0);
}

#[tokio::test]
async fn existence_and_layer_errors() {
    let (emu, p) = emulator(Duration::ZERO).await;
    let cases = [
        (
            assoc("lb-nope0001", "lbl-tcp00001", None, "lbtg-web00001"),
            "InvalidParameter.LBIdNotFound",
        ),
        (
            assoc("lb-demo0001", "lbl-nope0001", None, "lbtg-web00001"),
            "InvalidParameter.ListenerIdNotFound",
        ),
        (
            assoc(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-nope0001"),
                "lbtg-web00001",
            ),
            "InvalidParameter.LocationNotFound",
        ),
        (
            assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-nope0001"),
            "ResourceNotFound",
        ),
        (
            assoc(
                "lb-demo0001",
                "lbl-tcp00001",
                Some("loc-web00001"),
                "lbtg-web00001",
            ),
            "InvalidParameter",
        ),
        (
            assoc("lb-demo0001", "lbl-udp00001", None, "lbtg-old00001"),
            "FailedOperation",
        ),
    ];
    for (a, want) in cases {
        assert_eq!(associate_code(&p, vec![a.clone()]).await.0, want, "{a}");
    }
    let (c, m) = associate_code(
        &p,
        vec![assoc("lb-demo0001", "lbl-http0001", None, "lbtg-web00001")],
    )
    .await;
    assert_eq!(c, "InvalidParameter");
    assert!(m.contains("LocationId is required"), "{m}");
    let (c, m) = associate_code(
        &p,
        vec![assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-far00001")],
    )
    .await;
    assert_eq!(c, "InvalidParameter");
    assert!(m.contains("same VPC"), "{m}");
    // v2 groups may bind to a NODE-mode layer-4 listener; only v1 needs TARGETGROUP mode.
    assert_eq!(
        associate_code(
            &p,
            vec![assoc("lb-demo0001", "lbl-udp00001", None, "lbtg-web00001")]
        )
        .await
        .0,
        ""
    );
    // Disassociate checks existence and layers too.
    assert_eq!(
        code(
            &p,
            "DisassociateTargetGroups",
            json!({"Associations": [assoc("lb-demo0001", "lbl-http0001", None, "lbtg-web00001")]})
        )
        .await
        .0,
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &p,
            "DisassociateTargetGroups",
            json!({"Associations": [assoc("lb-x", "lbl-tcp00001", None, "lbtg-web00001")]})
        )
        .await
        .0,
        "InvalidParameter.LBIdNotFound"
    );
    drop(emu);
}

#[tokio::test]
async fn request_wide_rules_and_weights() {
    let (emu, p) = emulator(Duration::ZERO).await;
    let mixed = vec![
        assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-old00001"),
        assoc("lb-demo0001", "lbl-fe000001", None, "lbtg-web00001"),
    ];
    assert_eq!(associate_code(&p, mixed).await.0, "InvalidParameter");
    assert_eq!(
        associate_code(&p, vec![web(), web()]).await.0,
        "InvalidParameterValue.Duplicate"
    );
    for w in [101, -1] {
        let mut a = web();
        a["Weight"] = json!(w);
        assert_eq!(
            associate_code(&p, vec![a]).await.0,
            "InvalidParameterValue.Range",
            "weight {w}"
        );
    }
    // All or nothing: a valid item beside an invalid one changes nothing.
    let half = vec![
        web(),
        assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-nope0001"),
    ];
    assert_eq!(associate_code(&p, half).await.0, "ResourceNotFound");
    assert!(emu.world().associations.is_empty());
    // Boundary weights are fine, and a missing weight defaults to 10 for v2.
    let mut a = web();
    a["Weight"] = json!(0);
    let mut b = assoc(
        "lb-demo0001",
        "lbl-http0001",
        Some("loc-api00001"),
        "lbtg-api00001",
    );
    b["Weight"] = json!(100);
    let c = assoc("lb-demo0001", "lbl-fe000001", None, "lbtg-web00001");
    assert_eq!(associate_code(&p, vec![a, b, c]).await.0, "");
    let weights: Vec<_> = emu.world().associations.iter().map(|a| a.weight).collect();
    assert_eq!(weights, vec![Some(0), Some(100), Some(10)]);
    // v1 weight is ignored, not stored.
    let mut v1 = assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-old00001");
    v1["Weight"] = json!(50);
    assert_eq!(associate_code(&p, vec![v1]).await.0, "");
    let w = emu.world();
    let old = w
        .associations
        .iter()
        .find(|a| a.target_group_id == "lbtg-old00001")
        .unwrap();
    assert_eq!(old.weight, None);
}

#[tokio::test]
async fn bound_state_rules() {
    let (emu, p) = emulator(Duration::ZERO).await;
    assert_eq!(associate_code(&p, vec![web()]).await.0, "");
    let (c, m) = associate_code(&p, vec![web()]).await;
    assert_eq!(c, "InvalidParameter");
    assert!(m.contains("already bound"), "{m}");
    // A v1 group cannot share a listener with another group.
    assert_eq!(
        associate_code(
            &p,
            vec![assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-old00001")]
        )
        .await
        .0,
        ""
    );
    assert_eq!(
        associate_code(
            &p,
            vec![assoc("lb-demo0001", "lbl-tcp00001", None, "lbtg-web00001")]
        )
        .await
        .0,
        "FailedOperation"
    );
    let dis = |a: Value| json!({"Associations": [a]});
    assert_eq!(code(&p, "DisassociateTargetGroups", dis(web())).await.0, "");
    assert!(
        !emu.world()
            .associations
            .iter()
            .any(|a| a.target_group_id == "lbtg-web00001")
    );
    let (c, m) = code(&p, "DisassociateTargetGroups", dis(web())).await;
    assert_eq!(c, "InvalidParameter");
    assert!(m.contains("not bound"), "{m}");
}

#[tokio::test]
async fn tasks_run_then_apply_and_lock_the_load_balancer() {
    // Long enough that nothing below can outlive it, so no timing races.
    let (emu, p) = emulator(Duration::from_secs(3600)).await;
    let r = p
        .call("AssociateTargetGroups", json!({"Associations": [web()]}))
        .await
        .unwrap();
    assert_eq!(r.error_code(), None);
    let task_id = r.response()["RequestId"].as_str().unwrap().to_string();
    let st = p
        .call("DescribeTaskStatus", json!({"TaskId": task_id}))
        .await
        .unwrap();
    assert_eq!(st.response()["Status"], json!(2));
    assert_eq!(st.response()["LoadBalancerIds"], json!(["lb-demo0001"]));
    // Nothing applied yet.
    assert!(emu.world().associations.is_empty());
    let other = assoc(
        "lb-demo0001",
        "lbl-http0001",
        Some("loc-api00001"),
        "lbtg-api00001",
    );
    assert_eq!(
        associate_code(&p, vec![other.clone()]).await.0,
        "FailedOperation.ResourceInOperating"
    );
    assert_eq!(
        code(
            &p,
            "DisassociateTargetGroups",
            json!({"Associations": [web()]})
        )
        .await
        .0,
        "FailedOperation.ResourceInOperating"
    );
    // Reads still work during the task.
    assert_eq!(
        code(
            &p,
            "DescribeListeners",
            json!({"LoadBalancerId": "lb-demo0001"})
        )
        .await
        .0,
        ""
    );
    assert_eq!(emu.metrics().tasks_running, 1);
    drop(emu);

    let (emu, p) = emulator(Duration::from_millis(100)).await;
    let r = p
        .call("AssociateTargetGroups", json!({"Associations": [web()]}))
        .await
        .unwrap();
    let task_id = r.response()["RequestId"].as_str().unwrap().to_string();
    let done = wait_task(&p, &task_id).await;
    assert_eq!(done["Status"], json!(0), "{done}");
    assert_eq!(emu.world().associations.len(), 1);
    // The lock is gone once the task ended.
    assert_eq!(associate_code(&p, vec![other]).await.0, "");
    let m = emu.metrics();
    assert_eq!(m.tasks_started, 2);
}

#[tokio::test]
async fn describe_task_status_errors() {
    let (_emu, p) = emulator(Duration::ZERO).await;
    assert_eq!(
        code(&p, "DescribeTaskStatus", json!({})).await.0,
        "MissingParameter"
    );
    assert_eq!(
        code(&p, "DescribeTaskStatus", json!({"TaskId": "nope"}))
            .await
            .0,
        "InvalidParameter"
    );
    assert_eq!(
        code(&p, "DescribeTaskStatus", json!({"TaskId": "x", "Foo": 1}))
            .await
            .0,
        "UnknownParameter"
    );
}

/// By default every refusal uses a code the action documents, with a message naming the field.
#[tokio::test]
async fn default_codes_are_the_documented_ones() {
    let (_emu, p) = emulator_with(EmulatorConfig {
        task_duration: Duration::ZERO,
        ..EmulatorConfig::default()
    })
    .await;
    let cases = [
        (
            assoc("lb-nope0001", "lbl-fe000001", None, "lbtg-web00001"),
            "InvalidParameter",
            "Associations.0: load balancer lb-nope0001",
        ),
        (
            assoc("lb-demo0001", "lbl-nope0001", None, "lbtg-web00001"),
            "InvalidParameter",
            "listener lbl-nope0001",
        ),
        (
            assoc(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-nope0001"),
                "lbtg-web00001",
            ),
            "InvalidParameter",
            "rule loc-nope0001",
        ),
        (
            assoc("lb-demo0001", "lbl-fe000001", None, "lbtg-nope0001"),
            "InvalidParameterValue",
            "target group lbtg-nope0001",
        ),
    ];
    for (item, want, says) in cases {
        let (code, message) = associate_code(&p, vec![item]).await;
        assert_eq!(code, want, "{message}");
        assert!(message.contains(says), "{message}");
        assert!(tencentcloud::clb::codes::is_documented(
            "AssociateTargetGroups",
            &code
        ));
    }
    let mut weighted = assoc("lb-demo0001", "lbl-fe000001", None, "lbtg-web00001");
    weighted["Weight"] = json!(101);
    let (code, message) = associate_code(&p, vec![weighted]).await;
    assert_eq!(code, "InvalidParameterValue");
    assert!(message.contains("Associations.0.Weight"), "{message}");
    // DescribeListeners documents LBIdNotFound, so it stays.
    let (code, _) = code_of(
        &p,
        "DescribeListeners",
        json!({"LoadBalancerId": "lb-nope0001"}),
    )
    .await;
    assert_eq!(code, "InvalidParameter.LBIdNotFound");
}

async fn code_of(p: &ApiProbe, action: &str, body: Value) -> (String, String) {
    code(p, action, body).await
}

#[tokio::test]
async fn unknown_target_group_ids_are_answered_or_refused_as_configured() {
    let body = json!({"TargetGroupIds": ["lbtg-web00001", "lbtg-gone0001"]});
    let (_emu, p) = emulator_with(EmulatorConfig::default()).await;
    let r = p.call("DescribeTargetGroups", body.clone()).await.unwrap();
    assert_eq!(r.error_code(), None);
    assert_eq!(r.response()["TargetGroupSet"].as_array().unwrap().len(), 1);
    let (_emu, p) = emulator_with(EmulatorConfig {
        describe_unknown_ids: tencentcloud_emulator::UnknownIds::Refuse,
        ..EmulatorConfig::default()
    })
    .await;
    let (code, message) = code_of(&p, "DescribeTargetGroups", body).await;
    assert_eq!(code, "InvalidParameterValue");
    assert!(message.contains("lbtg-gone0001"), "{message}");
}

#[tokio::test]
async fn the_binding_quota_answers_limit_exceeded() {
    let (_emu, p) = emulator_with(EmulatorConfig {
        task_duration: Duration::ZERO,
        binding_quota: Some(0),
        ..EmulatorConfig::default()
    })
    .await;
    let (code, message) = associate_code(
        &p,
        vec![assoc("lb-demo0001", "lbl-fe000001", None, "lbtg-web00001")],
    )
    .await;
    assert_eq!(code, "LimitExceeded", "{message}");
}
