//! End to end with the real terraform and the emulator: create → empty plan → import verify →
//! destroy, for layer 4 and layer 7, and `for_each` over 20 listeners in one apply.

mod clb_common;
mod support;

use clb_common::*;

const L4: &str = r#"
resource "tencentcloud_clb_target_group_association" "tcp" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
  weight           = 40
}
"#;

const L7: &str = r#"
resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  location_id      = "loc-web00001"
  target_group_id  = "lbtg-web00001"
}
"#;

/// Apply, empty plan, then drop the resource from state and import it back with `id`: the
/// imported values must equal the applied ones and the plan must stay empty.
fn lifecycle(env: &Env, addr: &str, import_id: &str) {
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    assert_eq!(env.cloud().len(), 1);
    let applied = env.ws.resource_values(addr).expect("in state");

    env.ws.run(&["state", "rm", addr]).assert_success();
    assert!(env.state().is_empty());
    env.ws.import(addr, import_id).assert_success();
    let imported = env.ws.resource_values(addr).expect("imported");
    for key in [
        "id",
        "load_balancer_id",
        "listener_id",
        "location_id",
        "target_group_id",
        "weight",
    ] {
        assert_eq!(imported[key], applied[key], "{key} after import");
    }
    assert!(env.ws.plan_is_empty(), "plan after import is not empty");
    env.assert_agree();

    env.ws.destroy().assert_success();
    assert!(
        env.cloud().is_empty(),
        "bindings left in the emulator: {:?}",
        env.cloud()
    );
    env.assert_agree();
}

#[test]
fn clb_layer4_create_plan_import_destroy() {
    let env = Env::new();
    env.config(L4);
    lifecycle(
        &env,
        "tencentcloud_clb_target_group_association.tcp",
        "lb-demo0001#lbl-tcp00001#lbtg-web00001",
    );
}

#[test]
fn clb_layer7_create_plan_import_destroy_with_official_id() {
    let env = Env::new();
    env.config(L7);
    // The official provider's attachment ID form: target group # listener # load balancer # rule.
    lifecycle(
        &env,
        "tencentcloud_clb_target_group_association.web",
        "lbtg-web00001#lbl-http0001#lb-demo0001#loc-web00001",
    );
}

#[test]
fn clb_layer4_import_official_id_without_trailing_separator() {
    let env = Env::new();
    env.config(L4);
    env.ws.apply().assert_success();
    let addr = "tencentcloud_clb_target_group_association.tcp";
    env.ws.run(&["state", "rm", addr]).assert_success();
    env.ws
        .import(addr, "lbtg-web00001#lbl-tcp00001#lb-demo0001")
        .assert_success();
    let v = env.ws.resource_values(addr).unwrap();
    assert_eq!(v["id"], "lb-demo0001#lbl-tcp00001#lbtg-web00001");
    assert_eq!(v["weight"], 40);
    env.assert_agree();
}

#[test]
fn clb_import_malformed_id_lists_accepted_forms() {
    let env = Env::new();
    env.config(L4);
    let out = env.ws.import(
        "tencentcloud_clb_target_group_association.tcp",
        "lbl-tcp00001#lb-demo0001",
    );
    assert_failed_with(
        &out,
        &[
            "Invalid import ID",
            "Accepted forms",
            "lb-xxxxxxxx#lbl-xxxxxxxx#lbtg-xxxxxxxx",
        ],
    );
    assert!(env.state().is_empty());
}

#[test]
fn clb_import_block_generates_config_that_plans_empty() {
    let env = Env::new();
    env.config(L7);
    env.ws.apply().assert_success();
    // A fresh workspace for the same emulator adopts the binding with an import block.
    let addr = "tencentcloud_clb_target_group_association.web";
    env.ws.run(&["state", "rm", addr]).assert_success();
    env.config(
        r#"
import {
  to = tencentcloud_clb_target_group_association.web
  id = "lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001"
}
"#,
    );
    env.ws
        .run(&["plan", "-no-color", "-generate-config-out=generated.tf"])
        .assert_success();
    let generated = env.ws.read("generated.tf");
    assert!(
        generated.contains("location_id      = \"loc-web00001\""),
        "{generated}"
    );
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
}

#[test]
fn clb_for_each_over_twenty_listeners_in_one_apply() {
    let env = Env::new();
    env.config(
        r#"
resource "tencentcloud_clb_target_group_association" "fe" {
  for_each = toset([for i in range(1, 21) : format("lbl-fe%06d", i)])

  load_balancer_id = "lb-demo0001"
  listener_id      = each.value
  target_group_id  = "lbtg-api00001"
  weight           = 15
}
"#,
    );
    env.ws.apply_and_check_empty_plan();
    let cloud = env.cloud();
    assert_eq!(cloud.len(), 20, "{cloud:?}");
    for i in 1..=20 {
        let listener = format!("lbl-fe{i:06}");
        assert!(cloud.contains(&row(
            "lb-demo0001",
            &listener,
            None,
            "lbtg-api00001",
            Some(15)
        )));
    }
    env.assert_agree();
    // The per-load-balancer lock queued the 20 binds: none collided with a running task.
    let errors = env.emu().metrics().errors;
    assert_eq!(
        errors.get("FailedOperation.ResourceInOperating"),
        None,
        "{errors:?}"
    );
    env.ws.destroy().assert_success();
    assert!(env.cloud().is_empty());
    env.assert_agree();
}

#[test]
fn clb_provider_config_unknown_at_plan_applies() {
    let env = Env::new();
    let endpoint = env.emu().base_url();
    // The endpoint is known only after terraform_data is created: the provider is configured with
    // an unknown value at plan time and must neither crash nor call the API then.
    env.ws.write(
        "main.tf",
        &format!(
            r#"
terraform {{
  required_providers {{
    tencentcloud = {{
      source = "terraform.local/tencentcloud/tencentcloud"
    }}
  }}
}}

resource "terraform_data" "endpoint" {{
  input = "{endpoint}"
}}

provider "tencentcloud" {{
  endpoint = terraform_data.endpoint.output
}}

resource "tencentcloud_clb_target_group_association" "tcp" {{
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
}}
"#
        ),
    );
    env.ws.apply_and_check_empty_plan();
    env.assert_agree();
    assert_eq!(env.cloud().len(), 1);
    env.ws.destroy().assert_success();
    assert!(env.cloud().is_empty());
}
