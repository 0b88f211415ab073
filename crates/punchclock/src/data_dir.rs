//! The data directory and the secrets key: the directory is 0700 and its
//! files (database, WAL, SHM, key file) 0600, so other local users read
//! nothing; the key that seals comm keys comes from `secrets_key` or from a
//! key file made on first start.

use std::fs::{self, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::config::Config;

/// The SQLite database file in the data directory.
pub const DATABASE: &str = "punchclock.sqlite";
/// The key file made when `secrets_key` is not set.
pub const KEY_FILE: &str = "secrets.key";

/// Makes the directory (0700) and tightens what it holds to 0600. The
/// database file is made 0600 before SQLite opens it, since SQLite gives
/// its WAL and SHM files the database file's mode.
pub fn prepare(dir: &Path, sqlite: bool) -> anyhow::Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))?;
    fs::set_permissions(dir, Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private (0700)", dir.display()))?;
    if sqlite {
        create_private(&dir.join(DATABASE))?;
    }
    for name in [
        DATABASE,
        "punchclock.sqlite-wal",
        "punchclock.sqlite-shm",
        KEY_FILE,
    ] {
        let path = dir.join(name);
        if path.exists() {
            fs::set_permissions(&path, Permissions::from_mode(0o600))
                .with_context(|| format!("making {} private (0600)", path.display()))?;
        }
    }
    Ok(())
}

fn create_private(path: &Path) -> anyhow::Result<()> {
    let made = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match made {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

/// The key sealing secrets at rest: `secrets_key` (64 hex digits), else
/// the data directory's key file, made (0600) with a random key if absent.
/// Instances sharing one PostgreSQL must share the key: set `secrets_key`.
pub fn secrets_key(config: &Config) -> anyhow::Result<[u8; 32]> {
    if !config.secrets_key.is_empty() {
        return parse_key(config.secrets_key.trim()).context("secrets_key");
    }
    let path = config.data_dir.join(KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            parse_key(text.trim()).with_context(|| format!("the key file {}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => make_key_file(&path),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn parse_key(hex_key: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(hex_key).context("not hexadecimal")?;
    match <[u8; 32]>::try_from(bytes) {
        Ok(key) => Ok(key),
        Err(_) => bail!("a key is 64 hexadecimal digits (32 bytes)"),
    }
}

fn make_key_file(path: &PathBuf) -> anyhow::Result<[u8; 32]> {
    let key: [u8; 32] = rand::random();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating the key file {}", path.display()))?;
    writeln!(file, "{}", hex::encode(key))?;
    file.sync_all()?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_directory_and_its_files_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        let wal = dir.join("punchclock.sqlite-wal");
        fs::write(&wal, b"").unwrap();
        fs::set_permissions(&wal, Permissions::from_mode(0o644)).unwrap();
        prepare(&dir, true).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(DATABASE)), 0o600);
        assert_eq!(mode(&wal), 0o600, "an older file is tightened");
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: tmp.path().to_path_buf(),
            ..Config::default()
        };
        let first = secrets_key(&config).unwrap();
        assert_eq!(mode(&tmp.path().join(KEY_FILE)), 0o600);
        assert_eq!(
            secrets_key(&config).unwrap(),
            first,
            "read back, not remade"
        );
        let given = Config {
            secrets_key: "11".repeat(32),
            ..config
        };
        assert_eq!(secrets_key(&given).unwrap(), [0x11; 32]);
        let bad = Config {
            secrets_key: "abc".into(),
            ..given
        };
        assert!(secrets_key(&bad).is_err());
    }
}
