//! The association ID: how one binding is named in Terraform state and on the import command line.
//!
//! Canonical forms (what this provider writes):
//! - layer 4: `lb-…#lbl-…#lbtg-…`
//! - layer 7: `lb-…#lbl-…#loc-…#lbtg-…`
//!
//! Accepted on import as well, so users of the official `tencentcloud_clb_target_group_attachment`
//! can migrate: that resource's ID `lbtg-…#lbl-…#lb-…#loc-…`, where the last part is empty for
//! layer 4 (`lbtg-…#lbl-…#lb-…#`) and the trailing `#` may also be left out.
//!
//! On import any form may end with `@REGION` (`lb-…#lbl-…#lbtg-…@ap-shanghai`), as
//! hashicorp/aws 6.x does: the binding is imported from that region instead of the provider's.

use std::fmt;

use serde::{Deserialize, Serialize};
use tfplug::diag::Diagnostic;
use tfplug::value::excerpt;

use crate::clb::binding::validate::check_region;

/// Separator between the parts of an association ID.
pub(crate) const SEPARATOR: char = '#';

/// The four coordinates of one target group binding. As a serde model it is also the
/// version-0 resource identity (the current one, [`crate::clb::binding::identity`], adds the
/// region).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AssociationId {
    /// Load balancer, `lb-…`.
    pub load_balancer_id: String,
    /// Listener, `lbl-…`.
    pub listener_id: String,
    /// Forwarding rule, `loc-…`; `None` for a layer-4 listener.
    pub location_id: Option<String>,
    /// Target group, `lbtg-…`.
    pub target_group_id: String,
}

/// Why an ID string could not be parsed. The message lists every accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}\n\n{}", ACCEPTED_FORMS)]
pub struct ParseIdError {
    /// What was wrong with the given string, in one sentence.
    pub problem: String,
}

impl ParseIdError {
    /// The error as a diagnostic with `summary` (the accepted forms in its detail).
    pub fn diagnostic(&self, summary: &str) -> Diagnostic {
        Diagnostic::error(summary, self.to_string())
    }

    /// The error of an import ID as a diagnostic: the accepted forms and the `@REGION` suffix.
    pub(crate) fn import_diagnostic(&self) -> Diagnostic {
        Diagnostic::error("Invalid import ID", format!("{self}\n{IMPORT_REGION_FORM}"))
    }
}

/// Human-readable list of the ID forms the importer accepts.
pub(crate) const ACCEPTED_FORMS: &str = "Accepted forms:\n  \
lb-xxxxxxxx#lbl-xxxxxxxx#lbtg-xxxxxxxx               (layer-4 listener)\n  \
lb-xxxxxxxx#lbl-xxxxxxxx#loc-xxxxxxxx#lbtg-xxxxxxxx  (layer-7 forwarding rule)\n  \
lbtg-xxxxxxxx#lbl-xxxxxxxx#lb-xxxxxxxx#loc-xxxxxxxx  (official provider's attachment ID, layer 7)\n  \
lbtg-xxxxxxxx#lbl-xxxxxxxx#lb-xxxxxxxx[#]            (official provider's attachment ID, layer 4)";

/// What an import ID may add to the [`ACCEPTED_FORMS`].
pub(crate) const IMPORT_REGION_FORM: &str = "On import, any of them may end with @REGION (e.g. \
@ap-shanghai) to import the binding from that region instead of the provider's.";

/// Separator between an import ID and the region it names.
pub(crate) const REGION_SEPARATOR: char = '@';

/// What an import ID names: the binding and, after `@`, its region (`None`: the provider's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportId {
    /// The binding.
    pub id: AssociationId,
    /// The region from an `@REGION` suffix.
    pub region: Option<String>,
}

impl ImportId {
    /// Parses `ID[@REGION]`, where ID is any form [`AssociationId::parse`] accepts.
    pub fn parse(raw: &str) -> Result<ImportId, ParseIdError> {
        let s = raw.trim();
        let Some((id, region)) = s.rsplit_once(REGION_SEPARATOR) else {
            return Ok(ImportId {
                id: AssociationId::parse(s)?,
                region: None,
            });
        };
        let region = region.trim();
        if let Err(problem) = check_region(region) {
            return Err(ParseIdError {
                problem: format!(
                    "The import ID {} names a region after '@' that is malformed: {problem}",
                    quoted(s)
                ),
            });
        }
        Ok(ImportId {
            id: AssociationId::parse(id)?,
            region: Some(region.to_string()),
        })
    }
}

