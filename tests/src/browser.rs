//! A real browser for the flows that go through one: Debian's Chromium, headless, driven
//! through chromedriver over WebDriver (the flags are what this machine needs: no sandbox as
//! root, no background networking on a closed network, a fresh profile).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

use crate::poll_until;

/// A headless Chromium session; it stops when dropped or closed.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Result<Browser> {
        let port = TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port();
        let driver = Command::new(
            std::env::var_os("LTIKEYS_CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into()),
        )
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context(
            "starting chromedriver (Debian's chromium-driver: scripts/install-deps.sh --test)",
        )?;
        let profile = tempfile::Builder::new()
            .prefix("ltikeys-e2e-chromium.")
            .tempdir()?;
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("LTIKEYS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let connected = poll_until(Duration::from_secs(20), || {
            let caps = caps.clone();
            let url = url.clone();
            async move {
                let mut builder = ClientBuilder::new(HttpConnector::new());
                builder.capabilities(caps);
                Ok(builder.connect(&url).await.ok())
            }
        })
        .await?;
        let client = connected.ok_or_else(|| anyhow!("no Chromium session through {url}"))?;
        Ok(Browser {
            client: Some(client),
            driver,
            _profile: profile,
        })
    }

    fn client(&self) -> Result<&Client> {
        self.client
            .as_ref()
            .ok_or_else(|| anyhow!("the browser is closed"))
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client()?
            .goto(url)
            .await
            .with_context(|| format!("opening {url}"))
    }

    /// Waits until `css` matches in the current frame; answers its text.
    pub async fn wait_text(&self, css: &str, timeout: Duration) -> Result<String> {
        let client = self.client()?;
        let found = poll_until(timeout, || async move {
            match client.find(Locator::Css(css)).await {
                Ok(e) => Ok(Some(e.text().await.unwrap_or_default())),
                Err(_) => Ok(None),
            }
        })
        .await?;
        found.ok_or_else(|| anyhow!("nothing matches `{css}` in the browser"))
    }

    /// Runs `script` in the page and answers its result.
    pub async fn run(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client()?.execute(script, vec![]).await?)
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) -> Result<()> {
        if let Some(client) = self.client.take() {
            client.close().await?;
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
