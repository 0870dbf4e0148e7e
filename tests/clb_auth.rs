//! End to end with the real terraform and the emulator playing STS, CAM and an OIDC issuer:
//! apply, plan and destroy through `assume_role`, through `assume_role_with_web_identity` with a
//! token file, and through a tccli profile with `role-arn`; every CLB call carries the session
//! token; an apply that outlives its session succeeds; each bad input fails plan with its
//! diagnostic and leaves state as it was, without echoing a secret.

mod clb_common;
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use clb_common::*;
use serde_json::{Value as Json, json};
use support::{TfOutput, TfWorkspace, provider_bin};
use tencentcloud_emulator::{DEFAULT_SECRET_KEY, EmulatorConfig, Faults};

const DEPLOYER: &str = "qcs::cam::uin/100000000001:roleName/terraform-deployer";
const READ_ONLY: &str = "qcs::cam::uin/100000000001:roleName/clb-read-only";

const BINDING: &str = r#"
resource "tencentcloud_clb_target_group_association" "tcp" {
  load_balancer_id = "lb-demo0001"
  listener_id      = "lbl-tcp00001"
  target_group_id  = "lbtg-web00001"
  weight           = 40
}
"#;

fn main_tf(provider_body: &str, resources: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    tencentcloud = {{
      source = "terraform.local/tencentcloud/tencentcloud"
    }}
  }}
}}

provider "tencentcloud" {{
{provider_body}
}}
{resources}"#
    )
}

/// A workspace against the emulator with no key pair anywhere: what it can do, it does through
/// a role.
fn keyless_workspace(env: &Env, home: &std::path::Path) -> TfWorkspace {
    let mut ws = TfWorkspace::new("terraform.local/tencentcloud/tencentcloud", &provider_bin());
    for (k, v) in [
        ("TENCENTCLOUD_CLB_ENDPOINT", env.emu().base_url()),
        ("TENCENTCLOUD_REGION", "ap-guangzhou".into()),
        ("TENCENTCLOUD_METADATA_BASE_URL", "off".into()),
        ("HOME", home.display().to_string()),
        ("NO_PROXY", "127.0.0.1,localhost".into()),
    ] {
        ws.env(k, v);
    }
    ws
}

/// A token the emulator's OIDC issuer signs for `subject`, valid `seconds` (negative: expired).
fn mint(env: &Env, subject: &str, seconds: i64) -> String {
    let base = env.emu().base_url();
    env.rt.block_on(async {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let reply: Json = http
            .post(format!("{base}/_emulator/oidc/token"))
            .json(&json!({"Subject": subject, "ExpiresInSeconds": seconds}))
            .send()
            .await
            .expect("mint")
            .json()
            .await
            .expect("mint JSON");
        reply["Token"].as_str().expect("Token").to_string()
    })
}

/// Calls per kind of credential (`LongTermKey`, `SessionToken`, `Unsigned`) and action.
fn by_credential(env: &Env) -> BTreeMap<String, BTreeMap<String, u64>> {
    env.emu().metrics().calls_by_credential
}

const STS_ACTIONS: [&str; 5] = [
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetCallerIdentity",
    "GetSessionToken",
];

/// Every CLB call went out with a role session's token; none with the long-term key.
#[track_caller]
fn assert_clb_calls_use_sessions(env: &Env) {
    let m = by_credential(env);
    let clb = |kind: &str| -> BTreeMap<String, u64> {
        m.get(kind)
            .into_iter()
            .flatten()
            .filter(|(a, _)| !STS_ACTIONS.contains(&a.as_str()))
            .map(|(a, n)| (a.clone(), *n))
            .collect()
    };
    assert!(
        clb("LongTermKey").is_empty() && clb("Unsigned").is_empty(),
        "CLB calls without a session token: {m:?}"
    );
    let with_session = clb("SessionToken");
    for action in ["AssociateTargetGroups", "DisassociateTargetGroups"] {
        assert!(with_session.contains_key(action), "{action} missing: {m:?}");
    }
    assert!(
        env.emu()
            .metrics()
            .errors
            .keys()
            .all(|c| !c.starts_with("AuthFailure")),
        "{:?}",
        env.emu().metrics().errors
    );
}

