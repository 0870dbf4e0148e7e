//! Import of `tencentcloud_clb_target_group_association`: by the `#`-joined ID (ours or the
//! official attachment's) or, on Terraform 1.12+, by identity.

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::checked_identity;
use crate::clb::resource::{AssociationModel, AssociationResource};
use tfplug::provider::Context;
use tfplug::resource::*;

#[async_trait]
impl ResourceImport for AssociationResource {
    async fn import_state(&self, _ctx: &Context, req: ImportRequest, resp: &mut ImportResponse) {
        let id = match req.target {
            ImportTarget::Id(raw) => {
                AssociationId::parse(&raw).map_err(|e| e.diagnostic("Invalid import ID").into())
            }
            ImportTarget::Identity(identity) => identity
                .get::<AssociationId>()
                .and_then(|identity| checked_identity(&identity)),
        };
        let Some(id) = resp.diagnostics.capture(id) else {
            return;
        };
        if resp.set_state(&AssociationModel::named(&id)) {
            resp.set_identity(&id);
        }
    }
}
