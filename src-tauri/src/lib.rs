//! LTI Key Manager's desktop shell: thin commands over `ltikeys-core`.

mod bindings;
mod commands;
mod error;
mod state;
mod window;

pub use error::IpcError;
pub use state::AppState;

/// Builds and runs the app.
pub fn run() {
    window::choose_compositing();
    // The window's input and drawing come before a key generation's prime searches.
    ltikeys_core::key::yield_to_interactive_work();
    let state = match AppState::from_env() {
        Ok(state) => state,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    };
    let data_dir = state.data_dir().clone();
    let result = tauri::Builder::default()
        // First, so that a second start hands over before anything else is set up.
        .plugin(window::single_instance(&data_dir))
        .plugin(window::remembered_geometry(&data_dir))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state)
        .setup(|app| {
            window::reload_after_renderer_crash(app);
            window::save_geometry_when_settled(app);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::tools::app_status,
            commands::tools::data_stamp,
            commands::tools::remove_orphans,
            commands::tools::list_tools,
            commands::tools::add_tool,
            commands::tools::get_tool,
            commands::tools::remove_tool,
            commands::keys::list_keys,
            commands::keys::generate_key,
            commands::keys::cancel_keygen,
            commands::keys::export_jwk,
            commands::keys::export_jwks,
            commands::keys::save_jwks,
            commands::keys::delete_key,
            commands::private::pick_key_pem,
            commands::private::import_key_pem,
            commands::private::export_private_key,
            commands::rotation::rotation_state,
            commands::rotation::rotate_keys,
            commands::rotation::retire_key,
            commands::rotation::revoke_key,
            commands::rotation::set_policy,
            commands::checks::check_jwks,
            commands::checks::cancel_check,
            commands::checks::last_checks,
            commands::platforms::list_platforms,
            commands::platforms::platform_presets,
            commands::platforms::add_platform,
            commands::platforms::update_platform,
            commands::platforms::remove_platform,
            commands::platforms::discover_platform,
            commands::platforms::list_registrations,
            commands::platforms::platform_page,
            commands::platforms::add_registration,
            commands::platforms::update_registration,
            commands::platforms::remove_registration,
            commands::platforms::add_deployment,
            commands::platforms::remove_deployment,
            commands::platforms::registration_handoff,
            commands::platforms::check_platforms,
            commands::canvas::update_tool,
            commands::canvas::lti_choices,
            commands::canvas::export_canvas,
            commands::canvas::save_canvas,
            commands::canvas::lint_canvas,
            commands::canvas::import_canvas,
            commands::canvas::export_canvas_api,
            commands::canvas::save_canvas_api,
            commands::tools::export_dynreg,
            commands::tools::save_dynreg,
            commands::platforms::export_library,
            commands::platforms::save_library,
            commands::bundles::preview_bundle,
            commands::bundles::export_bundle,
            commands::bundles::pick_bundle,
            commands::bundles::import_bundle,
            commands::tokens::client_assertion,
            commands::tokens::token_test,
            commands::tokens::inspect_jwt,
            commands::tokens::pick_jwt,
            commands::tokens::find_kid,
            commands::dynreg::start_dynreg,
            commands::dynreg::confirm_dynreg,
            commands::dynreg::cancel_dynreg,
            commands::canvas::canvas_api_settings,
            commands::canvas::set_canvas_api,
            commands::team::team_status,
            commands::team::team_connect,
            commands::team::team_sync,
            commands::team::team_push,
            commands::team::team_policy,
            commands::canvas::forget_canvas_token,
            commands::canvas::canvas_register,
            commands::canvas::canvas_link,
            commands::canvas::canvas_deployments,
            commands::canvas::canvas_switch,
            commands::canvas::canvas_status,
            commands::canvas::canvas_update,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("error: the window could not be run: {err}");
        std::process::exit(1);
    }
}