/// Apply, an empty plan, destroy: bindings and state agree at each step.
fn apply_plan_destroy(env: &Env, ws: &TfWorkspace) {
    ws.apply_and_check_empty_plan();
    assert_eq!(env.cloud().len(), 1);
    ws.destroy().assert_success();
    assert!(env.cloud().is_empty());
}

#[test]
fn assume_role_applies_plans_and_destroys_with_the_role_session() {
    let env = Env::new();
    env.ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "  assume_role {{\n    role_arn = \"{DEPLOYER}\"\n    session_name = \"ci-apply\"\n  }}\n  allowed_account_ids = [\"100000000001\"]"
            ),
            BINDING,
        ),
    );
    apply_plan_destroy(&env, &env.ws);
    assert_clb_calls_use_sessions(&env);
    let m = by_credential(&env);
    assert!(m["LongTermKey"]["AssumeRole"] >= 1, "{m:?}");
    assert!(m["SessionToken"]["GetCallerIdentity"] >= 1, "{m:?}");
}

#[test]
fn web_identity_token_file_applies_plans_and_destroys_without_keys() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let ws = keyless_workspace(&env, home.path());
    let token_file = home.path().join("oidc-token");
    // The raw form, as CI runners and TKE write it.
    std::fs::write(
        &token_file,
        mint(&env, "repo:team/infra:ref:refs/heads/main", 600),
    )
    .unwrap();
    ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "  assume_role_with_web_identity {{\n    web_identity_token_file = \"{}\"\n    role_arn = \"{DEPLOYER}\"\n    session_name = \"github-actions\"\n  }}",
                token_file.display()
            ),
            BINDING,
        ),
    );
    ws.apply_and_check_empty_plan();
    assert_eq!(env.cloud().len(), 1);
    // The official provider's JSON form works too, and the file is read again by the next run.
    let token = mint(&env, "repo:team/infra:ref:refs/heads/main", 600);
    std::fs::write(
        &token_file,
        json!({"web_identity_token": token}).to_string(),
    )
    .unwrap();
    ws.destroy().assert_success();
    assert!(env.cloud().is_empty());
    assert_clb_calls_use_sessions(&env);
    let m = by_credential(&env);
    assert!(
        !m.contains_key("LongTermKey"),
        "no key pair was given: {m:?}"
    );
    assert!(m["Unsigned"]["AssumeRoleWithWebIdentity"] >= 3, "{m:?}");
}

#[test]
fn tccli_profile_with_role_arn_assumes_the_role() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let tccli = home.path().join(".tccli");
    std::fs::create_dir_all(&tccli).unwrap();
    std::fs::write(
        tccli.join("deploy.credential"),
        json!({
            "secretId": "AKIDEXAMPLE",
            "secretKey": DEFAULT_SECRET_KEY,
            "role-arn": DEPLOYER,
            "role-session-name": "laptop",
        })
        .to_string(),
    )
    .unwrap();
    let ws = keyless_workspace(&env, home.path());
    ws.write("main.tf", &main_tf("  profile = \"deploy\"", BINDING));
    apply_plan_destroy(&env, &ws);
    assert_clb_calls_use_sessions(&env);
    let m = by_credential(&env);
    assert!(m["LongTermKey"]["AssumeRole"] >= 1, "{m:?}");
}

