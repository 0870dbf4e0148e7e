//! The identity capability of `tencentcloud_clb_target_group_association`, and the helper every
//! operation uses to return the binding's identity. The identity itself is
//! [`crate::clb::identity`].

use async_trait::async_trait;

use crate::clb::id::AssociationId;
use crate::clb::identity::{identity_schema, identity_value};
use crate::clb::resource::AssociationResource;
use crate::tfplug::diag::Diagnostics;
use crate::tfplug::resource::ResourceIdentity;
use crate::tfplug::schema::IdentitySchema;
use crate::tfplug::typed::TypedValue;

/// Puts the identity of the binding `id` into a response's identity slot.
pub(crate) fn set_identity(
    slot: &mut Option<TypedValue>,
    id: &AssociationId,
    diags: &mut Diagnostics,
) {
    if let Some(v) = diags.capture(identity_value(id)) {
        *slot = Some(v);
    }
}

/// Version 0 is the first identity schema, so there is nothing older to upgrade (the
/// framework's default answers any other version with a diagnostic).
#[async_trait]
impl ResourceIdentity for AssociationResource {
    fn identity_schema(&self) -> IdentitySchema {
        identity_schema()
    }
}
