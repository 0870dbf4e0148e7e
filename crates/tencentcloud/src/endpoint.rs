//! Where requests go: the default public endpoint, `domain`/`protocol` overrides as in the official
//! Terraform provider, or a full URL (the local emulator).

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

use super::error::ConfigError;
use super::redact::without_user_info;

/// Default root domain of the public API.
pub(crate) const DEFAULT_DOMAIN: &str = "tencentcloudapi.com";

/// Endpoint settings as the user gives them.
#[derive(Clone, Default)]
pub struct EndpointOptions {
    /// `HTTPS` (default) or `HTTP`, case-insensitive; ignored when `endpoint` is set.
    pub protocol: Option<String>,
    /// Root domain; the host becomes `<service>.<domain>`. Ignored when `endpoint` is set.
    pub domain: Option<String>,
    /// Full URL override, e.g. `http://127.0.0.1:8080`; used for every service.
    pub endpoint: Option<String>,
    /// Allow plain HTTP to hosts that are not loopback.
    pub allow_insecure_http: bool,
}

impl fmt::Debug for EndpointOptions {
    /// Never shows user info an endpoint URL may carry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointOptions")
            .field("protocol", &self.protocol)
            .field("domain", &self.domain)
            .field("endpoint", &self.endpoint.as_deref().map(without_user_info))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

/// A validated endpoint for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// The URL the request is POSTed to (path `/`).
    pub url: Url,
    /// The `Host` header value, which is also the signed host: the URL's authority as sent
    /// (`host[:port]`, port only when not the scheme's default).
    pub host: String,
}

impl EndpointOptions {
    /// Resolves and validates the endpoint for `service` (e.g. `clb`).
    pub fn resolve(&self, service: &str) -> Result<ResolvedEndpoint, ConfigError> {
        let text = match self.endpoint.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => e.to_string(),
            _ => {
                let scheme = match self.protocol.as_deref().map(str::trim) {
                    None | Some("") => "https".to_string(),
                    Some(p) if p.eq_ignore_ascii_case("https") => "https".to_string(),
                    Some(p) if p.eq_ignore_ascii_case("http") => "http".to_string(),
                    Some(p) => {
                        return Err(ConfigError::Endpoint(format!(
                            "protocol {p:?} is not supported; use HTTPS or HTTP"
                        )));
                    }
                };
                let domain = match self.domain.as_deref().map(str::trim) {
                    None | Some("") => DEFAULT_DOMAIN,
                    Some(d) => d.trim_matches('.'),
                };
                format!("{scheme}://{service}.{domain}/")
            }
        };
        // Quoted in every error below; a password in the URL must not be.
        let shown = without_user_info(&text);
        let url = Url::parse(&text).map_err(|e| {
            ConfigError::Endpoint(format!(
                "{shown:?} is not a valid URL ({e}); give a full URL such as https://clb.tencentcloudapi.com or http://127.0.0.1:8080"
            ))
        })?;
        match url.scheme() {
            "https" | "http" => {}
            other => {
                return Err(ConfigError::Endpoint(format!(
                    "{shown:?} uses scheme {other:?}; only https:// and http:// are supported"
                )));
            }
        }
        let Some(host) = url.host_str() else {
            return Err(ConfigError::Endpoint(format!("{shown:?} has no host")));
        };
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError::Endpoint(format!(
                "{shown:?} has a path, query or fragment; API 3.0 requests always go to `/` of the host"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConfigError::Endpoint(format!(
                "{shown:?} contains user info; credentials belong in secret_id/secret_key"
            )));
        }
        if url.scheme() == "http" && !self.allow_insecure_http && !is_loopback(host) {
            return Err(ConfigError::InsecureHttp { url: shown });
        }
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(ResolvedEndpoint {
            url,
            host: authority,
        })
    }
}

/// True for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    let lower = bare.to_ascii_lowercase();
    lower == "localhost" || lower.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(endpoint: Option<&str>) -> EndpointOptions {
        EndpointOptions {
            endpoint: endpoint.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn default_is_public_https_clb() {
        let r = EndpointOptions::default().resolve("clb").unwrap();
        assert_eq!(r.url.as_str(), "https://clb.tencentcloudapi.com/");
        assert_eq!(r.host, "clb.tencentcloudapi.com");
    }

    #[test]
    fn domain_and_protocol_as_the_official_provider() {
        let o = EndpointOptions {
            domain: Some("internal.tencentcloudapi.com".into()),
            protocol: Some("HTTPS".into()),
            ..Default::default()
        };
        let r = o.resolve("clb").unwrap();
        assert_eq!(r.host, "clb.internal.tencentcloudapi.com");
        let o = EndpointOptions {
            protocol: Some("HTTP".into()),
            ..Default::default()
        };
        assert!(matches!(
            o.resolve("clb"),
            Err(ConfigError::InsecureHttp { .. })
        ));
        let o = EndpointOptions {
            protocol: Some("ftp".into()),
            ..Default::default()
        };
        assert!(
            o.resolve("clb")
                .unwrap_err()
                .to_string()
                .contains("HTTPS or HTTP")
        );
    }

    #[test]
    fn full_url_override_keeps_the_port_in_the_host() {
        let r = opts(Some("http://127.0.0.1:18931")).resolve("clb").unwrap();
        assert_eq!(r.host, "127.0.0.1:18931");
        assert_eq!(r.url.as_str(), "http://127.0.0.1:18931/");
        let r = opts(Some("http://localhost:80/")).resolve("clb").unwrap();
        assert_eq!(r.host, "localhost");
        let r = opts(Some("http://[::1]:9000")).resolve("clb").unwrap();
        assert_eq!(r.host, "[::1]:9000");
        let r = opts(Some("https://clb.example.com:8443"))
            .resolve("clb")
            .unwrap();
        assert_eq!(r.host, "clb.example.com:8443");
    }

    #[test]
    fn plain_http_to_remote_hosts_needs_explicit_permission() {
        let err = opts(Some("http://10.0.0.5:8080"))
            .resolve("clb")
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("refusing plain HTTP") && msg.contains("allow_insecure_http"),
            "{msg}"
        );
        let o = EndpointOptions {
            endpoint: Some("http://10.0.0.5:8080".into()),
            allow_insecure_http: true,
            ..Default::default()
        };
        assert_eq!(o.resolve("clb").unwrap().host, "10.0.0.5:8080");
    }

    #[test]
    fn bad_urls_are_explained() {
        for bad in [
            "not a url",
            "ftp://x",
            "http://127.0.0.1:1/path",
            "127.0.0.1:8080",
        ] {
            let err = opts(Some(bad)).resolve("clb");
            assert!(err.is_err(), "{bad} accepted");
        }
    }
}
