//! Private keys through native dialogs: a PEM file imported in two steps, so that its bytes
//! never reach the webview, and a passphrase-protected export written where the user picks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use ltikeys_core::{ErrorKind, KeyImported, KidScheme, PrivateKeyState};
use serde::{Deserialize, Deserializer, Serialize};
use tauri::{Runtime, State, Window};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::save::{chosen_path, pem_file_name, Ask, SaveOutcome};
use super::with_vault;
use crate::error::IpcError;
use crate::state::AppState;

/// The largest PEM file read: a PEM private key is a few KB.
const PEM_LIMIT: u64 = 64 * 1024;
/// How long a picked file waits for its import.
const PICK_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The most picked files held at once; picking another forgets the oldest.
const MAX_PICKED: usize = 8;
/// The shortest passphrase an export takes, in characters.
pub(crate) const MIN_PASSPHRASE_CHARS: usize = 8;

/// What choosing a PEM file came to. The file stays on the Rust side, under `ticket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PickedPem {
    /// The file was read; import it with `import_key_pem` and this ticket.
    Picked {
        /// What the import names the file by.
        ticket: u32,
        /// The file's name, for display.
        file_name: String,
        /// Whether it is an encrypted PKCS#8 key, which needs its passphrase.
        encrypted: bool,
    },
    /// The user closed the dialog: nothing was read.
    Cancelled,
}

/// A passphrase typed in the window: zeroized when dropped, never printed or sent back.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for Passphrase {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Passphrase(Zeroizing::new(s)))
    }
}

#[cfg(test)]
impl From<&str> for Passphrase {
    fn from(text: &str) -> Self {
        Passphrase(Zeroizing::new(text.to_owned()))
    }
}

/// The second step of a PEM import.
#[derive(Deserialize, TS)]
pub struct ImportPem {
    /// The ticket `pick_key_pem` answered.
    pub ticket: u32,
    /// Tool id or name.
    pub tool: String,
    /// The kid to file the key under (empty or none: its RFC 7638 thumbprint).
    pub kid: Option<String>,
    /// The passphrase of an encrypted key (the window's Passphrase field).
    #[ts(as = "Option<String>")]
    pub passphrase: Option<Passphrase>,
}

/// A request to export a private key encrypted with a passphrase.
#[derive(Deserialize, TS)]
pub struct ExportPrivateKey {
    /// Tool id or name.
    pub tool: String,
    /// The key.
    pub kid: String,
    /// The passphrase to encrypt it with.
    #[ts(as = "String")]
    pub passphrase: Passphrase,
    /// The same passphrase typed again.
    #[ts(as = "String")]
    pub confirm: Passphrase,
}

/// A PEM file picked and not imported yet.
struct PickedFile {
    bytes: Zeroizing<Vec<u8>>,
    at: Instant,
}

/// The PEM files picked and not imported yet, by ticket. A file leaves (its bytes zeroized)
/// once imported, once found to hold no usable key, after [`PICK_LIFETIME`], or when
/// [`MAX_PICKED`] newer ones wait.
#[derive(Default)]
pub struct PickedPems {
    last: u32,
    files: HashMap<u32, PickedFile>,
}

impl PickedPems {
    /// Keeps `bytes` and answers the ticket to find them by.
    fn keep(&mut self, bytes: Zeroizing<Vec<u8>>, now: Instant) -> u32 {
        self.expire(now);
        while self.files.len() >= MAX_PICKED {
            let oldest = self.files.iter().min_by_key(|(_, f)| f.at).map(|(t, _)| *t);
            if let Some(oldest) = oldest {
                self.files.remove(&oldest);
            }
        }
        self.last = self.last.wrapping_add(1).max(1);
        self.files.insert(self.last, PickedFile { bytes, at: now });
        self.last
    }

    /// A copy of the bytes under `ticket`, if they are still held.
    fn get(&mut self, ticket: u32, now: Instant) -> Option<Zeroizing<Vec<u8>>> {
        self.expire(now);
        self.files.get(&ticket).map(|f| f.bytes.clone())
    }

    /// Forgets the file under `ticket`.
    fn forget(&mut self, ticket: u32) {
        self.files.remove(&ticket);
    }

    fn expire(&mut self, now: Instant) {
        self.files
            .retain(|_, f| now.saturating_duration_since(f.at) < PICK_LIFETIME);
    }
}

