//! Deferral, the same for every RPC that may put its work off (data source reads, resource
//! reads, imports and plans): Terraform must have allowed it, and an answer with errors carries
//! no deferral.

use crate::datasource::Deferred;
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;

/// The rule Terraform enforces on a deferral: only where the request allowed it (Terraform
/// otherwise reports a provider bug). Records the error in `diags`.
pub(super) fn check_deferral(allowed: bool, doing: &str, type_name: &str, diags: &mut Diagnostics) {
    if !allowed {
        diags.error(
            "Deferred without permission",
            format!(
                "{doing} {type_name} was put off although Terraform does not accept deferred \
                 answers here. This is a bug in the provider; please report it."
            ),
        );
    }
}

/// A deferral for the wire: none once the answer is an error.
pub(super) fn deferred_to_proto(d: Option<Deferred>, diags: &Diagnostics) -> Option<pb::Deferred> {
    d.filter(|_| !diags.has_errors()).map(|d| pb::Deferred {
        reason: deferred_reason(d) as i32,
    })
}

fn deferred_reason(d: Deferred) -> pb::deferred::Reason {
    match d {
        Deferred::ResourceConfigUnknown => pb::deferred::Reason::ResourceConfigUnknown,
        Deferred::ProviderConfigUnknown => pb::deferred::Reason::ProviderConfigUnknown,
        Deferred::AbsentPrerequisite => pb::deferred::Reason::AbsentPrereq,
    }
}
