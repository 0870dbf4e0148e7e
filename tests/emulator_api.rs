//! Wire protocol of the emulator: envelope, headers, signature checks, action/version/body
//! errors, the read actions, rate limiting and the admin endpoints.

use serde_json::{Value, json};
use std::time::Duration;
use tencentcloud_emulator::probe::ApiProbe;
use tencentcloud_emulator::{EmulatorConfig, RunningEmulator, World, start};

fn example_world() -> World {
    serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap()
}

async fn emulator_with(rate: u32) -> (RunningEmulator, ApiProbe) {
    let emu = start(EmulatorConfig {
        seed: Some(example_world()),
        task_duration: Duration::ZERO,
        rate_limit_per_second: rate,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let probe = ApiProbe::new(emu.base_url());
    (emu, probe)
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

#[tokio::test]
async fn every_reply_is_200_json_with_a_fresh_request_id() {
    let (_emu, p) = emulator_with(0).await;
    let ok = p.call("DescribeLoadBalancers", json!({})).await.unwrap();
    let bad = p.call("NoSuchAction", json!({})).await.unwrap();
    for r in [&ok, &bad] {
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert!(is_uuid(r.response()["RequestId"].as_str().unwrap()));
    }
    assert_ne!(ok.response()["RequestId"], bad.response()["RequestId"]);
    assert_eq!(bad.error_code(), Some("InvalidAction"));
    assert!(bad.response()["Error"]["Message"].is_string());
}

#[tokio::test]
async fn unknown_actions_change_nothing_and_share_one_metrics_key() {
    let (emu, p) = emulator_with(0).await;
    let before = emu.world();
    // Write-shaped bodies under names the emulator does not implement: none may start a task.
    let body = json!({"Associations": [{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-web00001"}]});
    for i in 0..50 {
        let name = format!("DisassociateTargetGroups{i}");
        let reply = p.call(&name, body.clone()).await.unwrap();
        assert_eq!(reply.error_code(), Some("InvalidAction"), "{name}");
    }
    let long = "X".repeat(5000);
    let reply = p.call(&long, body.clone()).await.unwrap();
    assert_eq!(reply.error_code(), Some("InvalidAction"));
    let message = reply.response()["Error"]["Message"].as_str().unwrap();
    assert!(
        message.len() < 300,
        "the action is quoted in full: {} bytes",
        message.len()
    );
    p.call(
        "DescribeListeners",
        json!({"LoadBalancerId": "lb-demo0001"}),
    )
    .await
    .unwrap();
    assert_eq!(emu.world(), before);
    let m = emu.metrics();
    assert_eq!(m.tasks_started, 0);
    let keys: Vec<&str> = m.calls.keys().map(String::as_str).collect();
    assert_eq!(keys, ["(unknown)", "DescribeListeners"], "{:?}", m.calls);
    assert_eq!(m.calls["(unknown)"], 51);
}

#[tokio::test]
async fn signature_failures_have_auth_codes() {
    let (_emu, p) = emulator_with(0).await;
    let good = p.request("DescribeLoadBalancers", &json!({}));
    assert_eq!(p.send(&good).await.unwrap().error_code(), None);

    let mut r = good.clone();
    r.secret_key = "wrong".into();
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("AuthFailure.SignatureFailure")
    );
    let mut r = good.clone();
    r.secret_id = "AKIDOTHER".into();
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("AuthFailure.SecretIdNotFound")
    );
    let mut r = good.clone();
    r.timestamp -= 301;
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("AuthFailure.SignatureExpire")
    );
    let mut r = good.clone();
    r.unsigned = true;
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("AuthFailure.InvalidAuthorization")
    );
    // tccli signs and sends a Host that carries the scheme; it must verify as received.
    let mut r = good.clone();
    r.host = Some("http://127.0.0.1:18931".to_string());
    assert_eq!(p.send(&r).await.unwrap().error_code(), None);
}

#[tokio::test]
async fn action_version_and_body_errors() {
    let (_emu, p) = emulator_with(0).await;
    let mut r = p.request("DescribeLoadBalancers", &json!({}));
    r.version = Some("2017-01-01".into());
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("NoSuchVersion")
    );
    r.version = None;
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("MissingParameter")
    );
    let mut r = p.request("DescribeLoadBalancers", &json!({}));
    r.action = None;
    assert_eq!(
        p.send(&r).await.unwrap().error_code(),
        Some("MissingParameter")
    );
    for body in [&b"{not json"[..], b"", b"[1,2]", b"\xff\xfe"] {
        let mut r = p.request("DescribeLoadBalancers", &json!({}));
        r.body = body.to_vec();
        let code = p.send(&r).await.unwrap().error_code().map(str::to_string);
        assert_eq!(
            code.as_deref(),
            Some("InvalidParameter.FormatError"),
            "{body:?}"
        );
    }
    let r = p
        .call("DescribeLoadBalancers", json!({"Bogus": 1}))
        .await
        .unwrap();
    assert_eq!(r.error_code(), Some("UnknownParameter"));
    let r = p.call("DescribeListeners", json!({})).await.unwrap();
    assert_eq!(r.error_code(), Some("MissingParameter"));
}

#[tokio::test]
async fn get_is_answered_with_the_envelope() {
    let (emu, _p) = emulator_with(0).await;
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(emu.base_url())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["Response"]["Error"]["Code"], "UnsupportedProtocol");
}

