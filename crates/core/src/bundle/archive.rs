//! A bundle on disk: a folder, or a zip when the path ends in `.zip`. Written atomically (a
//! temporary sibling, then a rename); read with caps on the number and size of files, refusing
//! any name that is not a plain file name.

use std::collections::BTreeMap;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{Bundle, MANIFEST};
use crate::error::{Error, Result};
use crate::http::format_bytes;

/// The most files a bundle may hold.
pub const MAX_FILES: usize = 64;
/// The largest file in a bundle.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The largest bundle, all files together (and the largest zip read).
pub const MAX_BUNDLE_BYTES: u64 = 8 * 1024 * 1024;

/// Whether `path` names a zip (ends in `.zip`, any case).
pub fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
}

/// Writes `bundle` to `out`: a zip when it ends in `.zip` (an existing zip replaced only when
/// `overwrite`), else a new folder (never into an existing one). Nothing is left behind when a
/// write fails.
pub fn write(bundle: &Bundle, out: &Path, overwrite: bool) -> Result<()> {
    let manifest = bundle.manifest_bytes()?;
    if is_zip(out) {
        let bytes = zip_bytes(bundle, &manifest)?;
        let private = bundle.files().any(|(name, _)| bundle.is_private(name));
        return crate::file::write_atomic(out, &bytes, private, overwrite);
    }
    write_folder(bundle, &manifest, out)
}

fn zip_bytes(bundle: &Bundle, manifest: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    use zip::write::SimpleFileOptions;
    let fail = |e: zip::result::ZipError| {
        Error::invalid(
            "bundle",
            format!("could not be zipped ({e})"),
            "report this",
        )
    };
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let entries = std::iter::once((MANIFEST, manifest)).chain(bundle.files());
    for (name, bytes) in entries {
        let options = if bundle.is_private(name) {
            options.unix_permissions(0o600)
        } else {
            options
        };
        writer.start_file(name, options).map_err(fail)?;
        writer.write_all(bytes).map_err(|e| fail(e.into()))?;
    }
    let cursor = writer.finish().map_err(fail)?;
    Ok(Zeroizing::new(cursor.into_inner()))
}

fn write_folder(bundle: &Bundle, manifest: &[u8], out: &Path) -> Result<()> {
    let io = |action, path: &Path, source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(Error::invalid(
            "output folder",
            format!("{} already exists", out.display()),
            "give the name of a new folder (it is created), or a path ending in .zip",
        ));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = out.file_name().ok_or_else(|| {
        Error::invalid(
            "output folder",
            format!("{} is not a folder path", out.display()),
            "give the name of a new folder",
        )
    })?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".partial")
        .tempdir_in(parent)
        .map_err(|e| io("creating a folder in", parent, e))?;
    let entries = std::iter::once((MANIFEST, manifest)).chain(bundle.files());
    for (file, bytes) in entries {
        let path = tmp.path().join(file);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(if bundle.is_private(file) {
                0o600
            } else {
                0o644
            });
        }
        let mut handle = options.open(&path).map_err(|e| io("creating", &path, e))?;
        handle
            .write_all(bytes)
            .and_then(|()| handle.sync_all())
            .map_err(|e| io("writing", &path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io("setting the permissions of", tmp.path(), e))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, out).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        io("creating", out, e)
    })
}

/// The files of the bundle at `path` (a folder, or a zip), by name; `bundle.json` among them.
/// Refused: a name that is not a plain file name (a folder, `..`, an absolute path), a link,
/// more than [`MAX_FILES`] files, one over [`MAX_FILE_BYTES`], all over [`MAX_BUNDLE_BYTES`],
/// a damaged or truncated zip.
pub fn read(path: &Path) -> Result<BTreeMap<String, Zeroizing<Vec<u8>>>> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        action: "opening",
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        read_folder(path)
    } else {
        read_zip(path)
    }
}

fn refuse(path: &Path, problem: String, fix: &str) -> Error {
    Error::invalid("bundle", format!("{}: {problem}", path.display()), fix)
}

