//! What the client quotes in its errors: response text goes through the same redaction as logged
//! bodies, and an endpoint URL with user info is never echoed.

#[path = "tencentcloud_server/mod.rs"]
mod server;

use std::time::Duration;

use serde_json::{Value, json};
use server::*;
use tencentcloud::client::CallKind;
use tencentcloud::credentials::StaticEnvironment;
use tencentcloud::deadline::Deadline;
use tencentcloud::endpoint::EndpointOptions;
use tencentcloud::error::ApiError;
use tencentcloud::{Client, ClientConfig};

const LEAKED: &[&str] = &["leaked-key-1", "leaked-token-2", "leaked-pass-3"];

fn assert_no_leak(text: &str) {
    for secret in LEAKED {
        assert!(!text.contains(secret), "{secret} echoed in: {text}");
    }
}

#[tokio::test]
async fn response_text_in_errors_is_redacted() {
    let server = start(|action, _| Reply {
        status: if action == "Status" { 502 } else { 200 },
        body: match action {
            // Valid JSON but no envelope, as a misbehaving proxy or service might answer.
            "Status" | "NoEnvelope" => json!({
                "TmpSecretKey": "leaked-key-1",
                "Nested": [{"Token": "leaked-token-2", "Detail": "visible detail"}],
            })
            .to_string(),
            // Not JSON: nothing can be said about what it holds, so it is not quoted.
            _ => "password=leaked-pass-3 <html>".to_string(),
        },
        delay: Duration::ZERO,
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    for action in ["Status", "NoEnvelope", "NotJson"] {
        let err = client
            .call::<_, Value>(
                "clb",
                "2018-03-17",
                action,
                &json!({}),
                CallKind::Read,
                &Deadline::in_(Duration::from_millis(300)),
            )
            .await
            .unwrap_err();
        let text = err.to_string();
        assert_no_leak(&text);
        assert_no_leak(&format!("{err:?}"));
        match action {
            "NotJson" => {
                assert!(matches!(err, ApiError::Decode { .. }), "{err:?}");
                assert!(text.contains("not JSON"), "{text}");
            }
            _ => assert!(text.contains("visible detail"), "{action}: {text}"),
        }
    }
}

#[tokio::test]
async fn endpoint_user_info_is_never_echoed() {
    for url in [
        "http://admin:leaked-pass-3@127.0.0.1:1",
        "http://leaked-key-1@127.0.0.1:1/path",
        "https://user:leaked-pass-3@clb.example.com/?q=1",
        "http://user:leaked-pass-3@example.com",
        "ftp://user:leaked-pass-3@example.com",
        "http://user:leaked-pass-3@[::1",
        "https://u:leaked-pass-3@bad host/",
    ] {
        let options = EndpointOptions {
            endpoint: Some(url.to_string()),
            ..Default::default()
        };
        assert_no_leak(&format!("{options:?}"));
        let err = options.resolve("clb").unwrap_err();
        assert_no_leak(&err.to_string());
        assert_no_leak(&format!("{err:?}"));
        let config = ClientConfig {
            endpoint: options,
            ..config_for("http://127.0.0.1:1", fast_retry(), 0, None)
        };
        let err = Client::with_environment(config, &StaticEnvironment::default())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert_no_leak(&text);
        assert!(text.contains("endpoint") || text.contains("HTTP"), "{text}");
    }
}

#[tokio::test]
async fn sts_replies_quoted_in_errors_show_no_session_secret() {
    use tencentcloud::credentials::Credentials;
    use tencentcloud::sts::{AssumeRoleRequest, StsClient};
    // Valid JSON without an envelope, holding everything a session reply and a request carry.
    let server = start(|_, _| Reply {
        status: 200,
        body: json!({
            "Credentials": {"Token": "leaked-token-2", "TmpSecretKey": "leaked-key-1", "TmpSecretId": "AKIDTMP"},
            "SAMLAssertion": "leaked-pass-3",
            "WebIdentityToken": "leaked-token-2",
            "Detail": "visible detail",
        })
        .to_string(),
        delay: Duration::ZERO,
    })
    .await;
    let endpoint = EndpointOptions {
        endpoint: Some(server.url.clone()),
        ..Default::default()
    }
    .resolve("sts")
    .unwrap();
    let sts = StsClient::new(
        reqwest::Client::new(),
        endpoint,
        "ap-guangzhou",
        "redaction",
    );
    let signer = Credentials {
        secret_id: SECRET_ID.into(),
        secret_key: SECRET_KEY.into(),
        token: Some("leaked-token-2".into()),
    };
    let errors = [
        sts.assume_role(
            &signer,
            &AssumeRoleRequest {
                role_arn: "qcs::cam::uin/1:roleName/x".into(),
                role_session_name: "s".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err(),
        sts.get_caller_identity(&signer).await.unwrap_err(),
    ];
    for err in errors {
        let text = err.to_string();
        assert!(text.contains("visible detail"), "{text}");
        assert_no_leak(&text);
        assert_no_leak(&format!("{err:?}"));
    }
    assert_no_leak(&format!("{signer:?}"));
}
