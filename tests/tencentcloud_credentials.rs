//! The credentials chain, one source at a time, with an injected environment and home directory
//! and a metadata service served on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::json;
use tencentcloud::client::{Client, ClientConfig};
use tencentcloud::credentials::{
    CredentialOptions, CredentialSource, Credentials, DEFAULT_REGION, Environment,
    ResolvedCredentials, StaticEnvironment, resolve,
};
use tencentcloud::error::ConfigError;

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Options that never reach the real metadata service.
fn offline() -> CredentialOptions {
    CredentialOptions {
        metadata_base_url: Some("off".into()),
        ..Default::default()
    }
}

async fn run(
    opts: &CredentialOptions,
    region: Option<&str>,
    env: &dyn Environment,
) -> Result<ResolvedCredentials, ConfigError> {
    resolve(
        opts,
        region,
        &tencentcloud::EndpointOptions::default(),
        env,
        &http(),
    )
    .await
}

fn creds(id: &str, key: &str, token: Option<&str>) -> Credentials {
    Credentials {
        secret_id: id.into(),
        secret_key: key.into(),
        token: token.map(String::from),
    }
}

fn write(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn explicit_values_win_over_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let env = StaticEnvironment::with_home(home.path())
        .set("TENCENTCLOUD_SECRET_ID", "AKIDENV")
        .set("TENCENTCLOUD_SECRET_KEY", "env-key");
    let opts = CredentialOptions {
        secret_id: Some("AKIDEXPLICIT".into()),
        secret_key: Some("explicit-key".into()),
        security_token: Some("explicit-token".into()),
        ..offline()
    };
    let r = run(&opts, None, &env).await.unwrap();
    assert_eq!(r.provider.source(), &CredentialSource::Explicit);
    assert_eq!(
        r.provider.current().await.unwrap(),
        creds("AKIDEXPLICIT", "explicit-key", Some("explicit-token"))
    );
}

#[tokio::test]
async fn environment_variables_with_either_token_name() {
    let home = tempfile::tempdir().unwrap();
    let base = StaticEnvironment::with_home(home.path())
        .set("TENCENTCLOUD_SECRET_ID", "AKIDENV")
        .set("TENCENTCLOUD_SECRET_KEY", "env-key");

    let r = run(&offline(), None, &base).await.unwrap();
    assert_eq!(r.provider.source(), &CredentialSource::Environment);
    assert_eq!(
        r.provider.current().await.unwrap(),
        creds("AKIDENV", "env-key", None)
    );

    let tccli = base.clone().set("TENCENTCLOUD_TOKEN", "tccli-token");
    let r = run(&offline(), None, &tccli).await.unwrap();
    assert_eq!(
        r.provider.current().await.unwrap().token.as_deref(),
        Some("tccli-token")
    );

    let both = tccli.set("TENCENTCLOUD_SECURITY_TOKEN", "tf-token");
    let r = run(&offline(), None, &both).await.unwrap();
    assert_eq!(
        r.provider.current().await.unwrap().token.as_deref(),
        Some("tf-token")
    );
}

#[tokio::test]
async fn half_a_key_pair_is_an_error_that_names_the_missing_half() {
    let home = tempfile::tempdir().unwrap();
    let env = StaticEnvironment::with_home(home.path()).set("TENCENTCLOUD_SECRET_ID", "AKIDENV");
    let err = run(&offline(), None, &env).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("TENCENTCLOUD_SECRET_KEY is missing"), "{msg}");

    let opts = CredentialOptions {
        secret_key: Some("k".into()),
        ..offline()
    };
    let msg = run(&opts, None, &StaticEnvironment::with_home(home.path()))
        .await
        .unwrap_err()
        .to_string();
    assert!(msg.contains("secret_id is missing"), "{msg}");
}

