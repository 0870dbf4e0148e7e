//! `scripts/release`: the files a Terraform registry or a private mirror expects, and an offline
//! `terraform init` from the filesystem mirror it writes, whose lock file pins the zip's package.
//!
//! The network mirror it writes is served over HTTPS on loopback (a `localhost` certificate from
//! a test CA that only this `terraform` trusts, through `SSL_CERT_FILE`): Terraform checks the
//! zip against the `zh:` hash the mirror lists, so a wrong `zh:` is refused.
//!
//! SHA256SUMS is signed: `gpg --verify` of its `.sig` succeeds with the published `.asc` key
//! alone, and `sha256sum -c` accepts the files, as docs/releasing.md tells users to check.
//!
//! The test packages the debug build with the script's per-target path (`--target` this
//! machine's, `--binary` the debug build: the same packaging as a release, without a second,
//! optimised build). When `RELEASE_ARTIFACTS_DIR` names the output of a real `scripts/release`
//! (scripts/test sets it), that output is checked the same way.

#[path = "support/registry.rs"]
mod registry;
#[path = "support/release.rs"]
mod release;
mod support;

use release::{
    NAME, VERSION, ZipEntry, h1, read, root, sha256_hex, terraform_with as terraform_env,
    zip_entries,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The hashes recorded for our provider (the mirror's source address) in a lock file.
fn locked_hashes(lock: &str) -> Vec<String> {
    release::locked_hashes(lock, "terraform.local/tencentcloud/tencentcloud")
}

fn terraform(dir: &Path, cli_config: &Path, args: &[&str]) -> support::TfOutput {
    terraform_env(dir, cli_config, args, &[])
}

fn terraform_with(
    dir: &Path,
    cli_config: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
) -> support::TfOutput {
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    terraform_env(dir, cli_config, args, &env)
}

/// The published key verifies SHA256SUMS.sig (in a keyring holding nothing else), and
/// `sha256sum -c` accepts every file SHA256SUMS lists: a user's checks by hand.
fn check_signature(dir: &Path) {
    let sums = dir.join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    let sig = dir.join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"));
    let asc = dir.join(format!("{NAME}_{VERSION}_signing-key.asc"));
    let key = String::from_utf8(read(&asc)).unwrap();
    assert!(
        key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----") && !key.contains("PRIVATE"),
        "{} is not an armoured public key:\n{key}",
        asc.display()
    );
    let keyring = release::Keyring::new();
    assert!(
        !keyring.verifies(&sig, &sums),
        "an empty keyring verified the signature"
    );
    keyring.gpg(&["--import".as_ref(), asc.as_os_str()]);
    assert!(
        keyring.verifies(&sig, &sums),
        "gpg --verify {} with {} failed",
        sig.display(),
        asc.display()
    );
    // The signature covers SHA256SUMS exactly: one more line and it no longer verifies.
    let altered = tempfile::tempdir().unwrap();
    let altered_sums = altered.path().join("SHA256SUMS");
    let mut text = read(&sums);
    text.extend_from_slice(format!("{}  extra.zip\n", "0".repeat(64)).as_bytes());
    std::fs::write(&altered_sums, text).unwrap();
    assert!(!keyring.verifies(&sig, &altered_sums));

    let check = Command::new("sha256sum")
        .args(["-c", "--strict"])
        .arg(&sums)
        .current_dir(dir)
        .output()
        .expect("sha256sum runs");
    assert!(
        check.status.success(),
        "sha256sum -c {}:\n{}{}",
        sums.display(),
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Checks everything `scripts/release` wrote to `dir` for the provider `binary`.
fn check_release(dir: &Path, binary: &Path) {
    let platform = support::platform();
    let zip_name = format!("{NAME}_{VERSION}_{platform}.zip");
    let manifest_name = format!("{NAME}_{VERSION}_manifest.json");
    let zip_bytes = read(&dir.join(&zip_name));

    // The zip holds exactly the binary, under the name Terraform runs, executable.
    let entries = zip_entries(&dir.join(&zip_name));
    assert_eq!(
        entries,
        vec![ZipEntry {
            name: format!("{NAME}_v{VERSION}"),
            mode: 0o100755,
            sha256: sha256_hex(&read(binary)),
        }],
        "contents of {zip_name}"
    );

    // SHA256SUMS lists the zip and the manifest with their real hashes, in sha256sum's format.
    let sums = String::from_utf8(read(&dir.join(format!("{NAME}_{VERSION}_SHA256SUMS")))).unwrap();
    let mut listed: Vec<(String, String)> = sums
        .lines()
        .map(|l| {
            let (hash, file) = l.split_once("  ").expect("<hash>  <file>");
            (file.to_string(), hash.to_string())
        })
        .collect();
    listed.sort();
    let mut expected = vec![
        (zip_name.clone(), sha256_hex(&zip_bytes)),
        (
            manifest_name.clone(),
            sha256_hex(&read(&dir.join(&manifest_name))),
        ),
    ];
    expected.sort();
    assert_eq!(listed, expected, "SHA256SUMS");
    check_signature(dir);

    // Plugin protocol 6, in the registry manifest and its release-asset copy.
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("terraform-registry-manifest.json"))).unwrap();
    assert_eq!(manifest["version"], 1);
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
    assert_eq!(
        read(&dir.join("terraform-registry-manifest.json")),
        read(&dir.join(&manifest_name))
    );

    // The mirror (packed layout) holds the same zip.
    let mirrored = dir
        .join("mirror/terraform.local/tencentcloud/tencentcloud")
        .join(&zip_name);
    assert_eq!(read(&mirrored), zip_bytes, "{}", mirrored.display());

    // Install from the mirror with the CLI configuration written beside it: no network.
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("main.tf"), requiring_our_provider()).unwrap();
    let rc = dir.join("terraform.rc");
    terraform(work.path(), &rc, &["init", "-input=false", "-no-color"]).assert_success();
    // validate starts the installed provider for its schema: the binary runs.
    terraform(work.path(), &rc, &["validate", "-no-color"]).assert_success();

    // The lock pins the package: Terraform records the h1: hash of what it installed from a
    // filesystem mirror (zh:, the zip's sha256, only comes with a registry's signed SHA256SUMS;
    // if it ever appears, it must be the zip's).
    let lock = std::fs::read_to_string(work.path().join(".terraform.lock.hcl")).unwrap();
    let hashes = locked_hashes(&lock);
    assert!(
        hashes.contains(&h1(&entries)),
        "expected {} in:\n{lock}",
        h1(&entries)
    );
    for zh in hashes.iter().filter(|h| h.starts_with("zh:")) {
        assert_eq!(zh, &format!("zh:{}", sha256_hex(&zip_bytes)), "{lock}");
    }

    // A different package under the same version is refused against that lock.
    let tampered = tempfile::tempdir().unwrap();
    let tampered_dir = tampered
        .path()
        .join("mirror/terraform.local/tencentcloud/tencentcloud");
    std::fs::create_dir_all(&tampered_dir).unwrap();
    let status = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr(sys.argv[2], 'not the provider')",
        ])
        .arg(tampered_dir.join(&zip_name))
        .arg(format!("{NAME}_v{VERSION}"))
        .status()
        .unwrap();
    assert!(status.success());
    let tampered_rc = tampered.path().join("terraform.rc");
    std::fs::write(
        &tampered_rc,
        std::fs::read_to_string(&rc).unwrap().replace(
            &dir.join("mirror").display().to_string(),
            &tampered.path().join("mirror").display().to_string(),
        ),
    )
    .unwrap();
    std::fs::remove_dir_all(work.path().join(".terraform")).unwrap();
    let out = terraform(
        work.path(),
        &tampered_rc,
        &["init", "-input=false", "-no-color"],
    );
    let text = out
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !out.success() && text.contains("doesn't match any of the checksums"),
        "a tampered package was accepted:\n{text}"
    );
}

