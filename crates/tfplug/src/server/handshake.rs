//! The go-plugin handshake: magic cookie, protocol version, listener, and the handshake line.

use std::net::SocketAddr;

use base64::Engine;
use tokio::net::TcpListener;

/// Environment variable carrying Terraform's magic cookie.
pub const COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform sets; a plugin started any other way is being run by hand.
pub const COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only application protocol we speak.
pub(crate) const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's core protocol version, the first handshake field.
pub(crate) const CORE_PROTOCOL_VERSION: u32 = 1;

/// Message for people who start the binary themselves.
pub(crate) const NOT_A_COMMAND: &str = "This is a Terraform provider plugin, not a command to run by hand.\n\
Terraform starts it when a configuration uses the provider: run `terraform init` and `terraform plan`.\n\
To attach a debugger, start it with --debug and export the TF_REATTACH_PROVIDERS value it prints.";

/// True when the magic cookie in the environment is Terraform's.
pub(crate) fn cookie_ok(value: Option<&str>) -> bool {
    value == Some(COOKIE_VALUE)
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (comma list). Absent means the
/// client did not negotiate, in which case we offer ours.
pub(crate) fn negotiate_version(offered: Option<&str>) -> Result<u32, String> {
    let Some(list) = offered.filter(|s| !s.trim().is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let ok = list
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if ok {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(format!(
            "This provider speaks plugin protocol {PROTOCOL_VERSION}, but the client offered only \
             {list:?}. Use Terraform 1.0 or later."
        ))
    }
}

/// Binds the first free port of `min..=max` on 127.0.0.1 (port 0 = any free port).
pub(crate) async fn bind_in_range(min: u16, max: u16) -> std::io::Result<TcpListener> {
    if min == 0 || max < min {
        return TcpListener::bind(("127.0.0.1", 0)).await;
    }
    let mut last = None;
    for port in min..=max {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port in range")))
}

/// Where Terraform (go-plugin's AutoMTLS) puts its client certificate, PEM.
pub(crate) const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";
/// Terraform's switch to turn AutoMTLS off (meant for test harnesses).
pub(crate) const DISABLE_TLS_KEY: &str = "TF_DISABLE_PLUGIN_TLS";

/// Whether TLS was explicitly turned off. Terraform decides with `os.Getenv(...) == ""`, so
/// any non-empty value disables it ("1", but also "0" or "false"); unset or empty does not.
pub(crate) fn tls_disabled(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// The transport of a plugin Terraform started (magic cookie checked), from `PLUGIN_CLIENT_CERT`
/// and `TF_DISABLE_PLUGIN_TLS`. Without a client certificate the only safe answer is to refuse:
/// serving plaintext would let any local process that finds the port drive the provider with
/// its credentials, so plaintext needs TLS to be turned off explicitly.
pub(crate) fn managed_transport(
    client_cert: Option<&str>,
    disable_tls: Option<&str>,
) -> Result<super::Transport, String> {
    if tls_disabled(disable_tls) {
        return Ok(super::Transport::Plaintext);
    }
    match client_cert.filter(|c| !c.trim().is_empty()) {
        Some(pem) => Ok(super::Transport::MutualTls {
            client_cert_pem: pem.to_string(),
        }),
        None => Err(format!(
            "Started by Terraform without {CLIENT_CERT_KEY}: the client sent no certificate to pin, so \
             the connection cannot use mutual TLS, and this provider does not serve in plaintext unless \
             TLS is turned off explicitly. Run it from Terraform 1.0 or later (which sends the certificate), \
             or set {DISABLE_TLS_KEY}=1 for both Terraform and the provider if plaintext is intended."
        )),
    }
}

/// Reads `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`; unset or invalid means any port.
pub(crate) fn port_range(min: Option<&str>, max: Option<&str>) -> (u16, u16) {
    let parse = |v: Option<&str>| v.and_then(|s| s.trim().parse::<u16>().ok()).unwrap_or(0);
    (parse(min), parse(max))
}

/// The line go-plugin reads from our stdout: `1|6|tcp|ADDR|grpc|CERT`, where CERT is the DER
/// of our certificate in standard base64 *without* padding (the client rejects padding).
pub fn handshake_line(addr: SocketAddr, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert}")
}

/// The `TF_REATTACH_PROVIDERS` JSON for a debug server. `Test: true` is required for
/// protocol 6 (without it Terraform 1.11 treats the provider as protocol 5 and crashes).
pub fn reattach_json(address: &str, addr: SocketAddr, pid: u32) -> String {
    serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "tcp", "String": addr.to_string() },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_negotiation() {
        assert_eq!(negotiate_version(Some("5,6")), Ok(6));
        assert_eq!(negotiate_version(None), Ok(6));
        assert!(negotiate_version(Some("4,5")).is_err());
    }

    #[test]
    fn line_has_unpadded_cert() {
        let line = handshake_line("127.0.0.1:10001".parse().unwrap(), Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|tcp|127.0.0.1:10001|grpc|AQIDBA");
    }

    #[test]
    fn tls_disabled_as_terraform_reads_it() {
        for on in ["1", "0", "false", "true", " "] {
            assert!(tls_disabled(Some(on)), "{on:?}");
        }
        assert!(!tls_disabled(Some("")));
        assert!(!tls_disabled(None));
    }

    #[test]
    fn managed_transport_refuses_plaintext_unless_disabled() {
        use super::super::Transport;
        assert!(matches!(
            managed_transport(Some("PEM"), None),
            Ok(Transport::MutualTls { client_cert_pem }) if client_cert_pem == "PEM"
        ));
        assert!(matches!(
            managed_transport(Some("PEM"), Some("1")),
            Ok(Transport::Plaintext)
        ));
        assert!(matches!(
            managed_transport(None, Some("0")),
            Ok(Transport::Plaintext)
        ));
        for cert in [None, Some(""), Some("  \n")] {
            for disable in [None, Some("")] {
                let e = managed_transport(cert, disable).unwrap_err();
                assert!(
                    e.contains(CLIENT_CERT_KEY) && e.contains(DISABLE_TLS_KEY),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn cookie() {
        assert!(cookie_ok(Some(COOKIE_VALUE)));
        assert!(!cookie_ok(Some("nope")));
        assert!(!cookie_ok(None));
    }
}