#[tokio::test]
async fn tccli_profile_files_in_home_named_profile_and_custom_dir() {
    let home = tempfile::tempdir().unwrap();
    write(
        &home.path().join(".tccli/default.credential"),
        r#"{"secretId": "AKIDPROFILE", "secretKey": "profile-key", "type": "secret"}"#,
    );
    write(
        &home.path().join(".tccli/default.configure"),
        r#"{"_sys_param": {"region": "ap-shanghai", "output": "json"}}"#,
    );
    write(
        &home.path().join(".tccli/work.credential"),
        r#"{"secretId": "AKIDWORK", "secretKey": "work-key", "token": "work-token"}"#,
    );
    let env = StaticEnvironment::with_home(home.path());
    let r = run(&offline(), None, &env).await.unwrap();
    assert_eq!(
        r.provider.source(),
        &CredentialSource::ProfileFile(home.path().join(".tccli/default.credential"))
    );
    assert_eq!(
        r.provider.current().await.unwrap(),
        creds("AKIDPROFILE", "profile-key", None)
    );
    assert_eq!(
        r.region, "ap-shanghai",
        "region from the profile's .configure"
    );

    let named = env.clone().set("TENCENTCLOUD_PROFILE", "work");
    let r = run(&offline(), None, &named).await.unwrap();
    assert_eq!(
        r.provider.current().await.unwrap(),
        creds("AKIDWORK", "work-key", Some("work-token"))
    );
    assert_eq!(r.region, DEFAULT_REGION, "work has no .configure");

    let other = tempfile::tempdir().unwrap();
    write(
        &other.path().join("default.credential"),
        r#"{"secretId": "AKIDDIR", "secretKey": "dir-key"}"#,
    );
    let dir_env = env.clone().set(
        "TENCENTCLOUD_SHARED_CREDENTIALS_DIR",
        other.path().to_str().unwrap(),
    );
    let r = run(&offline(), None, &dir_env).await.unwrap();
    assert_eq!(r.provider.current().await.unwrap().secret_id, "AKIDDIR");

    write(&home.path().join(".tccli/bad.credential"), "{not json");
    let bad = env.set("TENCENTCLOUD_PROFILE", "bad");
    let msg = run(&offline(), None, &bad).await.unwrap_err().to_string();
    assert!(
        msg.contains("bad.credential") && msg.contains("not valid JSON"),
        "{msg}"
    );
}

#[tokio::test]
async fn sdk_ini_file_default_section() {
    let home = tempfile::tempdir().unwrap();
    write(
        &home.path().join(".tencentcloud/credentials"),
        "[other]\nsecret_id = AKIDOTHER\nsecret_key = other\n\n[default]\nsecret_id = AKIDINI\nsecret_key = ini-key\n",
    );
    let r = run(&offline(), None, &StaticEnvironment::with_home(home.path()))
        .await
        .unwrap();
    assert_eq!(
        r.provider.source(),
        &CredentialSource::IniFile(home.path().join(".tencentcloud/credentials"))
    );
    assert_eq!(
        r.provider.current().await.unwrap(),
        creds("AKIDINI", "ini-key", None)
    );
}

/// A credentials file that exists but cannot be read is an error naming it, never a silent
/// fall-through to the next source (which could be other, unintended credentials).
#[tokio::test]
async fn unreadable_credential_files_are_errors_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    // A later source that would otherwise be used.
    write(
        &home.path().join(".tencentcloud/credentials"),
        "[default]\nsecret_id = AKIDINI\nsecret_key = ini-key\n",
    );
    let env = StaticEnvironment::with_home(home.path());
    let profile = home.path().join(".tccli/default.credential");

    // A directory where the file should be.
    std::fs::create_dir_all(&profile).unwrap();
    let msg = run(&offline(), None, &env).await.unwrap_err().to_string();
    assert!(
        msg.contains("default.credential") && msg.contains("cannot be read"),
        "{msg}"
    );
    std::fs::remove_dir(&profile).unwrap();

    // Not UTF-8.
    std::fs::write(&profile, b"{\"secretId\": \"\xff\xfe\"}").unwrap();
    let msg = run(&offline(), None, &env).await.unwrap_err().to_string();
    assert!(
        msg.contains("default.credential") && msg.contains("cannot be read"),
        "{msg}"
    );

    // No permission (only meaningful when not running as root, which reads anything).
    write(
        &profile,
        r#"{"secretId": "AKIDPROFILE", "secretKey": "profile-key"}"#,
    );
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&profile).is_err() {
        let msg = run(&offline(), None, &env).await.unwrap_err().to_string();
        assert!(
            msg.contains("default.credential") && msg.contains("cannot be read"),
            "{msg}"
        );
    }
    std::fs::remove_file(&profile).unwrap();

    // The same for the SDK's INI file, once the profile is gone.
    let ini = home.path().join(".tencentcloud/credentials");
    std::fs::remove_file(&ini).unwrap();
    std::fs::create_dir_all(&ini).unwrap();
    let msg = run(&offline(), None, &env).await.unwrap_err().to_string();
    assert!(
        msg.contains(".tencentcloud/credentials") && msg.contains("cannot be read"),
        "{msg}"
    );

    // A file that does not exist is still simply skipped.
    std::fs::remove_dir(&ini).unwrap();
    assert!(matches!(
        run(&offline(), None, &env).await,
        Err(ConfigError::NoCredentials { .. })
    ));
}

