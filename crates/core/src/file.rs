//! Atomic file writes for exports: a temporary file beside the target, then a rename.

use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically. A `private` file is readable by its owner only.
/// An existing file is replaced only when `overwrite` is set, and only a regular file (see
/// [`check_target`]).
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool, overwrite: bool) -> Result<()> {
    let io = |action, source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    check_target(path, overwrite)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        Error::invalid(
            "output file",
            format!("{} is not a file path", path.display()),
            "give a file name",
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = (|| {
        let mut file = options.open(&tmp).map_err(|e| io("creating", e))?;
        file.write_all(bytes).map_err(|e| io("writing", e))?;
        file.sync_all().map_err(|e| io("writing", e))?;
        std::fs::rename(&tmp, path).map_err(|e| io("replacing", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Whether `path` may be written: a new name, or an existing regular file when `overwrite`.
/// Anything else that is there is refused even with `overwrite`: a symbolic link (looked at
/// itself, not followed), a directory, a device such as /dev/null, a FIFO or a socket. Writes
/// nothing; call it before any slow or secret work.
pub fn check_target(path: &Path, overwrite: bool) -> Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Io {
                action: "looking at",
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if !meta.file_type().is_file() {
        return Err(Error::invalid(
            "output file",
            format!(
                "{} is {}, not a regular file",
                path.display(),
                kind_of(meta.file_type())
            ),
            "give the path of a new or a regular file: nothing is written through a symbolic \
             link or onto a device, a pipe or a directory",
        ));
    }
    if !overwrite {
        return Err(Error::invalid(
            "output file",
            format!("{} already exists", path.display()),
            "choose another path, or pass --force to replace it",
        ));
    }
    Ok(())
}

fn kind_of(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "not a plain file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_only_when_asked_and_keeps_private_files_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"one", true, false).unwrap();
        let err = write_atomic(&path, b"two", true, false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"two", true, true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_path() {
        let err =
            write_atomic(Path::new("/nonexistent-dir/x.json"), b"x", false, true).unwrap_err();
        assert!(err.to_string().contains("/nonexistent-dir/x.json"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_or_a_device_is_never_written_even_with_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.pem");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let dangling = dir.path().join("dangling.pem");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for (path, kind) in [
            (link.as_path(), "a symbolic link"),
            (dangling.as_path(), "a symbolic link"),
            (Path::new("/dev/null"), "a device"),
            (dir.path(), "a directory"),
        ] {
            for overwrite in [true, false] {
                let err = write_atomic(path, b"secret", true, overwrite).unwrap_err();
                let text = err.to_string();
                assert!(
                    text.contains(&path.display().to_string()) && text.contains(kind),
                    "{text}"
                );
                assert!(
                    text.contains("Fix: give the path of a new or a regular file"),
                    "{text}"
                );
            }
        }
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"keep",
            "the link's target is untouched"
        );
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(!dir.path().join("nowhere").exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            3,
            "no temporary file left"
        );
    }
}
