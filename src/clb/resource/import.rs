//! Import of `tencentcloud_clb_target_group_association`: by the `#`-joined ID (ours or the
//! official attachment's) or, on Terraform 1.12+, by identity.

use async_trait::async_trait;

use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::AssociationIdentity;
use crate::clb::resource::{AssociationModel, AssociationResource};
use tfplug::provider::Context;
use tfplug::resource::*;
use tfplug::value::AttributePath;

#[async_trait]
impl ResourceImport for AssociationResource {
    async fn import_state(&self, _ctx: &Context, req: ImportRequest, resp: &mut ImportResponse) {
        let id = match req.target {
            ImportTarget::Id(raw) => match AssociationId::parse(&raw) {
                Ok(id) => id,
                Err(e) => {
                    resp.diagnostics.error("Invalid import ID", e.to_string());
                    return;
                }
            },
            ImportTarget::Identity(identity) => {
                let Some(identity) = resp
                    .diagnostics
                    .capture(identity.get::<AssociationIdentity>())
                else {
                    return;
                };
                match identity.association_id() {
                    Ok(id) => id,
                    Err(problems) => {
                        for p in problems {
                            resp.diagnostics.attribute_error(
                                AttributePath::attr_root(p.attribute),
                                "Invalid identity",
                                p.message,
                            );
                        }
                        return;
                    }
                }
            }
        };
        if let Err(e) = resp.state.set(&AssociationModel::named(&id)) {
            resp.diagnostics.extend(e);
            return;
        }
        if let Err(e) = resp.set_identity(&AssociationIdentity::from(&id)) {
            resp.diagnostics.extend(e);
        }
    }
}
