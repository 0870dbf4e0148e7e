//! The emulator's STS against clients we did not write: the unmodified `tccli sts …`, and the
//! official Python SDK's STS response models and credential providers
//! (tests/python/check_sts_models.py).
//!
//! tccli comes from env `TCCLI`, else `target/tccli-venv/bin/tccli`; Python from env
//! `TCCLI_PYTHON`, else `target/tccli-venv/bin/python` (both created by `scripts/test`).

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use tencentcloud_emulator::{
    DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, EmulatorConfig, RunningEmulator, World, start,
};

const DEPLOYER: &str = "qcs::cam::uin/100000000001:roleName/terraform-deployer";

fn venv_tool(env_name: &str, file: &str) -> PathBuf {
    let path = std::env::var_os(env_name)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/tccli-venv/bin/{file}"))
        });
    assert!(
        path.exists(),
        "{file} not found at {} (set {env_name}, or run scripts/test, which creates \
         target/tccli-venv with `pip install tccli tencentcloud-sdk-python`)",
        path.display()
    );
    path
}

async fn emulator() -> RunningEmulator {
    let world: World =
        serde_json::from_str(include_str!("../examples/emulator/world.json")).unwrap();
    start(EmulatorConfig {
        seed: Some(world),
        rate_limit_per_second: 0,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert!(self.ok, "tccli failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("tccli printed non-JSON ({e}): {}", self.stdout))
    }
}

/// `tccli <service> <args> --endpoint URL` with an isolated HOME and the given key (and token).
async fn tccli(url: &str, creds: (&str, &str, Option<&str>), service: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(venv_tool("TCCLI", "tccli"));
    let home = tempfile::tempdir().unwrap();
    cmd.arg(service)
        .args(args)
        .arg("--endpoint")
        .arg(url)
        .env("HOME", home.path())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env("TENCENTCLOUD_SECRET_ID", creds.0)
        .env("TENCENTCLOUD_SECRET_KEY", creds.1)
        .env("TENCENTCLOUD_REGION", "ap-guangzhou");
    if let Some(token) = creds.2 {
        cmd.env("TENCENTCLOUD_TOKEN", token);
    }
    let out = tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("cannot run tccli");
        drop(home);
        out
    })
    .await
    .unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tccli_sts_assume_role_gives_a_session_clb_accepts() {
    let emu = emulator().await;
    let url = emu.base_url();
    let key = (DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, None);
    let session = tccli(
        &url,
        key,
        "sts",
        &[
            "AssumeRole",
            "--RoleArn",
            DEPLOYER,
            "--RoleSessionName",
            "tccli-check",
            "--DurationSeconds",
            "900",
        ],
    )
    .await
    .json();
    let c = &session["Credentials"];
    let (id, secret, token) = (
        c["TmpSecretId"].as_str().unwrap(),
        c["TmpSecretKey"].as_str().unwrap(),
        c["Token"].as_str().unwrap(),
    );
    assert!(session["ExpiredTime"].as_i64().unwrap() > 0);
    assert!(session["Expiration"].as_str().unwrap().ends_with('Z'));

    let me = tccli(
        &url,
        (id, secret, Some(token)),
        "sts",
        &["GetCallerIdentity"],
    )
    .await
    .json();
    assert_eq!(me["AccountId"], "100000000001");
    assert_eq!(me["Type"], "CAMRole");
    assert_eq!(me["UserId"], "4611686018427397919:tccli-check");

    // The session works on CLB, with its token; without it, AuthFailure.TokenFailure.
    let lbs = tccli(
        &url,
        (id, secret, Some(token)),
        "clb",
        &["DescribeLoadBalancers"],
    )
    .await
    .json();
    assert!(lbs["TotalCount"].as_u64().unwrap() >= 1);
    let no_token = tccli(&url, (id, secret, None), "clb", &["DescribeLoadBalancers"]).await;
    assert!(
        !no_token.ok && no_token.stderr.contains("AuthFailure.TokenFailure"),
        "{}",
        no_token.stderr
    );
    let metrics = emu.metrics();
    assert_eq!(
        metrics.calls_by_credential["SessionToken"]["DescribeLoadBalancers"],
        1
    );

    // An unknown role: the documented code, with a RequestId.
    let refused = tccli(
        &url,
        key,
        "sts",
        &[
            "AssumeRole",
            "--RoleArn",
            "qcs::cam::uin/100000000001:roleName/nobody",
            "--RoleSessionName",
            "x1",
        ],
    )
    .await;
    assert!(
        !refused.ok
            && refused.stderr.contains("ResourceNotFound.RoleNotFound")
            && refused.stderr.contains("requestId:"),
        "{}",
        refused.stderr
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_sts_models_and_credential_providers_work_against_the_emulator() {
    let emu = emulator().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_sts_models.py");
    let (py, url) = (venv_tool("TCCLI_PYTHON", "python"), emu.base_url());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(py)
            .arg(script)
            .arg(url)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .expect("cannot run python")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "STS SDK check failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.starts_with("OK "), "{stdout}");
    emu.shutdown().await;
}

/// One raw call: `auth` is `Some((id, key))` to sign with scope service `sts`, else `SKIP`.
async fn raw(
    url: &str,
    host: &str,
    action: &str,
    body: Value,
    auth: Option<(&str, &str)>,
    token: Option<&str>,
) -> Value {
    let body = body.to_string();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let authorization = match auth {
        Some((id, key)) => tencentcloud::sign::authorization(&tencentcloud::sign::SignRequest {
            secret_id: id,
            secret_key: key,
            service: "sts",
            host,
            timestamp: ts,
            method: "POST",
            canonical_uri: "/",
            canonical_query: "",
            content_type: "application/json",
            payload: body.as_bytes(),
            extra_signed_headers: &[],
        }),
        None => "SKIP".to_string(),
    };
    let mut req = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .header("host", host)
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .header("x-tc-action", action)
        .header("x-tc-version", "2018-08-13")
        .header("x-tc-timestamp", ts.to_string())
        .header("x-tc-region", "ap-guangzhou")
        .body(body);
    if let Some(t) = token {
        req = req.header("x-tc-token", t);
    }
    req.send().await.unwrap().json::<Value>().await.unwrap()["Response"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federated_actions_are_unsigned_and_the_others_are_not() {
    let emu = emulator().await;
    let url = emu.base_url();
    let local = url.trim_start_matches("http://").to_string();
    let token: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{url}/_emulator/oidc/token"))
        .json(&serde_json::json!({"Subject": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let web = serde_json::json!({
        "ProviderId": "OIDC", "WebIdentityToken": token["Token"], "RoleArn": DEPLOYER,
        "RoleSessionName": "ci", "DurationSeconds": "900",
    });
    // SKIP, with a stray X-TC-Token that must be ignored; DurationSeconds as a string.
    let r = raw(
        &url,
        &local,
        "AssumeRoleWithWebIdentity",
        web,
        None,
        Some("stray"),
    )
    .await;
    assert!(r["Credentials"]["Token"].is_string(), "{r}");
    // The real host name routes to STS too.
    let me = raw(
        &url,
        "sts.tencentcloudapi.com",
        "GetCallerIdentity",
        serde_json::json!({}),
        Some((DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)),
        None,
    )
    .await;
    assert_eq!(me["AccountId"], "100000000001", "{me}");
    // Signed actions refuse SKIP.
    let r = raw(
        &url,
        &local,
        "GetCallerIdentity",
        serde_json::json!({}),
        None,
        None,
    )
    .await;
    assert_eq!(
        r["Error"]["Code"], "AuthFailure.InvalidAuthorization",
        "{r}"
    );
    let r = raw(
        &url,
        &local,
        "AssumeRole",
        serde_json::json!({"RoleArn": DEPLOYER, "RoleSessionName": "x1"}),
        None,
        None,
    )
    .await;
    assert_eq!(
        r["Error"]["Code"], "AuthFailure.InvalidAuthorization",
        "{r}"
    );
    emu.shutdown().await;
}
