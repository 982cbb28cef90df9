//! Files in and out: atomic writes for exports (a temporary file beside the target, then a
//! rename), and reads of inputs capped in size.

use std::io::{Read, Write as _};
use std::path::Path;

use crate::error::{Error, Result};
use crate::http::format_bytes;
use crate::remedy::Remedy;

/// Reads the file at `path` whole, refusing one larger than `limit` bytes: reading stops one byte
/// past the limit, so `/dev/zero` or a wrong multi-gigabyte file is refused at once. `what` names
/// the input as the user knows it (`--pem`), `fix` says what it should be. A regular file is read
/// into a buffer sized from its length, leaving no copies behind from regrowing.
///
/// A directory, or any other path that is not a file to read, is refused by name with what it
/// is, before anything is read; so is an empty file.
pub fn read_capped(path: &Path, limit: u64, what: &str, fix: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    let meta = file.metadata().map_err(|source| Error::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return Err(Error::invalid(
            what,
            format!("{} is a directory, not a file", path.display()),
            fix,
        ));
    }
    let size = meta.len();
    let capacity = usize::try_from(size.min(limit).saturating_add(1)).unwrap_or(0);
    read_capped_into(file, Vec::with_capacity(capacity), path, limit, what, fix)
}

/// [`read_capped`] for a stream such as stdin, called `name` in errors.
pub fn read_capped_from(
    reader: impl Read,
    name: &Path,
    limit: u64,
    what: &str,
    fix: &str,
) -> Result<Vec<u8>> {
    read_capped_into(reader, Vec::new(), name, limit, what, fix)
}

fn read_capped_into(
    reader: impl Read,
    mut bytes: Vec<u8>,
    name: &Path,
    limit: u64,
    what: &str,
    fix: &str,
) -> Result<Vec<u8>> {
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            action: "reading",
            path: name.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(Error::invalid(
            what,
            format!("{} is larger than {}", name.display(), format_bytes(limit)),
            fix,
        ));
    }
    if bytes.is_empty() {
        return Err(Error::invalid(
            what,
            format!("{} is empty (0 bytes)", name.display()),
            fix,
        ));
    }
    Ok(bytes)
}

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
            "choose another path, or replace the file",
        )
        .with_remedy(Remedy::ReplaceFile));
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
        assert!(err.to_string().contains("replace the file"), "{err}");
        assert_eq!(err.remedies(), [Remedy::ReplaceFile]);
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
    fn a_capped_read_takes_up_to_the_limit_and_refuses_one_byte_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.pem");
        std::fs::write(&path, [b'x'; 1024]).unwrap();
        let bytes = read_capped(&path, 1024, "--pem", "give a PEM file").unwrap();
        assert_eq!(bytes.len(), 1024, "a file at the limit is read whole");
        let err = read_capped(&path, 1023, "--pem", "give a PEM file").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "--pem: {} is larger than 1023 bytes. Fix: give a PEM file",
                path.display()
            )
        );
        let err = read_capped(&dir.path().join("gone"), 1024, "--pem", "x").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }

    #[test]
    fn a_stream_over_the_limit_is_refused_after_reading_one_byte_past_it() {
        let limit = 1024 * 1024;
        let mut big = std::io::Cursor::new(vec![b'{'; 3 * limit]);
        let err = read_capped_from(
            &mut big,
            Path::new("standard input"),
            limit as u64,
            "canvas lint",
            "pipe a Canvas JSON file",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "canvas lint: standard input is larger than 1 MiB. Fix: pipe a Canvas JSON file"
        );
        assert_eq!(
            big.position(),
            limit as u64 + 1,
            "reading stopped past the limit"
        );
        let endless = read_capped_from(std::io::repeat(0), Path::new("-"), 16, "x", "y");
        assert!(
            endless.is_err(),
            "an endless stream ends in an error, not a hang"
        );
    }

    #[test]
    fn a_directory_or_an_empty_file_is_refused_by_name_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_capped(dir.path(), 100, "--pem", "give the PEM file").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("--pem: "), "{text}");
        assert!(text.contains("is a directory, not a file"), "{text}");
        assert!(text.contains("give the PEM file"), "{text}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, b"").unwrap();
        let err = read_capped(&empty, 100, "--pem", "give the PEM file").unwrap_err();
        assert!(err.to_string().contains("is empty (0 bytes)"), "{err}");
        let err = read_capped_from(&b""[..], Path::new("standard input"), 9, "x", "y");
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("standard input is empty"));
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
