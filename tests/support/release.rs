//! What the release tests share: running `scripts/release` (its per-target path, on the debug
//! build), the release set under test, terraform runs with a CLI configuration of their own, the
//! hashes Terraform records, and throwaway GPG keyrings. Include it with
//! `#[path = "support/release.rs"] mod release;` beside `mod support;`.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::support;

pub const NAME: &str = "terraform-provider-tencentcloud";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// This machine's Rust target triple (`rustc -vV`), the `--target` a local release builds.
pub fn host_target() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// The zip `scripts/release` writes for this machine's platform.
pub fn zip_name() -> String {
    format!("{NAME}_{VERSION}_{}.zip", support::platform())
}

/// `scripts/release ARGS` with `env` added (and any signing key of the caller's removed), checked
/// for success.
pub fn run_release<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &OsStr)]) -> Output {
    let out = Command::new(root().join("scripts/release"))
        .args(args)
        .env_remove("RELEASE_GPG_PRIVATE_KEY")
        .env_remove("RELEASE_GPG_PASSPHRASE")
        .env_remove("RELEASE_GPG_KEY_ID")
        .envs(env.iter().copied())
        .output()
        .expect("scripts/release runs");
    assert!(
        out.status.success(),
        "scripts/release {:?} failed:\n{}\n{}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `scripts/release ARGS` expected to fail; its stderr.
pub fn release_fails(args: &[&OsStr], env: &[(&str, &OsStr)]) -> String {
    let out = Command::new(root().join("scripts/release"))
        .args(args)
        .env_remove("RELEASE_GPG_PRIVATE_KEY")
        .env_remove("RELEASE_GPG_KEY_ID")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(!out.status.success(), "scripts/release {args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Packages the debug build into `out` through the per-target path of `scripts/release` (the one
/// every platform of the release workflow takes), with `--binary` instead of a release build.
pub fn package_debug_build(out: &Path, env: &[(&str, &OsStr)]) -> Output {
    let args: Vec<std::ffi::OsString> = vec![
        "--target".into(),
        host_target().into(),
        "--binary".into(),
        support::provider_bin().into(),
        "--out".into(),
        out.into(),
    ];
    run_release(&args, env)
}

/// The release set under test: the output of a real `scripts/release` when
/// `RELEASE_ARTIFACTS_DIR` names it (scripts/test), else the debug build packaged once per test
/// binary under Cargo's temporary folder.
pub fn artifacts() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("RELEASE_ARTIFACTS_DIR") {
            return PathBuf::from(dir);
        }
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "release-debug-build-{}",
            std::env::current_exe()
                .ok()
                .and_then(|e| e.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or_default()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        package_debug_build(&dir, &[]);
        dir
    })
}

/// One file inside a zip: name, Unix mode, sha256 of its content.
#[derive(Debug, PartialEq)]
pub struct ZipEntry {
    pub name: String,
    pub mode: u32,
    pub sha256: String,
}

/// The entries of a zip, read with python3's zipfile (no zip crate in this project).
pub fn zip_entries(zip: &Path) -> Vec<ZipEntry> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(
            "import hashlib, sys, zipfile\n\
             for i in zipfile.ZipFile(sys.argv[1]).infolist():\n\
             \x20   data = zipfile.ZipFile(sys.argv[1]).read(i)\n\
             \x20   print(i.filename, i.external_attr >> 16, hashlib.sha256(data).hexdigest())\n",
        )
        .arg(zip)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "reading {}: {}",
        zip.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            ZipEntry {
                name: f[0].to_string(),
                mode: f[1].parse().unwrap(),
                sha256: f[2].to_string(),
            }
        })
        .collect()
}

/// Terraform's `h1:` package hash (Go's dirhash "Hash1"): sha256 over the lines
/// "<sha256 hex>  <file name>\n" of every file in the package, sorted by name, base64-encoded.
pub fn h1(entries: &[ZipEntry]) -> String {
    let mut sorted: Vec<&ZipEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: String = sorted
        .iter()
        .map(|e| format!("{}  {}\n", e.sha256, e.name))
        .collect();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary.as_bytes()))
    )
}

