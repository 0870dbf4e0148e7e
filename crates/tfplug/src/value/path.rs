//! Attribute paths: where in a value a diagnostic or a replacement applies.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathStep {
    /// An object attribute or nested block name.
    Attr(String),
    /// A map key (or a map-nested block label).
    Key(String),
    /// A list or tuple index.
    Index(i64),
}

/// A path from the root of a resource or provider object to one value inside it.
///
/// Built fluently: `AttributePath::root().attr("timeouts").attr("create")`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttributePath {
    steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path (the whole object).
    pub fn root() -> Self {
        Self::default()
    }
    /// Shorthand for `AttributePath::root().attr(name)`.
    pub fn attr_root(name: impl Into<String>) -> Self {
        Self::root().attr(name)
    }
    /// Appends an attribute step.
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attr(name.into()));
        self
    }
    /// Appends a list index step.
    pub fn index(mut self, i: i64) -> Self {
        self.steps.push(PathStep::Index(i));
        self
    }
    /// Appends a map key step.
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.steps.push(PathStep::Key(k.into()));
        self
    }
    /// The steps, root first.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }
    /// True for the root path.
    pub(crate) fn is_root(&self) -> bool {
        self.steps.is_empty()
    }
    /// Builds a path from raw steps.
    pub(crate) fn from_steps(steps: Vec<PathStep>) -> Self {
        Self { steps }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            return f.write_str("(root)");
        }
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => f.write_str(name)?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl From<&str> for AttributePath {
    /// A top-level attribute.
    fn from(name: &str) -> Self {
        AttributePath::attr_root(name)
    }
}
