//! A window showing one static page and nothing else: no commands, no plugins, no data. The
//! start-up benchmark (`scripts/bench-startup.sh`) runs it beside the app, built the same way,
//! so that what the app adds to Tauri's own start and memory can be told apart.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(err) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("minimal app: {err}");
        std::process::exit(1);
    }
}
