//! The schema as Terraform sees it (`terraform providers schema -json`): secrets sensitive, every
//! attribute described, the attributes the docs promise.

mod clb_common;
mod support;

use clb_common::*;

#[test]
fn clb_schema_as_terraform_sees_it() {
    let env = Env::new();
    env.config("");
    let out = env
        .ws
        .run(&["providers", "schema", "-json"])
        .assert_success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema JSON");
    let p = &v["provider_schemas"]["terraform.local/tencentcloud/tencentcloud"];

    let provider = &p["provider"]["block"]["attributes"];
    for name in [
        "secret_id",
        "secret_key",
        "security_token",
        "region",
        "profile",
        "shared_credentials_dir",
        "protocol",
        "domain",
        "endpoint",
        "rate_limit",
    ] {
        let a = &provider[name];
        assert_eq!(a["optional"], true, "provider.{name}");
        assert!(
            a["description"].as_str().is_some_and(|d| !d.is_empty()),
            "provider.{name}"
        );
    }
    assert_eq!(provider["secret_key"]["sensitive"], true);
    assert_eq!(provider["security_token"]["sensitive"], true);

    let r = &p["resource_schemas"][TYPE]["block"];
    let attrs = &r["attributes"];
    for name in ["load_balancer_id", "listener_id", "target_group_id"] {
        assert_eq!(attrs[name]["required"], true, "{name}");
    }
    assert_eq!(attrs["location_id"]["optional"], true);
    assert_eq!(attrs["weight"]["optional"], true);
    assert_eq!(attrs["weight"]["computed"], true);
    assert_eq!(attrs["id"]["computed"], true);
    for (name, a) in attrs.as_object().unwrap() {
        assert!(
            a["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name} has no description"
        );
    }
    let timeouts = &r["block_types"]["timeouts"];
    assert_eq!(timeouts["nesting_mode"], "single");
    for name in ["create", "delete"] {
        assert!(
            timeouts["block"]["attributes"][name]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }
}

#[test]
fn clb_docs_cover_every_attribute() {
    use tencentcloud_provider::clb::{provider::config as provider_config, resource};
    let root = env!("CARGO_MANIFEST_DIR");
    let provider_doc = std::fs::read_to_string(format!("{root}/docs/index.md")).unwrap();
    for a in &provider_config::schema().block.attributes {
        assert!(
            provider_doc.contains(&format!("`{}`", a.name)),
            "docs/index.md lacks `{}`",
            a.name
        );
    }
    let resource_doc = std::fs::read_to_string(format!(
        "{root}/docs/resources/clb_target_group_association.md"
    ))
    .unwrap();
    let schema = resource::schema();
    for a in &schema.block.attributes {
        assert!(
            resource_doc.contains(&format!("`{}`", a.name)),
            "resource doc lacks `{}`",
            a.name
        );
    }
    for b in &schema.block.blocks {
        assert!(
            resource_doc.contains(&format!("`{}`", b.type_name)),
            "resource doc lacks `{}`",
            b.type_name
        );
        for a in &b.block.attributes {
            assert!(
                resource_doc.contains(&format!("`{}`", a.name)),
                "resource doc lacks `{}`",
                a.name
            );
        }
    }
}
