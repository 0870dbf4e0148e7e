//! The identity capability of `tencentcloud_clb_target_group_association`. The identity itself
//! is [`crate::clb::binding::identity`]; every operation returns it with its response's `set_identity`.

use async_trait::async_trait;

use crate::clb::binding::identity::identity_schema;
use crate::clb::resource::AssociationResource;
use tfplug::resource::ResourceIdentity;
use tfplug::schema::IdentitySchema;

/// Version 0 is the first identity schema, so there is nothing older to upgrade (the
/// framework's default answers any other version with a diagnostic).
#[async_trait]
impl ResourceIdentity for AssociationResource {
    fn identity_schema(&self) -> IdentitySchema {
        identity_schema()
    }
}
