//! `tencentcloud_clb_target_group_associations` end to end: the real `terraform` reads bindings
//! made out of band in the emulator, by target group, by load balancer and listener, and both;
//! bad queries fail the plan on their attribute; the `examples/data-source` configuration binds a
//! new target group wherever an old one is bound, and the next plan is empty.

mod clb_common;
mod support;

use clb_common::*;
use serde_json::{Value as Json, json};

const DS: &str = "tencentcloud_clb_target_group_associations";

/// Bindings made outside Terraform: the web group on a layer-4 listener (weight 50) and on a
/// layer-7 rule (default weight), the API group on another rule (weight 80).
fn seed_bindings(env: &Env) {
    env.edit_world(|w| {
        w["Associations"] = json!([
            {"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-tcp00001",
             "TargetGroupId": "lbtg-web00001", "Weight": 50},
            {"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001",
             "LocationId": "loc-web00001", "TargetGroupId": "lbtg-web00001", "Weight": 10},
            {"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-http0001",
             "LocationId": "loc-api00001", "TargetGroupId": "lbtg-api00001", "Weight": 80},
        ]);
    });
}

/// `terraform output -json` as name → value.
fn outputs(env: &Env) -> Json {
    let out = env
        .ws
        .run(&["output", "-json", "-no-color"])
        .assert_success();
    let v: Json = serde_json::from_str(&out.stdout).expect("outputs JSON");
    let mut values = serde_json::Map::new();
    for (k, o) in v.as_object().expect("object") {
        values.insert(k.clone(), o["value"].clone());
    }
    Json::Object(values)
}

fn lookup(name: &str, args: &str) -> String {
    format!(
        "data \"{DS}\" \"{name}\" {{\n{args}\n}}\noutput \"{name}\" {{ value = data.{DS}.{name}.associations }}\n"
    )
}

