//! The configuration `-generate-config-out` writes for an imported or listed binding: the
//! framework keeps what a user can write (no `id`); here the weight is left out when it is the
//! cloud's default, which is what a user who never set it has. The region is kept.

use crate::clb::resource::AssociationResource;
use tencentcloud::clb::rules::DEFAULT_WEIGHT;
use tfplug::diag::Diagnostics;
use tfplug::resource::ResourceGenerateConfig;
use tfplug::typed::TypedValue;

impl ResourceGenerateConfig for AssociationResource {
    fn generate_config(
        &self,
        _state: &TypedValue,
        config: &mut TypedValue,
        diags: &mut Diagnostics,
    ) {
        // `region` stays as recorded: an import may name another region than the provider's
        // (`@REGION`, an identity's `region`), and a configuration without it would replace the
        // binding there.
        let Some(weight) = diags.capture(config.get_attr::<Option<i64>>("weight")) else {
            return;
        };
        if weight == Some(DEFAULT_WEIGHT)
            && let Err(e) = config.set_attr("weight", &None::<i64>)
        {
            diags.extend(e);
        }
    }
}
