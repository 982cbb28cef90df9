//! Declares the app's commands so each is denied until a capability grants it.

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_status",
            "list_tools",
            "add_tool",
            "get_tool",
            "list_keys",
            "generate_key",
            "export_jwk",
            "export_jwks",
            "save_jwks",
            "delete_key",
        ]),
    ))
    .expect("failed to run the Tauri build script");
}