#[tokio::test]
async fn region_precedence() {
    let home = tempfile::tempdir().unwrap();
    write(
        &home.path().join(".tccli/default.configure"),
        r#"{"_sys_param": {"region": "ap-shanghai"}}"#,
    );
    let opts = CredentialOptions {
        secret_id: Some("AKID".into()),
        secret_key: Some("k".into()),
        ..offline()
    };
    let env = StaticEnvironment::with_home(home.path());
    assert_eq!(run(&opts, None, &env).await.unwrap().region, "ap-shanghai");
    let env = env.set("TENCENTCLOUD_REGION", "ap-beijing");
    assert_eq!(run(&opts, None, &env).await.unwrap().region, "ap-beijing");
    assert_eq!(
        run(&opts, Some("ap-chengdu"), &env).await.unwrap().region,
        "ap-chengdu"
    );
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&opts, None, &StaticEnvironment::with_home(empty.path()))
            .await
            .unwrap()
            .region,
        DEFAULT_REGION
    );
}

struct Metadata {
    fetches: AtomicUsize,
    lifetime_secs: i64,
}

async fn start_metadata(lifetime_secs: i64) -> (String, Arc<Metadata>) {
    let state = Arc::new(Metadata {
        fetches: AtomicUsize::new(0),
        lifetime_secs,
    });
    async fn role_list() -> &'static str {
        "cvm-demo-role\n"
    }
    async fn role_creds(
        State(m): State<Arc<Metadata>>,
        Path(role): Path<String>,
    ) -> Result<String, StatusCode> {
        if role != "cvm-demo-role" {
            return Err(StatusCode::NOT_FOUND);
        }
        let n = m.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        Ok(json!({
            "TmpSecretId": format!("AKIDTMP{n}"),
            "TmpSecretKey": format!("tmp-key-{n}"),
            "Token": format!("tmp-token-{n}"),
            "ExpiredTime": now + m.lifetime_secs,
            "Code": "Success"
        })
        .to_string())
    }
    let app = Router::new()
        .route(
            "/latest/meta-data/cam/security-credentials/",
            get(role_list),
        )
        .route(
            "/latest/meta-data/cam/security-credentials/{role}",
            get(role_creds),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), state)
}

#[tokio::test]
async fn cvm_role_from_the_metadata_service_is_cached_until_near_expiry() {
    let home = tempfile::tempdir().unwrap();
    let env = StaticEnvironment::with_home(home.path());

    let (url, meta) = start_metadata(3600).await;
    let opts = CredentialOptions {
        metadata_base_url: Some(url),
        ..Default::default()
    };
    let r = run(&opts, None, &env).await.unwrap();
    assert_eq!(
        r.provider.source(),
        &CredentialSource::InstanceRole("cvm-demo-role".into())
    );
    let first = r.provider.current().await.unwrap();
    assert_eq!(first, creds("AKIDTMP1", "tmp-key-1", Some("tmp-token-1")));
    let again = r.provider.current().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(
        meta.fetches.load(Ordering::SeqCst),
        1,
        "valid credentials were re-fetched"
    );

    // Credentials inside the 300 s refresh margin are replaced on the next use.
    let (url, meta) = start_metadata(120).await;
    let opts = CredentialOptions {
        metadata_base_url: Some(url),
        ..Default::default()
    };
    let r = run(&opts, None, &env).await.unwrap();
    let next = r.provider.current().await.unwrap();
    assert_eq!(next.secret_id, "AKIDTMP2");
    assert_eq!(meta.fetches.load(Ordering::SeqCst), 2);

    // The metadata base URL can also come from the environment.
    let (url, _) = start_metadata(3600).await;
    let env_meta = env.set("TENCENTCLOUD_METADATA_BASE_URL", &url);
    let r = run(&CredentialOptions::default(), None, &env_meta)
        .await
        .unwrap();
    assert_eq!(r.provider.current().await.unwrap().secret_id, "AKIDTMP1");
}

