//! End-to-end tests of the tfplug framework with the real `terraform` CLI, against a small
//! test-only provider served in-process and attached through `TF_REATTACH_PROVIDERS`
//! (what terraform-plugin-testing does).

mod support;
#[path = "../crates/tfplug/examples/tfplugtest/provider.rs"]
mod test_provider;

use std::sync::Arc;

use support::TfWorkspace;
use test_provider::{ADDRESS, Item, Rule, SLOW_MARKER, Store, TestProvider};
use tfplug::server::{self, RunningServer, ServerOptions};

/// A running in-process provider plus its fake cloud. Drop order: server before runtime.
struct Harness {
    server: Option<RunningServer>,
    rt: tokio::runtime::Runtime,
    store: Store,
    ws: TfWorkspace,
}

impl Harness {
    fn new() -> Self {
        support::terraform_bin();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (provider, store) = TestProvider::new();
        let server = rt
            .block_on(server::start(
                provider as Arc<_>,
                ServerOptions::plaintext(),
            ))
            .expect("start provider server");
        let ws = TfWorkspace::with_reattach(&server.reattach_json(ADDRESS));
        Harness {
            server: Some(server),
            rt,
            store,
            ws,
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

const PROVIDER: &str = r#"
terraform {
  required_providers {
    tfplugtest = { source = "terraform.local/test/tfplugtest" }
  }
}
provider "tfplugtest" {}
"#;

fn item_config(name: &str, content: &str) -> String {
    format!(
        r#"{PROVIDER}
resource "tfplugtest_item" "a" {{
  name    = "{name}"
  content = "{content}"
  tags    = {{ team = "x" }}
  secret  = "s3cr3t"
  rule {{
    port  = 22
    proto = "tcp"
  }}
}}
output "id" {{ value = tfplugtest_item.a.id }}
"#
    )
}

#[test]
fn lifecycle_create_update_replace_drift_import_destroy() {
    let h = Harness::new();
    let ws = &h.ws;

    // Create, then the plan must be empty.
    ws.write("main.tf", &item_config("alpha", "hello"));
    let out = ws.apply_and_check_empty_plan();
    assert!(out.stdout.contains("1 added"), "{}", out.combined());
    let v = ws.resource_values("tfplugtest_item.a").expect("in state");
    assert_eq!(v["id"], "item-alpha");
    assert_eq!(v["length"], 5);
    assert_eq!(v["rule"][0]["port"], 22);
    assert!(v["timeouts"].is_null());
    // Write-only: accepted in config, never stored.
    assert!(
        v["secret"].is_null(),
        "write-only value leaked into state: {v}"
    );
    assert!(!ws.read("terraform.tfstate").contains("s3cr3t"));

    // In-place update: the computed length is unknown in the plan, the id is kept.
    ws.write("main.tf", &item_config("alpha", "hello world"));
    let plan = ws.run(&["plan", "-no-color"]).assert_success();
    assert!(
        plan.stdout.contains("update in-place"),
        "{}",
        plan.combined()
    );
    assert!(
        plan.stdout.contains("(known after apply)"),
        "{}",
        plan.combined()
    );
    assert!(
        !plan.stdout.contains("forces replacement"),
        "{}",
        plan.combined()
    );
    ws.apply_and_check_empty_plan();
    let v = ws.resource_values("tfplugtest_item.a").unwrap();
    assert_eq!(v["id"], "item-alpha");
    assert_eq!(v["length"], 11);

    // Forced replacement: a requires_replace attribute changes.
    ws.write("main.tf", &item_config("beta", "hello world"));
    let plan = ws.run(&["plan", "-no-color"]).assert_success();
    assert!(plan.stdout.contains("-/+"), "{}", plan.combined());
    assert!(
        plan.stdout.contains("forces replacement"),
        "{}",
        plan.combined()
    );
    let pj = ws.plan_json();
    let change = &pj["resource_changes"][0];
    assert_eq!(
        change["change"]["actions"],
        serde_json::json!(["delete", "create"]),
        "{change}"
    );
    assert_eq!(
        change["change"]["replace_paths"],
        serde_json::json!([["name"]]),
        "{change}"
    );
    ws.apply_and_check_empty_plan();
    assert_eq!(
        ws.resource_values("tfplugtest_item.a").unwrap()["id"],
        "item-beta"
    );
    assert!(
        !h.store.lock().unwrap().contains_key("item-alpha"),
        "old object must be deleted"
    );

    // Drift: change the object behind Terraform's back; refresh must see it.
    h.store
        .lock()
        .unwrap()
        .get_mut("item-beta")
        .unwrap()
        .content = Some("tampered".into());
    let refresh = ws
        .run(&["plan", "-refresh-only", "-no-color"])
        .assert_success();
    assert!(
        refresh.stdout.contains("changed outside of Terraform"),
        "{}",
        refresh.combined()
    );
    let plan = ws.run(&["plan", "-no-color"]).assert_success();
    assert!(
        plan.stdout.contains("\"tampered\" -> \"hello world\""),
        "{}",
        plan.combined()
    );
    ws.apply_and_check_empty_plan();
    assert_eq!(
        h.store.lock().unwrap()["item-beta"].content.as_deref(),
        Some("hello world")
    );

    // CLI import of an existing object, then the plan must be empty (import verified).
    h.store.lock().unwrap().insert(
        "item-gamma".into(),
        Item {
            id: Some("item-gamma".into()),
            name: "gamma".into(),
            content: Some("imported".into()),
            length: Some(8),
            tags: None,
            rule: vec![Rule {
                port: 80,
                proto: None,
            }],
            timeouts: None,
            region: None,
        },
    );
    let cfg = format!(
        "{}\nresource \"tfplugtest_item\" \"g\" {{\n  name    = \"gamma\"\n  content = \"imported\"\n  rule {{\n    port = 80\n  }}\n}}\n",
        item_config("beta", "hello world")
    );
    ws.write("main.tf", &cfg);
    let out = ws
        .import("tfplugtest_item.g", "item-gamma")
        .assert_success();
    assert!(
        out.stdout.contains("Import successful"),
        "{}",
        out.combined()
    );
    assert!(ws.plan_is_empty(), "plan after import must be empty");
    let g = ws.resource_values("tfplugtest_item.g").unwrap();
    assert_eq!(g["length"], 8);
    assert_eq!(g["rule"][0]["port"], 80);

    // Importing something that does not exist fails clearly.
    ws.write(
        "main.tf",
        &format!("{cfg}\nresource \"tfplugtest_item\" \"m\" {{\n  name = \"missing\"\n}}\n"),
    );
    let out = ws
        .import("tfplugtest_item.m", "item-missing")
        .assert_failure();
    assert!(
        out.stderr
            .contains("Cannot import non-existent remote object"),
        "{}",
        out.combined()
    );
    ws.write("main.tf", &cfg);

    // Destroy removes everything.
    let out = ws.destroy().assert_success();
    assert!(out.stdout.contains("2 destroyed"), "{}", out.combined());
    assert!(
        h.store.lock().unwrap().is_empty(),
        "store must be empty after destroy"
    );
    assert!(ws.resource_values("tfplugtest_item.a").is_none());
}

#[test]
fn import_block_generates_config() {
    let h = Harness::new();
    let ws = &h.ws;
    h.store.lock().unwrap().insert(
        "item-delta".into(),
        Item {
            id: Some("item-delta".into()),
            name: "delta".into(),
            content: Some("from the cloud".into()),
            length: Some(14),
            tags: Some([("team".to_string(), "y".to_string())].into()),
            rule: vec![Rule {
                port: 443,
                proto: Some("tcp".into()),
            }],
            timeouts: None,
            region: None,
        },
    );
    ws.write(
        "main.tf",
        &format!("{PROVIDER}\nimport {{\n  to = tfplugtest_item.d\n  id = \"item-delta\"\n}}\n"),
    );
    let out = ws
        .run(&["plan", "-no-color", "-generate-config-out=generated.tf"])
        .assert_success();
    assert!(out.stdout.contains("1 to import"), "{}", out.combined());
    let generated = ws.read("generated.tf");
    assert!(
        generated.contains("name    = \"delta\""),
        "generated:\n{generated}"
    );
    assert!(generated.contains("port  = 443"), "generated:\n{generated}");
    assert!(
        !generated.contains("length"),
        "computed-only attributes are not generated:\n{generated}"
    );
    let out = ws.apply().assert_success();
    assert!(out.stdout.contains("1 imported"), "{}", out.combined());
    assert!(ws.plan_is_empty(), "plan after import {{}} must be empty");
    ws.destroy().assert_success();
    assert!(h.store.lock().unwrap().is_empty());
}

#[test]
fn validation_error_points_at_attribute() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write("main.tf", &item_config("bad name", "x"));
    let out = ws.run(&["validate", "-no-color"]).assert_failure();
    assert!(out.stderr.contains("Invalid name"), "{}", out.combined());
    assert!(out.stderr.contains("on main.tf line"), "{}", out.combined());
    assert!(
        out.stderr.contains("name    = \"bad name\""),
        "{}",
        out.combined()
    );
    assert!(out.stderr.contains("no whitespace"), "{}", out.combined());
}

#[test]
fn providers_schema_json() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write("main.tf", PROVIDER);
    let out = ws.run(&["providers", "schema", "-json"]).assert_success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema JSON");
    let res = &v["provider_schemas"][ADDRESS]["resource_schemas"]["tfplugtest_item"];
    assert_eq!(res["version"], 1, "{}", out.stdout);
    let attrs = &res["block"]["attributes"];
    assert_eq!(attrs["name"]["required"], true);
    assert_eq!(attrs["id"]["computed"], true);
    assert_eq!(attrs["secret"]["write_only"], true, "{}", attrs["secret"]);
    assert_eq!(attrs["secret"]["sensitive"], true);
    assert_eq!(attrs["tags"]["type"], serde_json::json!(["map", "string"]));
    assert_eq!(res["block"]["block_types"]["rule"]["nesting_mode"], "list");
    assert_eq!(
        res["block"]["block_types"]["timeouts"]["nesting_mode"],
        "single"
    );
    let provider = &v["provider_schemas"][ADDRESS]["provider"]["block"]["attributes"];
    assert_eq!(provider["prefix"]["optional"], true);
}

#[test]
fn terraform_test_command() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER}
variable "content" {{
  type = string
}}
resource "tfplugtest_item" "t" {{
  name    = "tftest"
  content = var.content
}}
output "id" {{ value = tfplugtest_item.t.id }}
"#
        ),
    );
    ws.write(
        "tests/item.tftest.hcl",
        r#"
variables {
  content = "abc"
}
run "plan_knows_name" {
  command = plan
  assert {
    condition     = tfplugtest_item.t.name == "tftest"
    error_message = "name not planned"
  }
}
run "apply_sets_id_and_length" {
  assert {
    condition     = output.id == "item-tftest" && tfplugtest_item.t.length == 3
    error_message = "id or length wrong"
  }
}
run "update_in_place" {
  variables {
    content = "abcdef"
  }
  assert {
    condition     = tfplugtest_item.t.length == 6 && output.id == "item-tftest"
    error_message = "update did not happen in place"
  }
}
"#,
    );
    let out = ws.run(&["test", "-no-color"]).assert_success();
    assert!(
        out.stdout.contains("3 passed, 0 failed"),
        "{}",
        out.combined()
    );
    assert!(
        h.store.lock().unwrap().is_empty(),
        "terraform test must tear down"
    );
}

