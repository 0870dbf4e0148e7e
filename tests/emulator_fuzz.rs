//! Hostile input against the emulator's HTTP entry and request parser, on fixed seeds: every
//! request gets the JSON error envelope (never a crash, a hang or a non-JSON reply), error
//! messages stay small whatever the request held, and the world stays consistent.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tencentcloud_emulator::probe::{ApiProbe, ProbeReply};
use tencentcloud_emulator::{EmulatorConfig, RunningEmulator, World, start};

const ACTIONS: &[&str] = &[
    "AssociateTargetGroups",
    "DisassociateTargetGroups",
    "DescribeTaskStatus",
    "DescribeTargetGroups",
    "DescribeTargetGroupList",
    "DescribeListeners",
    "DescribeLoadBalancers",
];

const KEYS: &[&str] = &[
    "Associations",
    "LoadBalancerId",
    "ListenerId",
    "LocationId",
    "TargetGroupId",
    "Weight",
    "TaskId",
    "TargetGroupIds",
    "Filters",
    "Name",
    "Values",
    "Offset",
    "Limit",
    "ListenerIds",
    "Protocol",
    "Port",
    "LoadBalancerIds",
    "VpcId",
    "Colour",
];

const IDS: &[&str] = &[
    "lb-demo0001",
    "lbl-tcp00001",
    "lbl-udp00001",
    "lbl-http0001",
    "loc-web00001",
    "lbtg-web00001",
    "lbtg-old00001",
    "lbtg-far00001",
    "",
    "é",
    "TCP",
    "TargetGroupName",
];

fn example_world() -> World {
    serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap()
}

async fn emulator() -> (RunningEmulator, ApiProbe) {
    let emu = start(EmulatorConfig {
        seed: Some(example_world()),
        task_duration: Duration::ZERO,
        rate_limit_per_second: 0,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let probe = ApiProbe::new(emu.base_url());
    (emu, probe)
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    let leaf = depth == 0 || rng.random_bool(0.3);
    if leaf {
        return match rng.random_range(0..8) {
            0 => Value::Null,
            1 => Value::Bool(rng.random()),
            2 => json!(rng.random_range(-5i64..120)),
            3 => json!(rng.random::<i64>()),
            4 => serde_json::from_str(
                ["1e400", "-0.0", "18446744073709551616", "1.5"][rng.random_range(0..4)],
            )
            .unwrap(),
            _ => json!(IDS[rng.random_range(0..IDS.len())]),
        };
    }
    if rng.random_bool(0.3) {
        Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        )
    } else {
        Value::Object(
            (0..rng.random_range(0..5))
                .map(|_| {
                    (
                        KEYS[rng.random_range(0..KEYS.len())].to_string(),
                        random_json(rng, depth - 1),
                    )
                })
                .collect(),
        )
    }
}

/// The properties of every reply, whatever was sent.
fn check_reply(reply: &ProbeReply, what: &str) {
    assert_eq!(reply.status, 200, "{what}");
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/json"),
        "{what}"
    );
    let r = reply.response();
    assert!(r["RequestId"].is_string(), "{what}: {}", reply.body);
    if let Some(e) = r.get("Error") {
        let code = e["Code"].as_str().unwrap_or_default();
        assert!(!code.is_empty(), "{what}: {}", reply.body);
        let message = e["Message"].as_str().unwrap_or_default();
        assert!(
            message.len() <= 1024,
            "{what}: {code} message of {} bytes",
            message.len()
        );
    }
}

fn assert_world_consistent(emu: &RunningEmulator) {
    let mut w = emu.world();
    w.normalize()
        .unwrap_or_else(|e| panic!("world became inconsistent: {e}"));
}

#[tokio::test]
async fn random_requests_get_the_envelope_and_keep_the_world_consistent() {
    let (emu, p) = emulator().await;
    let mut rng = StdRng::seed_from_u64(0x0e31_a70e);
    for i in 0..1500 {
        let action = ACTIONS[rng.random_range(0..ACTIONS.len())];
        let mut body = random_json(&mut rng, 4);
        // Bias towards shapes that get past the first checks.
        if rng.random_bool(0.5) && action.ends_with("TargetGroups") && action.contains("ssociate") {
            let items = (0..rng.random_range(0..3))
                .map(|_| {
                    let mut item = serde_json::Map::new();
                    for key in [
                        "LoadBalancerId",
                        "ListenerId",
                        "LocationId",
                        "TargetGroupId",
                        "Weight",
                    ] {
                        if rng.random_bool(0.8) {
                            item.insert(key.into(), random_json(&mut rng, 0));
                        }
                    }
                    Value::Object(item)
                })
                .collect();
            body = json!({ "Associations": Value::Array(items) });
        }
        let reply = p.call(action, body.clone()).await.unwrap();
        check_reply(&reply, &format!("case {i}: {action} {body}"));
    }
    assert_world_consistent(&emu);
    // Still serving.
    let ok = p.call("DescribeLoadBalancers", json!({})).await.unwrap();
    assert_eq!(ok.error_code(), None, "{}", ok.body);
}