impl AssociationId {
    /// Parses any accepted form (canonical or the official provider's attachment ID).
    pub fn parse(raw: &str) -> Result<AssociationId, ParseIdError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ParseIdError {
                problem: "The import ID is empty.".into(),
            });
        }
        // Five pieces are enough to tell every accepted form from a wrong one; an ID made of a
        // million '#' is not split a million times.
        let parts: Vec<&str> = s.splitn(5, SEPARATOR).collect();
        let id = if parts[0].starts_with("lbtg-") {
            Self::parse_official(s, &parts)?
        } else if parts[0].starts_with("lb-") {
            Self::parse_canonical(s, &parts)?
        } else {
            return Err(ParseIdError {
                problem: format!(
                    "The ID {} must start with a load balancer ID (lb-…) or, in the official provider's form, with a target group ID (lbtg-…).",
                    quoted(s)
                ),
            });
        };
        id.check_prefixes(s)?;
        Ok(id)
    }

    fn parse_canonical(s: &str, parts: &[&str]) -> Result<AssociationId, ParseIdError> {
        match parts {
            [lb, lbl, tg] => Ok(AssociationId {
                load_balancer_id: lb.to_string(),
                listener_id: lbl.to_string(),
                location_id: None,
                target_group_id: tg.to_string(),
            }),
            [lb, lbl, loc, tg] => Ok(AssociationId {
                load_balancer_id: lb.to_string(),
                listener_id: lbl.to_string(),
                location_id: Some(loc.to_string()),
                target_group_id: tg.to_string(),
            }),
            _ => Err(ParseIdError {
                problem: format!(
                    "The ID {} has {} parts separated by '#'; a canonical ID has 3 (layer 4) or 4 (layer 7).",
                    quoted(s),
                    part_count(s)
                ),
            }),
        }
    }

    fn parse_official(s: &str, parts: &[&str]) -> Result<AssociationId, ParseIdError> {
        let (tg, lbl, lb, loc) = match parts {
            [tg, lbl, lb] => (tg, lbl, lb, None),
            [tg, lbl, lb, ""] => (tg, lbl, lb, None),
            [tg, lbl, lb, loc] => (tg, lbl, lb, Some(loc.to_string())),
            _ => {
                return Err(ParseIdError {
                    problem: format!(
                        "The ID {} looks like the official provider's attachment ID (it starts with lbtg-) but has {} parts; that form has 3 or 4.",
                        quoted(s),
                        part_count(s)
                    ),
                });
            }
        };
        Ok(AssociationId {
            load_balancer_id: lb.to_string(),
            listener_id: lbl.to_string(),
            location_id: loc,
            target_group_id: tg.to_string(),
        })
    }

    fn check_prefixes(&self, s: &str) -> Result<(), ParseIdError> {
        let mut wrong = Vec::new();
        let mut check = |what: &str, value: &str, prefix: &str| {
            if !has_id_shape(value, prefix) {
                wrong.push(format!(
                    "{what} {} should look like {prefix}xxxxxxxx",
                    quoted(value)
                ));
            }
        };
        check("load balancer ID", &self.load_balancer_id, "lb-");
        check("listener ID", &self.listener_id, "lbl-");
        if let Some(loc) = &self.location_id {
            check("rule ID", loc, "loc-");
        }
        check("target group ID", &self.target_group_id, "lbtg-");
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(ParseIdError {
                problem: format!("The ID {} is malformed: {}.", quoted(s), wrong.join("; ")),
            })
        }
    }
}

/// How a part of an import ID is quoted in an error: in quotes, at most 100 characters.
fn quoted(text: &str) -> String {
    format!("{:?}", excerpt(text, 100))
}

fn part_count(s: &str) -> usize {
    s.matches(SEPARATOR).count() + 1
}

/// True when `value` is `prefix` followed by one or more ASCII letters or digits.
pub(crate) fn has_id_shape(value: &str, prefix: &str) -> bool {
    match value.strip_prefix(prefix) {
        Some(rest) => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()),
        None => false,
    }
}