#[test]
fn an_apply_outliving_its_session_refreshes_and_completes() {
    // Sessions of 3 s, and 300 ms on every call: binding a target group to every layer-4
    // listener of the example world takes several sessions.
    let env = Env::with_config(EmulatorConfig {
        seed: Some(example_world()),
        task_duration: Duration::from_millis(300),
        sts_max_session_seconds: Some(3),
        faults: Faults {
            delay: Duration::from_millis(300),
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    });
    let world = example_world();
    let mut resources = String::new();
    let mut n = 0;
    for lb in &world.load_balancers {
        for l in lb
            .listeners
            .iter()
            .filter(|l| l.target_type.as_deref() == Some("TARGETGROUP"))
        {
            n += 1;
            resources.push_str(&format!(
                "resource \"tencentcloud_clb_target_group_association\" \"b{n}\" {{\n  load_balancer_id = \"{}\"\n  listener_id = \"{}\"\n  target_group_id = \"lbtg-web00001\"\n}}\n",
                lb.load_balancer_id, l.listener_id
            ));
        }
    }
    assert!(
        n >= 2,
        "the example world has layer-4 target group listeners"
    );
    env.ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "  assume_role {{\n    role_arn = \"{DEPLOYER}\"\n    session_name = \"long-apply\"\n  }}"
            ),
            &resources,
        ),
    );
    let started = std::time::Instant::now();
    let out = env.ws.apply();
    let took = started.elapsed();
    out.assert_success();
    env.assert_agree();
    let m = by_credential(&env);
    let sessions = m["LongTermKey"]["AssumeRole"];
    println!("apply took {took:?}, {sessions} role sessions");
    assert!(
        took > Duration::from_secs(3),
        "the apply must outlive a session: {took:?}"
    );
    // Terraform starts the provider twice (plan, then apply): more sessions than that means
    // refreshes within a run.
    assert!(sessions >= 3, "the session was never refreshed: {m:?}");
    assert_clb_calls_use_sessions_or_reads(&env);
}

/// As [`assert_clb_calls_use_sessions`], for a run that only associates.
#[track_caller]
fn assert_clb_calls_use_sessions_or_reads(env: &Env) {
    let m = by_credential(env);
    let long_term_clb: Vec<_> = m
        .get("LongTermKey")
        .into_iter()
        .flatten()
        .filter(|(a, _)| !STS_ACTIONS.contains(&a.as_str()))
        .collect();
    assert!(long_term_clb.is_empty(), "{m:?}");
    assert!(
        m["SessionToken"].contains_key("AssociateTargetGroups"),
        "{m:?}"
    );
    let errors = env.emu().metrics().errors;
    assert!(
        !errors.contains_key("AuthFailure.TokenFailure"),
        "a call was signed with an expired session: {errors:?}"
    );
}