/// The `hashes` a `.terraform.lock.hcl` records for the provider `source`.
pub fn locked_hashes(lock: &str, source: &str) -> Vec<String> {
    let block = lock
        .split(&format!("provider \"{source}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no entry for {source} in the lock file:\n{lock}"));
    let list = block
        .split("hashes = [")
        .nth(1)
        .expect("hashes")
        .split(']')
        .next()
        .unwrap();
    list.split(',')
        .map(|h| h.trim().trim_matches('"').to_string())
        .filter(|h| !h.is_empty())
        .collect()
}

/// `terraform ARGS` in `dir` with the CLI configuration `cli_config` (and no plugin cache, no
/// reattached or overridden providers of the caller's), plus `env`.
pub fn terraform_with(
    dir: &Path,
    cli_config: &Path,
    args: &[&str],
    env: &[(&str, &OsStr)],
) -> support::TfOutput {
    let out = Command::new(support::terraform_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("TF_REATTACH_PROVIDERS")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_CLI_ARGS_init")
        .envs(env.iter().copied())
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .expect("terraform runs");
    support::TfOutput {
        command: format!("terraform {}", args.join(" ")),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Output with every run of whitespace made one space (Terraform wraps its messages).
pub fn one_line(out: &support::TfOutput) -> String {
    out.combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A temporary GPG home (keyring), removed with its agent when dropped.
pub struct Keyring {
    home: tempfile::TempDir,
}

impl Keyring {
    pub fn new() -> Self {
        // Short path: gpg-agent's socket lives in the home when there is no /run/user.
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in(std::env::temp_dir())
            .expect("temp GNUPGHOME");
        let mut perms = std::fs::metadata(home.path()).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
        std::fs::set_permissions(home.path(), perms).unwrap();
        Keyring { home }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `gpg --batch ARGS` in this keyring; panics with gpg's message if it fails.
    pub fn gpg(&self, args: &[&OsStr]) -> Output {
        let out = Command::new("gpg")
            .arg("--batch")
            .args(args)
            .env("GNUPGHOME", self.home())
            .output()
            .expect("gpg runs");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// A new RSA signing key for `uid` (no passphrase unless `passphrase`); its fingerprint.
    pub fn generate(&self, uid: &str, passphrase: &str) -> String {
        self.gpg(&[
            "--pinentry-mode".as_ref(),
            "loopback".as_ref(),
            "--passphrase".as_ref(),
            passphrase.as_ref(),
            "--quick-gen-key".as_ref(),
            uid.as_ref(),
            "rsa2048".as_ref(),
            "sign".as_ref(),
            "never".as_ref(),
        ]);
        let listing = self.gpg(&["--with-colons".as_ref(), "--list-secret-keys".as_ref()]);
        String::from_utf8_lossy(&listing.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("fpr:"))
            .next_back()
            .and_then(|l| l.split(':').nth(8))
            .expect("a fingerprint")
            .to_string()
    }

    /// Whether `signature` is a good signature of `document` by a key in this keyring.
    pub fn verifies(&self, signature: &Path, document: &Path) -> bool {
        Command::new("gpg")
            .args(["--batch", "--verify"])
            .arg(signature)
            .arg(document)
            .env("GNUPGHOME", self.home())
            .output()
            .expect("gpg runs")
            .status
            .success()
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", self.home())
            .output();
    }
}

/// The fingerprint of the public key in the armoured file `asc`.
pub fn fingerprint_of(asc: &Path) -> String {
    let keyring = Keyring::new();
    let out = keyring.gpg(&[
        "--with-colons".as_ref(),
        "--show-keys".as_ref(),
        asc.as_os_str(),
    ]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .and_then(|l| l.split(':').nth(8))
        .expect("a fingerprint")
        .to_string()
}

/// SHA256SUMS.sig in `dir` verifies with the `.asc` beside it, whose key is `fingerprint`.
pub fn assert_signed_by(dir: &Path, fingerprint: &str) {
    let asc = dir.join(format!("{NAME}_{VERSION}_signing-key.asc"));
    assert_eq!(fingerprint_of(&asc), fingerprint, "the published key");
    let keyring = Keyring::new();
    keyring.gpg(&["--import".as_ref(), asc.as_os_str()]);
    let sums = dir.join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    assert!(keyring.verifies(
        &sums.with_file_name(format!("{NAME}_{VERSION}_SHA256SUMS.sig")),
        &sums
    ));
}
