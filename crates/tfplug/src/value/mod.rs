//! cty values: types, the value tree with null and unknown, msgpack and JSON codecs driven by
//! the type, attribute paths, and a serde bridge so resources work with plain Rust structs.

mod json;
mod msgpack;
mod number;
mod path;
mod serde_bridge;
mod types;
#[allow(clippy::module_inception)]
mod value;

pub use json::{from_json, from_json_slice, to_json};
pub use msgpack::{from_msgpack, to_msgpack};
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use serde_bridge::{Unknowable, from_value, to_value};
pub use types::Type;
pub use value::Value;

/// A value could not be encoded, decoded or converted. The message names where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    /// Human-readable reason, including the attribute path when known.
    pub message: String,
    /// Where in the value the problem is.
    pub path: AttributePath,
}

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ValueError {
            message: message.into(),
            path: AttributePath::root(),
        }
    }
    pub(crate) fn at(path: &AttributePath, message: impl Into<String>) -> Self {
        let message = message.into();
        let message = if path.is_root() {
            message
        } else {
            // Map keys in the path come from the input; keep the message bounded.
            format!("{}: {message}", excerpt(&path.to_string(), 200))
        };
        ValueError {
            message,
            path: path.clone(),
        }
    }
}

/// At most `max_chars` characters of `text`, with `…` when cut: how untrusted input is quoted
/// in an error, so a huge value cannot make a huge message.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
