//! The go-plugin side services and a few provider RPCs, called over real gRPC.

#[path = "support/plugin_client.rs"]
mod plugin_client;
#[path = "../crates/tfplug/examples/tfplugtest/provider.rs"]
mod test_provider;

use std::sync::Arc;
use std::time::Duration;

use plugin_client::call_with;
use tfplug::server::{self, RunningServer, ServerOptions};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

async fn start() -> (RunningServer, Channel) {
    let (provider, _store) = test_provider::TestProvider::new();
    let server = server::start(provider as Arc<_>, ServerOptions::plaintext())
        .await
        .expect("start");
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .expect("connect");
    (server, channel)
}

/// Calls a unary method with an empty request and decodes the reply as `M`.
async fn call<M: prost::Message + Default + Send + Sync + 'static>(
    channel: &Channel,
    path: &'static str,
) -> Result<M, tonic::Status> {
    call_with(channel, path, ()).await
}

/// Minimal hand-written mirrors of the tfplugin6 messages this test sends.
#[derive(Clone, PartialEq, prost::Message)]
struct DynamicValue {
    #[prost(bytes = "vec", tag = "1")]
    msgpack: Vec<u8>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ValidateResourceConfigRequest {
    #[prost(string, tag = "1")]
    type_name: String,
    #[prost(message, optional, tag = "2")]
    config: Option<DynamicValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Diagnostic {
    #[prost(int32, tag = "1")]
    severity: i32,
    #[prost(string, tag = "2")]
    summary: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ValidateResourceConfigResponse {
    #[prost(message, repeated, tag = "1")]
    diagnostics: Vec<Diagnostic>,
}

/// `StopProvider.Response` (field 1 is the error text).
#[derive(Clone, PartialEq, prost::Message)]
struct StopResponse {
    #[prost(string, tag = "1")]
    error: String,
}

#[tokio::test]
async fn health_reports_plugin_serving() {
    let (server, channel) = start().await;
    let resp = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(resp.status, ServingStatus::Serving as i32);
    server.shutdown().await;
}

#[tokio::test]
async fn controller_shutdown_stops_the_server() {
    let (server, channel) = start().await;
    call::<()>(&channel, "/plugin.GRPCController/Shutdown")
        .await
        .expect("shutdown rpc");
    let done = tokio::time::timeout(Duration::from_secs(5), server.wait()).await;
    assert!(
        matches!(done, Ok(Ok(()))),
        "server must stop after Shutdown: {done:?}"
    );
}

#[tokio::test]
async fn stop_provider_answers_and_server_keeps_serving() {
    let (server, channel) = start().await;
    let resp: StopResponse = call(&channel, "/tfplugin6.Provider/StopProvider")
        .await
        .expect("stop");
    assert_eq!(resp.error, "");
    // Not a shutdown: later calls still work.
    let again: StopResponse = call(&channel, "/tfplugin6.Provider/StopProvider")
        .await
        .expect("still serving");
    assert_eq!(again.error, "");
    server.shutdown().await;
}

#[tokio::test]
async fn newer_protocol_rpcs_answer_cleanly() {
    let (server, channel) = start().await;
    // Protocol 6.9 identity schemas answer (their content is checked in tfplug_identity.rs).
    call::<()>(&channel, "/tfplugin6.Provider/GetResourceIdentitySchemas")
        .await
        .expect("identity schemas");
    call::<()>(&channel, "/tfplugin6.Provider/GetMetadata")
        .await
        .expect("metadata");
    // Every 6.11 method answers (with a diagnostic or function error where a feature is not
    // offered; their content is checked in tfplug_protocol.rs), never a bare UNIMPLEMENTED.
    for method in [
        "/tfplugin6.Provider/CallFunction",
        "/tfplugin6.Provider/GetFunctions",
        "/tfplugin6.Provider/ValidateListResourceConfig",
        "/tfplugin6.Provider/GenerateResourceConfig",
        "/tfplugin6.Provider/OpenEphemeralResource",
        "/tfplugin6.Provider/ValidateStateStoreConfig",
        "/tfplugin6.Provider/LockState",
        "/tfplugin6.Provider/PlanAction",
        "/tfplugin6.Provider/ValidateActionConfig",
    ] {
        call::<()>(&channel, method)
            .await
            .unwrap_or_else(|e| panic!("{method} must answer, got {e:?}"));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn messages_beyond_tonic_default_limit_are_accepted() {
    use tfplug::value::{Value, to_msgpack};
    let (server, channel) = start().await;
    // 6 MiB of content: above tonic's 4 MiB default, well under our 256 MiB limit.
    let config = Value::object([
        ("name", Value::string("big")),
        ("content", Value::string("x".repeat(6 << 20))),
        ("rule", Value::List(vec![])),
    ]);
    let msgpack = to_msgpack(&config, &test_provider::item_schema().value_type()).unwrap();
    let req = ValidateResourceConfigRequest {
        type_name: "tfplugtest_item".into(),
        config: Some(DynamicValue { msgpack }),
    };
    let resp: ValidateResourceConfigResponse =
        call_with(&channel, "/tfplugin6.Provider/ValidateResourceConfig", req)
            .await
            .expect("large request");
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

    // And the validator's diagnostics come back through gRPC as diagnostics, not errors.
    let bad = Value::object([
        ("name", Value::string("has space")),
        ("rule", Value::List(vec![])),
    ]);
    let msgpack = to_msgpack(&bad, &test_provider::item_schema().value_type()).unwrap();
    let req = ValidateResourceConfigRequest {
        type_name: "tfplugtest_item".into(),
        config: Some(DynamicValue { msgpack }),
    };
    let resp: ValidateResourceConfigResponse =
        call_with(&channel, "/tfplugin6.Provider/ValidateResourceConfig", req)
            .await
            .expect("call");
    assert_eq!(resp.diagnostics.len(), 1);
    assert_eq!(resp.diagnostics[0].summary, "Invalid name");
    assert_eq!(resp.diagnostics[0].severity, 1);
    server.shutdown().await;
}
