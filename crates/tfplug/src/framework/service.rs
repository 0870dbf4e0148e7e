//! The gRPC face of [`FrameworkServer`]: each tfplugin6 `Provider` method hands its request to
//! the file of its RPC family and wraps the answer; the features this framework does not offer
//! answer with a diagnostic (`unsupported.rs`).

use tonic::{Request, Response, Status};

use crate::proto::tfplugin6 as pb;

use super::FrameworkServer;
use super::unsupported::{self, Feature, RpcStream, not_offered, one};

#[tonic::async_trait]
impl pb::provider_server::Provider for FrameworkServer {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(self.get_metadata()))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(self.get_provider_schema()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(self.get_resource_identity_schemas()))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        Ok(Response::new(
            self.upgrade_resource_identity(request.into_inner()).await,
        ))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(self.get_functions()))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        Ok(Response::new(
            self.call_function(request.into_inner()).await,
        ))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        Ok(Response::new(
            self.generate_resource_config(request.into_inner()).await,
        ))
    }

    type ListResourceStream = RpcStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        Ok(Response::new(
            self.list_resource(request.into_inner()).await,
        ))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        Ok(Response::new(
            self.validate_list_resource_config(request.into_inner())
                .await,
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: not_offered(Feature::EphemeralResource, &name),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: not_offered(Feature::EphemeralResource, &name),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: not_offered(Feature::EphemeralResource, &name),
        }))
    }

    async fn validate_state_store_config(
        &self,
        request: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::validate_state_store::Response {
            diagnostics: not_offered(Feature::StateStore, &name),
        }))
    }

    async fn configure_state_store(
        &self,
        request: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: not_offered(Feature::StateStore, &name),
            capabilities: None,
        }))
    }

    type ReadStateBytesStream = RpcStream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        request: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(one(pb::read_state_bytes::Response {
            diagnostics: not_offered(Feature::StateStore, &name),
            ..Default::default()
        })))
    }

    async fn write_state_bytes(
        &self,
        request: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        let name = unsupported::write_state_type_name(request.into_inner()).await;
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics: not_offered(Feature::StateStore, &name),
        }))
    }

    async fn lock_state(
        &self,
        request: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::lock_state::Response {
            lock_id: String::new(),
            diagnostics: not_offered(Feature::StateStore, &name),
        }))
    }

    async fn unlock_state(
        &self,
        request: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::unlock_state::Response {
            diagnostics: not_offered(Feature::StateStore, &name),
        }))
    }

    async fn get_states(
        &self,
        request: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::get_states::Response {
            state_id: Vec::new(),
            diagnostics: not_offered(Feature::StateStore, &name),
        }))
    }

    async fn delete_state(
        &self,
        request: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::delete_state::Response {
            diagnostics: not_offered(Feature::StateStore, &name),
        }))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let name = request.into_inner().action_type;
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: not_offered(Feature::Action, &name),
            deferred: None,
        }))
    }

    type InvokeActionStream = RpcStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        use pb::invoke_action::event::{Completed, Type};
        let name = request.into_inner().action_type;
        Ok(Response::new(one(pb::invoke_action::Event {
            r#type: Some(Type::Completed(Completed {
                diagnostics: not_offered(Feature::Action, &name),
            })),
        })))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: not_offered(Feature::Action, &name),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        Ok(Response::new(
            self.validate_provider_config(request.into_inner()).await,
        ))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        Ok(Response::new(
            self.validate_resource_config(request.into_inner()).await,
        ))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        Ok(Response::new(
            self.validate_data_resource_config(request.into_inner())
                .await,
        ))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: not_offered(Feature::EphemeralResource, &name),
            },
        ))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        Ok(Response::new(
            self.read_data_source(request.into_inner()).await,
        ))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        Ok(Response::new(
            self.move_resource_state(request.into_inner()).await,
        ))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        Ok(Response::new(
            self.configure_provider(request.into_inner()).await,
        ))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        Ok(Response::new(
            self.upgrade_resource_state(request.into_inner()).await,
        ))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        Ok(Response::new(
            self.read_resource(request.into_inner()).await,
        ))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        Ok(Response::new(
            self.plan_resource_change(request.into_inner()).await,
        ))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        Ok(Response::new(
            self.apply_resource_change(request.into_inner()).await,
        ))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        Ok(Response::new(
            self.import_resource_state(request.into_inner()).await,
        ))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider received; cancelling in-flight operations");
        self.stop_all();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}
