//! A Terraform provider registry (service `providers.v1`) over HTTPS on loopback, serving one
//! release folder exactly as `scripts/release` wrote it: the zips, `…_SHA256SUMS`, its `.sig`,
//! the signing key's `.asc` and the manifest. Nothing is rebuilt or re-hashed: the documents
//! carry what the folder says (the `shasum` of a zip is its line in SHA256SUMS), as a registry
//! that ingested the release would.
//!
//! Its certificate is for `localhost`, issued by a test CA made here; terraform trusts that CA
//! through `SSL_CERT_FILE` ([`Registry::ca_pem`]). Include it with
//! `#[path = "support/registry.rs"] mod registry;`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use http::{Response, StatusCode};
use serde_json::json;

const NAME: &str = "terraform-provider-tencentcloud";
/// The registry namespace and provider type it serves.
const NAMESPACE: &str = "tencentcloud";
const TYPE: &str = "tencentcloud";

/// A running registry; it serves until dropped.
pub struct Registry {
    _rt: tokio::runtime::Runtime,
    port: u16,
    ca_pem: String,
    key_id: String,
}

impl Registry {
    /// Serves the release in `folder` on a free loopback port.
    pub fn serve(folder: &Path) -> Self {
        let release = Arc::new(Release::read(folder));
        let key_id = release.key_id.clone();
        let (ca_pem, acceptor) = tls_for_localhost();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        rt.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, release) = (acceptor.clone(), release.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |req: http::Request<_>| {
                        let reply = release.answer(port, req.uri().path());
                        async move { Ok::<_, std::convert::Infallible>(reply) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Registry {
            _rt: rt,
            port,
            ca_pem,
            key_id,
        }
    }

    /// The registry's host name, as a provider source address spells it.
    pub fn host(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// Our provider's source address on this registry.
    pub fn source(&self) -> String {
        format!("{}/{NAMESPACE}/{TYPE}", self.host())
    }

    /// The test CA's certificate (PEM), for `SSL_CERT_FILE`.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The long key ID of the key the download documents publish (16 upper-case hex digits).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// A test CA and a server certificate for `localhost` issued by it: the CA's PEM (for
/// `SSL_CERT_FILE`) and an acceptor presenting the certificate.
pub fn tls_for_localhost() -> (String, tokio_rustls::TlsAcceptor) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "release tests registry CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca.der().clone()],
            rustls_pki_types::PrivatePkcs8KeyDer::from(server_key.serialize_der()).into(),
        )
        .unwrap();
    (ca.pem(), tokio_rustls::TlsAcceptor::from(Arc::new(tls)))
}

/// One platform's package, as the release folder lists it.
struct Package {
    os: String,
    arch: String,
    filename: String,
    /// Its line in SHA256SUMS.
    shasum: String,
}

/// A release folder, read once: what the registry's documents say about it.
struct Release {
    folder: PathBuf,
    version: String,
    protocols: Vec<String>,
    packages: Vec<Package>,
    sums_name: String,
    signature_name: String,
    key_id: String,
    key_armor: String,
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "the registry serves a release folder, and {} cannot be read: {e}",
            path.display()
        )
    })
}

