//! Embeds dist/ and the configuration, as the app's build does.

fn main() {
    tauri_build::build();
}
