//! The tool's tokens in the window: a token-endpoint test against a platform on 127.0.0.1 that
//! refuses the kid, explained; then the client assertion pasted into the JWT inspector, its
//! signature verified and the unpublished kid found.

use std::cell::RefCell;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use ltikeys_core::testing::{Reply, Server};
use ltikeys_e2e::{cli, App, Launch, APP_READY, UI_STEP};

const TOOL: &str = "Token Quiz";
const CLIENT_ID: &str = "10000000000088";

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the built app, Xvfb, tauri-driver and a keychain: run scripts/test.sh"]
async fn a_token_test_is_explained_and_a_pasted_jwt_inspected() -> Result<()> {
    // The tool's JWKS URL publishes nothing yet; the platform answers as Canvas does then.
    let tool_jwks = Server::always(Reply::json("{\"keys\":[]}"));
    let platform = Server::always(
        Reply::new(
            400,
            r#"{"error":"invalid_request","error_description":"JSON::JWK::Set::KidNotFound"}"#,
        )
        .content_type("application/json"),
    );
    let ids = RefCell::new((String::new(), String::new()));
    let seed = |data: &Path| -> Result<()> {
        let tool = cli(
            data,
            &[
                "tool",
                "add",
                TOOL,
                "--jwks-url",
                &tool_jwks.url("/jwks.json"),
            ],
        )?;
        cli(data, &["key", "new", "--tool", TOOL])?;
        cli(
            data,
            &[
                "platform",
                "add",
                "Local Canvas",
                "--preset",
                "custom",
                "--issuer",
                &platform.url(""),
                "--auth-url",
                &platform.url("/auth"),
                "--token-url",
                &platform.url("/login/oauth2/token"),
                "--jwks-url",
                &platform.url("/jwks"),
            ],
        )?;
        let reg = cli(
            data,
            &[
                "registration",
                "add",
                "--tool",
                TOOL,
                "--platform",
                "Local Canvas",
                "--client-id",
                CLIENT_ID,
            ],
        )?;
        *ids.borrow_mut() = (tool.trim().to_owned(), reg.trim().to_owned());
        Ok(())
    };
    let app = App::start_with(Launch {
        seed: Some(Box::new(seed)),
        ..Launch::default()
    })
    .await?;
    let (tool, reg) = ids.into_inner();
    let outcome = scenario(&app, &tool, &reg).await;
    app.finish_after("token-failure", outcome).await
}

async fn scenario(app: &App, tool: &str, reg: &str) -> Result<()> {
    let item = format!("#tool-list [data-tool-id=\"{tool}\"]");
    app.wait_enabled(&item, APP_READY).await?;
    app.click(&item).await?;
    app.reveal_click("#tab-registrations").await?;
    app.reveal_click(&format!("#token-test-{reg}")).await?;
    let result = format!("#token-result-{reg}[data-token-outcome=\"refused\"]");
    app.wait_visible(&result, UI_STEP)
        .await
        .context("the token test shows no refusal")?;
    app.wait_visible(
        &format!("#token-findings-{reg} [data-finding-code=\"kid-not-found\"]"),
        UI_STEP,
    )
    .await
    .context("the refusal is not explained as KidNotFound")?;
    let said = app.text_of("[data-platform-said]").await?;
    ensure!(
        said.contains("KidNotFound"),
        "the platform's words read {said:?}"
    );
    app.screenshot("token-test.png").await?;

    // The client assertion, signed in the window, pasted into the inspector.
    app.reveal_click(&format!("#assertion-{reg}")).await?;
    app.wait_visible(&format!("#assertion-token-{reg}"), UI_STEP)
        .await?;
    let token = app
        .prop_of(&format!("#assertion-token-{reg}"), "value")
        .await?;
    ensure!(
        token.split('.').count() == 3,
        "the client assertion is not shown encoded: {token:?}"
    );
    app.reveal_click("#nav-inspect").await?;
    app.wait_visible("#inspect-page", UI_STEP).await?;
    app.reveal_fill("#jwt-input", &token).await?;
    app.reveal_click("#jwt-inspect").await?;
    app.wait_visible("#jwt-result[data-kind=\"client_assertion\"]", UI_STEP)
        .await
        .context("the inspector did not read a client assertion")?;
    let status = app
        .attr_of("#jwt-signature", "data-signature-status")
        .await?;
    ensure!(
        status.as_deref() == Some("verified"),
        "the signature is {status:?}"
    );
    let registration = app
        .attr_of("#jwt-registration", "data-registration")
        .await?;
    ensure!(
        registration.as_deref() == Some(reg),
        "the inspector found registration {registration:?}"
    );
    app.wait_visible(
        "#jwt-findings [data-finding-code=\"kid-not-published\"]",
        UI_STEP,
    )
    .await
    .context("the unpublished kid is not a finding")?;
    app.screenshot("inspector.png").await?;
    Ok(())
}
