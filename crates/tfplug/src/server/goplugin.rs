//! go-plugin's side services: controller (shutdown), stdio and broker.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin as pb;

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Stops the server when Terraform is done with us.
pub(crate) struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _request: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        tracing::info!("shutdown requested by Terraform");
        self.shutdown.cancel();
        Ok(Response::new(pb::Empty {}))
    }
}

/// We log to stderr directly, so the stdio stream stays open and silent until shutdown.
pub(crate) struct Stdio {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = BoxStream<pb::StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let done = self.shutdown.clone();
        let stream = futures::stream::once(async move {
            done.cancelled().await;
            None
        })
        .filter_map(|x: Option<Result<pb::StdioData, Status>>| async move { x });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// Terraform providers never broker extra connections; keep the stream open and idle.
pub(crate) struct Broker {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl pb::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = BoxStream<pb::ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<pb::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut incoming = request.into_inner();
        let done = self.shutdown.clone();
        let stream = futures::stream::once(async move {
            // Drain what the client sends so its stream does not stall.
            loop {
                tokio::select! {
                    _ = done.cancelled() => break,
                    msg = incoming.message() => match msg {
                        Ok(Some(_)) => continue,
                        _ => break,
                    },
                }
            }
            None
        })
        .filter_map(|x: Option<Result<pb::ConnInfo, Status>>| async move { x });
        Ok(Response::new(Box::pin(stream)))
    }
}
