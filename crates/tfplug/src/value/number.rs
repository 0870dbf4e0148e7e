//! Arbitrary-precision cty numbers, kept as exact decimal text when they fit no machine type.

use std::fmt;
use std::str::FromStr;

/// A cty number. Constructors normalise, so equal numbers compare equal.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// Exactly representable as `i64`.
    Int(i64),
    /// A non-integer (or huge integral) finite or infinite float.
    Float(f64),
    /// Exact decimal text for numbers beyond `i64` that must not lose precision.
    Big(String),
}

impl Number {
    /// From a float; integral values in `i64` range become [`Number::Int`].
    pub fn from_f64(f: f64) -> Number {
        if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
            Number::Int(f as i64)
        } else {
            Number::Float(f)
        }
    }

    /// From a decimal string such as `"18446744073709551616"` or `"1.5"`; `None` if not a number.
    pub fn parse(s: &str) -> Option<Number> {
        let s = s.trim();
        if let Ok(i) = i64::from_str(s) {
            return Some(Number::Int(i));
        }
        let valid = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
            && s.chars().any(|c| c.is_ascii_digit());
        if !valid {
            return None;
        }
        let f = f64::from_str(s).ok()?;
        if !f.is_finite() {
            return Some(Number::Big(s.to_string()));
        }
        // "1.50" and "1.5" are the same number; compare without insignificant zeros.
        let trimmed = if s.contains('.') && !s.contains(['e', 'E']) {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            s
        };
        let exact = format_f64(f) == trimmed;
        if exact || (f.fract() == 0.0 && !trimmed.contains('.') && f.abs() < 9.0e15) {
            Some(Number::from_f64(f))
        } else {
            // Keep the exact text when a float would round it.
            Some(Number::Big(s.to_string()))
        }
    }

    /// As `i64` if exactly representable.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// As `f64` (may round).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => f64::from_str(s).unwrap_or(f64::NAN),
        }
    }
}

fn format_f64(f: f64) -> String {
    f.to_string()
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{}", format_f64(*x)),
            Number::Big(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}