/// A static HTTPS file server on loopback for `root`, with the registry tests' `localhost`
/// certificate from a fresh test CA.
struct HttpsMirror {
    /// Serves until dropped.
    _rt: tokio::runtime::Runtime,
    port: u16,
    ca_pem: String,
}

impl HttpsMirror {
    fn serve(root: PathBuf) -> Self {
        let (ca_pem, acceptor) = registry::tls_for_localhost();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        rt.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, root) = (acceptor.clone(), root.clone());
                tokio::spawn(async move {
                    if let Ok(mut tls) = acceptor.accept(tcp).await {
                        let _ = answer(&mut tls, &root).await;
                    }
                });
            }
        });
        HttpsMirror {
            _rt: rt,
            port,
            ca_pem,
        }
    }
}

/// Answers one HTTP/1.1 GET with the file under `root`, or 404; then closes.
async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    stream: &mut S,
    root: &Path,
) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let path = text
        .split(' ')
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/');
    let file = (!path.split('/').any(|part| part == ".."))
        .then(|| root.join(path))
        .filter(|f| f.is_file());
    let (status, body) = match file {
        Some(f) => ("200 OK", std::fs::read(f)?),
        None => ("404 Not Found", Vec::new()),
    };
    // Terraform insists on a media type for the JSON documents.
    let content_type = if path.ends_with(".json") {
        "application/json"
    } else {
        "application/zip"
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}

