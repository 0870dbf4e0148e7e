//! A small CAM policy evaluator: `version 2.0`, statements with `effect`, `action` and
//! `resource` (a string or a list each), `*` wildcards, explicit deny wins. Conditions and
//! principals are not modelled.

use serde::{Deserialize, Serialize};

/// A CAM policy document as written in the console or passed as `Policy` to AssumeRole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// Always `2.0`.
    pub version: String,
    /// The statements.
    pub statement: Vec<Statement>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// `allow` or `deny`.
    pub effect: String,
    /// `name/<svc>:<Action>` patterns (the `name/` prefix is optional).
    pub action: OneOrMany,
    /// Six-segment resource patterns, or `*`.
    #[serde(default = "OneOrMany::any")]
    pub resource: OneOrMany,
}

/// A policy field written as one string or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// `"x"`
    One(String),
    /// `["x", "y"]`
    Many(Vec<String>),
}

impl OneOrMany {
    fn any() -> Self {
        OneOrMany::One("*".into())
    }
    fn items(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

/// `*` matches any run of characters; everything else literally, ignoring ASCII case for actions.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'*') {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

impl PolicyDocument {
    /// A policy allowing everything.
    pub(crate) fn allow_all() -> Self {
        PolicyDocument {
            version: "2.0".into(),
            statement: vec![Statement {
                effect: "allow".into(),
                action: OneOrMany::One("*".into()),
                resource: OneOrMany::any(),
            }],
        }
    }

    /// Checks the version and effects.
    pub fn check(&self) -> Result<(), String> {
        if self.version != "2.0" {
            return Err(format!(
                "version is {:?}; CAM policies use \"2.0\"",
                self.version
            ));
        }
        for s in &self.statement {
            if !matches!(s.effect.as_str(), "allow" | "deny") {
                return Err(format!("effect {:?} is neither allow nor deny", s.effect));
            }
        }
        Ok(())
    }

    /// Parses a session policy as AssumeRole receives it (URL-encoded JSON, or plain JSON).
    pub(crate) fn parse_session(text: &str) -> Result<Self, String> {
        let decoded = percent_decode(text);
        let value: serde_json::Value =
            serde_json::from_str(&decoded).map_err(|e| format!("not JSON ({e})"))?;
        if value
            .to_string()
            .to_ascii_lowercase()
            .contains("\"principal\"")
        {
            return Err("a session policy must not name a principal".into());
        }
        let doc: PolicyDocument =
            serde_json::from_value(value).map_err(|e| format!("not a CAM policy ({e})"))?;
        doc.check()?;
        Ok(doc)
    }

    /// Whether `operation` (`clb:AssociateTargetGroups`) on `resource` is allowed: some allow
    /// matches and no deny does.
    pub fn allows(&self, operation: &str, resource: &str) -> bool {
        let matches = |s: &Statement| {
            s.action.items().iter().any(|a| {
                let a = a.strip_prefix("name/").unwrap_or(a);
                glob(a, operation)
            }) && s.resource.items().iter().any(|r| glob(r, resource))
        };
        let mut allowed = false;
        for s in self.statement.iter().filter(|s| matches(s)) {
            if s.effect == "deny" {
                return false;
            }
            allowed = true;
        }
        allowed
    }
}

fn percent_decode(text: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> PolicyDocument {
        PolicyDocument::parse_session(json).unwrap()
    }

    #[test]
    fn allow_deny_and_wildcards() {
        let p = doc(r#"{"version":"2.0","statement":[
            {"effect":"allow","action":["name/clb:*"],"resource":"*"},
            {"effect":"deny","action":"clb:Associate*","resource":["qcs::clb:ap-guangzhou:uin/1:clb/lb-a"]}]}"#);
        assert!(p.allows("clb:DescribeListeners", "*"));
        assert!(p.allows(
            "clb:AssociateTargetGroups",
            "qcs::clb:ap-guangzhou:uin/1:clb/lb-b"
        ));
        assert!(!p.allows(
            "clb:AssociateTargetGroups",
            "qcs::clb:ap-guangzhou:uin/1:clb/lb-a"
        ));
        assert!(!p.allows("cvm:RunInstances", "*"));
        assert!(PolicyDocument::allow_all().allows("clb:AssociateTargetGroups", "x"));
    }

    #[test]
    fn session_policies_are_url_decoded_and_checked() {
        let p = doc(
            "%7B%22version%22%3A%222.0%22%2C%22statement%22%3A%5B%7B%22effect%22%3A%22allow%22%2C%22action%22%3A%22clb%3ADescribe%2A%22%7D%5D%7D",
        );
        assert!(p.allows("clb:DescribeTargetGroups", "anything"));
        assert!(!p.allows("clb:AssociateTargetGroups", "anything"));
        assert!(PolicyDocument::parse_session("{").is_err());
        assert!(PolicyDocument::parse_session(r#"{"version":"1.0","statement":[]}"#).is_err());
        assert!(PolicyDocument::parse_session(
            r#"{"version":"2.0","statement":[{"effect":"allow","action":"*","principal":{"qcs":["x"]}}]}"#
        )
        .is_err());
    }
}