impl fmt::Display for AssociationId {
    /// The canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location_id {
            Some(loc) => write!(
                f,
                "{}#{}#{}#{}",
                self.load_balancer_id, self.listener_id, loc, self.target_group_id
            ),
            None => write!(
                f,
                "{}#{}#{}",
                self.load_balancer_id, self.listener_id, self.target_group_id
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l4() -> AssociationId {
        AssociationId {
            load_balancer_id: "lb-demo0001".into(),
            listener_id: "lbl-tcp00001".into(),
            location_id: None,
            target_group_id: "lbtg-web00001".into(),
        }
    }

    fn l7() -> AssociationId {
        AssociationId {
            location_id: Some("loc-web00001".into()),
            listener_id: "lbl-http0001".into(),
            ..l4()
        }
    }

    #[test]
    fn canonical_round_trip() {
        assert_eq!(l4().to_string(), "lb-demo0001#lbl-tcp00001#lbtg-web00001");
        assert_eq!(
            l7().to_string(),
            "lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001"
        );
        assert_eq!(AssociationId::parse(&l4().to_string()).unwrap(), l4());
        assert_eq!(AssociationId::parse(&l7().to_string()).unwrap(), l7());
        assert_eq!(l4().location_id, None);
        assert!(l7().location_id.is_some());
    }

    #[test]
    fn official_forms() {
        assert_eq!(
            AssociationId::parse("lbtg-web00001#lbl-tcp00001#lb-demo0001#").unwrap(),
            l4()
        );
        assert_eq!(
            AssociationId::parse("lbtg-web00001#lbl-tcp00001#lb-demo0001").unwrap(),
            l4()
        );
        assert_eq!(
            AssociationId::parse("lbtg-web00001#lbl-http0001#lb-demo0001#loc-web00001").unwrap(),
            l7()
        );
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(
            AssociationId::parse("  lb-demo0001#lbl-tcp00001#lbtg-web00001\n").unwrap(),
            l4()
        );
    }

    #[test]
    fn malformed_ids_list_accepted_forms() {
        for bad in [
            "",
            "garbage",
            "lb-demo0001",
            "lb-demo0001#lbl-tcp00001",
            "lb-demo0001#lbl-tcp00001#loc-a#lbtg-b#extra",
            "lb-demo0001#lbtg-web00001#lbl-tcp00001",
            "lb-demo0001#lbl-tcp00001#loc-web00001",
            "lbtg-web00001#lbl-tcp00001",
            "lbtg-web00001#lbl-tcp00001#lb-demo0001#loc-x#y",
            "lb-#lbl-tcp00001#lbtg-web00001",
            "lb-demo0001#lbl-tcp00001#",
        ] {
            let err = AssociationId::parse(bad).expect_err(bad);
            let text = err.to_string();
            assert!(text.contains("Accepted forms"), "{bad}: {text}");
            assert!(
                text.contains("lb-xxxxxxxx#lbl-xxxxxxxx#lbtg-xxxxxxxx"),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_message_names_the_bad_part() {
        let err = AssociationId::parse("lb-demo0001#lbx-1#lbtg-web00001").unwrap_err();
        assert!(
            err.problem.contains("listener ID \"lbx-1\""),
            "{}",
            err.problem
        );
    }

    #[test]
    fn import_ids_may_name_a_region() {
        let plain = ImportId::parse("lb-demo0001#lbl-tcp00001#lbtg-web00001").unwrap();
        assert_eq!((plain.id, plain.region), (l4(), None));
        let sh =
            ImportId::parse(" lb-demo0001#lbl-http0001#loc-web00001#lbtg-web00001@ap-shanghai\n")
                .unwrap();
        assert_eq!((sh.id, sh.region.as_deref()), (l7(), Some("ap-shanghai")));
        let official =
            ImportId::parse("lbtg-web00001#lbl-tcp00001#lb-demo0001#@na-ashburn").unwrap();
        assert_eq!(official.id, l4());
        assert_eq!(official.region.as_deref(), Some("na-ashburn"));
        for bad in [
            "lb-demo0001#lbl-tcp00001#lbtg-web00001@",
            "lb-demo0001#lbl-tcp00001#lbtg-web00001@Shanghai",
            "lb-demo0001#lbl-tcp00001#lbtg-web00001@ap-shanghai@x",
        ] {
            let e = ImportId::parse(bad).unwrap_err();
            assert!(e.problem.contains("region after '@'"), "{bad}: {e}");
            let d = e.import_diagnostic();
            assert!(
                d.detail.contains("@REGION") && d.detail.contains("Accepted forms"),
                "{d:?}"
            );
        }
        // A malformed ID before a good region is refused for the ID.
        let e = ImportId::parse("lb-demo0001#lbx-1#lbtg-web00001@ap-shanghai").unwrap_err();
        assert!(e.problem.contains("listener ID"), "{e}");
    }

    #[test]
    fn id_shape() {
        assert!(has_id_shape("lb-abc123", "lb-"));
        assert!(!has_id_shape("lb-", "lb-"));
        assert!(!has_id_shape("lbl-abc", "lb-"));
        assert!(!has_id_shape("lb-ab#c", "lb-"));
        assert!(!has_id_shape("lb-ab c", "lb-"));
    }
}