/// Installs from the release's network mirror served over HTTPS: Terraform verifies the zip
/// against the mirror's `zh:` hash, and refuses a mirror whose `zh:` is wrong.
fn check_network_mirror(dir: &Path) {
    let platform = support::platform();
    let zip_name = format!("{NAME}_{VERSION}_{platform}.zip");
    let listing = dir.join("network-mirror/terraform.local/tencentcloud/tencentcloud");
    let zip_bytes = read(&listing.join(&zip_name));
    assert_eq!(zip_bytes, read(&dir.join(&zip_name)));
    let version_doc: serde_json::Value =
        serde_json::from_slice(&read(&listing.join(format!("{VERSION}.json")))).unwrap();
    assert_eq!(
        version_doc["archives"][&platform],
        serde_json::json!({"url": zip_name, "hashes": [format!("zh:{}", sha256_hex(&zip_bytes))]})
    );
    let index: serde_json::Value =
        serde_json::from_slice(&read(&listing.join("index.json"))).unwrap();
    assert_eq!(index, serde_json::json!({"versions": {VERSION: {}}}));

    // The same mirror, and a copy whose zh: is off by one digit.
    let wrong = tempfile::tempdir().unwrap();
    let wrong_listing = wrong
        .path()
        .join("terraform.local/tencentcloud/tencentcloud");
    std::fs::create_dir_all(&wrong_listing).unwrap();
    for f in ["index.json", zip_name.as_str()] {
        std::fs::copy(listing.join(f), wrong_listing.join(f)).unwrap();
    }
    let good_zh = format!("zh:{}", sha256_hex(&zip_bytes));
    let flipped = if good_zh.ends_with('0') { "1" } else { "0" };
    let wrong_zh = format!("{}{flipped}", &good_zh[..good_zh.len() - 1]);
    std::fs::write(
        wrong_listing.join(format!("{VERSION}.json")),
        String::from_utf8(read(&listing.join(format!("{VERSION}.json"))))
            .unwrap()
            .replace(&good_zh, &wrong_zh),
    )
    .unwrap();

    for (mirror_root, accepted) in [
        (dir.join("network-mirror"), true),
        (wrong.path().to_path_buf(), false),
    ] {
        let server = HttpsMirror::serve(mirror_root);
        let work = tempfile::tempdir().unwrap();
        let ca = work.path().join("mirror-ca.pem");
        std::fs::write(&ca, &server.ca_pem).unwrap();
        let rc = work.path().join("terraform.rc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  network_mirror {{\n    url = \"https://localhost:{}/\"\n  }}\n}}\n",
                server.port
            ),
        )
        .unwrap();
        std::fs::write(work.path().join("main.tf"), requiring_our_provider()).unwrap();
        let out = terraform_with(
            work.path(),
            &rc,
            &["init", "-input=false", "-no-color"],
            &[("SSL_CERT_FILE", &ca)],
        );
        let text = out
            .combined()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if accepted {
            assert!(
                out.success(),
                "install from the network mirror failed:\n{text}"
            );
        } else {
            assert!(
                !out.success()
                    && text.contains("doesn't match the expected checksum")
                    && text.contains(&wrong_zh),
                "a wrong zh: hash was accepted:\n{text}"
            );
        }
    }
}

/// A configuration that needs only our provider, at this version, with one resource.
fn requiring_our_provider() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    tencentcloud = {{\n      source  = \"terraform.local/tencentcloud/tencentcloud\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
         provider \"tencentcloud\" {{}}\n\n\
         resource \"tencentcloud_clb_target_group_association\" \"a\" {{\n  load_balancer_id = \"lb-demo0001\"\n  listener_id      = \"lbl-tcp00001\"\n  target_group_id  = \"lbtg-web00001\"\n}}\n"
    )
}

#[test]
fn release_packaging_installs_offline_and_the_lock_pins_the_zip() {
    let provider = support::provider_bin();
    let out_dir = tempfile::tempdir().unwrap();
    let out = release::package_debug_build(out_dir.path(), &[]);
    // With no key in the environment the set is signed with a throwaway key, and it says so.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: THIS RELEASE IS SIGNED WITH A THROWAWAY KEY"),
        "{stderr}"
    );
    check_release(out_dir.path(), &provider);
    check_network_mirror(out_dir.path());

    // The optimised build of a real `scripts/release`, when scripts/test made one.
    if let Some(dir) = std::env::var_os("RELEASE_ARTIFACTS_DIR") {
        let binary = root()
            .join("target")
            .join(release::host_target())
            .join("release")
            .join(NAME);
        check_release(Path::new(&dir), &binary);
        check_network_mirror(Path::new(&dir));
    }
}
