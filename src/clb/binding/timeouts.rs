//! The `timeouts` block: Go-style duration strings such as `"10m"`, `"90s"` or `"1h30m"`.

use std::time::Duration;

/// How long create and delete wait by default, including the asynchronous task.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Parses a duration written as a sequence of `<number><unit>` with units `h`, `m`, `s`, `ms`.
///
/// The same spelling Terraform users know from other providers' `timeouts` blocks. Fractions are
/// allowed (`"1.5h"`); the total must be greater than zero.
pub(crate) fn parse_duration(raw: &str) -> Result<Duration, String> {
    let s = raw.trim();
    let explain = |why: &str| {
        format!(
            "{raw:?} is not a valid duration ({why}). Write a number followed by a unit h, m, s or ms, for example \"10m\", \"90s\" or \"1h30m\"."
        )
    };
    if s.is_empty() {
        return Err(explain("it is empty"));
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(explain("a unit has no number before it"));
        }
        let number: f64 = rest[..num_len]
            .parse()
            .map_err(|_| explain("a number is malformed"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "" => return Err(explain("the last number has no unit")),
            other => return Err(explain(&format!("unknown unit {other:?}"))),
        };
        rest = &rest[unit_len..];
        total += number * seconds_per_unit;
    }
    if total <= 0.0 || !total.is_finite() {
        return Err(explain("it must be greater than zero"));
    }
    // A week is far beyond any sensible wait and keeps the conversion in range.
    if total > 7.0 * 24.0 * 3600.0 {
        return Err(explain("it is longer than a week"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// The timeout to use for an optional configured value: the parsed value, or the default.
pub(crate) fn timeout_or_default(configured: Option<&str>) -> Result<Duration, String> {
    match configured {
        None => Ok(DEFAULT_TIMEOUT),
        Some(s) => parse_duration(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration(" 2m30s ").unwrap(), Duration::from_secs(150));
    }

    #[test]
    fn invalid() {
        for bad in [
            "", "10", "m", "10x", "0s", "-5m", "1h30", "10 m", "1..5s", "200h",
        ] {
            let e = parse_duration(bad).expect_err(bad);
            assert!(e.contains("for example \"10m\""), "{bad}: {e}");
        }
    }

    #[test]
    fn default() {
        assert_eq!(timeout_or_default(None).unwrap(), DEFAULT_TIMEOUT);
        assert_eq!(
            timeout_or_default(Some("5m")).unwrap(),
            Duration::from_secs(300)
        );
    }
}
