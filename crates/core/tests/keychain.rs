//! The real OS keychain (on Linux, the Secret Service that scripts/with-keychain.sh starts).

use chrono::Utc;
use ltikeys_core::secret::{account, Keychain, SecretStore};
use ltikeys_core::{GenerateKey, KidScheme, PrivateKeyState, ToolProfile, Vault};

const NEEDS: &str =
    "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored";

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn stores_reads_and_deletes_binary_secrets() {
    let keychain = Keychain::default();
    keychain.check().expect(NEEDS);
    let name = format!("test-{}", uuid_like());
    let secret: Vec<u8> = (0..=255u8).cycle().take(2400).collect();
    keychain.put(&name, &secret).unwrap();
    let read = keychain.get(&name).unwrap().map(|s| s.to_vec());
    assert_eq!(read, Some(secret.clone()), "binary secrets round-trip");
    keychain.delete(&name).unwrap();
    assert_eq!(keychain.get(&name).unwrap(), None);
    keychain
        .delete(&name)
        .expect("deleting a missing entry is not an error");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn generated_keys_live_in_the_keychain_and_a_removed_entry_shows_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open_with(dir.path(), Box::new(Keychain::default())).unwrap();
    let tool = vault
        .add_tool(
            ToolProfile {
                name: "Keychain test".into(),
                ..ToolProfile::default()
            },
            Utc::now(),
        )
        .unwrap();
    let req = GenerateKey {
        tool: tool.id.clone(),
        bits: 2048,
        kid_scheme: KidScheme::Uuid,
        kid: None,
    };
    let info = vault
        .generate_key(&req, Utc::now(), &mut |_| {})
        .expect(NEEDS);
    let keychain = Keychain::default();
    let der = keychain
        .get(&account(&tool.id, &info.key.kid))
        .unwrap()
        .expect("entry under service ltikeys, account tool/kid");
    assert_eq!(
        der[0], 0x30,
        "the entry holds DER (a SEQUENCE), not PEM text"
    );
    assert_eq!(
        vault.keys(&tool.id).unwrap()[0].private_key,
        PrivateKeyState::Present
    );
    keychain.delete(&account(&tool.id, &info.key.kid)).unwrap();
    assert_eq!(
        vault.keys(&tool.id).unwrap()[0].private_key,
        PrivateKeyState::Missing
    );
    vault
        .delete_key(&tool.id, &info.key.kid, Utc::now())
        .unwrap();
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    )
}
