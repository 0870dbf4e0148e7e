//! The state file: world plus tasks, written atomically (temp file + fsync + rename) so a
//! crash never leaves a half-written file behind.

use crate::clb::tasks::Task;
use crate::clb::world::{LoadBalancer, TargetGroup, TargetGroupAssociation, World};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The world in seed format plus the tasks; the `--state` file and `GET /_emulator/state`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Snapshot {
    /// See [`World::load_balancers`].
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// See [`World::target_groups`].
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    /// See [`World::associations`].
    #[serde(default)]
    pub associations: Vec<TargetGroupAssociation>,
    /// See [`World::accounts`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<crate::cam::Account>,
    /// See [`World::roles`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<crate::cam::Role>,
    /// See [`World::oidc_providers`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oidc_providers: Vec<crate::cam::OidcProvider>,
    /// See [`World::saml_providers`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saml_providers: Vec<crate::cam::SamlProvider>,
    /// Tasks, running and finished.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

impl Snapshot {
    /// Combines a world and its tasks.
    pub fn new(world: &World, tasks: &[Task]) -> Self {
        Snapshot {
            load_balancers: world.load_balancers.clone(),
            target_groups: world.target_groups.clone(),
            associations: world.associations.clone(),
            accounts: world.accounts.clone(),
            roles: world.roles.clone(),
            oidc_providers: world.oidc_providers.clone(),
            saml_providers: world.saml_providers.clone(),
            tasks: tasks.to_vec(),
        }
    }

    /// Splits into world and tasks.
    pub(crate) fn into_parts(self) -> (World, Vec<Task>) {
        let world = World {
            load_balancers: self.load_balancers,
            target_groups: self.target_groups,
            associations: self.associations,
            accounts: self.accounts,
            roles: self.roles,
            oidc_providers: self.oidc_providers,
            saml_providers: self.saml_providers,
        };
        (world, self.tasks)
    }
}

/// Writes `snapshot` to `path` atomically.
pub(crate) fn save(path: &Path, snapshot: &Snapshot) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(snapshot).map_err(std::io::Error::other)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Reads a snapshot; `Ok(None)` when the file does not exist yet.
pub fn load(path: &Path) -> Result<Option<Snapshot>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(load(&path).unwrap(), None);
        let mut s = Snapshot::default();
        s.target_groups
            .push(serde_json::from_str(r#"{"TargetGroupId":"lbtg-1","VpcId":"v"}"#).unwrap());
        save(&path, &s).unwrap();
        save(&path, &s).unwrap();
        assert_eq!(load(&path).unwrap(), Some(s));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
