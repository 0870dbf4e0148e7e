//! Where `scripts/release` gets its signing key: a private key from the environment (with its
//! passphrase) or a key ID in the caller's keyring signs SHA256SUMS, the published `.asc` is that
//! key's public half, and neither the private key nor the passphrase shows up in the output, the
//! artifacts or a leftover temporary folder. A missing or broken key stops the release before
//! it writes anything.

#[path = "support/release.rs"]
mod release;
mod support;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;

use release::{Keyring, NAME, VERSION, assert_signed_by, read, release_fails};

const PASSPHRASE: &str = "correct horse battery staple 7f3a";

/// Neither `secrets` appear in the script's output nor in any file under `dir`.
fn assert_nothing_leaks(out: &Output, dir: &Path, secrets: &[&str]) {
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in secrets {
        assert!(!printed.contains(secret), "printed a secret:\n{printed}");
    }
    assert!(!printed.contains("PRIVATE KEY"), "{printed}");
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = String::from_utf8_lossy(&read(&path)).into_owned();
            assert!(!text.contains("PRIVATE KEY"), "{}", path.display());
            for secret in secrets {
                assert!(!text.contains(secret), "{} holds a secret", path.display());
            }
        }
    }
}

/// A keyring with one passphrase-protected key; its fingerprint and armoured private key.
fn publisher_key() -> (Keyring, String, String) {
    let keyring = Keyring::new();
    let fingerprint = keyring.generate("Release Publisher <publisher@invalid>", PASSPHRASE);
    let exported = keyring.gpg(&[
        "--pinentry-mode".as_ref(),
        "loopback".as_ref(),
        "--passphrase".as_ref(),
        PASSPHRASE.as_ref(),
        "--armor".as_ref(),
        "--export-secret-keys".as_ref(),
        fingerprint.as_ref(),
    ]);
    let armour = String::from_utf8(exported.stdout).unwrap();
    assert!(armour.contains("BEGIN PGP PRIVATE KEY BLOCK"));
    (keyring, fingerprint, armour)
}

#[test]
fn a_private_key_from_the_environment_signs_and_nothing_secret_leaks() {
    let (_keyring, fingerprint, armour) = publisher_key();
    let out_dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = release::package_debug_build(
        out_dir.path(),
        &[
            ("RELEASE_GPG_PRIVATE_KEY", armour.as_ref()),
            ("RELEASE_GPG_PASSPHRASE", PASSPHRASE.as_ref()),
            ("TMPDIR", tmp.path().as_os_str()),
        ],
    );
    assert_signed_by(out_dir.path(), &fingerprint);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("THROWAWAY"));
    // A line from the middle of the armoured private key stands for all of it.
    let key_body = armour.lines().nth(armour.lines().count() / 2).unwrap();
    assert_nothing_leaks(&out, out_dir.path(), &[PASSPHRASE, key_body]);
    // The temporary keyring (private key, passphrase file) is gone.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind in TMPDIR: {left:?}");
}

#[test]
fn a_key_id_in_the_callers_keyring_signs() {
    let (keyring, fingerprint, _) = publisher_key();
    let out_dir = tempfile::tempdir().unwrap();
    let out = release::package_debug_build(
        out_dir.path(),
        &[
            ("GNUPGHOME", keyring.home().as_os_str()),
            ("RELEASE_GPG_KEY_ID", fingerprint.as_ref()),
            ("RELEASE_GPG_PASSPHRASE", PASSPHRASE.as_ref()),
        ],
    );
    assert_signed_by(out_dir.path(), &fingerprint);
    assert_nothing_leaks(&out, out_dir.path(), &[PASSPHRASE]);
}

#[test]
fn a_missing_or_broken_key_stops_the_release_with_what_to_do() {
    let out_dir = tempfile::tempdir().unwrap();
    let binary = support::provider_bin();
    let args: Vec<&OsStr> = vec![
        "--binary".as_ref(),
        binary.as_os_str(),
        "--out".as_ref(),
        out_dir.path().as_os_str(),
    ];
    let keyring = Keyring::new();
    let err = release_fails(
        &args,
        &[
            ("GNUPGHOME", keyring.home().as_os_str()),
            ("RELEASE_GPG_KEY_ID", "0123456789ABCDEF".as_ref()),
        ],
    );
    assert!(
        err.contains("RELEASE_GPG_KEY_ID=0123456789ABCDEF: no such private key"),
        "{err}"
    );
    let err = release_fails(&args, &[("RELEASE_GPG_PRIVATE_KEY", "not a key".as_ref())]);
    assert!(
        err.contains("RELEASE_GPG_PRIVATE_KEY could not be imported"),
        "{err}"
    );
    assert!(
        !out_dir
            .path()
            .join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"))
            .exists()
    );
}