#[test]
fn unknown_provider_config_does_not_crash() {
    let h = Harness::new();
    let ws = &h.ws;
    // The provider's `prefix` depends on a resource not yet created, so it is unknown at plan.
    ws.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    tfplugtest = { source = "terraform.local/test/tfplugtest" }
  }
}
resource "terraform_data" "seed" {
  input = "p"
}
provider "tfplugtest" {
  prefix = terraform_data.seed.output
}
resource "tfplugtest_item" "u" {
  name = "unknown-config"
}
"#,
    );
    let out = ws.run(&["plan", "-no-color"]).assert_success();
    assert!(out.stdout.contains("2 to add"), "{}", out.combined());
}

#[test]
fn interrupt_sends_stop_provider_which_cancels_the_operation() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write("main.tf", &item_config("slow", "slow"));
    let child = ws
        .command(&["apply", "-auto-approve", "-no-color"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn terraform apply");
    let started = std::time::Instant::now();
    while !h.store.lock().unwrap().contains_key(SLOW_MARKER) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "create never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Ctrl-C: Terraform answers with StopProvider, which must cancel the in-flight create.
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().expect("wait for terraform");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("Operation cancelled"), "stderr: {stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "cancellation was not prompt"
    );
    assert!(
        !h.store.lock().unwrap().contains_key("item-slow"),
        "nothing may be created"
    );
    // The server keeps working after StopProvider (a debug server serves many runs).
    assert!(
        ws.run(&["plan", "-no-color"])
            .assert_success()
            .stdout
            .contains("1 to add")
    );
}

