//! Local mode's generated JWT secret and MFA encryption key, kept in files
//! next to the SQLite database (`rampart.db` → `rampart.db.jwt-secret`,
//! `rampart.db.mfa-key`, git-ignored), so that a restart does not sign the
//! developer out or make enrolled authenticator apps useless, as web
//! frameworks keep their development keys.
//!
//! Only in local mode, and only when `JWT_SECRET` (`MFA_ENCRYPTION_KEY`) is
//! not set: staging and production require them and never read the files. The file is
//! created with mode 0600 and atomically (written under a temporary name,
//! then linked into place without replacing one that appeared meanwhile),
//! so two processes starting at once end up with the same secret; one that
//! others can read is refused rather than trusted.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

use rand::{distr::Alphanumeric, Rng};
use secrecy::{ExposeSecret, SecretString};

use crate::config::{Config, ConfigError, Environment, MfaKey};

const VAR: &str = "JWT_SECRET";
const SECRET_LENGTH: usize = 64;

/// Replaces the secret generated for this process by the one kept next to
/// the database (creating it on the first start), in local mode with a
/// generated secret and a SQLite file; anything else is left as it is.
pub fn keep(config: &mut Config) -> Result<(), ConfigError> {
    if config.environment != Environment::Local {
        return Ok(());
    }
    let Some(database) = sqlite_file(config.database.url.expose_secret()) else {
        return Ok(());
    };
    if config.mfa.generated {
        keep_mfa_key(config, &database)?;
    }
    if !config.jwt.generated {
        return Ok(());
    }
    let path = secret_path(&database);
    let secret = load_or_create(&path, random_text).map_err(|error| {
        ConfigError::new(
            VAR,
            format!(
                "not set, and the development secret in {} cannot be used: {error} \
                 (set JWT_SECRET, or delete the file to generate a new one)",
                path.display()
            ),
        )
    })?;
    config.jwt.secret = SecretString::from(secret);
    config.jwt.kept_in = Some(path);
    Ok(())
}

fn keep_mfa_key(config: &mut Config, database: &Path) -> Result<(), ConfigError> {
    const MFA_VAR: &str = "MFA_ENCRYPTION_KEY";
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push(".mfa-key");
    let path = database.with_file_name(name);
    let problem = |error: String| {
        ConfigError::new(
            MFA_VAR,
            format!(
                "not set, and the development key in {} cannot be used: {error} \
                 (set MFA_ENCRYPTION_KEY; deleting the file makes enrolled second factors unusable)",
                path.display()
            ),
        )
    };
    let text = load_or_create(&path, || MfaKey::generate().to_hex())
        .map_err(|error| problem(error.to_string()))?;
    config.mfa.key = MfaKey::parse(MFA_VAR, &text).map_err(|error| problem(error.message))?;
    config.mfa.kept_in = Some(path);
    Ok(())
}

fn random_text() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(SECRET_LENGTH)
        .map(char::from)
        .collect()
}

/// The database file of a `sqlite:` URL; `None` for an in-memory database.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory =
        path.is_empty() || path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

fn secret_path(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push(".jwt-secret");
    database.with_file_name(name)
}

fn load_or_create(path: &Path, generate: impl Fn() -> String) -> io::Result<String> {
    match read(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        found => return found,
    }
    let secret = generate();
    let temporary = path.with_file_name(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        rand::rng()
            .sample_iter(&Alphanumeric)
            .take(12)
            .map(char::from)
            .collect::<String>()
    ));
    write_private(&temporary, &secret)?;
    // A hard link never replaces an existing file: if another process won
    // the race, its secret is the one every process uses.
    let linked = fs::hard_link(&temporary, path);
    let _ = fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(secret),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => read(path),
        // A file system without hard links: create it in place, still
        // refusing to replace one.
        Err(_) => {
            write_private(path, &secret)?;
            Ok(secret)
        }
    }
}

