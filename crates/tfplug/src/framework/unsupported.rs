//! The protocol's features this framework does not offer (ephemeral resources, state stores,
//! actions). Each RPC still answers, with an error diagnostic naming what is missing: a bare
//! gRPC UNIMPLEMENTED would reach the user as a provider crash.

use std::pin::Pin;

use futures::Stream;
use tonic::Status;

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;

use super::convert::diags_to_proto;

/// A boxed server stream, as the streaming RPCs return.
pub(crate) type RpcStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The three feature families no provider of this framework can offer.
#[derive(Clone, Copy)]
pub(crate) enum Feature {
    EphemeralResource,
    StateStore,
    Action,
}

impl Feature {
    fn noun(self) -> &'static str {
        match self {
            Feature::EphemeralResource => "ephemeral resource",
            Feature::StateStore => "state store",
            Feature::Action => "action",
        }
    }

    fn advice(self) -> &'static str {
        match self {
            Feature::EphemeralResource => {
                "Remove the ephemeral block, or use a resource or data source of this provider."
            }
            Feature::StateStore => {
                "Use a backend block (for example \"local\" or \"s3\") to store state instead."
            }
            Feature::Action => "Remove the action block and any action_trigger that names it.",
        }
    }
}

/// The error diagnostic for `type_name` of `feature`.
pub(crate) fn not_offered(feature: Feature, type_name: &str) -> Vec<pb::Diagnostic> {
    let noun = feature.noun();
    let named = if type_name.is_empty() {
        String::new()
    } else {
        format!(" {type_name:?}")
    };
    let mut d = Diagnostics::new();
    d.error(
        format!("Unsupported {noun}"),
        format!(
            "This provider offers no {noun}s, so{named} cannot be used. {}",
            feature.advice()
        ),
    );
    diags_to_proto(&d)
}

/// A stream of exactly one message.
pub(crate) fn one<T: Send + 'static>(item: T) -> RpcStream<T> {
    Box::pin(futures::stream::iter([Ok(item)]))
}

/// The first chunk of a WriteStateBytes call names the state store; read it (and only it) so
/// the answer can name the type.
pub(crate) async fn write_state_type_name(
    mut chunks: tonic::Streaming<pb::write_state_bytes::RequestChunk>,
) -> String {
    match chunks.message().await {
        Ok(Some(chunk)) => chunk.meta.map(|m| m.type_name).unwrap_or_default(),
        _ => String::new(),
    }
}
