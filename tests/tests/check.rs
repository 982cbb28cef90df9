//! The Checks page in the real app: a JWKS served on 127.0.0.1 without the `{"keys": …}`
//! wrapper is flagged with its finding; a check of a server that never answers is cancelled
//! from the window, quietly (no error banner).

use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use ltikeys_core::testing::{Reply, Server};
use ltikeys_e2e::{poll_until, App, UI_STEP};
use serde_json::json;

/// One JWKS check against the local server.
const CHECK: Duration = Duration::from_secs(30);
/// How soon a cancelled check must say so: well under the fetch's own time limit.
const CANCEL: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn a_bare_key_array_is_flagged_and_a_hanging_check_cancels() -> Result<()> {
    App::run("check-failure", check_then_cancel).await
}

async fn check_then_cancel(app: &App) -> Result<()> {
    app.click("#nav-checks").await?;
    app.wait_visible("#checks-page", UI_STEP).await?;
    bare_array_is_flagged(app).await?;
    hanging_check_cancels(app).await
}

/// A JWKS that is a bare array of keys: the check names the missing wrapper.
async fn bare_array_is_flagged(app: &App) -> Result<()> {
    let server = Server::always(
        Reply::new(
            200,
            json!([{
                "kty": "RSA",
                "kid": "bare-1",
                "use": "sig",
                "alg": "RS256",
                "n": format!("{}wA", "wMDA".repeat(85)),
                "e": "AQAB",
            }])
            .to_string(),
        )
        .header("Content-Type", "application/json")
        .header("Cache-Control", "public, max-age=300"),
    );
    let url = server.url("/jwks.json");
    app.fill("#check-url", &url).await?;
    app.click("#check-run").await?;
    let finding = app
        .wait_visible(
            "#check-result [data-finding-code=\"missing-keys-wrapper\"]",
            CHECK,
        )
        .await
        .context("the check did not flag the missing keys wrapper")?;
    ensure!(
        finding.text.contains("Fix: Wrap the list"),
        "the finding gives no fix: {:?}",
        finding.text
    );
    ensure!(server.hits() >= 1, "the check never reached the server");
    let status = app.text_of("#check-result [data-fact=\"status\"]").await?;
    ensure!(status.contains("200"), "the status fact reads {status:?}");
    app.wait_visible(
        &format!("#recent-checks [data-check-url=\"{url}\"]"),
        UI_STEP,
    )
    .await
    .context("the check is not in the last results")?;
    app.screenshot("check-bare-array.png").await?;
    Ok(())
}

/// A server that accepts connections and never answers: the check is cancelled from the window.
async fn hanging_check_cancels(app: &App) -> Result<()> {
    let url = silent_server()?;
    app.fill("#check-url", &url).await?;
    app.click("#check-run").await?;
    app.wait_enabled("#check-cancel", UI_STEP)
        .await
        .context("a running check shows no Cancel button")?;
    let asked = Instant::now();
    app.click("#check-cancel").await?;
    let said = poll_until(CANCEL, || async {
        let probe = app.probe("#check-result").await?;
        Ok(probe.and_then(|p| p.text.contains("cancelled").then_some(p.text)))
    })
    .await?;
    let elapsed = asked.elapsed();
    if said.is_none() {
        let error = app.visible_error().await;
        app.screenshot("check-cancel-failure.png").await?;
        anyhow::bail!(
            "no \"cancelled\" within {CANCEL:?} of clicking #check-cancel (error banner: {error:?})"
        );
    }
    ensure!(
        app.visible_error().await.is_none(),
        "cancelling showed an error banner: {:?}",
        app.visible_error().await
    );
    ensure!(
        app.probe("#check-cancel").await?.is_none(),
        "#check-cancel is still shown after the check was cancelled"
    );
    app.wait_enabled("#check-run", UI_STEP)
        .await
        .context("#check-run is not enabled again after the cancel")?;
    eprintln!("the check said it was cancelled {elapsed:?} after the click");
    Ok(())
}

/// A 127.0.0.1 URL whose server accepts each connection and holds it open without a word.
fn silent_server() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding the silent server")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    Ok(format!("http://{addr}/jwks.json"))
}

#[test]
fn the_silent_server_accepts_and_says_nothing() -> Result<()> {
    use std::io::{Read, Write};
    let url = silent_server()?;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/jwks.json");
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_millis(300)))?;
    stream.write_all(b"GET /jwks.json HTTP/1.1\r\nHost: x\r\n\r\n")?;
    let mut buffer = [0u8; 16];
    let read = stream.read(&mut buffer);
    ensure!(
        matches!(&read, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the silent server answered: {read:?}"
    );
    Ok(())
}