#[test]
fn stored_state_from_an_older_schema_is_upgraded() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write("main.tf", &item_config("old", "text"));
    ws.apply_and_check_empty_plan();
    // Rewrite the state as an older provider would have stored it: schema version 0, an
    // attribute that no longer exists, and a current attribute missing.
    let mut state: serde_json::Value = serde_json::from_str(&ws.read("terraform.tfstate")).unwrap();
    let inst = &mut state["resources"][0]["instances"][0];
    inst["schema_version"] = 0.into();
    let attrs = inst["attributes"].as_object_mut().unwrap();
    attrs.insert("obsolete_attr".into(), "gone".into());
    attrs.remove("tags");
    state["serial"] = (state["serial"].as_i64().unwrap() + 1).into();
    ws.write(
        "terraform.tfstate",
        &serde_json::to_string_pretty(&state).unwrap(),
    );
    // Refresh reads the real object, so the plan is empty again and the state is current.
    assert!(ws.plan_is_empty(), "plan after upgrade must be empty");
    ws.apply().assert_success();
    let stored = ws.read("terraform.tfstate");
    assert!(!stored.contains("obsolete_attr"), "{stored}");
    let v = ws.resource_values("tfplugtest_item.a").unwrap();
    assert_eq!(v["tags"]["team"], "x");
}

