//! The `moved` capability of `tencentcloud_clb_target_group_association`: taking over the state
//! of the official provider's `tencentcloud_clb_target_group_attachment` without an API call.
//! The conversion itself is [`crate::clb::binding::official`].

use async_trait::async_trait;

use crate::clb::binding::identity::AssociationIdentity;
use crate::clb::binding::official::{
    OFFICIAL_PROVIDERS, OFFICIAL_TYPE, binding_from_official_state,
};
use crate::clb::resource::{AssociationModel, AssociationResource};
use tfplug::provider::Context;
use tfplug::resource::{MoveSource, MoveStateRequest, MoveStateResponse, ResourceMoveState};

#[async_trait]
impl ResourceMoveState for AssociationResource {
    fn move_sources(&self) -> Vec<MoveSource> {
        OFFICIAL_PROVIDERS
            .iter()
            .map(|provider| MoveSource {
                provider_address: provider.to_string(),
                type_name: OFFICIAL_TYPE.to_string(),
            })
            .collect()
    }

    async fn move_state(
        &self,
        _ctx: &Context,
        req: MoveStateRequest,
        resp: &mut MoveStateResponse,
    ) {
        let id = match binding_from_official_state(&req.source_state) {
            Ok(id) => id,
            Err(refused) => {
                resp.diagnostics.error(refused.summary, refused.detail);
                return;
            }
        };
        // The weight is not in the official state; the refresh that follows the move reads it
        // from the cloud, so the move itself never calls the API.
        if let Err(e) = resp.state.set(&AssociationModel::named(&id)) {
            resp.diagnostics.extend(e);
            return;
        }
        if let Err(e) = resp.set_identity(&AssociationIdentity::from(&id)) {
            resp.diagnostics.extend(e);
        }
    }
}
