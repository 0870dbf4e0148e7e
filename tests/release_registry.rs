//! The release as users meet it through a registry: `terraform init` installs our provider from a
//! provider registry (protocol `providers.v1`) served over HTTPS on loopback from the files
//! `scripts/release` wrote, checks the GPG signature of SHA256SUMS and the zip's hash, records
//! both hashes in the lock file, and the installed binary then applies against the emulator.
//! A zip changed by one byte, and SHA256SUMS signed by another key, are refused.
//!
//! The release set is `RELEASE_ARTIFACTS_DIR` (a real `scripts/release`, from scripts/test) or
//! else the debug build packaged by the script's per-target path (tests/support/release.rs).
//!
//! Terraform 1.11 takes `localhost:PORT` as a registry host (a port is allowed in a source
//! address; so is an IP literal such as `127.0.0.1:PORT`, but the certificate here names
//! `localhost`, as a real registry's names a DNS host). Discovery is HTTPS only, so the registry
//! has a certificate from a test CA that terraform trusts through `SSL_CERT_FILE`.

mod clb_common;
#[path = "support/registry.rs"]
mod registry;
#[path = "support/release.rs"]
mod release;
mod support;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use registry::Registry;
use release::{NAME, VERSION, one_line, read, sha256_hex};
use tencentcloud_emulator::{self as emulator, EmulatorConfig};

/// A terraform working directory that installs from `registry` only: a CLI configuration with
/// no dev_overrides and no mirror, and the registry's CA as the only trusted root.
struct Workspace {
    dir: tempfile::TempDir,
    cli_config: PathBuf,
    ca: PathBuf,
    source: String,
    env: Vec<(String, String)>,
}

impl Workspace {
    fn new(registry: &Registry) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cli_config = dir.path().join("terraform.rc");
        std::fs::write(&cli_config, "provider_installation {\n  direct {}\n}\n").unwrap();
        let ca = dir.path().join("registry-ca.pem");
        std::fs::write(&ca, registry.ca_pem()).unwrap();
        let source = registry.source();
        std::fs::write(
            dir.path().join("main.tf"),
            format!(
                "terraform {{\n  required_providers {{\n    tencentcloud = {{\n      source  = \"{source}\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
                 provider \"tencentcloud\" {{}}\n\n\
                 resource \"tencentcloud_clb_target_group_association\" \"web\" {{\n  load_balancer_id = \"lb-demo0001\"\n  listener_id      = \"lbl-tcp00001\"\n  target_group_id  = \"lbtg-web00001\"\n}}\n"
            ),
        )
        .unwrap();
        Workspace {
            dir,
            cli_config,
            ca,
            source,
            env: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn terraform(&self, args: &[&str]) -> support::TfOutput {
        let mut env: Vec<(&str, &OsStr)> = vec![("SSL_CERT_FILE", self.ca.as_os_str())];
        env.extend(self.env.iter().map(|(k, v)| (k.as_str(), v.as_ref())));
        release::terraform_with(self.path(), &self.cli_config, args, &env)
    }

    fn init(&self) -> support::TfOutput {
        self.terraform(&["init", "-input=false", "-no-color"])
    }
}

/// A copy of the release files of `folder` (not the mirrors), to tamper with.
fn copy_release(folder: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(folder).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
    }
    copy
}

#[test]
fn registry_install_is_signed_by_our_key_locked_and_applies_with_the_installed_binary() {
    let folder = release::artifacts();
    let registry = Registry::serve(folder);
    let mut ws = Workspace::new(&registry);

    let init = ws.init().assert_success();
    let text = one_line(&init);
    let installed = format!(
        "Installed {} v{VERSION} (self-signed, key ID {})",
        registry.source(),
        registry.key_id()
    );
    assert!(
        text.contains(&installed),
        "expected «{installed}» in:\n{text}"
    );

    // The key the registry published is the one scripts/release wrote beside the artifacts and
    // that signed SHA256SUMS.
    let keyring = release::Keyring::new();
    let asc = folder.join(format!("{NAME}_{VERSION}_signing-key.asc"));
    keyring.gpg(&["--import".as_ref(), asc.as_os_str()]);
    let sums = folder.join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    let sig = folder.join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"));
    assert!(
        keyring.verifies(&sig, &sums),
        "SHA256SUMS.sig does not verify with the published key"
    );

    // The lock records the zip's sha256 (zh:, from the signed SHA256SUMS) and the package's h1:.
    let zip = folder.join(release::zip_name());
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    let hashes = release::locked_hashes(&lock, &ws.source);
    let zh = format!("zh:{}", sha256_hex(&read(&zip)));
    let entries = release::zip_entries(&zip);
    let h1 = release::h1(&entries);
    assert!(hashes.contains(&zh), "expected {zh} in:\n{lock}");
    assert!(hashes.contains(&h1), "expected {h1} in:\n{lock}");

    // Terraform unpacked the zip's binary; with no dev_overrides, that is what it runs.
    let binary = ws
        .path()
        .join(".terraform/providers")
        .join(&ws.source)
        .join(VERSION)
        .join(support::platform())
        .join(&entries[0].name);
    assert_eq!(sha256_hex(&read(&binary)), entries[0].sha256);

    // Apply against the emulator with that binary.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = rt
        .block_on(emulator::start(EmulatorConfig {
            seed: Some(clb_common::example_world()),
            task_duration: Duration::from_millis(100),
            rate_limit_per_second: 0,
            ..EmulatorConfig::default()
        }))
        .expect("emulator starts");
    for (k, v) in [
        ("TENCENTCLOUD_CLB_ENDPOINT", emu.base_url().as_str()),
        ("TENCENTCLOUD_SECRET_ID", emulator::DEFAULT_SECRET_ID),
        ("TENCENTCLOUD_SECRET_KEY", emulator::DEFAULT_SECRET_KEY),
        ("TENCENTCLOUD_REGION", "ap-guangzhou"),
        ("TENCENTCLOUD_METADATA_BASE_URL", "off"),
        ("NO_PROXY", "127.0.0.1,localhost"),
    ] {
        ws.env.push((k.to_string(), v.to_string()));
    }
    ws.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .assert_success();
    let bound: Vec<_> = emu
        .world()
        .associations
        .iter()
        .map(|a| {
            (
                a.load_balancer_id.clone(),
                a.listener_id.clone(),
                a.target_group_id.clone(),
            )
        })
        .collect();
    assert_eq!(
        bound,
        vec![(
            "lb-demo0001".to_string(),
            "lbl-tcp00001".to_string(),
            "lbtg-web00001".to_string()
        )]
    );
    let plan = ws.terraform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(
        plan.code,
        0,
        "the plan after apply is not empty:\n{}",
        plan.combined()
    );
    rt.block_on(emu.shutdown());
}

