//! Typed access to request parameters with the API's error codes: unknown keys give
//! `UnknownParameter`, missing required ones `MissingParameter`, wrong JSON types
//! `InvalidParameter`.

use crate::error::ApiFailure;
use serde_json::{Map, Value};

/// A JSON object of request parameters, with the path used in error messages.
pub(crate) struct Params<'a> {
    obj: &'a Map<String, Value>,
    path: String,
}

impl<'a> Params<'a> {
    /// Wraps the top-level body, rejecting anything but a JSON object.
    pub fn top(body: &'a Value) -> Result<Self, ApiFailure> {
        match body {
            Value::Object(obj) => Ok(Params {
                obj,
                path: String::new(),
            }),
            _ => Err(ApiFailure::new(
                "InvalidParameter.FormatError",
                "The request body must be a JSON object.",
            )),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Rejects keys outside `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiFailure> {
        match self.obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ApiFailure::new(
                "UnknownParameter",
                format!("The parameter `{}` is not recognized.", self.name(k)),
            )),
            None => Ok(()),
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        // An explicit null is what the SDKs never send; treat it as absent like the real API.
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn type_error(&self, key: &str, want: &str) -> ApiFailure {
        ApiFailure::new(
            "InvalidParameter",
            format!("The parameter `{}` must be {want}.", self.name(key)),
        )
    }

    fn missing(&self, key: &str) -> ApiFailure {
        ApiFailure::new(
            "MissingParameter",
            format!("The parameter `{}` is missing.", self.name(key)),
        )
    }

    /// An optional string.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ApiFailure> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.type_error(key, "a string")),
        }
    }

    /// A required, non-empty string.
    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, ApiFailure> {
        match self.opt_str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.missing(key)),
        }
    }

    /// An optional integer.
    pub(crate) fn opt_i64(&self, key: &str) -> Result<Option<i64>, ApiFailure> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.type_error(key, "an integer")),
            Some(_) => Err(self.type_error(key, "an integer")),
        }
    }

    /// An optional non-negative integer (uint64 fields such as Limit and Offset).
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, ApiFailure> {
        match self.opt_i64(key)? {
            None => Ok(None),
            Some(n) if n >= 0 => Ok(Some(n as u64)),
            Some(_) => Err(ApiFailure::new(
                "InvalidParameterValue.Range",
                format!("The parameter `{}` must not be negative.", self.name(key)),
            )),
        }
    }

    /// An optional array of strings.
    pub(crate) fn opt_str_list(&self, key: &str) -> Result<Option<Vec<&'a str>>, ApiFailure> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| self.type_error(key, "an array of strings"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.type_error(key, "an array of strings")),
        }
    }

    /// An optional array of objects, each wrapped for nested access.
    pub(crate) fn opt_objects(&self, key: &str) -> Result<Option<Vec<Params<'a>>>, ApiFailure> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(obj) => Ok(Params {
                        obj,
                        path: format!("{}.{i}", self.name(key)),
                    }),
                    _ => Err(self.type_error(key, "an array of objects")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.type_error(key, "an array of objects")),
        }
    }

    /// A required array of objects.
    pub(crate) fn req_objects(&self, key: &str) -> Result<Vec<Params<'a>>, ApiFailure> {
        self.opt_objects(key)?.ok_or_else(|| self.missing(key))
    }

    /// The dotted path of this object in the request, for messages (`Associations.0`).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A `Filter` (`Name`, `Values`) from a request.
pub struct Filter<'a> {
    /// Filter name.
    pub name: &'a str,
    /// Accepted values.
    pub values: Vec<&'a str>,
}

/// Reads the optional `Filters` array.
pub fn filters<'a>(p: &Params<'a>) -> Result<Vec<Filter<'a>>, ApiFailure> {
    let mut out = Vec::new();
    for f in p.opt_objects("Filters")?.unwrap_or_default() {
        f.only(&["Name", "Values"])?;
        let name = f.req_str("Name")?;
        let values = f
            .opt_str_list("Values")?
            .ok_or_else(|| f.missing("Values"))?;
        out.push(Filter { name, values });
    }
    Ok(out)
}

/// Offset and Limit with the API's defaults (0 and 20) and an upper bound on Limit.
pub fn page(p: &Params, max_limit: u64) -> Result<(usize, usize), ApiFailure> {
    let offset = p.opt_u64("Offset")?.unwrap_or(0);
    let limit = match p.opt_u64("Limit")? {
        None | Some(0) => 20,
        Some(l) if l > max_limit => {
            return Err(ApiFailure::new(
                "InvalidParameterValue.Range",
                format!("Limit must be within [0, {max_limit}]."),
            ));
        }
        Some(l) => l,
    };
    Ok((
        usize::try_from(offset).unwrap_or(usize::MAX),
        limit as usize,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_for_unknown_missing_and_mistyped() {
        let body = json!({"A": "x", "N": 1.5, "L": [1], "O": [{"K": "v"}]});
        let p = Params::top(&body).unwrap();
        assert_eq!(p.only(&["A"]).unwrap_err().code, "UnknownParameter");
        assert_eq!(p.req_str("B").unwrap_err().code, "MissingParameter");
        assert_eq!(p.opt_i64("N").unwrap_err().code, "InvalidParameter");
        assert_eq!(p.opt_str_list("L").unwrap_err().code, "InvalidParameter");
        let o = p.req_objects("O").unwrap();
        let e = o[0].only(&["X"]).unwrap_err();
        assert_eq!(e.code, "UnknownParameter");
        assert!(e.message.contains("O.0.K"), "{}", e.message);
        assert_eq!(
            Params::top(&json!([1])).err().unwrap().code,
            "InvalidParameter.FormatError"
        );
    }

    #[test]
    fn paging_defaults_and_bounds() {
        let body = json!({});
        assert_eq!(page(&Params::top(&body).unwrap(), 100).unwrap(), (0, 20));
        let body = json!({"Offset": 5, "Limit": 101});
        assert_eq!(
            page(&Params::top(&body).unwrap(), 100).unwrap_err().code,
            "InvalidParameterValue.Range"
        );
        let body = json!({"Offset": -1});
        assert!(page(&Params::top(&body).unwrap(), 100).is_err());
    }
}
