//! Dynamic Registration through a one-time loopback page: the app acts for the tool. The LMS
//! opens `http://127.0.0.1:<port>/dr/<nonce>?openid_configuration=…&registration_token=…` in
//! the admin's browser; the app fetches the platform's configuration (with the token as a
//! bearer), shows what will be registered, and on Confirm posts the tool's registration to the
//! platform's `registration_endpoint` and answers with a page that tells the LMS it is done.
//!
//! Only the one path (and its `/confirm` and `/status`) is served, once, to this machine:
//! anything else, a second opening, or a peer that is not loopback gets 404.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::TOOL_CONFIGURATION;
use crate::discovery::{self, DiscoveredPlatform};
use crate::error::{Error, Result};
use crate::http::HttpClient;

/// How long a session waits by default: platforms' registration tokens live about an hour.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);

/// The listener of one session, bound to 127.0.0.1 on a random port.
pub struct Listener {
    server: tiny_http::Server,
    nonce: String,
    url: String,
    expires_at: DateTime<Utc>,
}

impl Listener {
    /// Binds 127.0.0.1:0 with a fresh nonce; the session ends at `now + ttl`.
    pub fn bind(ttl: Duration, now: DateTime<Utc>) -> Result<Listener> {
        let server = tiny_http::Server::http("127.0.0.1:0").map_err(|e| {
            Error::invalid(
                "registration page",
                format!("no port on 127.0.0.1 could be opened ({e})"),
                "close what holds the ports, or try again",
            )
        })?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .unwrap_or_default();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let url = format!("http://127.0.0.1:{port}/dr/{nonce}");
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1));
        Ok(Listener {
            server,
            nonce,
            url,
            expires_at: now + ttl,
        })
    }

    /// The URL to give the LMS (its "registration URL" or "tool URL").
    pub fn url(&self) -> &str {
        &self.url
    }

    /// When the session stops waiting.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

/// What the window or the command line tells a running session.
#[derive(Debug, Default)]
pub struct Control {
    confirm: AtomicBool,
    cancel: AtomicBool,
}

impl Control {
    /// Registers as soon as the platform's configuration is read (`--yes`, or Confirm in the
    /// window).
    pub fn confirm(&self) {
        self.confirm.store(true, Ordering::SeqCst);
    }

    /// Stops the session; the page answers 404 from then on.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    fn confirmed(&self) -> bool {
        self.confirm.load(Ordering::SeqCst)
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// What will be registered, shown in the page and in the window before Confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Preview {
    /// The tool's name.
    pub tool: String,
    /// The platform's issuer.
    pub issuer: String,
    /// Its product, as it says (`canvas`, `moodle`…).
    pub product: Option<String>,
    /// Where the configuration came from.
    pub configuration_url: String,
    /// Where the registration is posted.
    pub registration_endpoint: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The placements offered (their messages).
    pub placements: Vec<String>,
}

/// How a session goes, as it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "stage", rename_all = "snake_case")]
#[ts(rename = "DynregProgress")]
pub enum Progress {
    /// Listening; the URL is to be pasted into the LMS.
    Waiting {
        /// The loopback URL.
        url: String,
        /// When it stops waiting.
        #[ts(type = "string")]
        expires_at: DateTime<Utc>,
    },
    /// The LMS opened the page; this is what Confirm registers.
    Opened {
        /// What will be registered.
        preview: Preview,
    },
    /// The registration is being posted.
    Registering,
}

/// What the platform answered to the registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The client_id it gave.
    pub client_id: String,
    /// The deployment id, when it sends one (Moodle does, Canvas does not).
    pub deployment_id: Option<String>,
}