#[test]
fn lists_bindings_by_target_group_load_balancer_listener_and_both() {
    let env = Env::new();
    seed_bindings(&env);
    env.config(&[
        lookup("by_tg", r#"target_group_id = "lbtg-web00001""#),
        lookup(
            "by_listener",
            "load_balancer_id = \"lb-demo0001\"\nlistener_id = \"lbl-http0001\"",
        ),
        lookup("by_lb", r#"load_balancer_id = "lb-demo0001""#),
        lookup(
            "both",
            "target_group_id = \"lbtg-web00001\"\nload_balancer_id = \"lb-demo0001\"\nlistener_id = \"lbl-tcp00001\"",
        ),
        lookup("unbound", r#"target_group_id = "lbtg-old00001""#),
    ]
    .concat());
    let writes_before = env.calls("AssociateTargetGroups") + env.calls("DisassociateTargetGroups");
    env.ws.apply_and_check_empty_plan();
    let o = outputs(&env);

    let web_l4 = json!({
        "load_balancer_id": "lb-demo0001", "listener_id": "lbl-tcp00001", "location_id": null,
        "target_group_id": "lbtg-web00001", "weight": 50, "protocol": "TCP", "port": 80,
        "domain": null, "url": null,
    });
    let web_l7 = json!({
        "load_balancer_id": "lb-demo0001", "listener_id": "lbl-http0001",
        "location_id": "loc-web00001", "target_group_id": "lbtg-web00001", "weight": 10,
        "protocol": "HTTP", "port": 8080, "domain": "www.example.com", "url": "/",
    });
    let api_l7 = json!({
        "load_balancer_id": "lb-demo0001", "listener_id": "lbl-http0001",
        "location_id": "loc-api00001", "target_group_id": "lbtg-api00001", "weight": 80,
        "protocol": "HTTP", "port": 8080, "domain": "www.example.com", "url": "/api",
    });
    // Sorted by load balancer, listener, rule, target group.
    assert_eq!(o["by_tg"], json!([web_l7, web_l4]));
    assert_eq!(o["by_listener"], json!([api_l7, web_l7]));
    assert_eq!(o["by_lb"], json!([api_l7, web_l7, web_l4]));
    assert_eq!(o["both"], json!([web_l4]));
    assert_eq!(o["unbound"], json!([]));
    // A data source only reads.
    assert_eq!(
        env.calls("AssociateTargetGroups") + env.calls("DisassociateTargetGroups"),
        writes_before
    );

    // A binding made out of band shows up at the next plan; the output changes accordingly.
    env.edit_world(|w| {
        w["Associations"].as_array_mut().unwrap().push(
            json!({"LoadBalancerId": "lb-demo0001", "ListenerId": "lbl-fe000001",
                         "TargetGroupId": "lbtg-web00001", "Weight": 5}),
        );
    });
    env.ws.apply().assert_success();
    let o = outputs(&env);
    let by_tg = o["by_tg"].as_array().unwrap();
    assert_eq!(by_tg.len(), 3, "{by_tg:?}");
    assert_eq!(by_tg[0]["listener_id"], "lbl-fe000001");
    assert_eq!(by_tg[0]["port"], 8001);
    assert_eq!(by_tg[0]["weight"], 5);
}

#[test]
fn bad_queries_fail_the_plan_on_their_attribute() {
    let env = Env::new();
    for (args, needles) in [
        (
            r#"listener_id = "lbl-http0001""#,
            vec![
                "Missing target_group_id or load_balancer_id",
                "target_group_id",
            ],
        ),
        (
            r#"target_group_id = "lb-demo0001""#,
            vec!["Invalid target_group_id", "is not a target group ID"],
        ),
        (
            r#"target_group_id = "lbtg-nothere1""#,
            vec!["Target group not found", "lbtg-nothere1 does not exist"],
        ),
        (
            r#"load_balancer_id = "lb-nothere1""#,
            vec!["Load balancer not found", "lb-nothere1 does not exist"],
        ),
    ] {
        env.config(&lookup("q", args));
        let out = env.ws.run(&["plan", "-no-color"]);
        assert_failed_with(&out, &needles);
        // An error about a set attribute shows that attribute's line, not the block's.
        if !needles[0].starts_with("Missing") {
            assert!(
                out.stderr.contains(&format!(": {args}")),
                "{}",
                out.combined()
            );
        }
    }
}

#[test]
fn example_binds_a_new_target_group_wherever_the_old_one_is_bound() {
    let env = Env::new();
    seed_bindings(&env);
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data-source/main.tf"
    ))
    .unwrap();
    // The example pins the provider version for a mirror; the test serves it through dev_overrides.
    env.ws.write(
        "main.tf",
        &example.replace("      version = \"0.1.0\"\n", ""),
    );
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        env.cloud(),
        vec![
            row(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-api00001"),
                "lbtg-api00001",
                Some(80)
            ),
            row(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-web00001"),
                "lbtg-api00001",
                Some(10)
            ),
            row(
                "lb-demo0001",
                "lbl-http0001",
                Some("loc-web00001"),
                "lbtg-web00001",
                Some(10)
            ),
            row(
                "lb-demo0001",
                "lbl-tcp00001",
                None,
                "lbtg-api00001",
                Some(50)
            ),
            row(
                "lb-demo0001",
                "lbl-tcp00001",
                None,
                "lbtg-web00001",
                Some(50)
            ),
        ]
    );
    let o = outputs(&env);
    assert_eq!(
        o["bound_at"],
        json!({
            "lb-demo0001#lbl-http0001#loc-web00001": "HTTP:8080 www.example.com/",
            "lb-demo0001#lbl-tcp00001": "TCP:80",
        })
    );
    env.ws.destroy().assert_success();
    // Only the new bindings were Terraform's; the old ones stay.
    assert_eq!(env.cloud().len(), 3);
}

#[test]
fn docs_name_every_data_source_attribute() {
    use tencentcloud_provider::clb::data_source;
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/data-sources/clb_target_group_associations.md"
    ))
    .unwrap();
    let schema = data_source::schema();
    let mut names: Vec<String> = schema
        .block
        .attributes
        .iter()
        .map(|a| a.name.clone())
        .collect();
    if let tfplug::value::Type::List(item) = &schema.block.get_attribute("associations").unwrap().ty
        && let tfplug::value::Type::Object(attrs) = item.as_ref()
    {
        names.extend(attrs.keys().cloned());
    }
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        assert!(doc.contains(&format!("`{name}`")), "doc lacks `{name}`");
    }
}