#[test]
fn data_source_lists_objects_and_validates_its_configuration() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER}
resource "tfplugtest_item" "a" {{ name = "ds-one" }}
resource "tfplugtest_item" "b" {{
  name    = "ds-two"
  content = "2"
}}
resource "tfplugtest_item" "other" {{ name = "unrelated" }}
data "tfplugtest_items" "ds" {{
  name_prefix = "ds-"
  depends_on  = [tfplugtest_item.a, tfplugtest_item.b, tfplugtest_item.other]
}}
output "total" {{ value = data.tfplugtest_items.ds.total }}
output "names" {{ value = data.tfplugtest_items.ds.items[*].name }}
output "contents" {{ value = data.tfplugtest_items.ds.items[*].content }}
"#
        ),
    );
    ws.apply_and_check_empty_plan();
    let out = ws.run(&["output", "-json"]).assert_success();
    let outputs: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(outputs["total"]["value"], 2, "{outputs}");
    assert_eq!(
        outputs["names"]["value"],
        serde_json::json!(["ds-one", "ds-two"])
    );
    assert_eq!(outputs["contents"]["value"], serde_json::json!([null, "2"]));

    // The data source's own validation points at the attribute.
    ws.write(
        "main.tf",
        &format!("{PROVIDER}\ndata \"tfplugtest_items\" \"bad\" {{ name_prefix = \"a b\" }}\n"),
    );
    let plan = ws.run(&["plan", "-no-color"]).assert_failure();
    assert!(
        plan.stderr.contains("Invalid name_prefix")
            && plan.stderr.contains("name_prefix = \"a b\""),
        "{}",
        plan.combined()
    );
}