/// A name as it may be in a bundle: one plain file name.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.contains(':')
}

struct Budget {
    files: usize,
    bytes: u64,
}

impl Budget {
    fn take(&mut self, bundle: &Path, name: &str, size: u64) -> Result<()> {
        self.files += 1;
        self.bytes = self.bytes.saturating_add(size);
        if self.files > MAX_FILES {
            return Err(refuse(
                bundle,
                format!("it holds more than {MAX_FILES} files"),
                "import a bundle made by LTI Key Manager",
            ));
        }
        if size > MAX_FILE_BYTES {
            return Err(refuse(
                bundle,
                format!("{name} is larger than {}", format_bytes(MAX_FILE_BYTES)),
                "import a bundle made by LTI Key Manager",
            ));
        }
        if self.bytes > MAX_BUNDLE_BYTES {
            return Err(refuse(
                bundle,
                format!(
                    "its files are larger than {} together",
                    format_bytes(MAX_BUNDLE_BYTES)
                ),
                "import a bundle made by LTI Key Manager",
            ));
        }
        Ok(())
    }
}

fn read_folder(dir: &Path) -> Result<BTreeMap<String, Zeroizing<Vec<u8>>>> {
    let io = |action, path: &Path, source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let mut budget = Budget { files: 0, bytes: 0 };
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io("reading", dir, e))? {
        let entry = entry.map_err(|e| io("reading", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry
            .file_type()
            .map_err(|e| io("reading", &entry.path(), e))?;
        if !kind.is_file() {
            let what = if kind.is_dir() {
                "a folder"
            } else {
                "not a regular file"
            };
            return Err(refuse(
                dir,
                format!("{name} is {what}; a bundle holds plain files only"),
                "import the folder LTI Key Manager wrote, unchanged",
            ));
        }
        let path: PathBuf = entry.path();
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        budget.take(dir, &name, size)?;
        let bytes = crate::file::read_capped(
            &path,
            MAX_FILE_BYTES,
            "bundle",
            "import a bundle made by LTI Key Manager",
        )?;
        files.insert(name, Zeroizing::new(bytes));
    }
    Ok(files)
}

fn read_zip(path: &Path) -> Result<BTreeMap<String, Zeroizing<Vec<u8>>>> {
    let bytes = crate::file::read_capped(
        path,
        MAX_BUNDLE_BYTES,
        "bundle",
        "import a bundle made by LTI Key Manager",
    )?;
    let damaged = |e: zip::result::ZipError| {
        refuse(
            path,
            format!("it is not a readable zip ({e}): damaged or cut short"),
            "copy the bundle again from where it was made, or ask for it again",
        )
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).map_err(damaged)?;
    if archive.len() > MAX_FILES {
        return Err(refuse(
            path,
            format!("it holds {} entries, more than {MAX_FILES}", archive.len()),
            "import a bundle made by LTI Key Manager",
        ));
    }
    let mut budget = Budget { files: 0, bytes: 0 };
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(damaged)?;
        let name = entry.name_raw().to_vec();
        let name = String::from_utf8_lossy(&name).into_owned();
        if entry.is_dir() || entry.is_symlink() || !plain_name(&name) {
            return Err(refuse(
                path,
                format!("it holds the entry {name:?}, which is not a plain file name"),
                "a bundle holds plain files only, never folders, links or paths such as ../: \
                 do not import this one",
            ));
        }
        budget.take(path, &name, entry.size())?;
        let mut data = Zeroizing::new(Vec::new());
        entry
            .by_ref()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| damaged(e.into()))?;
        if data.len() as u64 > MAX_FILE_BYTES {
            return Err(refuse(
                path,
                format!("{name} is larger than {}", format_bytes(MAX_FILE_BYTES)),
                "import a bundle made by LTI Key Manager",
            ));
        }
        if files.insert(name.clone(), data).is_some() {
            return Err(refuse(
                path,
                format!("it holds {name} twice"),
                "import a bundle made by LTI Key Manager",
            ));
        }
    }
    Ok(files)
}
