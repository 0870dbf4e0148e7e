//! Import of `tencentcloud_clb_target_group_association`: by the `#`-joined ID (ours or the
//! official attachment's, optionally ending in `@REGION`) or, on Terraform 1.12+, by identity
//! (optionally with `region`). Without a region the binding is imported from the provider's.

use async_trait::async_trait;

use crate::clb::binding::id::ImportId;
use crate::clb::binding::identity::{BindingIdentity, checked_identity};
use crate::clb::resource::{AssociationModel, AssociationResource};
use tfplug::provider::Context;
use tfplug::resource::*;

#[async_trait]
impl ResourceImport for AssociationResource {
    async fn import_state(&self, ctx: &Context, req: ImportRequest, resp: &mut ImportResponse) {
        let named = match req.target {
            ImportTarget::Id(raw) => ImportId::parse(&raw)
                .map(|i| (i.id, i.region))
                .map_err(|e| e.import_diagnostic().into()),
            ImportTarget::Identity(identity) => identity
                .get::<BindingIdentity>()
                .and_then(|identity| checked_identity(&identity)),
        };
        let Some((id, region)) = resp.diagnostics.capture(named) else {
            return;
        };
        // The region is recorded now, so the read that follows goes to it; left to the provider,
        // it is the provider's (or, before the provider is configured, filled in by that read).
        let state = AssociationModel::named_in(&id, region, ctx);
        if resp.set_state(&state)
            && let Some(identity) = state.identity()
        {
            resp.set_identity(&identity);
        }
    }
}