/// Records what a session registered (the platform and the registration), answering what to
/// tell the admin, or refusing.
pub type Record<'a, T> = dyn FnMut(&str, &DiscoveredPlatform, &Answer) -> Result<T> + 'a;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font:15px system-ui,sans-serif;max-width:42em;margin:2em auto;padding:0 1em}}\
         dt{{font-weight:600}}dd{{margin:0 0 .5em;font-family:monospace;overflow-wrap:anywhere}}\
         button{{font:inherit;padding:.4em 1.2em}}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// HTML-escapes text for the pages.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn preview_page(p: &Preview, nonce: &str) -> String {
    let list = |items: &[String]| {
        if items.is_empty() {
            "<dd>none</dd>".to_string()
        } else {
            items
                .iter()
                .map(|i| format!("<dd>{}</dd>", escape(i)))
                .collect()
        }
    };
    page(
        "Register the tool",
        &format!(
            "<h1>Register {tool}?</h1><p>LTI Key Manager will register this tool on the platform \
             below. Confirm here or in the app.</p><dl><dt>Tool</dt><dd>{tool}</dd>\
             <dt>Platform</dt><dd>{issuer}{product}</dd><dt>Registration endpoint</dt><dd>{endpoint}</dd>\
             <dt>Scopes</dt>{scopes}<dt>Placements</dt>{placements}</dl>\
             <form method=\"post\" action=\"/dr/{nonce}/confirm\"><button id=\"dr-confirm\" type=\"submit\">Confirm</button></form>\
             <p id=\"dr-status\"></p>\
             <script>setInterval(async () => {{ const r = await fetch('/dr/{nonce}/status'); \
             if (!r.ok) return; const s = await r.json(); if (s.done) {{ document.body.innerHTML = s.html; \
             (window.opener || window.parent).postMessage({{subject: 'org.imsglobal.lti.close'}}, '*'); }} }}, 1000);</script>",
            tool = escape(&p.tool),
            issuer = escape(&p.issuer),
            product = p
                .product
                .as_deref()
                .map(|c| format!(" ({})", escape(c)))
                .unwrap_or_default(),
            endpoint = escape(&p.registration_endpoint),
            scopes = list(&p.scopes),
            placements = list(&p.placements),
        ),
    )
}

fn done_body(tool: &str, client_id: &str) -> String {
    format!(
        "<h1 id=\"dr-done\">Registered</h1><p>{} is registered with client_id <code>{}</code>. \
         You can close this page.</p>",
        escape(tool),
        escape(client_id)
    )
}

fn close_page(body: &str) -> String {
    page(
        "Registered",
        &format!(
            "{body}<script>(window.opener || window.parent).postMessage({{subject: \
             'org.imsglobal.lti.close'}}, '*');</script>"
        ),
    )
}

fn error_page(message: &str) -> String {
    page(
        "Registration failed",
        &format!(
            "<h1 id=\"dr-failed\">The registration did not go through</h1><p>{}</p>",
            escape(message)
        ),
    )
}

fn respond(request: tiny_http::Request, status: u16, content_type: &str, body: String) {
    let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes())
        .unwrap_or_else(|()| {
            tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"text/plain"[..])
                .unwrap_or_else(|()| unreachable_header())
        });
    let nocache = tiny_http::Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..])
        .unwrap_or_else(|()| unreachable_header());
    let response = tiny_http::Response::from_string(body)
        .with_status_code(status)
        .with_header(header)
        .with_header(nocache);
    let _ = request.respond(response);
}

#[allow(clippy::panic)]
fn unreachable_header() -> tiny_http::Header {
    panic!("a header of ASCII names and values is always valid")
}

fn not_found(request: tiny_http::Request) {
    respond(
        request,
        404,
        "text/plain; charset=utf-8",
        "Not found".into(),
    );
}