#[tokio::test]
async fn rate_limit_per_action() {
    let (emu, p) = emulator_with(1).await;
    // With one call per second allowed, a burst must hit the limit long before 200 calls
    // unless each call took a whole second.
    let mut limited = false;
    for _ in 0..200 {
        let r = p.call("DescribeLoadBalancers", json!({})).await.unwrap();
        if r.error_code() == Some("RequestLimitExceeded") {
            limited = true;
            break;
        }
    }
    assert!(limited);
    // Another action has its own, still full, bucket.
    let r = p.call("DescribeTargetGroups", json!({})).await.unwrap();
    assert_eq!(r.error_code(), None);
    assert!(emu.metrics().errors["RequestLimitExceeded"] >= 1);
}

async fn associate(p: &ApiProbe, items: Value) {
    let r = p
        .call("AssociateTargetGroups", json!({"Associations": items}))
        .await
        .unwrap();
    assert_eq!(r.error_code(), None, "{}", r.body);
}

#[tokio::test]
async fn describe_target_groups_shapes_paging_and_filters() {
    let (_emu, p) = emulator_with(0).await;
    associate(&p, json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001", "LocationId": "loc-web00001", "TargetGroupId": "lbtg-web00001", "Weight": 40},
                        {"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-fe000001", "TargetGroupId": "lbtg-web00001"}])).await;
    associate(&p, json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-old00001"}])).await;

    let r = p
        .call(
            "DescribeTargetGroups",
            json!({"TargetGroupIds": ["lbtg-web00001"]}),
        )
        .await
        .unwrap();
    let tg = &r.response()["TargetGroupSet"][0];
    assert_eq!(r.response()["TotalCount"], json!(1));
    let rules = tg["AssociatedRule"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    let l7 = &rules[0];
    assert_eq!(l7["LocationId"], "loc-web00001");
    assert_eq!(l7["Domain"], "www.example.com");
    assert_eq!(l7["Url"], "/");
    assert_eq!(l7["Protocol"], "HTTP");
    assert_eq!(l7["Weight"], json!(40));
    let l4 = &rules[1];
    for k in ["LocationId", "Domain", "Url"] {
        assert!(
            l4.get(k).is_some_and(Value::is_null),
            "{k} must be present and null: {l4}"
        );
    }
    assert_eq!(l4["Port"], json!(8001));
    assert_eq!(l4["Weight"], json!(10));
    assert_eq!(l4["LoadBalancerName"], "demo-clb");

    let r = p
        .call(
            "DescribeTargetGroups",
            json!({"TargetGroupIds": ["lbtg-old00001"]}),
        )
        .await
        .unwrap();
    let old_rule = &r.response()["TargetGroupSet"][0]["AssociatedRule"][0];
    assert!(
        old_rule.get("Weight").is_none(),
        "v1 items carry no Weight: {old_rule}"
    );

    let r = p
        .call("DescribeTargetGroups", json!({"Limit": 2, "Offset": 1}))
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(4));
    let ids: Vec<_> = r.response()["TargetGroupSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TargetGroupId"].clone())
        .collect();
    assert_eq!(ids, vec![json!("lbtg-api00001"), json!("lbtg-old00001")]);
    let r = p
        .call("DescribeTargetGroups", json!({"Offset": 10}))
        .await
        .unwrap();
    assert_eq!(r.response()["TargetGroupSet"], json!([]));

    let r = p
        .call(
            "DescribeTargetGroups",
            json!({"Filters": [{"Name": "TargetGroupVpcId", "Values": ["vpc-other001"]}]}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(1));
    assert_eq!(
        r.response()["TargetGroupSet"][0]["TargetGroupId"],
        "lbtg-far00001"
    );
    let r = p
        .call(
            "DescribeTargetGroups",
            json!({"Filters": [{"Name": "TargetGroupName", "Values": ["web", "api"]}]}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(2));
    let r = p.call("DescribeTargetGroups", json!({"TargetGroupIds": ["x"], "Filters": [{"Name": "TargetGroupName", "Values": ["web"]}]})).await.unwrap();
    assert_eq!(r.error_code(), Some("InvalidParameter"));
    let r = p
        .call(
            "DescribeTargetGroups",
            json!({"Filters": [{"Name": "Colour", "Values": ["red"]}]}),
        )
        .await
        .unwrap();
    // DescribeTargetGroups documents no InvalidFilter code: the generic one, naming the filter.
    assert_eq!(r.error_code(), Some("InvalidParameter"));

    let r = p
        .call(
            "DescribeTargetGroupList",
            json!({"TargetGroupIds": ["lbtg-web00001"]}),
        )
        .await
        .unwrap();
    let tg = &r.response()["TargetGroupSet"][0];
    assert!(tg["AssociatedRule"].is_null());
    assert_eq!(tg["AssociatedRuleCount"], json!(2));
    // For the List variant IDs win over filters instead of conflicting with them.
    let r = p
        .call(
            "DescribeTargetGroupList",
            json!({"TargetGroupIds": ["lbtg-web00001"], "Filters": [{"Name": "TargetGroupName", "Values": ["api"]}]}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(1), "{}", r.body);
    assert_eq!(
        r.response()["TargetGroupSet"][0]["TargetGroupId"],
        "lbtg-web00001"
    );
    let r = p
        .call("DescribeTargetGroupList", json!({"Limit": 101}))
        .await
        .unwrap();
    // DescribeTargetGroupList documents no Range code.
    assert_eq!(r.error_code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn describe_listeners_and_load_balancers() {
    let (_emu, p) = emulator_with(0).await;
    associate(&p, json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001", "TargetGroupId": "lbtg-old00001"}])).await;
    associate(&p, json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001", "LocationId": "loc-api00001", "TargetGroupId": "lbtg-api00001", "Weight": 7}])).await;
    let r = p
        .call(
            "DescribeListeners",
            json!({"LoadBalancerId": "lb-demo0001"}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(23));
    let r = p.call("DescribeListeners", json!({"LoadBalancerId": "lb-demo0001", "ListenerIds": ["lbl-tcp00001", "lbl-http0001", "lbl-udp00001"]})).await.unwrap();
    let ls = r.response()["Listeners"].as_array().unwrap();
    let tcp = &ls[0];
    assert_eq!(tcp["TargetType"], "TARGETGROUP");
    assert!(tcp["Rules"].is_null());
    assert_eq!(tcp["TargetGroup"]["TargetGroupId"], "lbtg-old00001");
    assert_eq!(tcp["TargetGroupList"][0]["TargetGroupId"], "lbtg-old00001");
    let udp = &ls[1];
    assert_eq!(udp["TargetType"], "NODE");
    assert!(udp["TargetGroup"].is_null());
    let http = &ls[2];
    let rules = http["Rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["TargetType"], "NODE");
    assert_eq!(rules[1]["LocationId"], "loc-api00001");
    assert_eq!(rules[1]["Url"], "/api");
    assert_eq!(rules[1]["TargetType"], "TARGETGROUP");
    assert_eq!(rules[1]["TargetGroupList"][0]["Weight"], json!(7));
    let r = p
        .call(
            "DescribeListeners",
            json!({"LoadBalancerId": "lb-demo0001", "Protocol": "udp"}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(1));
    let r = p
        .call(
            "DescribeListeners",
            json!({"LoadBalancerId": "lb-demo0001", "Port": 8020}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["Listeners"][0]["ListenerId"], "lbl-fe000020");
    let r = p
        .call("DescribeListeners", json!({"LoadBalancerId": "lb-nope"}))
        .await
        .unwrap();
    assert_eq!(r.error_code(), Some("InvalidParameter.LBIdNotFound"));

    let r = p
        .call(
            "DescribeLoadBalancers",
            json!({"LoadBalancerIds": ["lb-demo0001"]}),
        )
        .await
        .unwrap();
    let lb = &r.response()["LoadBalancerSet"][0];
    assert_eq!(r.response()["TotalCount"], json!(1));
    assert_eq!(lb["VpcId"], "vpc-demo0001");
    assert_eq!(lb["TargetRegionInfo"]["VpcId"], "vpc-demo0001");
    assert_eq!(lb["Forward"], json!(1));
    let r = p
        .call(
            "DescribeLoadBalancers",
            json!({"LoadBalancerIds": ["lb-other"]}),
        )
        .await
        .unwrap();
    assert_eq!(r.response()["TotalCount"], json!(0));
    let r = p
        .call("DescribeLoadBalancers", json!({"Limit": 101}))
        .await
        .unwrap();
    assert_eq!(r.error_code(), Some("InvalidParameterValue.Range"));
}

#[tokio::test]
async fn admin_endpoints() {
    let (emu, p) = emulator_with(0).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = |path: &str| format!("{}/_emulator/{path}", emu.base_url());
    let health: Value = http
        .get(url("health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["Status"], "ok");

    associate(&p, json!([{"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001", "LocationId": "loc-web00001", "TargetGroupId": "lbtg-web00001"}])).await;
    let mut state: Value = http
        .get(url("state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["Associations"].as_array().unwrap().len(), 1);
    assert_eq!(state["Tasks"][0]["Status"], json!(0));

    // Remove rule loc-web00001 and its association out of band.
    state["Associations"] = json!([]);
    let rules = state["LoadBalancers"][0]["Listeners"][2]["Rules"]
        .as_array_mut()
        .unwrap();
    rules.retain(|r| r["LocationId"] != "loc-web00001");
    let put = http.put(url("state")).json(&state).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let r = p
        .call(
            "DescribeListeners",
            json!({"LoadBalancerId": "lb-demo0001", "ListenerIds": ["lbl-http0001"]}),
        )
        .await
        .unwrap();
    assert_eq!(
        r.response()["Listeners"][0]["Rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(emu.world().associations.is_empty());

    // An inconsistent world is refused and changes nothing.
    let bad = json!({"Associations": [{"LoadBalancerId": "lb-x", "ListenerId": "l", "TargetGroupId": "t"}]});
    assert_eq!(
        http.put(url("state"))
            .json(&bad)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(emu.world().load_balancers.len(), 1);

    let m: Value = http
        .get(url("metrics"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m["Calls"]["AssociateTargetGroups"], json!(1));
    assert_eq!(m["Calls"]["DescribeListeners"], json!(1));
    assert_eq!(m["TasksStarted"], json!(1));
    assert_eq!(m["TasksSucceeded"], json!(1));

    assert_eq!(http.post(url("reset")).send().await.unwrap().status(), 200);
    assert_eq!(emu.world(), {
        let mut w = example_world();
        w.normalize().unwrap();
        w
    });
    let m: Value = http
        .get(url("metrics"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m["Calls"], json!({}));
}

#[tokio::test]
async fn malformed_input_always_gets_the_error_envelope() {
    let (emu, p) = emulator_with(0).await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("AssociateTargetGroups", br#"{"Associations":[1]}"#.to_vec()),
        ("AssociateTargetGroups", br#"{"Associations":[{"LoadBalancerId":5}]}"#.to_vec()),
        ("AssociateTargetGroups", br#"{"Associations":[{"LoadBalancerId":"lb-demo0001","ListenerId":"lbl-tcp00001","TargetGroupId":"lbtg-web00001","Weight":1e400}]}"#.to_vec()),
        ("AssociateTargetGroups", br#"{"Associations":null}"#.to_vec()),
        ("DescribeTargetGroups", br#"{"TargetGroupIds":[null]}"#.to_vec()),
        ("DescribeTargetGroups", br#"{"Limit":"x"}"#.to_vec()),
        ("DescribeTargetGroups", br#"{"Offset":18446744073709551616}"#.to_vec()),
        ("DescribeTargetGroups", br#"{"Filters":[{"Name":"TargetGroupName"}]}"#.to_vec()),
        ("DescribeListeners", br#"{"LoadBalancerId":"lb-demo0001","Port":99999999999999999999}"#.to_vec()),
        ("DescribeLoadBalancers", deep.into_bytes()),
        ("DescribeLoadBalancers", b"\"just a string\"".to_vec()),
    ];
    for (action, body) in bodies {
        let mut r = p.request(action, &json!({}));
        r.body = body.clone();
        let reply = p.send(&r).await.unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.content_type.as_deref(), Some("application/json"));
        let code = reply
            .error_code()
            .unwrap_or_else(|| panic!("{action} {} was accepted", String::from_utf8_lossy(&body)));
        assert!(
            code.starts_with("InvalidParameter") || code == "MissingParameter",
            "{action} {}: {code}",
            String::from_utf8_lossy(&body)
        );
    }
    // A non-ASCII Authorization header is refused like any other malformed one.
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/", emu.base_url()))
        .header("Content-Type", "application/json")
        .header("X-TC-Action", "DescribeLoadBalancers")
        .header(
            "Authorization",
            http::HeaderValue::from_bytes(b"TC3-HMAC-SHA256 \xff").unwrap(),
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["Response"]["Error"]["Code"],
        "AuthFailure.InvalidAuthorization"
    );
    assert!(emu.world().associations.is_empty());
}

/// A web page open on the developer's machine (another origin, or a DNS-rebound name) can neither
/// reset the emulator nor read its world; local tools (no Origin, loopback Host) can.
#[tokio::test]
async fn admin_endpoints_refuse_foreign_hosts_and_origins() {
    let (emu, _p) = emulator_with(0).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = emu.base_url();
    let own = base.trim_start_matches("http://").to_string();
    let send = |method: reqwest::Method, path: &str, headers: Vec<(&'static str, String)>| {
        let mut req = http.request(method, format!("{base}/_emulator/{path}"));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let refused = [
        vec![("Host", "evil.example".to_string())],
        vec![("Host", format!("rebound.example:{}", emu.addr().port()))],
        vec![("Origin", "http://evil.example".to_string())],
        vec![("Origin", "null".to_string())],
        vec![("Origin", "http://localhost:3000".to_string())],
        vec![("Sec-Fetch-Site", "cross-site".to_string())],
    ];
    for headers in &refused {
        for (method, path) in [
            (reqwest::Method::POST, "reset"),
            (reqwest::Method::GET, "state"),
            (reqwest::Method::GET, "metrics"),
            (reqwest::Method::PUT, "state"),
        ] {
            let status = send(method.clone(), path, headers.clone()).await;
            assert_eq!(status, 403, "{method} {path} with {headers:?}");
        }
    }
    for headers in [
        vec![],
        vec![("Host", format!("localhost:{}", emu.addr().port()))],
        vec![("Origin", format!("http://{own}"))],
    ] {
        let status = send(reqwest::Method::GET, "state", headers.clone()).await;
        assert_eq!(status, 200, "{headers:?}");
    }
}
