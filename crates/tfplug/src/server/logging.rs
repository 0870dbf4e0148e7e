//! hclog-style JSON log lines on stderr, so Terraform keeps their level under `TF_LOG`.
//!
//! go-plugin parses each stderr line of a plugin; JSON lines with `@level` and `@message` are
//! re-logged at that level as `provider.terraform-provider-…`. stdout stays reserved for the
//! handshake line.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;

/// Maps a `TF_LOG`-style value to a maximum level (`None` = off).
pub(crate) fn level_from_env(provider: Option<&str>, global: Option<&str>) -> Option<Level> {
    let raw = provider
        .filter(|s| !s.is_empty())
        .or(global.filter(|s| !s.is_empty()));
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("trace" | "json" | "1") => Some(Level::TRACE),
        Some("debug") => Some(Level::DEBUG),
        Some("info") => Some(Level::INFO),
        Some("warn") => Some(Level::WARN),
        Some("error") => Some(Level::ERROR),
        Some("off") => None,
        // Unset or unrecognised: warnings and errors only.
        _ => Some(Level::WARN),
    }
}

/// Which log targets show at the level Terraform asks for (`TF_LOG_PROVIDER`/`TF_LOG`). The
/// provider binary chooses: the framework knows no crate names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    /// Targets (crate names or module paths) logged at the requested level; empty = all.
    targets: Vec<String>,
    /// The most verbose level for every other target.
    others: Level,
}

impl LogFilter {
    /// Every target at the requested level.
    pub fn everything() -> Self {
        LogFilter {
            targets: Vec::new(),
            others: Level::TRACE,
        }
    }

    /// `targets` at the requested level; every other target (dependencies such as h2 or
    /// rustls) at most at `others`.
    pub fn targets<I, S>(targets: I, others: Level) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        LogFilter {
            targets: targets.into_iter().map(Into::into).collect(),
            others,
        }
    }

    /// The tracing filter for a requested maximum `level`.
    pub fn build(&self, level: Level) -> tracing_subscriber::filter::Targets {
        if self.targets.is_empty() {
            return tracing_subscriber::filter::Targets::new().with_default(level);
        }
        // `Level` orders by verbosity: the smaller of the two is the less verbose.
        self.targets.iter().fold(
            tracing_subscriber::filter::Targets::new().with_default(self.others.min(level)),
            |f, t| f.with_target(t.clone(), level),
        )
    }
}

/// Installs the stderr JSON logger (once per process; later calls are ignored).
pub fn init(filter: &LogFilter) {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    if let Some(level) = level {
        let _ = tracing_subscriber::registry()
            .with(HclogLayer.with_filter(filter.build(level)))
            .try_init();
    }
}

/// Formats events as hclog JSON.
pub(crate) struct HclogLayer;

struct Fields {
    message: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.extra.insert(field.name().to_string(), value.into());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.extra.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.extra.insert(field.name().to_string(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.extra.insert(field.name().to_string(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        if field.name() == "message" {
            self.message = s;
        } else {
            self.extra.insert(field.name().to_string(), s.into());
        }
    }
}

/// Renders one event as an hclog JSON line (without the newline).
pub(crate) fn format_line(
    level: &Level,
    target: &str,
    message: &str,
    extra: serde_json::Map<String, serde_json::Value>,
) -> String {
    let level = match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    // go-plugin parses exactly hclog's layout (microseconds, `Z`); anything else makes it
    // print the raw line at debug level instead of honouring @level.
    let ts = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .unwrap_or_default();
    let mut obj = extra;
    obj.insert("@level".into(), level.into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), target.replace("::", ".").into());
    obj.insert("@timestamp".into(), ts.into());
    serde_json::Value::Object(obj).to_string()
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields {
            message: String::new(),
            extra: serde_json::Map::new(),
        };
        event.record(&mut fields);
        let meta = event.metadata();
        let line = format_line(meta.level(), meta.target(), &fields.message, fields.extra);
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_level_wins() {
        assert_eq!(
            level_from_env(Some("debug"), Some("error")),
            Some(Level::DEBUG)
        );
        assert_eq!(level_from_env(None, Some("off")), None);
        assert_eq!(level_from_env(None, None), Some(Level::WARN));
    }

    #[test]
    fn filter_caps_other_targets_only_when_asked() {
        use tracing_subscriber::filter::Targets;
        let own = LogFilter::targets(["my_provider"], Level::WARN).build(Level::DEBUG);
        let expected = Targets::new()
            .with_default(Level::WARN)
            .with_target("my_provider", Level::DEBUG);
        assert_eq!(own.to_string(), expected.to_string());
        // A quieter request than the cap wins for everything.
        let quiet = LogFilter::targets(["my_provider"], Level::WARN).build(Level::ERROR);
        assert_eq!(
            quiet.to_string(),
            Targets::new()
                .with_default(Level::ERROR)
                .with_target("my_provider", Level::ERROR)
                .to_string()
        );
        assert_eq!(
            LogFilter::everything().build(Level::INFO).to_string(),
            Targets::new().with_default(Level::INFO).to_string()
        );
    }

    #[test]
    fn line_is_hclog_json() {
        let line = format_line(&Level::INFO, "a::b", "hello", Default::default());
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "info");
        assert_eq!(v["@message"], "hello");
        assert_eq!(v["@module"], "a.b");
        let ts = v["@timestamp"].as_str().unwrap();
        // 2026-01-02T03:04:05.123456Z
        assert_eq!(ts.len(), 27, "{ts}");
        assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
    }
}