/// Opens the native open dialog for a PEM private key for `tool`, reads the chosen file (64 KiB
/// at most) and keeps it under a ticket. An unknown tool fails before the dialog opens.
#[tauri::command]
pub async fn pick_key_pem<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    tool: String,
) -> Result<PickedPem, IpcError> {
    let name = with_vault(&state, move |v| Ok(v.tool(&tool)?.profile.name)).await?;
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(format!("Import a private key for {name}"))
        .add_filter("PEM private key", &["pem", "key"])
        .add_filter("All files", &["*"]);
    let Some(path) = chosen_path(dialog, Ask::Open).await? else {
        return Ok(PickedPem::Cancelled);
    };
    let read = tauri::async_runtime::spawn_blocking(move || pick(&path))
        .await
        .map_err(|e| IpcError::internal(format!("the background task failed: {e}")))??;
    let ticket = state.picked().keep(read.bytes, Instant::now());
    Ok(PickedPem::Picked {
        ticket,
        file_name: read.file_name,
        encrypted: read.encrypted,
    })
}

/// A PEM file as read from disk.
struct ReadPem {
    bytes: Zeroizing<Vec<u8>>,
    file_name: String,
    encrypted: bool,
}

/// Reads the PEM file at `path`. Refuses a file over 64 KiB, one that is not text, and one with
/// no PEM block, naming the file.
fn pick(path: &Path) -> Result<ReadPem, IpcError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = Zeroizing::new(ltikeys_core::file::read_capped(
        path,
        PEM_LIMIT,
        "PEM file",
        "a PEM private key is a few KB: choose the key file itself",
    )?);
    let bad = |problem: &str, fix: &str| ltikeys_core::Error::BadKey {
        what: file_name.clone(),
        problem: problem.into(),
        fix: fix.into(),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        bad(
            "it is not a text file",
            "choose a PEM file, the kind that starts with -----BEGIN",
        )
    })?;
    if !text.contains("-----BEGIN ") {
        return Err(bad(
            "it holds no PEM block (no `-----BEGIN ...-----` line)",
            "choose a PEM file holding an RSA private key",
        )
        .into());
    }
    let encrypted = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    Ok(ReadPem {
        bytes,
        file_name,
        encrypted,
    })
}

/// Imports the PEM file picked under `request.ticket` into `request.tool`. The file is kept for
/// another try after a mistake the form can fix (the passphrase, the kid), and forgotten once
/// imported or found to hold no usable key.
#[tauri::command]
pub async fn import_key_pem(
    state: State<'_, AppState>,
    request: ImportPem,
) -> Result<KeyImported, IpcError> {
    import_pem(&state, request).await
}

pub(crate) async fn import_pem(
    state: &AppState,
    request: ImportPem,
) -> Result<KeyImported, IpcError> {
    let ticket = request.ticket;
    let bytes = state
        .picked()
        .get(ticket, Instant::now())
        .ok_or_else(unknown_ticket)?;
    let passphrase = request.passphrase.filter(|p| !p.is_empty());
    let typed = passphrase.is_some();
    let dir = state.data_dir().clone();
    let imported = tauri::async_runtime::spawn_blocking(move || {
        let text = std::str::from_utf8(&bytes).map_err(|_| ltikeys_core::Error::BadKey {
            what: "PEM".into(),
            problem: "it is not text".into(),
            fix: "choose the file again".into(),
        })?;
        let kid = request
            .kid
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        ltikeys_core::Vault::open(&dir)?.import_key(
            &request.tool,
            text,
            passphrase.as_ref().map(Passphrase::as_bytes),
            kid,
            KidScheme::Thumbprint,
            Utc::now(),
        )
    })
    .await
    .map_err(|e| IpcError::internal(format!("the background task failed: {e}")))?;
    match imported {
        Ok(info) => {
            state.picked().forget(ticket);
            Ok(info)
        }
        Err(err) => {
            let err = passphrase_in_window_words(IpcError::from(err), typed);
            if err.kind == ErrorKind::BadKey {
                state.picked().forget(ticket);
            }
            Err(err)
        }
    }
}

fn unknown_ticket() -> IpcError {
    IpcError {
        kind: ErrorKind::Invalid,
        message: "The chosen file is no longer held (it was imported, or waited too long): \
                  choose the file again."
            .into(),
        field: Some("ticket".into()),
        remedies: vec![],
    }
}