#[test]
fn moved_block_turns_an_item_into_a_record_without_writes() {
    let h = Harness::new();
    let ws = &h.ws;
    ws.write(
        "main.tf",
        &format!("{PROVIDER}\nresource \"tfplugtest_item\" \"a\" {{\n  name    = \"mv\"\n  content = \"kept\"\n}}\n"),
    );
    ws.apply_and_check_empty_plan();
    let before = h.store.lock().unwrap().clone();

    // Terraform 1.11 calls MoveResourceState because the provider advertises the capability.
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER}
resource "tfplugtest_record" "a" {{
  name    = "mv"
  content = "kept"
}}
moved {{
  from = tfplugtest_item.a
  to   = tfplugtest_record.a
}}
"#
        ),
    );
    let plan = ws.run(&["plan", "-no-color"]).assert_success();
    assert!(
        plan.stdout
            .contains("tfplugtest_item.a has moved to tfplugtest_record.a")
            && plan.stdout.contains("0 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.combined()
    );
    let out = ws.apply().assert_success();
    assert!(
        out.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        out.combined()
    );
    assert!(ws.plan_is_empty(), "the plan after the move is empty");
    let v = ws.resource_values("tfplugtest_record.a").expect("moved");
    assert_eq!(v["id"], "item-mv");
    assert_eq!(v["content"], "kept");
    assert!(ws.resource_values("tfplugtest_item.a").is_none());
    assert_eq!(*h.store.lock().unwrap(), before, "the move wrote nothing");

    // Moving into a type that accepts no moves is refused with what to do instead.
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER}
resource "tfplugtest_item" "b" {{ name = "mv" }}
moved {{
  from = tfplugtest_record.a
  to   = tfplugtest_item.b
}}
"#
        ),
    );
    let plan = ws.run(&["plan", "-no-color"]).assert_failure();
    assert!(
        plan.stderr
            .contains("Moving resources into this type is not supported")
            && plan.stderr.contains("removed"),
        "{}",
        plan.combined()
    );
}

#[test]
fn a_resource_with_identity_works_unchanged_with_terraform_1_11() {
    // Terraform 1.11 never asks for identities; the identity fields it does not know are
    // ignored, and create, refresh, import and destroy behave as for any resource.
    let h = Harness::new();
    let ws = &h.ws;
    let config = |content: &str| {
        format!(
            "{PROVIDER}\nresource \"tfplugtest_record\" \"r\" {{\n  name    = \"rec\"\n  region  = \"r1\"\n  content = \"{content}\"\n}}\n"
        )
    };
    ws.write("main.tf", &config("one"));
    ws.apply_and_check_empty_plan();
    ws.write("main.tf", &config("two"));
    ws.apply_and_check_empty_plan();
    let v = ws.resource_values("tfplugtest_record.r").expect("in state");
    assert_eq!(v["id"], "item-rec");
    assert_eq!(
        h.store.lock().unwrap()["item-rec"].region.as_deref(),
        Some("r1")
    );

    // Forget it, then import it back by ID.
    ws.run(&["state", "rm", "tfplugtest_record.r"])
        .assert_success();
    let out = ws
        .import("tfplugtest_record.r", "item-rec")
        .assert_success();
    assert!(
        out.stdout.contains("Import successful"),
        "{}",
        out.combined()
    );
    assert!(ws.plan_is_empty());
    ws.destroy().assert_success();
    assert!(h.store.lock().unwrap().is_empty());
}
