//! Declares the app's commands so each is denied until a capability grants it.

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_status",
            "remove_orphans",
            "list_tools",
            "add_tool",
            "get_tool",
            "list_keys",
            "generate_key",
            "export_jwk",
            "export_jwks",
            "save_jwks",
            "delete_key",
            "rotation_state",
            "rotate_keys",
            "retire_key",
            "revoke_key",
            "set_policy",
            "check_jwks",
            "last_checks",
            "list_platforms",
            "platform_presets",
            "add_platform",
            "remove_platform",
            "discover_platform",
            "list_registrations",
            "add_registration",
            "add_deployment",
            "remove_deployment",
            "registration_handoff",
            "check_platforms",
            "update_tool",
            "lti_choices",
            "export_canvas",
            "save_canvas",
            "lint_canvas",
            "import_canvas",
        ]),
    ))
    .expect("failed to run the Tauri build script");
}
