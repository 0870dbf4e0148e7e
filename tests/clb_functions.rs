//! The provider-defined functions end to end with the real `terraform` (1.11 calls
//! GetProviderSchema for their signatures and CallFunction on an unconfigured provider):
//! outputs computed from `association_id` and `parse_association_id`, the official attachment's
//! ID accepted, a whole resource passed as the object, and the errors for a malformed ID and an
//! incomplete object, pointing at the argument. The same calls at the protocol level follow.

mod clb_common;
mod support;

#[path = "support/provider_client.rs"]
mod provider_client;

use std::sync::Arc;

use clb_common::*;
use serde_json::{Value as Json, json};
use tencentcloud_provider::clb::provider::TencentCloudProvider;
use tfplug::value::{Type, Value};

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

const OUTPUTS: &str = r#"
locals {
  layer7 = {
    load_balancer_id = "lb-demo0001"
    listener_id      = "lbl-http0001"
    location_id      = "loc-web00001"
    target_group_id  = "lbtg-web00001"
  }
}

output "layer4_id" {
  # location_id left out: a layer-4 listener
  value = provider::tencentcloud::association_id({
    load_balancer_id = "lb-demo0001"
    listener_id      = "lbl-tcp00001"
    target_group_id  = "lbtg-web00001"
  })
}

output "layer7_id" {
  value = provider::tencentcloud::association_id(local.layer7)
}

output "round_trip" {
  value = provider::tencentcloud::parse_association_id(provider::tencentcloud::association_id(local.layer7))
}

output "from_official" {
  value = provider::tencentcloud::parse_association_id("lbtg-web00001#lbl-tcp00001#lb-demo0001#")
}

output "from_resource" {
  value = provider::tencentcloud::association_id(tencentcloud_clb_target_group_association.web)
}

resource "tencentcloud_clb_target_group_association" "web" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
}
"#;

#[test]
fn outputs_are_computed_by_the_functions_with_terraform() {
    let env = Env::new();
    env.config(OUTPUTS);
    env.ws.apply().assert_success();
    let o = outputs(&env);
    assert_eq!(
        o["layer4_id"],
        json!("lb-demo0001#lbl-tcp00001#lbtg-web00001")
    );
    assert_eq!(
        o["layer7_id"],
        json!("lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001")
    );
    assert_eq!(
        o["round_trip"],
        json!({"load_balancer_id": "lb-demo0001", "listener_id": "lbl-http0001",
               "location_id": "loc-web00001", "target_group_id": "lbtg-web00001"})
    );
    assert_eq!(
        o["from_official"],
        json!({"load_balancer_id": "lb-demo0001", "listener_id": "lbl-tcp00001",
               "location_id": null, "target_group_id": "lbtg-web00001"})
    );
    // The resource's own ID, built from the resource itself.
    let state = env
        .ws
        .resource_values(&format!("{TYPE}.web"))
        .expect("in state");
    assert_eq!(o["from_resource"], state["id"]);
    env.ws.destroy().assert_success();
}

#[test]
fn a_malformed_id_fails_with_what_was_expected() {
    let env = Env::new();
    env.config(
        r#"
output "bad" {
  value = provider::tencentcloud::parse_association_id("lb-demo0001#lbl-tcp00001")
}
"#,
    );
    let out = env.ws.run(&["plan", "-no-color", "-input=false"]);
    assert_failed_with(
        &out,
        &[
            // Terraform puts the error on the argument the provider names.
            "Error: Invalid function argument",
            "Invalid value for \"id\" parameter",
            "has 2 parts separated by '#'",
            "Accepted forms:",
            "lb-xxxxxxxx#lbl-xxxxxxxx#lbtg-xxxxxxxx",
        ],
    );
    env.config(
        r#"
output "incomplete" {
  value = provider::tencentcloud::association_id({ load_balancer_id = "lb-demo0001", listener_id = "lbl-tcp00001" })
}
"#,
    );
    let out = env.ws.run(&["plan", "-no-color", "-input=false"]);
    assert_failed_with(
        &out,
        &[
            "Error: Invalid function argument",
            "Invalid value for \"binding\" parameter: the object has no target_group_id",
        ],
    );
    env.config(
        r#"
output "wrong_shape" {
  value = provider::tencentcloud::association_id({ load_balancer_id = "lbl-demo0001", listener_id = "lbl-tcp00001", target_group_id = "lbtg-web00001" })
}
"#,
    );
    let out = env.ws.run(&["plan", "-no-color", "-input=false"]);
    assert_failed_with(&out, &["load_balancer_id:", "lb-"]);
}

#[test]
fn functions_at_the_protocol_level_name_the_argument_at_fault() {
    use provider_client::{dynamic, pb, type_of, value_of};
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (server, client) =
            provider_client::start(Arc::new(TencentCloudProvider::new()) as Arc<_>).await;
        // Declared in the schema (what Terraform reads) and by GetFunctions (what OpenTofu
        // asks when a name is missing), identically.
        let schema = client.get_provider_schema().await;
        let standalone = client.get_functions().await;
        assert_eq!(schema.functions, standalone.functions);
        let parse = &schema.functions["parse_association_id"];
        assert_eq!(parse.parameters[0].name, "id");
        let rtype = type_of(&parse.r#return.as_ref().unwrap().r#type);
        // No ConfigureProvider: Terraform calls functions on an unconfigured instance.
        let ok = client
            .call_function(
                "parse_association_id",
                vec![dynamic(
                    &Value::string("lb-a1#lbl-b2#loc-c3#lbtg-d4"),
                    &Type::String,
                )],
            )
            .await;
        assert!(ok.error.is_none(), "{:?}", ok.error);
        let v = value_of(ok.result.as_ref(), &rtype);
        assert_eq!(v.get_attr("location_id"), Some(&Value::string("loc-c3")));
        let bad = client
            .call_function(
                "parse_association_id",
                vec![dynamic(&Value::string("nonsense"), &Type::String)],
            )
            .await;
        let err = bad.error.expect("a function error");
        assert_eq!(err.function_argument, Some(0));
        assert!(err.text.contains("Accepted forms"), "{}", err.text);
        assert!(bad.result.is_none());
        let unknown: pb::call_function::Response =
            client.call_function("no_such_function", Vec::new()).await;
        assert!(
            unknown.error.unwrap().text.contains("association_id"),
            "lists what exists"
        );
        let count = client.call_function("association_id", Vec::new()).await;
        assert!(count.error.unwrap().text.contains("takes 1 argument"));
        server.shutdown().await;
    });
}
