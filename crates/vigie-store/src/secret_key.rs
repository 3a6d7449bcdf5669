//! The server's key for secrets at rest (the accounts' TOTP keys), and where it is kept:
//! never in the database it protects, so that a copy of the database or of its backups
//! does not give the second factors away.
//!
//! In order: `VIGIE_SECRET_KEY` (64 hexadecimal digits); the file named by
//! `VIGIE_SECRET_KEY_FILE`, which must exist; else a file created on first use, readable
//! by the service's user alone (0600): beside an SQLite database (`vigie.db.key`), and
//! for PostgreSQL in `$XDG_DATA_HOME/vigie/secret.key` (`~/.local/share/vigie/secret.key`).

use std::path::{Path, PathBuf};

use vigie_auth::{ExposeSecret as _, SealingKey};

use crate::StoreError;

/// Where the key of a database comes from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The environment variable `VIGIE_SECRET_KEY`.
    Environment,
    /// A file (named by `VIGIE_SECRET_KEY_FILE`, or the default one).
    File(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => f.write_str("VIGIE_SECRET_KEY"),
            KeySource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

fn key_error(source: &KeySource, reason: impl std::fmt::Display) -> StoreError {
    StoreError::SecretKey(format!("{source}: {reason}"))
}

/// The default key file of a database.
fn default_file(sqlite_file: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(file) = sqlite_file {
        let mut name = file.as_os_str().to_owned();
        name.push(".key");
        return Ok(name.into());
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })
        .ok_or_else(|| {
            StoreError::SecretKey(
                "neither VIGIE_SECRET_KEY, VIGIE_SECRET_KEY_FILE, XDG_DATA_HOME nor HOME is set: \
                 nowhere to keep the key that seals the TOTP secrets"
                    .to_owned(),
            )
        })?;
    Ok(data.join("vigie").join("secret.key"))
}

/// Reads a key file, or creates it (0600) with a new key when `create` and it is missing.
fn from_file(path: &Path, create: bool) -> Result<SealingKey, StoreError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let source = KeySource::File(path.to_owned());
    match std::fs::read_to_string(path) {
        Ok(text) => SealingKey::parse(&text).map_err(|e| key_error(&source, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| key_error(&source, e))?;
            }
            let (key, text) = SealingKey::generate().map_err(|e| key_error(&source, e))?;
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .and_then(|mut f| {
                    f.write_all(text.expose_secret().as_bytes())?;
                    f.write_all(b"\n")?;
                    f.sync_all()
                });
            match written {
                Ok(()) => Ok(key),
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => from_file(path, false),
                Err(e) => Err(key_error(&source, e)),
            }
        }
        Err(e) => Err(key_error(&source, e)),
    }
}

/// The key of a database, and where it came from.
pub(crate) fn resolve(sqlite_file: Option<&Path>) -> Result<(SealingKey, KeySource), StoreError> {
    if let Some(text) = std::env::var("VIGIE_SECRET_KEY")
        .ok()
        .filter(|t| !t.is_empty())
    {
        let key = SealingKey::parse(&text).map_err(|e| key_error(&KeySource::Environment, e))?;
        return Ok((key, KeySource::Environment));
    }
    if let Some(path) = std::env::var_os("VIGIE_SECRET_KEY_FILE").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return Ok((from_file(&path, false)?, KeySource::File(path)));
    }
    let path = default_file(sqlite_file)?;
    Ok((from_file(&path, true)?, KeySource::File(path)))
}