#[tokio::test]
async fn damaged_bodies_and_headers_get_the_envelope() {
    let (emu, p) = emulator().await;
    let mut rng = StdRng::seed_from_u64(0xdead_0b0d);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for i in 0..400 {
        // Signed bytes that are not (quite) JSON reach the body parser.
        let mut body = serde_json::to_vec(&random_json(&mut rng, 3)).unwrap();
        for _ in 0..rng.random_range(0..3) {
            let at = rng.random_range(0..=body.len());
            if rng.random_bool(0.5) {
                body.truncate(at);
            } else {
                body.insert(at, rng.random());
            }
        }
        let mut r = p.request(ACTIONS[rng.random_range(0..ACTIONS.len())], &json!({}));
        r.body = body.clone();
        let reply = p.send(&r).await.unwrap();
        check_reply(
            &reply,
            &format!("case {i}: {}", String::from_utf8_lossy(&body)),
        );

        // Unsigned garbage in the headers the emulator reads.
        let garbage = |rng: &mut StdRng| -> String {
            (0..rng.random_range(0..40))
                .map(|_| char::from(rng.random_range(0x20u8..0x7f)))
                .collect()
        };
        let mut req = http
            .post(format!("{}/", emu.base_url()))
            .header("Content-Type", garbage(&mut rng))
            .header("X-TC-Timestamp", garbage(&mut rng))
            .header("X-TC-Version", garbage(&mut rng))
            .body(body);
        for name in ["Authorization", "X-TC-Action", "X-TC-Content-SHA256"] {
            if rng.random_bool(0.7) {
                let mut v = garbage(&mut rng);
                if name == "Authorization" && rng.random_bool(0.5) {
                    v = format!(
                        "TC3-HMAC-SHA256 Credential={v}, SignedHeaders=a;{v};host, Signature={v}"
                    );
                }
                req = req.header(name, v);
            }
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "case {i}");
        let v: Value = resp.json().await.unwrap();
        assert!(v["Response"]["Error"]["Code"].is_string(), "case {i}: {v}");
    }
    assert_world_consistent(&emu);
    assert_eq!(emu.metrics().tasks_started, 0);
}

/// The hard cases by hand: deep nesting, invalid UTF-8, an oversized body, huge names and numbers.
#[tokio::test]
async fn known_hard_requests() {
    let (emu, p) = emulator().await;
    let huge_key = "K".repeat(500_000);
    let huge_id = "lb-".to_string() + &"a".repeat(500_000);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "DescribeLoadBalancers",
            format!("{}{}", "[".repeat(600), "]".repeat(600)).into_bytes(),
        ),
        (
            "DescribeLoadBalancers",
            format!("{}1{}", "{\"a\":".repeat(600), "}".repeat(600)).into_bytes(),
        ),
        (
            "DescribeLoadBalancers",
            b"{\"LoadBalancerName\": \"\xff\xfe\"}".to_vec(),
        ),
        ("DescribeLoadBalancers", vec![b' '; 2 << 20]),
        (
            "DescribeLoadBalancers",
            format!("{{\"{huge_key}\": 1}}").into_bytes(),
        ),
        (
            "DescribeListeners",
            format!("{{\"LoadBalancerId\": \"{huge_id}\"}}").into_bytes(),
        ),
        (
            "AssociateTargetGroups",
            format!(
                "{{\"Associations\": [{{\"LoadBalancerId\": \"{huge_id}\", \"ListenerId\": \"lbl-tcp00001\", \"TargetGroupId\": \"lbtg-web00001\"}}]}}"
            )
            .into_bytes(),
        ),
        (
            "DescribeTargetGroups",
            format!("{{\"Limit\": 1{}}}", "0".repeat(100_000)).into_bytes(),
        ),
        (
            "DescribeTaskStatus",
            format!("{{\"TaskId\": \"{}\"}}", "t".repeat(500_000)).into_bytes(),
        ),
        ("AssociateTargetGroups", b"{\"Associations\": {}}".to_vec()),
    ];
    for (action, body) in cases {
        let mut r = p.request(action, &json!({}));
        r.body = body;
        let reply = p.send(&r).await.unwrap();
        check_reply(
            &reply,
            &format!(
                "{action} {}",
                String::from_utf8_lossy(&r.body[..r.body.len().min(60)])
            ),
        );
        assert!(reply.error_code().is_some(), "{action} was accepted");
    }
    assert_world_consistent(&emu);
    assert!(emu.world().associations.is_empty());
}