/// A passphrase error phrased for the window's Passphrase field (the core's speaks of a file).
fn passphrase_in_window_words(mut err: IpcError, typed: bool) -> IpcError {
    if err.field.as_deref() == Some("passphrase") {
        err.message = if typed {
            "The key could not be decrypted with this passphrase: check what you typed in the \
             Passphrase field."
        } else {
            "The key is encrypted: type its passphrase in the Passphrase field."
        }
        .into();
    }
    err
}

/// Checks the two passphrases of an export: the same, and long enough.
pub(crate) fn check_passphrases(
    passphrase: &Passphrase,
    confirm: &Passphrase,
) -> Result<(), IpcError> {
    let invalid = |field: &str, message: String| IpcError {
        kind: ErrorKind::Invalid,
        message,
        field: Some(field.into()),
        remedies: vec![],
    };
    if passphrase.0.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(invalid(
            "passphrase",
            format!("The passphrase is too short: use at least {MIN_PASSPHRASE_CHARS} characters."),
        ));
    }
    if passphrase.as_bytes() != confirm.as_bytes() {
        return Err(invalid(
            "confirm",
            "The two passphrases differ: type the same passphrase in both fields.".into(),
        ));
    }
    Ok(())
}

/// Exports a private key as encrypted PKCS#8 PEM: checks the passphrases and that the key can
/// be exported, asks in the native save dialog where, then writes it there (owner-only).
#[tauri::command]
pub async fn export_private_key<R: Runtime>(
    window: Window<R>,
    state: State<'_, AppState>,
    request: ExportPrivateKey,
) -> Result<SaveOutcome, IpcError> {
    let ExportPrivateKey {
        tool,
        kid,
        passphrase,
        confirm,
    } = request;
    check_passphrases(&passphrase, &confirm)?;
    drop(confirm);
    let suggested = exportable(&state, &tool, &kid).await?;
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Export private key (encrypted)")
        .add_filter("PEM private key", &["pem"])
        .set_file_name(suggested);
    let Some(path) = chosen_path(dialog, Ask::Save).await? else {
        return Ok(SaveOutcome::Cancelled);
    };
    write_private(&state, tool, kid, passphrase, path).await
}

/// The file name to suggest for the export of `kid`, once the key is known to have its private
/// half in the keychain.
pub(crate) async fn exportable(
    state: &AppState,
    tool: &str,
    kid: &str,
) -> Result<String, IpcError> {
    let (tool, kid) = (tool.to_owned(), kid.to_owned());
    with_vault(state, move |v| {
        let name = v.tool(&tool)?.profile.name;
        let key = v
            .keys(&tool)?
            .into_iter()
            .find(|k| k.key.kid == kid)
            .ok_or_else(|| ltikeys_core::Error::KeyNotFound {
                tool: tool.clone(),
                kid: kid.clone(),
            })?;
        // An unknown state (the keychain did not answer) is left to the export to report.
        if key.private_key == PrivateKeyState::Missing {
            return Err(ltikeys_core::Error::PrivateKeyMissing { tool, kid });
        }
        Ok(pem_file_name(&name, &kid))
    })
    .await
}

