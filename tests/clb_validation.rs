//! End to end: every plan-time check fails `terraform plan` with a diagnostic on the right
//! attribute, before any write reaches the cloud.

mod clb_common;
mod support;

use clb_common::*;

struct Case {
    name: &'static str,
    attrs: &'static str,
    /// Text the error must contain (summary and the offending configuration line).
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "load balancer ID format",
        attrs: r#"load_balancer_id = "demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001""#,
        expect: &[
            "Invalid load_balancer_id",
            r#"load_balancer_id = "demo0001""#,
        ],
    },
    Case {
        name: "listener ID format (composite ID)",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lb-demo0001#lbl-tcp00001"
  target_group_id  = "lbtg-web00001""#,
        expect: &["Invalid listener_id", "contains '#'", "listener_id"],
    },
    Case {
        name: "rule ID format",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  location_id      = "rule-1"
  target_group_id  = "lbtg-web00001""#,
        expect: &["Invalid location_id", r#"location_id      = "rule-1""#],
    },
    Case {
        name: "target group ID format",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "tg-web00001""#,
        expect: &[
            "Invalid target_group_id",
            r#"target_group_id  = "tg-web00001""#,
        ],
    },
    Case {
        name: "weight range",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
  weight           = 101"#,
        expect: &[
            "Invalid weight",
            "between 0 and 100",
            "weight           = 101",
        ],
    },
    Case {
        name: "timeout format",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
  timeouts {
    create = "ten minutes"
  }"#,
        expect: &["Invalid timeouts.create", r#"create = "ten minutes""#],
    },
    Case {
        name: "unknown load balancer",
        attrs: r#"load_balancer_id = "lb-nothere1"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001""#,
        expect: &[
            "Load balancer not found",
            r#"load_balancer_id = "lb-nothere1""#,
        ],
    },
    Case {
        name: "unknown listener",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-nothere1"
  target_group_id  = "lbtg-web00001""#,
        expect: &["Listener not found", r#"listener_id      = "lbl-nothere1""#],
    },
    Case {
        name: "layer-7 listener without location_id",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  target_group_id  = "lbtg-web00001""#,
        expect: &[
            "location_id is required for a layer-7 listener",
            "loc-web00001, loc-api00001",
        ],
    },
    Case {
        name: "layer-4 listener with location_id",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  location_id      = "loc-web00001"
  target_group_id  = "lbtg-web00001""#,
        expect: &[
            "location_id is not allowed for a layer-4 listener",
            r#"location_id      = "loc-web00001""#,
        ],
    },
    Case {
        name: "v1 target group on a layer-4 listener not in target-group mode",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-udp00001"
  target_group_id  = "lbtg-old00001""#,
        expect: &[
            "Listener is not in target-group mode",
            r#"listener_id      = "lbl-udp00001""#,
        ],
    },
    Case {
        name: "unknown rule",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-http0001"
  location_id      = "loc-nothere1"
  target_group_id  = "lbtg-web00001""#,
        expect: &[
            "Forwarding rule not found",
            r#"location_id      = "loc-nothere1""#,
        ],
    },
    Case {
        name: "unknown target group",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-nothere1""#,
        expect: &[
            "Target group not found",
            r#"target_group_id  = "lbtg-nothere1""#,
        ],
    },
    Case {
        name: "VPC mismatch",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-far00001""#,
        expect: &[
            "Target group is in another VPC",
            "vpc-other001",
            r#"target_group_id  = "lbtg-far00001""#,
        ],
    },
    Case {
        name: "weight on a v1 target group",
        attrs: r#"load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-old00001"
  weight           = 30"#,
        expect: &["weight needs a v2 target group", "weight           = 30"],
    },
];

#[test]
fn clb_plan_time_validation_errors_point_at_the_attribute() {
    let env = Env::new();
    let mut failures = Vec::new();
    for case in CASES {
        env.config(&format!(
            "resource \"tencentcloud_clb_target_group_association\" \"x\" {{\n  {}\n}}\n",
            case.attrs
        ));
        let out = env.ws.run(&["plan", "-no-color"]);
        let text = out.combined();
        if out.success() {
            failures.push(format!("{}: plan succeeded:\n{text}", case.name));
            continue;
        }
        for needle in case.expect {
            if !text.contains(needle) {
                failures.push(format!("{}: missing {needle:?} in:\n{text}", case.name));
            }
        }
        if text.contains("panicked") || text.contains("rpc error") {
            failures.push(format!(
                "{}: raw failure instead of a diagnostic:\n{text}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Nothing was written to the cloud by any of these plans.
    assert_eq!(env.calls("AssociateTargetGroups"), 0);
    assert!(env.cloud().is_empty());
}

#[test]
fn clb_valid_layer4_v1_target_group_without_weight_plans() {
    let env = Env::new();
    env.config(
        r#"
resource "tencentcloud_clb_target_group_association" "x" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-old00001"
}
"#,
    );
    env.ws.apply_and_check_empty_plan();
    let v = env
        .ws
        .resource_values("tencentcloud_clb_target_group_association.x")
        .unwrap();
    assert!(v["weight"].is_null(), "v1 bindings have no weight: {v}");
    env.assert_agree();
}

/// The API page's rule: only a legacy (v1) target group needs a layer-4 listener with target
/// groups enabled; a v2 one binds to a NODE-mode listener, and plan agrees with the cloud.
#[test]
fn clb_v2_target_group_on_a_node_mode_layer4_listener_applies() {
    let env = Env::new();
    env.config(
        r#"
resource "tencentcloud_clb_target_group_association" "x" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-udp00001"
  target_group_id  = "lbtg-web00001"
  weight           = 40
}
"#,
    );
    env.ws.apply_and_check_empty_plan();
    assert_eq!(
        env.cloud(),
        [row(
            "lb-demo0001",
            "lbl-udp00001",
            None,
            "lbtg-web00001",
            Some(40)
        )]
    );
    env.assert_agree();
}

#[test]
fn clb_provider_config_errors_are_diagnostics() {
    let env = Env::new();
    env.ws.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    tencentcloud = {
      source = "terraform.local/tencentcloud/tencentcloud"
    }
  }
}

provider "tencentcloud" {
  protocol   = "FTP"
  rate_limit = 0
}

resource "tencentcloud_clb_target_group_association" "x" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
}
"#,
    );
    let out = env.ws.run(&["plan", "-no-color"]);
    assert_failed_with(
        &out,
        &[
            "Invalid protocol",
            "Invalid rate_limit",
            r#"protocol   = "FTP""#,
        ],
    );
}