/// Runs `terraform plan` with `provider_body`; it must fail naming `expect` (all of them), leave
/// state and bindings as they were, and echo no secret.
#[track_caller]
fn plan_fails(
    env: &Env,
    ws: &TfWorkspace,
    provider_body: &str,
    expect: &[&str],
    secrets: &[&str],
) -> TfOutput {
    let state = || std::fs::read_to_string(ws.path().join("terraform.tfstate")).ok();
    let state_before = state();
    let cloud_before = env.cloud();
    ws.write("main.tf", &main_tf(provider_body, BINDING));
    let out = ws
        .run(&["plan", "-no-color", "-refresh=true"])
        .assert_failure();
    // Terraform wraps long lines; compare with whitespace folded.
    let text = fold(&out.combined());
    for e in expect {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
    for s in secrets.iter().chain([&DEFAULT_SECRET_KEY]) {
        assert!(!text.contains(s), "a secret was echoed:\n{text}");
    }
    assert_eq!(state(), state_before, "state changed");
    assert_eq!(env.cloud(), cloud_before, "bindings changed");
    out
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn role_block(arn: &str, extra: &str) -> String {
    format!("  assume_role {{\n    role_arn = \"{arn}\"\n    session_name = \"ci\"\n{extra}  }}")
}

#[test]
fn bad_role_settings_fail_plan_on_their_attribute_and_change_nothing() {
    let env = Env::new();
    // A binding in state first, so "state as it was" is not just "empty".
    env.ws
        .write("main.tf", &main_tf(&role_block(DEPLOYER, ""), BINDING));
    env.ws.apply().assert_success();
    assert_eq!(env.cloud().len(), 1);

    plan_fails(
        &env,
        &env.ws,
        &role_block("qcs::cam::uin/100000000001:roleName/no-such-role", ""),
        &[
            "Cannot authenticate: assume_role.role_arn",
            "ResourceNotFound.RoleNotFound",
            "RequestId",
        ],
        &[],
    );
    plan_fails(
        &env,
        &env.ws,
        &role_block("qcs::cam::uin/100000000001:roleName/other-account-only", ""),
        &[
            "Cannot authenticate: assume_role.role_arn",
            "UnauthorizedOperation",
            "(sts:AssumeRole)",
            "trust policy",
        ],
        &[],
    );
    plan_fails(
        &env,
        &env.ws,
        &role_block(
            "qcs::cam::uin/200000000002:roleName/cross-account-deployer",
            "    external_id = \"ext-wrong\"\n",
        ),
        &[
            "Cannot authenticate: assume_role.external_id",
            "UnauthorizedOperation",
            "external_id",
        ],
        &[],
    );
    plan_fails(
        &env,
        &env.ws,
        &role_block(DEPLOYER, "    session_duration = 50000\n"),
        &["Invalid session_duration", "43200"],
        &[],
    );
    plan_fails(
        &env,
        &env.ws,
        &format!(
            "{}\n  allowed_account_ids = [\"999999999999\"]",
            role_block(DEPLOYER, "")
        ),
        &[
            "Cannot authenticate: allowed_account_ids",
            "100000000001",
            "999999999999",
        ],
        &[],
    );
    // A session policy that denies the reads the plan needs.
    let deny_reads = r#"    policy = jsonencode({version = "2.0", statement = [{effect = "deny", action = ["name/clb:Describe*"], resource = ["*"]}, {effect = "allow", action = ["name/clb:*"], resource = ["*"]}]})
"#;
    plan_fails(
        &env,
        &env.ws,
        &role_block(DEPLOYER, deny_reads),
        &[
            "UnauthorizedOperation",
            "you are not authorized to perform operation (clb:Describe",
        ],
        &[],
    );
    // The right external ID works across accounts.
    env.ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "{}\n  allowed_account_ids = [\"200000000002\"]",
                role_block(
                    "qcs::cam::uin/200000000002:roleName/cross-account-deployer",
                    "    external_id = \"ext-7f3a9c\"\n",
                )
            ),
            BINDING,
        ),
    );
    assert!(env.ws.plan_is_empty());
}

#[test]
fn bad_web_identity_tokens_fail_plan_and_are_never_echoed() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let ws = keyless_workspace(&env, home.path());
    let file = home.path().join("token");
    let block = |path: &std::path::Path| {
        format!(
            "  assume_role_with_web_identity {{\n    web_identity_token_file = \"{}\"\n    role_arn = \"{DEPLOYER}\"\n    session_name = \"ci\"\n  }}",
            path.display()
        )
    };
    let expired = mint(&env, "repo:x", -30);
    std::fs::write(&file, &expired).unwrap();
    plan_fails(
        &env,
        &ws,
        &block(&file),
        &[
            "Cannot authenticate: assume_role_with_web_identity.web_identity_token_file",
            "InvalidParameter.WebIdentityTokenError",
            "expired",
            "RequestId",
        ],
        &[&expired],
    );
    let good = mint(&env, "repo:x", 600);
    let mut forged: Vec<char> = good.chars().collect();
    let at = forged.len() - 20;
    forged[at] = if forged[at] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    std::fs::write(&file, &forged).unwrap();
    plan_fails(
        &env,
        &ws,
        &block(&file),
        &["InvalidParameter.WebIdentityTokenError", "signature"],
        &[&forged, &good],
    );
    plan_fails(
        &env,
        &ws,
        &block(&home.path().join("missing-token")),
        &[
            "Cannot authenticate: assume_role_with_web_identity.web_identity_token_file",
            "cannot read",
        ],
        &[],
    );
    // A role whose permissions lack clb:AssociateTargetGroups: the apply is refused with the
    // documented denial and nothing is bound.
    std::fs::write(&file, &good).unwrap();
    ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "  assume_role_with_web_identity {{\n    web_identity_token_file = \"{}\"\n    role_arn = \"{READ_ONLY}\"\n    session_name = \"ci\"\n  }}",
                file.display()
            ),
            BINDING,
        ),
    );
    let out = ws.apply().assert_failure();
    let text = fold(&out.combined());
    assert!(
        text.contains("UnauthorizedOperation")
            && text.contains(
                "you are not authorized to perform operation (clb:AssociateTargetGroups)"
            ),
        "{text}"
    );
    assert!(!text.contains(&good));
    assert!(env.cloud().is_empty());
    assert!(
        ws.state_json()["resources"]
            .as_array()
            .is_none_or(|r| r.is_empty())
    );
}