#[test]
fn registry_install_refuses_a_zip_changed_by_one_byte() {
    let copy = copy_release(release::artifacts());
    let zip = copy.path().join(release::zip_name());
    let mut bytes = read(&zip);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&zip, &bytes).unwrap();
    let registry = Registry::serve(copy.path());
    let ws = Workspace::new(&registry);

    let out = ws.init().assert_failure();
    let text = one_line(&out);
    let expected = format!(
        "archive has incorrect checksum zh:{} (expected zh:",
        sha256_hex(&bytes)
    );
    assert!(
        text.contains(&expected),
        "expected «{expected}» in:\n{text}"
    );
    assert!(!ws.path().join(".terraform.lock.hcl").exists());
}

#[test]
fn registry_install_refuses_sums_signed_by_another_key() {
    let copy = copy_release(release::artifacts());
    let sums = copy.path().join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    let sig = copy.path().join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"));
    let other = release::Keyring::new();
    let fingerprint = other.generate("someone else <someone@invalid>", "");
    other.gpg(&[
        "--yes".as_ref(),
        "--local-user".as_ref(),
        fingerprint.as_ref(),
        "--detach-sign".as_ref(),
        "--output".as_ref(),
        sig.as_os_str(),
        sums.as_os_str(),
    ]);
    let registry = Registry::serve(copy.path());
    let ws = Workspace::new(&registry);

    let out = ws.init().assert_failure();
    let text = one_line(&out);
    assert!(
        text.contains("authentication signature from unknown issuer"),
        "a SHA256SUMS signed by another key was accepted, or refused for another reason:\n{text}"
    );
    assert!(!ws.path().join(".terraform.lock.hcl").exists());
}

#[test]
fn registry_lock_records_the_zh_hash_of_every_platform_the_signed_sums_list() {
    // The host's zip and a Windows one, listed together and signed, as the release workflow's
    // combine job does: terraform installs the host's and pins both, so a teammate on the other
    // platform is held to the same signed hashes. (Terraform does not check which lines are
    // zips: the manifest's hash is recorded too.)
    let copy = copy_release(release::artifacts());
    let args: Vec<std::ffi::OsString> = vec![
        "--target".into(),
        "x86_64-pc-windows-msvc".into(),
        "--binary".into(),
        support::provider_bin().into(),
        "--out".into(),
        copy.path().into(),
    ];
    release::run_release(&args, &[]);
    let registry = Registry::serve(copy.path());
    let ws = Workspace::new(&registry);
    ws.init().assert_success();
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    let hashes = release::locked_hashes(&lock, &ws.source);
    for zip in [
        release::zip_name(),
        format!("{NAME}_{VERSION}_windows_amd64.zip"),
    ] {
        let zh = format!("zh:{}", sha256_hex(&read(&copy.path().join(&zip))));
        assert!(hashes.contains(&zh), "expected {zh} ({zip}) in:\n{lock}");
    }
    // Terraform takes every line of the signed SHA256SUMS, the manifest's too.
    let sums = String::from_utf8(read(
        &copy.path().join(format!("{NAME}_{VERSION}_SHA256SUMS")),
    ))
    .unwrap();
    let mut listed: Vec<String> = sums
        .lines()
        .map(|l| format!("zh:{}", l.split_once("  ").unwrap().0))
        .collect();
    let mut locked: Vec<String> = hashes
        .into_iter()
        .filter(|h| h.starts_with("zh:"))
        .collect();
    listed.sort();
    locked.sort();
    assert_eq!(locked, listed, "{lock}");
}
