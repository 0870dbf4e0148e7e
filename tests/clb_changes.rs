//! End to end: drift detected on refresh (binding removed, rule deleted out of band), target
//! group change and weight change replace the binding.

mod clb_common;
mod support;

use clb_common::*;
use serde_json::Value as Json;

const ADDR_TCP: &str = "tencentcloud_clb_target_group_association.tcp";
const ADDR_WEB: &str = "tencentcloud_clb_target_group_association.web";

fn l4(target_group: &str, weight: u64) -> String {
    format!(
        r#"
resource "tencentcloud_clb_target_group_association" "tcp" {{
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "{target_group}"
  weight           = {weight}
}}
"#
    )
}

const L7: &str = r#"
resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  location_id      = "loc-web00001"
  target_group_id  = "lbtg-web00001"
}
"#;

#[test]
fn clb_drift_binding_removed_out_of_band_plans_a_create() {
    let env = Env::new();
    env.config(&l4("lbtg-web00001", 20));
    env.ws.apply_and_check_empty_plan();
    env.edit_world(|w| w["Associations"] = Json::Array(vec![]));
    assert!(env.cloud().is_empty());

    let plan = env.ws.plan_json();
    assert_eq!(planned_actions(&plan, ADDR_TCP), ["create"]);
    env.ws.apply_and_check_empty_plan();
    assert_eq!(env.cloud().len(), 1);
    env.assert_agree();
}

fn rules_of_http_listener(w: &mut Json) -> &mut Vec<Json> {
    w["LoadBalancers"][0]["Listeners"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|l| l["ListenerId"] == "lbl-http0001")
        .unwrap()["Rules"]
        .as_array_mut()
        .unwrap()
}

#[test]
fn clb_drift_rule_deleted_out_of_band() {
    let env = Env::new();
    env.config(L7);
    env.ws.apply_and_check_empty_plan();

    // Someone deletes the forwarding rule; the cloud drops its bindings with it.
    let mut saved_rule = Json::Null;
    env.edit_world(|w| {
        let rules = rules_of_http_listener(w);
        let i = rules
            .iter()
            .position(|r| r["LocationId"] == "loc-web00001")
            .unwrap();
        saved_rule = rules.remove(i);
        w["Associations"] = Json::Array(vec![]);
    });

    // Refresh sees the binding gone, and the plan refuses to bind to a rule that does not exist,
    // pointing at location_id, instead of planning a create that would fail at apply.
    let refresh = env
        .ws
        .run(&["plan", "-refresh-only", "-no-color"])
        .assert_success();
    assert!(
        refresh.stdout.contains("has been deleted"),
        "{}",
        refresh.combined()
    );
    let plan = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(
        &plan,
        &["Forwarding rule not found", "location_id", "loc-web00001"],
    );

    // Once the rule is back, the plan shows the create and apply converges.
    env.edit_world(|w| rules_of_http_listener(w).push(saved_rule));
    let plan = env.ws.plan_json();
    assert_eq!(planned_actions(&plan, ADDR_WEB), ["create"]);
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    assert_eq!(env.cloud().len(), 1);
}

#[test]
fn clb_target_group_change_replaces_the_binding() {
    let env = Env::new();
    env.config(&l4("lbtg-web00001", 20));
    env.ws.apply_and_check_empty_plan();

    env.config(&l4("lbtg-api00001", 20));
    let plan = env.ws.plan_json();
    assert_eq!(planned_actions(&plan, ADDR_TCP), ["delete", "create"]);
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        env.cloud().into_iter().collect::<Vec<_>>(),
        [row(
            "lb-demo0001",
            "lbl-tcp00001",
            None,
            "lbtg-api00001",
            Some(20)
        )]
    );
    env.assert_agree();
}

#[test]
fn clb_weight_change_replaces_the_binding() {
    let env = Env::new();
    env.config(&l4("lbtg-web00001", 20));
    env.ws.apply_and_check_empty_plan();

    env.config(&l4("lbtg-web00001", 75));
    let plan = env.ws.plan_json();
    assert_eq!(planned_actions(&plan, ADDR_TCP), ["delete", "create"]);
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        env.cloud().into_iter().collect::<Vec<_>>(),
        [row(
            "lb-demo0001",
            "lbl-tcp00001",
            None,
            "lbtg-web00001",
            Some(75)
        )]
    );
    env.assert_agree();
}

#[test]
fn clb_weight_changed_out_of_band_is_seen_and_restored() {
    let env = Env::new();
    env.config(&l4("lbtg-web00001", 20));
    env.ws.apply_and_check_empty_plan();
    env.edit_world(|w| w["Associations"][0]["Weight"] = Json::from(55));

    let plan = env.ws.plan_json();
    assert_eq!(planned_actions(&plan, ADDR_TCP), ["delete", "create"]);
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        env.cloud().into_iter().collect::<Vec<_>>(),
        [row(
            "lb-demo0001",
            "lbl-tcp00001",
            None,
            "lbtg-web00001",
            Some(20)
        )]
    );
    env.assert_agree();
}

#[test]
fn clb_timeouts_change_in_place_without_api_writes() {
    let env = Env::new();
    env.config(&l4("lbtg-web00001", 20));
    env.ws.apply_and_check_empty_plan();
    let writes = env.calls("AssociateTargetGroups") + env.calls("DisassociateTargetGroups");
    env.config(&l4("lbtg-web00001", 20).replace(
        "weight           = 20\n",
        "weight           = 20\n  timeouts {\n    create = \"2m\"\n  }\n",
    ));
    let plan = env.ws.plan_json();
    assert_eq!(planned_actions(&plan, ADDR_TCP), ["update"]);
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        env.calls("AssociateTargetGroups") + env.calls("DisassociateTargetGroups"),
        writes
    );
    env.assert_agree();
}

#[test]
fn clb_destroy_of_a_binding_already_gone_succeeds() {
    let env = Env::new();
    env.config(L7);
    env.ws.apply_and_check_empty_plan();
    // The rule and its binding vanish; destroy without refresh still reaches Delete.
    env.edit_world(|w| {
        rules_of_http_listener(w).retain(|r| r["LocationId"] != "loc-web00001");
        w["Associations"] = Json::Array(vec![]);
    });
    env.ws
        .run(&["destroy", "-auto-approve", "-refresh=false", "-no-color"])
        .assert_success();
    assert_eq!(
        env.calls("DisassociateTargetGroups"),
        0,
        "nothing to unbind"
    );
    assert!(env.state().is_empty());
    env.assert_agree();
}

#[test]
fn clb_existing_binding_with_another_weight_is_not_adopted() {
    let env = Env::new();
    // Someone bound the target group by hand with weight 55.
    env.edit_world(|w| {
        w["Associations"] = serde_json::json!([{
            "LoadBalancerId": "lb-demo0001",
            "ListenerId": "lbl-tcp00001",
            "TargetGroupId": "lbtg-web00001",
            "Weight": 55
        }]);
    });
    env.config(&l4("lbtg-web00001", 20));
    let out = env.ws.apply();
    assert_failed_with(
        &out,
        &[
            "Binding already exists with another weight",
            "weight           = 20",
            "terraform import",
        ],
    );
    assert!(
        env.state().is_empty(),
        "nothing adopted under a false weight"
    );

    // Following the advice converges.
    env.config(&l4("lbtg-web00001", 55));
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
}
