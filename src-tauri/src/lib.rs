//! LTI Key Manager's desktop shell: thin commands over `ltikeys-core`.

mod bindings;
mod commands;
mod error;
mod state;

pub use error::IpcError;
pub use state::AppState;

/// Builds and runs the app.
pub fn run() {
    let state = match AppState::from_env() {
        Ok(state) => state,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::tools::app_status,
            commands::tools::list_tools,
            commands::tools::add_tool,
            commands::tools::get_tool,
            commands::keys::list_keys,
            commands::keys::generate_key,
            commands::keys::export_jwk,
            commands::keys::export_jwks,
            commands::keys::save_jwks,
            commands::keys::delete_key,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("error: the window could not be run: {err}");
        std::process::exit(1);
    }
}
