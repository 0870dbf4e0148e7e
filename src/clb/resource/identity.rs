//! The identity capability of `tencentcloud_clb_target_group_association`. The identity itself
//! is [`crate::clb::binding::identity`]; every operation returns it with its response's `set_identity`.

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::{BindingIdentity, identity_schema};
use crate::clb::resource::AssociationResource;
use tfplug::provider::Context;
use tfplug::resource::{ResourceIdentity, UpgradeIdentityRequest, UpgradeIdentityResponse};
use tfplug::schema::IdentitySchema;

#[async_trait]
impl ResourceIdentity for AssociationResource {
    fn identity_schema(&self) -> IdentitySchema {
        identity_schema()
    }

    /// Version 0 is the coordinates without region; version 1 adds it, null until the read
    /// that follows fills it in from the state (the framework lets a read complete an attribute
    /// stored null, never change one stored with a value).
    async fn upgrade_identity(
        &self,
        _ctx: &Context,
        req: UpgradeIdentityRequest,
        resp: &mut UpgradeIdentityResponse,
    ) {
        if req.version != 0 {
            resp.diagnostics.error(
                "Cannot upgrade the resource identity",
                format!(
                    "The stored identity has version {}, which this provider never wrote. Remove \
                     the resource from state with `terraform state rm` and import it again.",
                    req.version
                ),
            );
            return;
        }
        let Some(v0) = resp
            .diagnostics
            .capture(req.raw_identity_as::<AssociationId>())
        else {
            return;
        };
        resp.set_identity(&BindingIdentity::from_version_0(v0));
    }
}
