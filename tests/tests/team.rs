//! The team from the window, against a real OpenBao dev server: the admin connects by typing
//! the address, a name and a token, moves a tool into the team (its keys into Transit, out of
//! the keychain), a second admin (the command line, on another data directory) rotates it,
//! and the window's sync brings the rotation in: one current key, held by Transit.

use anyhow::{ensure, Context, Result};
use ltikeys_core::team::dev_server::DevServer;
use ltikeys_e2e::{cli, App, Launch, APP_READY, UI_STEP};
use serde_json::Value;

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver, a keychain and OpenBao: run scripts/test.sh"]
async fn a_tool_moved_into_the_team_from_the_window_follows_a_rotation_made_elsewhere() -> Result<()>
{
    // Its start polls with a blocking client: off the async runtime.
    let bao = tokio::task::spawn_blocking(DevServer::start).await?;
    let seed = |data: &std::path::Path| -> Result<()> {
        cli(
            data,
            &[
                "tool",
                "add",
                "Team Quiz",
                "--jwks-url",
                "https://quiz.example.edu/jwks",
            ],
        )?;
        cli(data, &["key", "new", "--tool", "Team Quiz"])?;
        Ok(())
    };
    let app = App::start_with(Launch {
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let outcome = scenario(&app, &bao).await;
    app.finish_after("team-failure", outcome).await
}

fn keys(data: &std::path::Path) -> Result<Vec<(String, String, String)>> {
    let listed: Value = serde_json::from_str(&cli(
        data,
        &["key", "list", "--tool", "Team Quiz", "--json"],
    )?)?;
    Ok(listed
        .as_array()
        .context("key list --json is not a list")?
        .iter()
        .map(|k| {
            let s = |f: &str| k[f].as_str().unwrap_or_default().to_string();
            (s("kid"), s("status"), s("private_key"))
        })
        .collect())
}

async fn scenario(app: &App, bao: &DevServer) -> Result<()> {
    app.wait_enabled("#nav-team", APP_READY).await?;
    app.click("#nav-team").await?;
    app.wait_visible("#team-address", UI_STEP).await?;
    app.reveal_fill("#team-address", &bao.address).await?;
    app.reveal_fill("#team-actor", "alice").await?;
    app.reveal_fill("#team-token", &bao.root).await?;
    app.reveal_click("#team-connect").await?;
    app.wait_visible("#team-server", UI_STEP)
        .await
        .context("the window does not show the connected team")?;
    ensure!(app.text_of("#team-you").await? == "alice");
    ensure!(
        !app.page_html().await?.contains(&bao.root),
        "the token is in the page"
    );

    let row = "[data-tool=\"Team Quiz\"]";
    app.reveal_click(&format!("{row} .team-push")).await?;
    app.reveal_click(&format!("{row} .team-push-confirm"))
        .await?;
    app.wait_visible(&format!("{row} .team-shared"), UI_STEP)
        .await
        .context("the tool is not shown as in the team")?;
    let mine = keys(app.data_dir())?;
    ensure!(
        mine.len() == 1 && mine[0].2 == "transit",
        "after the push the keys are {mine:?}"
    );

    // Bob, on another machine, syncs and rotates the tool.
    let bob = tempfile::tempdir()?;
    let token = bob.path().join("token");
    std::fs::write(&token, &bao.root)?;
    let token = token.to_str().context("token path")?;
    cli(
        bob.path(),
        &[
            "team",
            "connect",
            &bao.address,
            "--token-file",
            token,
            "--as",
            "bob",
        ],
    )?;
    cli(bob.path(), &["team", "sync"])?;
    cli(bob.path(), &["key", "rotate", "--tool", "Team Quiz"])?;
    let bobs = keys(bob.path())?;

    app.reveal_click("#team-sync").await?;
    app.wait_visible("#team-sync-result", UI_STEP).await?;
    let said = app.text_of("#team-sync-result").await?;
    ensure!(said.contains("1 pulled"), "the sync says {said:?}");
    let synced = keys(app.data_dir())?;
    ensure!(
        synced == bobs,
        "the window's data directory has {synced:?}, bob has {bobs:?}"
    );
    ensure!(
        synced.iter().filter(|k| k.1 == "current").count() == 1,
        "{synced:?}"
    );

    // The tool's page shows both keys, each held by Transit.
    let tool_id = cli(app.data_dir(), &["tool", "show", "Team Quiz", "--json"])?;
    let tool_id: Value = serde_json::from_str(&tool_id)?;
    let tool_id = tool_id["id"].as_str().context("tool id")?;
    app.click(&format!("#tool-list [data-tool-id=\"{tool_id}\"]"))
        .await?;
    let kids = app.wait_for_key_rows(2).await?;
    for kid in &kids {
        app.expect_key_cell(kid, "private", "transit", UI_STEP)
            .await?;
    }
    Ok(())
}