#[test]
fn clb_missing_credentials_is_one_clear_diagnostic() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let mut ws = support::TfWorkspace::new(
        "terraform.local/tencentcloud/tencentcloud",
        &support::provider_bin(),
    );
    ws.env("TENCENTCLOUD_CLB_ENDPOINT", env.emu().base_url())
        .env("TENCENTCLOUD_SECRET_ID", "")
        .env("TENCENTCLOUD_SECRET_KEY", "")
        .env("TENCENTCLOUD_SECURITY_TOKEN", "")
        .env("TENCENTCLOUD_TOKEN", "")
        .env("TENCENTCLOUD_PROFILE", "")
        .env("TENCENTCLOUD_SHARED_CREDENTIALS_DIR", "")
        .env("TENCENTCLOUD_METADATA_BASE_URL", "off")
        .env("HOME", home.path().display().to_string());
    ws.write(
        "main.tf",
        &format!(
            "{PROVIDER_BLOCK}\nresource \"tencentcloud_clb_target_group_association\" \"x\" {{\n  load_balancer_id = \"lb-demo0001\"\n  listener_id      = \"lbl-tcp00001\"\n  target_group_id  = \"lbtg-web00001\"\n}}\n"
        ),
    );
    let out = ws.run(&["plan", "-no-color"]);
    assert_failed_with(
        &out,
        &[
            "Cannot configure the Tencent Cloud provider",
            "no Tencent Cloud credentials found",
            "TENCENTCLOUD_SECRET_ID",
        ],
    );
    assert!(!out.combined().contains("panicked"));
}
