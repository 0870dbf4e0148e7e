//! The `moved` capability of `tencentcloud_clb_target_group_association`: taking over the state
//! of the official provider's `tencentcloud_clb_target_group_attachment` without an API call.
//! The conversion itself is [`crate::clb::binding::official`].

use async_trait::async_trait;

use crate::clb::binding::official::{
    OFFICIAL_PROVIDERS, OFFICIAL_TYPE, OfficialAttachment, refused,
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

    async fn move_state(&self, ctx: &Context, req: MoveStateRequest, resp: &mut MoveStateResponse) {
        // A state that is not even the official attachment's shape gets the same advice.
        let official = req
            .source_state_as::<OfficialAttachment>()
            .map_err(|d| d.into_iter().map(refused).collect());
        let Some(id) = resp.diagnostics.capture(official.and_then(|o| o.binding())) else {
            return;
        };
        // The weight is not in the official state; the refresh that follows the move reads it
        // from the cloud, so the move itself never calls the API.
        // The official provider records no region: the binding is in its provider's region,
        // taken to be ours when known (the read that follows reads it there).
        let state = AssociationModel::named_in(&id, None, ctx);
        if resp.set_state(&state)
            && let Some(identity) = state.identity()
        {
            resp.set_identity(&identity);
        }
    }
}
