//! The go-plugin handshake: magic cookie, protocol version, listener, and the handshake line.

use std::net::SocketAddr;

use base64::Engine;
use tokio::net::TcpListener;

/// Environment variable carrying Terraform's magic cookie.
pub const COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform sets; a plugin started any other way is being run by hand.
pub const COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only application protocol we speak.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's core protocol version, the first handshake field.
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// Message for people who start the binary themselves.
pub const NOT_A_COMMAND: &str = "This is a Terraform provider plugin, not a command to run by hand.\n\
Terraform starts it when a configuration uses the provider: run `terraform init` and `terraform plan`.\n\
To attach a debugger, start it with --debug and export the TF_REATTACH_PROVIDERS value it prints.";

/// True when the magic cookie in the environment is Terraform's.
pub fn cookie_ok(value: Option<&str>) -> bool {
    value == Some(COOKIE_VALUE)
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (comma list). Absent means the
/// client did not negotiate, in which case we offer ours.
pub fn negotiate_version(offered: Option<&str>) -> Result<u32, String> {
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
pub async fn bind_in_range(min: u16, max: u16) -> std::io::Result<TcpListener> {
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

/// Reads `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`; unset or invalid means any port.
pub fn port_range(min: Option<&str>, max: Option<&str>) -> (u16, u16) {
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
    fn cookie() {
        assert!(cookie_ok(Some(COOKIE_VALUE)));
        assert!(!cookie_ok(Some("nope")));
        assert!(!cookie_ok(None));
    }
}