fn read(path: &Path) -> io::Result<String> {
    let metadata = fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(io::Error::other(format!(
                "other users can read it (mode {mode:o}; expected 600)"
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let secret = fs::read_to_string(path)?.trim().to_owned();
    if secret.len() < 32 {
        return Err(io::Error::other("it holds fewer than 32 characters"));
    }
    Ok(secret)
}

fn write_private(path: &Path, secret: &str) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(secret.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn local(database: &Path, extra: &[(&str, &str)]) -> Config {
        let mut vars: HashMap<String, String> = HashMap::from([(
            "DATABASE_URL".to_owned(),
            format!("sqlite://{}?mode=rwc", database.display()),
        )]);
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        Config::from_lookup(&|k| vars.get(k).cloned()).unwrap()
    }

    #[test]
    fn the_secret_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("dev.db");
        let mut first = local(&database, &[]);
        keep(&mut first).unwrap();
        let path = dir.path().join("dev.db.jwt-secret");
        assert_eq!(first.jwt.kept_in.as_deref(), Some(path.as_path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let mut second = local(&database, &[]);
        assert_ne!(
            second.jwt.secret.expose_secret(),
            first.jwt.secret.expose_secret(),
            "each process generates its own"
        );
        keep(&mut second).unwrap();
        assert_eq!(
            second.jwt.secret.expose_secret(),
            first.jwt.secret.expose_secret(),
            "the kept one wins"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "no temporary file left: {leftovers:?}");
        assert_eq!(second.mfa.key, first.mfa.key, "the kept MFA key wins");
        assert_eq!(
            first.mfa.kept_in.as_deref(),
            Some(dir.path().join("dev.db.mfa-key").as_path())
        );
    }

    #[test]
    fn processes_starting_together_agree_on_one_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.db.jwt-secret");
        let secrets: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| load_or_create(&path, random_text).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(secrets.iter().all(|s| s == &secrets[0]), "{secrets:?}");
    }

    #[test]
    fn a_readable_or_short_file_is_refused_naming_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("dev.db");
        let path = dir.path().join("dev.db.jwt-secret");
        write_private(&path, "short").unwrap();
        let error = keep(&mut local(&database, &[])).unwrap_err();
        assert_eq!(error.var, "JWT_SECRET");
        assert!(error.message.contains("fewer than 32"), "{}", error.message);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::remove_file(&path).unwrap();
            write_private(&path, &"k".repeat(40)).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let error = keep(&mut local(&database, &[])).unwrap_err();
            assert!(error.message.contains("mode 644"), "{}", error.message);
        }
    }

    #[test]
    fn production_never_reads_the_file() {
        use crate::config::test_support::{production, production_config_vars};
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("prod.db");
        fs::write(secret_path(&database), "short").unwrap();
        let url = format!("sqlite://{}?mode=rwc", database.display());
        let vars = production_config_vars(&[
            ("DATABASE_URL", url.as_str()),
            ("ALLOW_SQLITE_IN_PRODUCTION", "true"),
        ]);
        let mut config = production(&vars).unwrap();
        let configured = config.jwt.secret.expose_secret().to_owned();
        keep(&mut config).unwrap();
        assert_eq!(config.jwt.secret.expose_secret(), configured);
        assert!(config.jwt.kept_in.is_none());
    }

    #[test]
    fn a_configured_secret_or_an_in_memory_database_keeps_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("dev.db");
        let configured = "c".repeat(40);
        let mfa_key = MfaKey::generate().to_hex();
        let mut config = local(
            &database,
            &[
                ("JWT_SECRET", &configured),
                ("MFA_ENCRYPTION_KEY", &mfa_key),
            ],
        );
        keep(&mut config).unwrap();
        assert_eq!(config.jwt.secret.expose_secret(), configured);
        assert!(config.jwt.kept_in.is_none());
        assert!(fs::read_dir(dir.path()).unwrap().next().is_none());
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://x.db?mode=memory"), None);
        assert_eq!(
            sqlite_file("sqlite:///data/rampart.db?mode=rwc"),
            Some(PathBuf::from("/data/rampart.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://rampart.db?mode=rwc"),
            Some(PathBuf::from("rampart.db"))
        );
        assert_eq!(sqlite_file("postgres://db/rampart"), None);
    }
}