impl Release {
    fn read(folder: &Path) -> Self {
        let sums_name = std::fs::read_dir(folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .find(|f| f.starts_with(NAME) && f.ends_with("_SHA256SUMS"))
            .unwrap_or_else(|| panic!("no {NAME}_VERSION_SHA256SUMS in {}", folder.display()));
        let version = sums_name[NAME.len() + 1..sums_name.len() - "_SHA256SUMS".len()].to_string();
        let prefix = format!("{NAME}_{version}_");

        // Every zip SHA256SUMS lists is a platform package; its name says the platform.
        let packages = read_text(&folder.join(&sums_name))
            .lines()
            .filter_map(|line| {
                let (hash, file) = line.split_once("  ")?;
                let os_arch = file.strip_prefix(&prefix)?.strip_suffix(".zip")?;
                let (os, arch) = os_arch.split_once('_')?;
                Some(Package {
                    os: os.to_string(),
                    arch: arch.to_string(),
                    filename: file.to_string(),
                    shasum: hash.to_string(),
                })
            })
            .collect::<Vec<_>>();
        assert!(!packages.is_empty(), "{sums_name} lists no zip");

        let manifest: serde_json::Value =
            serde_json::from_str(&read_text(&folder.join(format!("{prefix}manifest.json"))))
                .expect("the manifest is JSON");
        let protocols = manifest["metadata"]["protocol_versions"]
            .as_array()
            .expect("manifest metadata.protocol_versions")
            .iter()
            .map(|p| p.as_str().expect("a protocol version").to_string())
            .collect();

        let key_path = folder.join(format!("{prefix}signing-key.asc"));
        let key_armor = read_text(&key_path);
        let key_id = key_id_of(&key_path);
        Release {
            folder: folder.to_path_buf(),
            version,
            protocols,
            packages,
            signature_name: format!("{sums_name}.sig"),
            sums_name,
            key_id,
            key_armor,
        }
    }

    /// The reply to a GET of `path`.
    fn answer(&self, port: u16, path: &str) -> Response<Body> {
        let base = format!("https://localhost:{port}");
        let provider = format!("/v1/providers/{NAMESPACE}/{TYPE}/");
        if path == "/.well-known/terraform.json" {
            return json_reply(json!({"providers.v1": "/v1/providers/"}));
        }
        if let Some(rest) = path.strip_prefix(&provider) {
            if rest == "versions" {
                let platforms: Vec<_> = self
                    .packages
                    .iter()
                    .map(|p| json!({"os": p.os, "arch": p.arch}))
                    .collect();
                return json_reply(json!({"versions": [{
                    "version": self.version,
                    "protocols": self.protocols,
                    "platforms": platforms,
                }]}));
            }
            let parts: Vec<&str> = rest.split('/').collect();
            if let [version, "download", os, arch] = parts[..]
                && version == self.version
                && let Some(p) = self.packages.iter().find(|p| p.os == os && p.arch == arch)
            {
                return json_reply(json!({
                    "protocols": self.protocols,
                    "os": p.os,
                    "arch": p.arch,
                    "filename": p.filename,
                    "download_url": format!("{base}/files/{}", p.filename),
                    "shasums_url": format!("{base}/files/{}", self.sums_name),
                    "shasums_signature_url": format!("{base}/files/{}", self.signature_name),
                    "shasum": p.shasum,
                    "signing_keys": {"gpg_public_keys": [{
                        "key_id": self.key_id,
                        "ascii_armor": self.key_armor,
                    }]},
                }));
            }
        }
        // Only the files the documents point at.
        if let Some(file) = path.strip_prefix("/files/")
            && (file == self.sums_name
                || file == self.signature_name
                || self.packages.iter().any(|p| p.filename == file))
        {
            let body = std::fs::read(self.folder.join(file)).expect("a release file");
            return Response::builder()
                .header("content-type", "application/octet-stream")
                .body(Body::from(body))
                .unwrap();
        }
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"errors":["Not Found"]}"#))
            .unwrap()
    }
}

fn json_reply(value: serde_json::Value) -> Response<Body> {
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(value.to_string()))
        .unwrap()
}

/// The long key ID of the public key in the armoured file `key`, as gpg reads it (a public
/// registry derives it from the uploaded key the same way).
fn key_id_of(key: &Path) -> String {
    let home = tempfile::tempdir().expect("temp GNUPGHOME");
    let out = Command::new("gpg")
        .args(["--batch", "--with-colons", "--show-keys"])
        .arg(key)
        .env("GNUPGHOME", home.path())
        .output()
        .expect("gpg runs");
    let listing = String::from_utf8_lossy(&out.stdout);
    listing
        .lines()
        .find_map(|l| l.strip_prefix("pub:"))
        .and_then(|l| l.split(':').nth(3))
        .map(str::to_string)
        .unwrap_or_else(|| {
            panic!(
                "gpg found no public key in {}:\n{listing}{}",
                key.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        })
}