/// The query parameters of a request target.
fn query(target: &str) -> Vec<(String, String)> {
    target
        .split_once('?')
        .map(|(_, q)| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The origin (scheme, host, port) of a URL, for comparing.
fn origin(url: &str) -> Option<url::Origin> {
    url::Url::parse(url).ok().map(|u| u.origin())
}

enum Stage {
    Waiting,
    Opened {
        found: Box<DiscoveredPlatform>,
        configuration_url: String,
        token: Option<String>,
        preview: Preview,
    },
    Done {
        html: String,
    },
}

/// Runs one session until the registration is recorded, refused, cancelled or expired.
/// `registration` is the tool's Dynamic Registration configuration; `record` stores what was
/// registered. Every step is reported to `progress`.
#[allow(clippy::too_many_arguments)]
pub fn serve<T>(
    listener: Listener,
    tool_name: &str,
    registration: &Value,
    client: &HttpClient,
    control: &Control,
    progress: &mut dyn FnMut(&Progress),
    record: &mut Record<'_, T>,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<T> {
    let prefix = format!("/dr/{}", listener.nonce);
    progress(&Progress::Waiting {
        url: listener.url.clone(),
        expires_at: listener.expires_at,
    });
    let mut stage = Stage::Waiting;
    let mut outcome: Option<T> = None;
    let mut linger = 0u32;
    loop {
        if control.cancelled() {
            return Err(Error::invalid(
                "registration",
                "it was cancelled",
                "start it again when the LMS is ready",
            ));
        }
        if matches!(stage, Stage::Done { .. }) {
            // Confirmed in the window: let the page's status poll see the end (a few seconds
            // at most) before the listener goes.
            linger += 1;
            if linger > 20 {
                break;
            }
        } else if now() > listener.expires_at {
            return Err(Error::invalid(
                "registration",
                "it expired before the LMS finished: platforms' registration tokens last about an hour",
                "start a new registration and paste its new URL",
            ));
        }
        // A confirm given in the window or by --yes.
        if control.confirmed() {
            if let Stage::Opened { .. } = &stage {
                let (html, value) = register(
                    &mut stage,
                    tool_name,
                    registration,
                    client,
                    progress,
                    record,
                )?;
                outcome = Some(value);
                stage = Stage::Done { html };
            }
        }
        let request = match listener.server.recv_timeout(Duration::from_millis(250)) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(_) => continue,
        };
        let loopback = request.remote_addr().is_some_and(|a| a.ip().is_loopback());
        let target = request.url().to_string();
        let path = target.split('?').next().unwrap_or("").to_string();
        if !loopback {
            not_found(request);
            continue;
        }
        let get = *request.method() == tiny_http::Method::Get;
        let post = *request.method() == tiny_http::Method::Post;
        if path == prefix && get && matches!(stage, Stage::Waiting) {
            let q = query(&target);
            let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let Some(configuration_url) = param("openid_configuration") else {
                respond(
                    request,
                    400,
                    "text/html; charset=utf-8",
                    error_page(
                        "This address is for the LMS: paste it as the tool's registration URL in \
                         the LMS, which opens it with its openid_configuration.",
                    ),
                );
                continue;
            };
            let token = param("registration_token").filter(|t| !t.is_empty());
            match open(
                &configuration_url,
                token.as_deref(),
                client,
                tool_name,
                registration,
            ) {
                Ok((found, preview)) => {
                    progress(&Progress::Opened {
                        preview: preview.clone(),
                    });
                    stage = Stage::Opened {
                        found: Box::new(found),
                        configuration_url,
                        token,
                        preview: preview.clone(),
                    };
                    if control.confirmed() {
                        let done = register(
                            &mut stage,
                            tool_name,
                            registration,
                            client,
                            progress,
                            record,
                        );
                        outcome = Some(answer_registered(request, done)?);
                        break;
                    } else {
                        respond(
                            request,
                            200,
                            "text/html; charset=utf-8",
                            preview_page(&preview, &listener.nonce),
                        );
                    }
                }
                Err(e) => return Err(failed(request, e)),
            }
        } else if path == format!("{prefix}/confirm")
            && post
            && matches!(stage, Stage::Opened { .. })
        {
            let done = register(
                &mut stage,
                tool_name,
                registration,
                client,
                progress,
                record,
            );
            outcome = Some(answer_registered(request, done)?);
            break;
        } else if path == format!("{prefix}/status") && get && !matches!(stage, Stage::Waiting) {
            let body = match &stage {
                Stage::Done { html } => serde_json::json!({"done": true, "html": html}),
                _ => serde_json::json!({"done": false}),
            };
            let told = matches!(stage, Stage::Done { .. });
            respond(request, 200, "application/json", body.to_string());
            if told {
                break;
            }
        } else {
            not_found(request);
        }
    }
    outcome.ok_or_else(|| {
        Error::invalid(
            "registration",
            "the session ended without a registration",
            "start it again",
        )
    })
}

/// Answers the page's request with the close page of a registration done, or the error page.
fn answer_registered<T>(request: tiny_http::Request, done: Result<(String, T)>) -> Result<T> {
    match done {
        Ok((html, value)) => {
            respond(request, 200, "text/html; charset=utf-8", close_page(&html));
            Ok(value)
        }
        Err(e) => Err(failed(request, e)),
    }
}

/// Answers the page's request with the error page of `e`, and hands `e` on.
fn failed(request: tiny_http::Request, e: Error) -> Error {
    respond(
        request,
        502,
        "text/html; charset=utf-8",
        error_page(&e.to_string()),
    );
    e
}

/// Reads the platform's configuration for the preview.
fn open(
    configuration_url: &str,
    token: Option<&str>,
    client: &HttpClient,
    tool_name: &str,
    registration: &Value,
) -> Result<(DiscoveredPlatform, Preview)> {
    let found = discovery::fetch_with_token(client, configuration_url, token)?;
    let issuer = found.issuer.clone().ok_or_else(|| {
        Error::invalid(
            "openid_configuration",
            format!("the configuration at {configuration_url} has no issuer"),
            "check the LMS's Dynamic Registration settings",
        )
    })?;
    if origin(&issuer) != origin(configuration_url) {
        return Err(Error::invalid(
            "openid_configuration",
            format!(
                "the configuration's issuer {issuer} is not on the origin of the configuration \
                 URL {configuration_url}: it may not be the platform it claims"
            ),
            "start the registration from the LMS itself; do not paste a configuration URL by hand",
        ));
    }
    let registration_endpoint = found.registration_endpoint.clone().ok_or_else(|| {
        Error::invalid(
            "registration_endpoint",
            format!("the configuration at {configuration_url} has no registration_endpoint"),
            "this LMS does not take Dynamic Registration here: export the Dynamic Registration \
             configuration or the Canvas JSON instead",
        )
    })?;
    let lti = &registration[TOOL_CONFIGURATION];
    let preview = Preview {
        tool: tool_name.to_string(),
        issuer,
        product: found.product_family_code.clone(),
        configuration_url: configuration_url.to_string(),
        registration_endpoint,
        scopes: registration["scope"]
            .as_str()
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        placements: lti["messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|m| {
                        format!(
                            "{} ({})",
                            m["placements"]
                                .as_array()
                                .and_then(|p| p.first())
                                .and_then(Value::as_str)
                                .unwrap_or("-"),
                            m["type"].as_str().unwrap_or("-")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    Ok((found, preview))
}

/// Posts the registration and records what the platform answered.
fn register<T>(
    stage: &mut Stage,
    tool_name: &str,
    registration: &Value,
    client: &HttpClient,
    progress: &mut dyn FnMut(&Progress),
    record: &mut Record<'_, T>,
) -> Result<(String, T)> {
    let Stage::Opened {
        found,
        configuration_url,
        token,
        preview,
    } = stage
    else {
        return Err(Error::invalid(
            "registration",
            "the LMS has not opened the page yet",
            "wait for the LMS",
        ));
    };
    progress(&Progress::Registering);
    let endpoint = preview.registration_endpoint.clone();
    let fetched = client
        .post_json(&endpoint, registration, token.as_deref())
        .map_err(|e| {
            Error::invalid(
                "registration_endpoint",
                format!("{endpoint} gave no answer: {e}"),
                "check that the LMS is reachable, then start again",
            )
        })?;
    let text = String::from_utf8_lossy(&fetched.body).into_owned();
    let json: Option<Value> = crate::input::json(&fetched.body).ok();
    if !(200..300).contains(&fetched.status) {
        return Err(refusal(&endpoint, fetched.status, json.as_ref(), &text));
    }
    let Some(answer) = json else {
        return Err(Error::invalid(
            "registration_endpoint",
            format!(
                "{endpoint} answered {} with {} instead of the JSON registration",
                fetched.status,
                if text.trim_start().starts_with('<') {
                    "an HTML page"
                } else {
                    "text"
                }
            ),
            "check the LMS's Dynamic Registration settings",
        ));
    };
    let client_id = match &answer["client_id"] {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(Error::invalid(
                "registration_endpoint",
                format!("{endpoint} answered without a client_id"),
                "check the registration in the LMS; record it by hand if it was made",
            ))
        }
    };
    let deployment_id = match &answer[TOOL_CONFIGURATION]["deployment_id"] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let value = record(
        configuration_url,
        found,
        &Answer {
            client_id: client_id.clone(),
            deployment_id,
        },
    )?;
    Ok((done_body(tool_name, &client_id), value))
}

/// A refused registration in plain words: Canvas's 422 `{errors: […]}`, a 401 token, HTML.
fn refusal(endpoint: &str, status: u16, json: Option<&Value>, text: &str) -> Error {
    let said = json
        .and_then(|j| j.get("errors"))
        .map(|e| match e {
            Value::Array(list) => list
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })
        .or_else(|| {
            json.and_then(|j| {
                j.get("error_description")
                    .or_else(|| j.get("error"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        });
    let (problem, fix) = match status {
        401 | 403 => (
            "the platform refused the registration token: it expired or was used already"
                .to_string(),
            "start the registration again from the LMS (Moodle's token works once)",
        ),
        422 | 400 => (
            format!(
                "the platform refused the tool's configuration{}",
                said.as_deref()
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default()
            ),
            "fix the named field in the tool's profile, then start again",
        ),
        _ if text.trim_start().starts_with('<') => (
            format!("the platform answered {status} with an HTML page"),
            "check the LMS's Dynamic Registration settings",
        ),
        _ => (
            format!(
                "the platform answered {status}{}",
                said.as_deref()
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default()
            ),
            "check the LMS, then start again",
        ),
    };
    Error::invalid(
        "registration_endpoint",
        format!("{endpoint}: {problem}"),
        fix,
    )
}