#[tokio::test]
async fn nothing_found_lists_every_place_looked_at() {
    let home = tempfile::tempdir().unwrap();
    // A port that refuses connections stands in for "not on a CVM".
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let opts = CredentialOptions {
        metadata_base_url: Some(base.clone()),
        profile: Some("ci".into()),
        ..Default::default()
    };
    let err = run(&opts, None, &StaticEnvironment::with_home(home.path()))
        .await
        .unwrap_err();
    let ConfigError::NoCredentials { looked_at } = &err else {
        panic!("expected NoCredentials, got {err:?}");
    };
    assert_eq!(looked_at.len(), 5, "{looked_at:?}");
    let msg = err.to_string();
    for needle in [
        "explicit secret_id/secret_key",
        "TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY",
        &format!(
            "tccli profile \"ci\" at {}",
            home.path().join(".tccli/ci.credential").display()
        ),
        &home
            .path()
            .join(".tencentcloud/credentials")
            .display()
            .to_string(),
        &format!("CVM instance role at {base}"),
        "export TENCENTCLOUD_SECRET_ID",
    ] {
        assert!(msg.contains(needle), "message lacks {needle:?}:\n{msg}");
    }

    // Client::with_environment reports the same error.
    let config = ClientConfig {
        credentials: offline(),
        ..Default::default()
    };
    let err = Client::with_environment(config, &StaticEnvironment::with_home(home.path()))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no Tencent Cloud credentials found"), "{msg}");
    assert!(msg.contains("metadata service disabled"), "{msg}");
}

#[tokio::test]
async fn debug_output_never_shows_secrets() {
    let opts = CredentialOptions {
        secret_id: Some("AKIDVISIBLE".into()),
        secret_key: Some("hidden-secret-key".into()),
        security_token: Some("hidden-token".into()),
        ..offline()
    };
    let text = format!(
        "{opts:?} {:?}",
        creds("AKIDVISIBLE", "hidden-secret-key", Some("hidden-token"))
    );
    assert!(text.contains("AKIDVISIBLE"));
    assert!(
        !text.contains("hidden-secret-key") && !text.contains("hidden-token"),
        "{text}"
    );
    let config = ClientConfig {
        credentials: opts,
        ..Default::default()
    };
    let client = Client::with_environment(config.clone(), &StaticEnvironment::default())
        .await
        .unwrap();
    let text = format!("{config:?} {client:?}");
    assert!(
        !text.contains("hidden-secret-key") && !text.contains("hidden-token"),
        "{text}"
    );
}

#[tokio::test]
async fn a_named_cvm_role_replaces_keys_as_in_the_official_provider() {
    let (url, meta) = start_metadata(3600).await;
    let keys = CredentialOptions {
        secret_id: Some("AKIDKEY".into()),
        secret_key: Some("key".into()),
        metadata_base_url: Some(url.clone()),
        ..Default::default()
    };
    // The setting, and its variable, win over keys.
    for (opts, env) in [
        (
            CredentialOptions {
                cam_role_name: Some("cvm-demo-role".into()),
                ..keys.clone()
            },
            StaticEnvironment::default(),
        ),
        (
            keys.clone(),
            StaticEnvironment::default().set("TENCENTCLOUD_CAM_ROLE_NAME", "cvm-demo-role"),
        ),
    ] {
        let resolved = run(&opts, None, &env).await.unwrap();
        assert_eq!(
            resolved.provider.source(),
            &CredentialSource::InstanceRole("cvm-demo-role".into())
        );
        assert!(
            resolved
                .provider
                .current()
                .await
                .unwrap()
                .secret_id
                .starts_with("AKIDTMP")
        );
    }
    assert!(meta.fetches.load(Ordering::SeqCst) >= 2);
    // A role the instance does not have is an error on the setting that named it.
    let env = StaticEnvironment::default().set("TENCENTCLOUD_CAM_ROLE_NAME", "no-such-role");
    let err = run(&keys, None, &env).await.unwrap_err();
    assert!(
        matches!(&err, ConfigError::Setting { setting, .. } if setting == "TENCENTCLOUD_CAM_ROLE_NAME"),
        "{err}"
    );
    let err = run(
        &CredentialOptions {
            cam_role_name: Some("cvm-demo-role".into()),
            ..offline()
        },
        None,
        &StaticEnvironment::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("turned off"), "{err}");
}