/// Writes the encrypted PEM of `kid` to `path`, the file the user chose (replaced if it exists:
/// the dialog asked).
pub(crate) async fn write_private(
    state: &AppState,
    tool: String,
    kid: String,
    passphrase: Passphrase,
    path: PathBuf,
) -> Result<SaveOutcome, IpcError> {
    with_vault(state, move |v| {
        v.export_private(
            &tool,
            &kid,
            Some(passphrase.as_bytes()),
            &path,
            true,
            Utc::now(),
        )?;
        Ok(SaveOutcome::Saved {
            path: path.display().to_string(),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use tauri::async_runtime::block_on;

    use super::*;

    fn pem_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `pick`'s error; what it read is never printed.
    fn pick_err(path: &Path) -> IpcError {
        match pick(path) {
            Ok(_) => panic!("{} was read", path.display()),
            Err(err) => err,
        }
    }

    #[test]
    fn picking_reads_the_file_and_says_whether_it_is_encrypted() {
        let dir = tempfile::tempdir().unwrap();
        let plain = pem_file(
            dir.path(),
            "key.pem",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        );
        let read = pick(&plain).unwrap();
        assert_eq!(&read.bytes[..11], b"-----BEGIN ");
        assert_eq!(
            (read.file_name.as_str(), read.encrypted),
            ("key.pem", false)
        );
        let locked = pem_file(
            dir.path(),
            "locked.key",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        assert!(pick(&locked).unwrap().encrypted, "an encrypted PKCS#8 key");
    }

    #[test]
    fn picking_refuses_a_big_file_a_binary_one_and_one_without_pem_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let big = pem_file(dir.path(), "huge.pem", &"A".repeat(64 * 1024 + 1));
        let err = pick_err(&big);
        assert!(
            err.message.contains(&big.display().to_string()) && err.message.contains("64 KiB"),
            "the error names the file and the cap: {err:?}"
        );
        let exactly = pem_file(
            dir.path(),
            "full.pem",
            &format!(
                "-----BEGIN PRIVATE KEY-----\n{}",
                "A".repeat(64 * 1024 - 28)
            ),
        );
        assert!(pick(&exactly).is_ok(), "64 KiB is within the cap");

        let binary = dir.path().join("key.der");
        std::fs::write(&binary, [0x30, 0x82, 0xff, 0xfe]).unwrap();
        let err = pick_err(&binary);
        assert_eq!(err.kind, ErrorKind::BadKey);
        assert!(
            err.message.starts_with("key.der: it is not a text file"),
            "{err:?}"
        );

        let text = pem_file(dir.path(), "notes.txt", "hello");
        let err = pick_err(&text);
        assert!(
            err.message.starts_with("notes.txt: it holds no PEM block"),
            "{err:?}"
        );

        let missing = dir.path().join("gone.pem");
        let err = pick_err(&missing);
        assert_eq!(err.kind, ErrorKind::Io);
        assert!(err.message.contains("gone.pem"), "{err:?}");
    }

    #[test]
    fn a_picked_file_is_held_under_its_ticket_until_forgotten_or_expired() {
        let mut picked = PickedPems::default();
        let start = Instant::now();
        let first = picked.keep(Zeroizing::new(b"one".to_vec()), start);
        let second = picked.keep(Zeroizing::new(b"two".to_vec()), start);
        assert_ne!(first, second, "each file has its own ticket");
        assert_eq!(picked.get(first, start).unwrap().as_slice(), b"one");
        assert_eq!(picked.get(second, start).unwrap().as_slice(), b"two");
        assert!(
            picked.get(first, start).is_some(),
            "reading does not use it up"
        );
        picked.forget(first);
        assert!(picked.get(first, start).is_none(), "forgotten");
        assert!(picked.get(999, start).is_none(), "never issued");
        let later = start + PICK_LIFETIME;
        assert!(
            picked.get(second, later).is_none(),
            "expired after its lifetime"
        );
        assert!(picked.files.is_empty(), "an expired file leaves memory");
    }

    #[test]
    fn picking_more_than_the_cap_forgets_the_oldest() {
        let mut picked = PickedPems::default();
        let start = Instant::now();
        let tickets: Vec<u32> = (0..=MAX_PICKED)
            .map(|i| {
                let at = start + Duration::from_secs(u64::try_from(i).unwrap());
                picked.keep(Zeroizing::new(vec![1]), at)
            })
            .collect();
        let now = start + Duration::from_secs(60);
        assert!(picked.get(tickets[0], now).is_none(), "the oldest went");
        assert!(tickets[1..].iter().all(|t| picked.get(*t, now).is_some()));
        assert_eq!(picked.files.len(), MAX_PICKED);
    }

    #[test]
    fn an_unknown_ticket_asks_to_choose_the_file_again() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        let request = ImportPem {
            ticket: 7,
            tool: "Quiz".into(),
            kid: None,
            passphrase: None,
        };
        let err = block_on(import_pem(&state, request)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert_eq!(err.field.as_deref(), Some("ticket"));
        assert!(err.message.contains("choose the file again"), "{err:?}");
    }

    #[test]
    fn passphrase_errors_speak_of_the_passphrase_field() {
        let core = ltikeys_core::KeyPair::from_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
            None,
        )
        .err()
        .unwrap();
        let err = passphrase_in_window_words(IpcError::from(core), false);
        assert_eq!(err.field.as_deref(), Some("passphrase"));
        assert_eq!(
            err.message,
            "The key is encrypted: type its passphrase in the Passphrase field."
        );
        assert!(!err.message.contains("--"), "no CLI flag: {}", err.message);
        let other = IpcError::internal("something else");
        assert_eq!(
            passphrase_in_window_words(other.clone(), true),
            other,
            "other errors keep their words"
        );
    }

    #[test]
    fn an_export_needs_two_equal_passphrases_of_eight_characters() {
        let err = check_passphrases(&"correct horse".into(), &"correct house".into()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("confirm"));
        assert_eq!(
            err.message,
            "The two passphrases differ: type the same passphrase in both fields."
        );
        let err = check_passphrases(&"short".into(), &"short".into()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("passphrase"));
        assert!(err.message.contains("at least 8 characters"), "{err:?}");
        assert!(
            !err.message.contains("short\"") && !err.message.contains("'short'"),
            "the passphrase is not in the message"
        );
        assert!(
            check_passphrases(&"ééééééé".into(), &"ééééééé".into()).is_err(),
            "seven characters are too few, whatever their bytes"
        );
        assert!(check_passphrases(&"12345678".into(), &"12345678".into()).is_ok());
    }

    fn add_tool(state: &AppState, name: &str) {
        let profile = ltikeys_core::ToolProfile {
            name: name.into(),
            ..Default::default()
        };
        state
            .vault()
            .unwrap()
            .add_tool(profile, Utc::now())
            .unwrap();
    }

    #[test]
    fn an_unknown_key_is_refused_before_the_dialog_opens() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        add_tool(&state, "Quiz");
        let err = block_on(exportable(&state, "Quiz", "nope")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::KeyNotFound, "{err:?}");
        let err = block_on(exportable(&state, "Gone", "k1")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ToolNotFound, "{err:?}");
    }

    #[test]
    #[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
    fn an_exported_key_imports_again_with_its_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().to_path_buf());
        add_tool(&state, "Quiz Builder");
        add_tool(&state, "Copy");
        let request = ltikeys_core::GenerateKey {
            tool: "Quiz Builder".into(),
            bits: 2048,
            kid_scheme: KidScheme::Thumbprint,
            kid: Some("k1".into()),
        };
        let mut vault = state.vault().unwrap();
        vault
            .generate_key(&request, Utc::now(), &mut |_| {})
            .unwrap();

        let suggested = block_on(exportable(&state, "Quiz Builder", "k1")).unwrap();
        assert_eq!(suggested, "quiz-builder-k1.pem");
        let out = dir.path().join(&suggested);
        let written = block_on(write_private(
            &state,
            "Quiz Builder".into(),
            "k1".into(),
            "correct horse".into(),
            out.clone(),
        ))
        .unwrap();
        assert_eq!(
            written,
            SaveOutcome::Saved {
                path: out.display().to_string()
            }
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "encrypted PKCS#8: {}",
            &text[..40]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
        }

        let read = pick(&out).unwrap();
        assert!(read.encrypted, "the export is seen as encrypted");
        let ticket = state.picked().keep(read.bytes, Instant::now());
        let import = |passphrase: Option<&str>| ImportPem {
            ticket,
            tool: "Copy".into(),
            kid: Some("  ".into()),
            passphrase: passphrase.map(Passphrase::from),
        };
        let err = block_on(import_pem(&state, import(None))).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("passphrase"));
        assert!(err.message.contains("Passphrase field"), "{err:?}");
        let err = block_on(import_pem(&state, import(Some("")))).unwrap_err();
        assert_eq!(
            err.field.as_deref(),
            Some("passphrase"),
            "empty is none typed"
        );
        let err = block_on(import_pem(&state, import(Some("wrong horse")))).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("passphrase"));
        assert_eq!(
            err.message,
            "The key could not be decrypted with this passphrase: check what you typed in the \
             Passphrase field."
        );
        assert!(
            state.picked().get(ticket, Instant::now()).is_some(),
            "a wrong passphrase keeps the file for another try"
        );

        let info = block_on(import_pem(&state, import(Some("correct horse")))).unwrap();
        let original = vault.jwk("Quiz Builder", "k1").unwrap();
        let copy = vault.jwk("Copy", &info.key.key.kid).unwrap();
        assert_eq!(copy.n, original.n, "the same key came back");
        assert_eq!(
            info.key.key.kid,
            ltikeys_core::kid::thumbprint_of(&original.n, &original.e),
            "a blank kid files it under its thumbprint"
        );
        assert_eq!(info.key.private_key, PrivateKeyState::Present);
        assert!(
            info.notes.is_empty(),
            "a PEM of one key has nothing to note"
        );
        let err = block_on(import_pem(&state, import(Some("correct horse")))).unwrap_err();
        assert_eq!(
            err.field.as_deref(),
            Some("ticket"),
            "an imported file is forgotten: {err:?}"
        );

        for tool in ["Quiz Builder", "Copy"] {
            vault.remove_tool(tool, false, Utc::now()).unwrap();
        }
    }
}
