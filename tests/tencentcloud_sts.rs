//! The API client's role sessions against the emulator's STS: one refresh for every concurrent
//! call (no thundering herd, no call signed with an expired session), the account guard, and no
//! STS secret (session keys, tokens, OIDC tokens, assertions) in a trace-level log.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tencentcloud::clb::DescribeLoadBalancersRequest;
use tencentcloud::client::{Client, ClientConfig};
use tencentcloud::credentials::{
    AssumeRoleOptions, CredentialOptions, StaticEnvironment, WebIdentityOptions,
};
use tencentcloud::deadline::Deadline;
use tencentcloud::endpoint::EndpointOptions;
use tencentcloud::error::{ApiError, ConfigError};
use tencentcloud::sts::{AssumeRoleRequest, StsClient, WebIdentityRequest};
use tencentcloud_emulator::{
    DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, EmulatorConfig, RunningEmulator, World, start,
};

const DEPLOYER: &str = "qcs::cam::uin/100000000001:roleName/terraform-deployer";

async fn emulator(max_session: Option<u64>) -> RunningEmulator {
    let world: World =
        serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap();
    start(EmulatorConfig {
        seed: Some(world),
        rate_limit_per_second: 0,
        sts_max_session_seconds: max_session,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

fn config(url: &str, credentials: CredentialOptions) -> ClientConfig {
    ClientConfig {
        credentials,
        region: Some("ap-guangzhou".into()),
        endpoint: EndpointOptions {
            endpoint: Some(url.into()),
            ..Default::default()
        },
        rate_limit_per_second: 0,
        ..Default::default()
    }
}

fn keys() -> CredentialOptions {
    CredentialOptions {
        secret_id: Some(DEFAULT_SECRET_ID.into()),
        secret_key: Some(DEFAULT_SECRET_KEY.into()),
        metadata_base_url: Some("off".into()),
        ..Default::default()
    }
}

fn deployer() -> Option<AssumeRoleOptions> {
    Some(AssumeRoleOptions {
        role_arn: Some(DEPLOYER.into()),
        session_name: Some("herd".into()),
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_refresh_serves_every_concurrent_call() {
    // Sessions of 2 s; 32 callers call CLB without pause for 5 s.
    let emu = emulator(Some(2)).await;
    let client = Client::with_environment(
        config(
            &emu.base_url(),
            CredentialOptions {
                assume_role: deployer(),
                ..keys()
            },
        ),
        &StaticEnvironment::default(),
    )
    .await
    .unwrap();
    let until = Instant::now() + Duration::from_secs(5);
    let mut callers = Vec::new();
    for _ in 0..32 {
        let client = client.clone();
        callers.push(tokio::spawn(async move {
            let mut calls = 0u64;
            while Instant::now() < until {
                client
                    .describe_load_balancers(
                        &DescribeLoadBalancersRequest::default(),
                        &Deadline::in_(Duration::from_secs(30)),
                    )
                    .await
                    .expect("every call succeeds");
                calls += 1;
            }
            calls
        }));
    }
    let mut calls = 0;
    for c in callers {
        calls += c.await.unwrap();
    }
    let m = emu.metrics();
    let sessions = m.calls_by_credential["LongTermKey"]["AssumeRole"];
    println!("{calls} calls from 32 callers over 5 s, {sessions} role sessions");
    // A refresh when half a session is left (sessions end on whole seconds, so 1 to 2 s long):
    // at most about two a second. A herd would show up to 32 per refresh.
    assert!(
        (3..=12).contains(&sessions),
        "{sessions} sessions for {calls} calls"
    );
    assert_eq!(
        m.calls_by_credential["SessionToken"]["DescribeLoadBalancers"],
        calls
    );
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_guard_asks_sts_once_and_names_the_account() {
    let emu = emulator(None).await;
    let url = emu.base_url();
    let guarded = |allowed: &[&str], forbidden: &[&str]| {
        config(
            &url,
            CredentialOptions {
                assume_role: deployer(),
                allowed_account_ids: allowed.iter().map(|s| s.to_string()).collect(),
                forbidden_account_ids: forbidden.iter().map(|s| s.to_string()).collect(),
                ..keys()
            },
        )
    };
    let env = StaticEnvironment::default();
    Client::with_environment(guarded(&["100000000001"], &[]), &env)
        .await
        .unwrap();
    let err = Client::with_environment(guarded(&["999999999999"], &[]), &env)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting { setting, detail } if setting == "allowed_account_ids" && detail.contains("100000000001")),
        "{err}"
    );
    let err = Client::with_environment(guarded(&[], &["100000000001"]), &env)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting { setting, .. } if setting == "forbidden_account_ids"),
        "{err}"
    );
    assert_eq!(
        emu.metrics().calls_by_credential["SessionToken"]["GetCallerIdentity"],
        3
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_identity_token_file_is_read_again_at_every_refresh() {
    let emu = emulator(Some(1)).await;
    let url = emu.base_url();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mint = |seconds: i64| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let v: serde_json::Value = http
                .post(format!("{url}/_emulator/oidc/token"))
                .json(&json!({"Subject": "ci", "ExpiresInSeconds": seconds}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["Token"].as_str().unwrap().to_string()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, mint(600).await).unwrap();
    let client = Client::with_environment(
        config(
            &url,
            CredentialOptions {
                assume_role_with_web_identity: Some(WebIdentityOptions {
                    web_identity_token_file: Some(file.display().to_string()),
                    role_arn: Some(DEPLOYER.into()),
                    session_name: Some("rotating".into()),
                    ..Default::default()
                }),
                metadata_base_url: Some("off".into()),
                ..Default::default()
            },
        ),
        &StaticEnvironment::default(),
    )
    .await
    .unwrap();
    // The runner rotates the token: the old one is now expired, the file holds a new one.
    std::fs::write(&file, mint(600).await).unwrap();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        client
            .describe_load_balancers(
                &DescribeLoadBalancersRequest::default(),
                &Deadline::in_(Duration::from_secs(10)),
            )
            .await
            .unwrap();
    }
    std::fs::write(&file, mint(-30).await).unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let err = client
        .describe_load_balancers(
            &DescribeLoadBalancersRequest::default(),
            &Deadline::in_(Duration::from_secs(10)),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("WebIdentityTokenError") && err.contains("web_identity_token_file"),
        "{err}"
    );
    let m = emu.metrics();
    assert!(m.calls_by_credential["Unsigned"]["AssumeRoleWithWebIdentity"] >= 3);
    emu.shutdown().await;
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_secrets_never_reach_the_log_at_trace_level() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("this test binary installs the only global subscriber");
    let emu = emulator(None).await;
    let url = emu.base_url();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let endpoint = EndpointOptions {
        endpoint: Some(url.clone()),
        ..Default::default()
    }
    .resolve("sts")
    .unwrap();
    let sts = StsClient::new(http.clone(), endpoint, "ap-guangzhou", "log-check");
    let signer = tencentcloud::credentials::Credentials {
        secret_id: DEFAULT_SECRET_ID.into(),
        secret_key: DEFAULT_SECRET_KEY.into(),
        token: None,
    };
    let role = sts
        .assume_role(
            &signer,
            &AssumeRoleRequest {
                role_arn: DEPLOYER.into(),
                role_session_name: "log-check".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let oidc: serde_json::Value = http
        .post(format!("{url}/_emulator/oidc/token"))
        .json(&json!({"Subject": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let oidc_token = oidc["Token"].as_str().unwrap().to_string();
    let web = sts
        .assume_role_with_web_identity(&WebIdentityRequest {
            provider_id: "OIDC".into(),
            web_identity_token: oidc_token.clone(),
            role_arn: DEPLOYER.into(),
            role_session_name: "log-check".into(),
            duration_seconds: None,
        })
        .await
        .unwrap();
    let me = sts.get_caller_identity(&role.credentials).await.unwrap();
    assert_eq!(me.account_id, "100000000001");
    // A refused exchange, whose error quotes the reply.
    let refused = sts
        .assume_role_with_web_identity(&WebIdentityRequest {
            provider_id: "OIDC".into(),
            web_identity_token: format!("{oidc_token}x"),
            role_arn: DEPLOYER.into(),
            role_session_name: "log-check".into(),
            duration_seconds: None,
        })
        .await
        .unwrap_err();
    tracing::error!(error = %refused, session = ?role, "logged by a caller");

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for needed in [
        "AssumeRole",
        "AssumeRoleWithWebIdentity",
        "GetCallerIdentity",
        "request_id",
    ] {
        assert!(log.contains(needed), "log lacks {needed:?}:\n{log}");
    }
    let session_secrets = |t: &tencentcloud::sts::TemporaryCredentials| {
        [
            t.credentials.secret_key.clone(),
            t.credentials.token.clone().unwrap(),
        ]
    };
    for secret in session_secrets(&role)
        .into_iter()
        .chain(session_secrets(&web))
        .chain([oidc_token, DEFAULT_SECRET_KEY.to_string()])
    {
        assert!(!log.contains(&secret), "log contains a secret:\n{log}");
    }
    emu.shutdown().await;
}

/// A client through `credentials` (environment `env`) whose CLB calls must succeed.
async fn works(url: &str, credentials: CredentialOptions, env: &StaticEnvironment) {
    let client = Client::with_environment(config(url, credentials), env)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .describe_load_balancers(
            &DescribeLoadBalancersRequest::default(),
            &Deadline::in_(Duration::from_secs(10)),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saml_environment_roles_pod_oidc_and_mfa_all_give_sessions() {
    use base64::Engine as _;
    use tencentcloud::credentials::{MfaOptions, SamlOptions};
    let emu = emulator(None).await;
    let url = emu.base_url();
    let none = StaticEnvironment::default();
    let saml_provider = "qcs::cam::uin/100000000001:saml-provider/corp-saml";

    // SAML, unsigned: no keys needed.
    let assertion = base64::engine::general_purpose::STANDARD.encode(format!(
        "<Attribute Name=\"Role\">{DEPLOYER},{saml_provider}</Attribute>"
    ));
    let saml = CredentialOptions {
        assume_role_with_saml: Some(SamlOptions {
            saml_assertion: Some(assertion),
            principal_arn: Some(saml_provider.into()),
            role_arn: Some(DEPLOYER.into()),
            session_name: Some("sso".into()),
            session_duration: Some(900),
        }),
        metadata_base_url: Some("off".into()),
        ..Default::default()
    };
    works(&url, saml, &none).await;

    // The official provider's environment variables alone.
    let env = StaticEnvironment::default()
        .set("TENCENTCLOUD_SECRET_ID", DEFAULT_SECRET_ID)
        .set("TENCENTCLOUD_SECRET_KEY", DEFAULT_SECRET_KEY)
        .set(
            "TENCENTCLOUD_ASSUME_ROLE_ARN",
            "qcs::cam::uin/200000000002:roleName/cross-account-deployer",
        )
        .set("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "from-env")
        .set("TENCENTCLOUD_ASSUME_ROLE_EXTERNAL_ID", "ext-7f3a9c")
        .set("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "1200");
    let off = CredentialOptions {
        metadata_base_url: Some("off".into()),
        ..Default::default()
    };
    works(&url, off.clone(), &env).await;

    // TKE pod OIDC: the TKE_* variables and a raw token file.
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("tke-token");
    let token: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{url}/_emulator/oidc/token"))
        .json(&json!({"Subject": "system:serviceaccount:infra:terraform"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    std::fs::write(&token_file, token["Token"].as_str().unwrap()).unwrap();
    let tke = StaticEnvironment::default()
        .set("TKE_REGION", "ap-guangzhou")
        .set("TKE_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap())
        .set("TKE_PROVIDER_ID", "OIDC")
        .set("TKE_ROLE_ARN", DEPLOYER);
    works(
        &url,
        CredentialOptions {
            enable_pod_oidc: true,
            ..off.clone()
        },
        &tke,
    )
    .await;
    let err = Client::with_environment(
        config(
            &url,
            CredentialOptions {
                enable_pod_oidc: true,
                ..off.clone()
            },
        ),
        &none,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting { setting, detail } if setting == "enable_pod_oidc" && detail.contains("TKE_REGION")),
        "{err}"
    );

    // MFA first, then the role, signed with the MFA session.
    let before = emu.metrics();
    let mfa = |code: &str| CredentialOptions {
        mfa_certification: Some(MfaOptions {
            serial_number: Some("qcs::cam:uin/100000000001::mfa/softToken".into()),
            token_code: Some(code.into()),
            duration_seconds: None,
        }),
        assume_role: deployer(),
        ..keys()
    };
    works(&url, mfa("123456"), &none).await;
    let after = emu.metrics();
    let count = |m: &tencentcloud_emulator::Metrics, kind: &str, action: &str| {
        m.calls_by_credential
            .get(kind)
            .and_then(|c| c.get(action))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(
        count(&after, "LongTermKey", "GetSessionToken")
            - count(&before, "LongTermKey", "GetSessionToken"),
        1
    );
    assert_eq!(
        count(&after, "SessionToken", "AssumeRole") - count(&before, "SessionToken", "AssumeRole"),
        1
    );
    let err = Client::with_environment(config(&url, mfa("000000")), &none)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting { setting, detail } if setting == "mfa_certification.token_code" && detail.contains("FailedOperation.CheckMFAError")),
        "{err}"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_endpoint_sends_sts_elsewhere_and_says_where() {
    let emu = emulator(None).await;
    // CLB at the emulator, STS at a closed port: the role cannot be assumed, and the error says
    // where STS was asked.
    let err = Client::with_environment(
        config(
            &emu.base_url(),
            CredentialOptions {
                assume_role: deployer(),
                sts_endpoint: Some("http://127.0.0.1:9".into()),
                ..keys()
            },
        ),
        &StaticEnvironment::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting { setting, detail } if setting == "assume_role" && detail.contains("127.0.0.1:9") && detail.contains("sts_endpoint")),
        "{err}"
    );
    // The environment variable does the same, and the setting wins over it.
    let env = StaticEnvironment::default().set("TENCENTCLOUD_STS_ENDPOINT", "http://127.0.0.1:9");
    assert!(
        Client::with_environment(
            config(
                &emu.base_url(),
                CredentialOptions {
                    assume_role: deployer(),
                    ..keys()
                }
            ),
            &env
        )
        .await
        .is_err()
    );
    works(
        &emu.base_url(),
        CredentialOptions {
            assume_role: deployer(),
            sts_endpoint: Some(emu.base_url()),
            ..keys()
        },
        &env,
    )
    .await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_role_session_is_renewed_once_and_the_call_sent_again() {
    let emu = emulator(None).await;
    let client = Client::with_environment(
        config(
            &emu.base_url(),
            CredentialOptions {
                assume_role: deployer(),
                ..keys()
            },
        ),
        &StaticEnvironment::default(),
    )
    .await
    .unwrap();
    let describe = |client: Client| async move {
        client
            .describe_load_balancers(
                &DescribeLoadBalancersRequest::default(),
                &Deadline::in_(Duration::from_secs(30)),
            )
            .await
    };
    describe(client.clone())
        .await
        .expect("the first session works");
    // The cloud forgets every session (revoked): 8 callers are refused at once, one new
    // session serves them all, and every call goes through.
    emu.reset();
    let callers: Vec<_> = (0..8)
        .map(|_| tokio::spawn(describe(client.clone())))
        .collect();
    for c in callers {
        c.await.unwrap().expect("sent again with a fresh session");
    }
    let m = emu.metrics();
    assert_eq!(m.calls_by_credential["LongTermKey"]["AssumeRole"], 1);
    assert_eq!(
        m.calls_by_credential["SessionToken"]["DescribeLoadBalancers"],
        8
    );

    // Revoked again, and the role is gone, so no fresh session can be had: one refusal that
    // names the session, with the cloud's code and RequestId, and no loop.
    emu.reset();
    let mut world = emu.world();
    world.roles.retain(|r| r.role_name != "terraform-deployer");
    emu.set_world(world).unwrap();
    let err = describe(client.clone()).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::RoleSessionRefused { session, .. } if session.contains("terraform-deployer")),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("AuthFailure.SecretIdNotFound"));
    assert!(err.request_id().is_some());
    let m = emu.metrics();
    assert_eq!(m.calls_by_credential["LongTermKey"]["AssumeRole"], 1);
    emu.shutdown().await;
}