#[test]
fn the_official_environment_variables_alone_assume_a_cross_account_role() {
    let env = Env::new();
    let mut ws = env.another_workspace();
    for (k, v) in [
        (
            "TENCENTCLOUD_ASSUME_ROLE_ARN",
            "qcs::cam::uin/200000000002:roleName/cross-account-deployer",
        ),
        ("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "from-env"),
        ("TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID", "ext-7f3a9c"),
        ("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "1800"),
    ] {
        ws.env(k, v);
    }
    // The guard sees the role owner's account.
    ws.write(
        "main.tf",
        &main_tf("  allowed_account_ids = [\"200000000002\"]", BINDING),
    );
    apply_plan_destroy(&env, &ws);
    assert_clb_calls_use_sessions(&env);
}

#[test]
fn saml_and_mfa_blocks_apply_through_their_sessions() {
    use base64::Engine as _;
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    // SAML: no keys at all.
    let provider = "qcs::cam::uin/100000000001:saml-provider/corp-saml";
    let assertion = base64::engine::general_purpose::STANDARD.encode(format!(
        "<Attribute Name=\"Role\">{DEPLOYER},{provider}</Attribute>"
    ));
    let ws = keyless_workspace(&env, home.path());
    ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "  assume_role_with_saml {{\n    saml_assertion = \"{assertion}\"\n    principal_arn = \"{provider}\"\n    role_arn = \"{DEPLOYER}\"\n    session_name = \"sso\"\n  }}"
            ),
            BINDING,
        ),
    );
    apply_plan_destroy(&env, &ws);
    // MFA with the example key, then the role signed with the MFA session.
    env.ws.write(
        "main.tf",
        &main_tf(
            &format!(
                "  mfa_certification {{\n    serial_number = \"qcs::cam:uin/100000000001::mfa/softToken\"\n    token_code = \"123456\"\n  }}\n{}",
                role_block(DEPLOYER, "")
            ),
            BINDING,
        ),
    );
    apply_plan_destroy(&env, &env.ws);
    assert_clb_calls_use_sessions(&env);
    let m = by_credential(&env);
    assert!(m["Unsigned"]["AssumeRoleWithSAML"] >= 2, "{m:?}");
    assert!(m["LongTermKey"]["GetSessionToken"] >= 2, "{m:?}");
    assert!(!m["LongTermKey"].contains_key("AssumeRole"), "{m:?}");
    // A wrong MFA code fails plan on token_code, and the code is not echoed.
    plan_fails(
        &env,
        &env.ws,
        "  mfa_certification {\n    serial_number = \"qcs::cam:uin/100000000001::mfa/softToken\"\n    token_code = \"987654\"\n  }",
        &[
            "Cannot authenticate: mfa_certification.token_code",
            "FailedOperation.CheckMFAError",
        ],
        &["987654"],
    );
}
