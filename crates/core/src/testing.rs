//! A real HTTP/1.1 server on 127.0.0.1 for tests of code that fetches (feature `test-server`).
//!
//! One route table (a function of the [`Request`]), one thread per connection,
//! `Connection: close` on every answer, and a log of the requests it read. Besides whole
//! responses it can trickle a body, stay silent, or send a body of any size, for the limits of
//! [`crate::HttpClient`]. The core's, the CLI's and the end-to-end tests all serve through it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A whole response; `Content-Length` and `Connection: close` are added.
    Full {
        /// The status code.
        status: u16,
        /// Headers, in the order sent.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// A 200 with `Content-Type: application/json` at once, then one space every `every`,
    /// until the client leaves.
    Trickle {
        /// The pause between two bytes.
        every: Duration,
    },
    /// Nothing at all: the request is read, no answer ever comes.
    Silent,
    /// A 200 with `bytes` of body, sent as fast as the client takes them.
    Huge {
        /// The body's size.
        bytes: u64,
        /// Whether `Content-Length` announces it.
        content_length: bool,
    },
}

impl Reply {
    /// 200 with the body, `Content-Type: application/json` and `Cache-Control: max-age=300`.
    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200, body)
            .header("Content-Type", "application/json")
            .header("Cache-Control", "public, max-age=300")
    }

    /// A response with no headers yet.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Reply {
        Reply::new(302, "").header("Location", location)
    }

    /// The same response with one more header (only for `Full`).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    /// The same response without any header of this name.
    pub fn without(mut self, name: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        }
        self
    }

    /// The same response with `Content-Type` set to `value` (only this one).
    pub fn content_type(self, value: &str) -> Reply {
        self.without("Content-Type").header("Content-Type", value)
    }
}

/// A request as the server read it: the request line and the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target, query included: `/jwks?x=1`.
    pub path: String,
    /// Header names and values as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The server's own `http://127.0.0.1:PORT`, so that a document can name its address.
    pub base: String,
    /// The body, when the request had one (a form post).
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::http::first_header(&self.headers, name)
    }

    /// The fields of a form-encoded body.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

type Routes = dyn Fn(&Request) -> Reply + Send + Sync;

/// What the connection threads share with the [`Server`].
struct Shared {
    routes: Box<Routes>,
    base: String,
    stop: AtomicBool,
    huge_sent: AtomicU64,
    log: Mutex<Vec<Request>>,
}

/// The `ltikeys` arguments that register the tool "Shared" on the platform "Shared LMS" with
/// `client_id`: the set-up and one of the writes of the concurrent-writer tests.
pub fn register_shared(client_id: &str) -> Vec<String> {
    [
        "registration",
        "add",
        "--tool",
        "Shared",
        "--platform",
        "Shared LMS",
        "--client-id",
        client_id,
    ]
    .map(str::to_string)
    .to_vec()
}

/// Write `step` of concurrent writer `n` (the CLI's and the window's concurrency tests): in
/// turn a next key of the tool "Shared", a rotation, a deployment id `wN-dSTEP` on
/// `registration`, and a registration with client_id `wN-cSTEP`.
pub fn shared_write(n: usize, step: usize, registration: &str) -> Vec<String> {
    let owned = |args: &[&str]| args.iter().map(|a| a.to_string()).collect();
    match step % 4 {
        0 => owned(&["key", "new", "--tool", "Shared", "--next"]),
        1 => owned(&["key", "rotate", "--tool", "Shared", "--json"]),
        2 => owned(&[
            "registration",
            "deployment",
            "add",
            registration,
            &format!("w{n}-d{step}"),
        ]),
        _ => register_shared(&format!("w{n}-c{step}")),
    }
}

/// What write `step` of [`shared_write`] (`args`) came to: the kid it made, if any, or why it
/// was refused.
pub fn shared_write_outcome(
    step: usize,
    args: &[String],
    out: &std::process::Output,
) -> Result<Option<String>, String> {
    if !out.status.success() {
        return Err(format!(
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    Ok(match step % 4 {
        0 => Some(stdout.trim().to_string()),
        1 => serde_json::from_str::<serde_json::Value>(&stdout)
            .ok()
            .and_then(|plan| plan["generated"].as_str().map(str::to_string)),
        _ => None,
    })
}

/// A positive count from the environment variable `name` (a benchmark's runs, say): `None`
/// when it is not set, an error naming it when it is not a positive whole number.
pub fn env_count(name: &str) -> Result<Option<usize>, String> {
    match std::env::var(name) {
        Ok(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| format!("{name} must be a positive number, got {raw:?}")),
        Err(_) => Ok(None),
    }
}

/// A running server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server answering each request with `routes(&request)`.
    ///
    /// Panics when no loopback port can be bound: it is for tests.
    pub fn start(routes: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a port on 127.0.0.1");
        let addr = listener
            .local_addr()
            .expect("the address of a bound listener");
        let shared = Arc::new(Shared {
            routes: Box::new(routes),
            base: format!("http://{addr}"),
            stop: AtomicBool::new(false),
            huge_sent: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = shared.clone();
                    std::thread::spawn(move || serve(stream, &shared));
                }
            })
        };
        Server {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// A server that answers each request with `routes(&request)` after `delay`, and counts
    /// the most requests it had in hand at once (the second value), to see a client's bound.
    pub fn slow(
        delay: Duration,
        routes: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> (Server, Arc<AtomicUsize>) {
        let active = AtomicUsize::new(0);
        let peak = Arc::new(AtomicUsize::new(0));
        let seen = peak.clone();
        let server = Server::start(move |request| {
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            seen.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(delay);
            active.fetch_sub(1, Ordering::SeqCst);
            routes(request)
        });
        (server, peak)
    }

    /// A server that answers every request with `reply`.
    pub fn always(reply: Reply) -> Server {
        Server::start(move |_| reply.clone())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.shared.base
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shared.base)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The requests read so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Request> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests were read so far.
    pub fn hits(&self) -> usize {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Body bytes the kernel accepted from [`Reply::Huge`] answers so far.
    pub fn huge_bytes_sent(&self) -> u64 {
        self.shared.huge_sent.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A URL on 127.0.0.1 at a port nobody listens on: connecting to it is refused.
pub fn refused_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a port on 127.0.0.1");
    let addr = listener
        .local_addr()
        .expect("the address of a bound listener");
    drop(listener);
    format!("http://{addr}{path}")
}

/// Sleeps for `total`, waking early when the server stops.
fn pause(total: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(20);
    let mut slept = Duration::ZERO;
    while slept < total && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(step.min(total - slept));
        slept += step;
    }
}

/// Reads a request's head; `None` when it is not HTTP/1.x.
fn read_request(stream: &mut TcpStream, base: &str) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut byte).ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&byte[..n]);
        if !head[0].is_ascii_alphabetic() {
            return None; // A TLS handshake (0x16) or other bytes that are not HTTP.
        }
    }
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut body = head.split_off(end);
    let text = String::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split_whitespace();
    let (method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let headers: Vec<(String, String)> = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    // A body as long as Content-Length says (a form post), up to 1 MiB.
    let length = crate::http::first_header(&headers, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    while body.len() < length {
        let n = stream.read(&mut byte).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&byte[..n]);
    }
    body.truncate(length);
    Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        headers,
        base: base.to_string(),
        body,
    })
}

/// The reason phrase sent with `status`.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&mut stream, &shared.base) else {
        // Not HTTP (a TLS ClientHello, say): answer in plain HTTP and hang up.
        let _ = stream.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    let reply = (shared.routes)(&request);
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request);
    let stop = &shared.stop;
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
        Reply::Trickle { every } => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            while !stop.load(Ordering::SeqCst) {
                if stream
                    .write_all(b" ")
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
                pause(every, stop);
            }
        }
        Reply::Silent => {
            // Wait until the client hangs up (a read returns 0) or the server stops.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
            let mut buf = [0u8; 64];
            while !stop.load(Ordering::SeqCst) {
                match stream.read(&mut buf) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return,
                }
            }
        }
        Reply::Huge {
            bytes,
            content_length,
        } => {
            let mut head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    .to_string();
            if content_length {
                head.push_str(&format!("Content-Length: {bytes}\r\n"));
            }
            head.push_str("\r\n");
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut left = bytes;
            while left > 0 && !stop.load(Ordering::SeqCst) {
                let n = left.min(chunk.len() as u64) as usize;
                match stream.write(&chunk[..n]) {
                    Ok(0) | Err(_) => return,
                    Ok(written) => {
                        shared.huge_sent.fetch_add(written as u64, Ordering::SeqCst);
                        left -= written as u64;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(server: &Server, head: &str) -> String {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn a_route_answers_with_its_status_headers_and_body_and_the_request_is_logged() {
        let server = Server::start(|r| match r.path.as_str() {
            "/jwks" => Reply::json(r#"{"keys":[]}"#).content_type("application/jwk-set+json"),
            _ => Reply::new(404, "not found"),
        });
        let response = get(
            &server,
            "GET /jwks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n",
        );
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response:?}");
        assert!(
            response.contains("\r\nContent-Type: application/jwk-set+json\r\n"),
            "{response:?}"
        );
        assert!(
            !response.contains("application/json"),
            "content_type replaces the header: {response:?}"
        );
        assert!(
            response.contains("\r\nContent-Length: 11\r\n"),
            "{response:?}"
        );
        assert!(response.ends_with("\r\n\r\n{\"keys\":[]}"), "{response:?}");
        let missing = get(&server, "GET /nope HTTP/1.1\r\n\r\n");
        assert!(
            missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
            "{missing:?}"
        );

        let log = server.requests();
        assert_eq!(log.len(), 2, "both requests are logged: {log:?}");
        assert_eq!(server.hits(), 2);
        assert_eq!(log[0].method, "GET");
        assert_eq!(log[0].path, "/jwks");
        assert_eq!(log[0].header("authorization"), Some("Bearer t"));
        assert_eq!(log[0].base, server.base());
        assert_eq!(log[1].header("authorization"), None);
    }

    #[test]
    fn bytes_that_are_not_http_get_a_400() {
        let server = Server::always(Reply::json("{}"));
        let response = get(&server, "\u{16}\u{3}\u{1} not a request\r\n\r\n");
        assert!(
            response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{response:?}"
        );
        assert_eq!(server.hits(), 0, "only HTTP requests are logged");
    }

    #[test]
    fn a_refused_url_refuses() {
        let url = refused_url("/jwks");
        let addr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/jwks"))
            .unwrap();
        assert!(addr.starts_with("127.0.0.1:"), "{url}");
        assert!(TcpStream::connect(addr).is_err(), "{url} was answered");
    }

    #[test]
    fn moodles_page_opens_its_own_start_page_which_redirects_to_the_tool_with_the_token() {
        let (moodle, _) = dynreg_platform(DrLms::Moodle);
        let page = get(&moodle, "GET /lms?dr=x HTTP/1.1\r\n\r\n");
        assert!(
            page.contains("'/mod/lti/startltiadvregistration.php?url=' + encodeURIComponent(dr)"),
            "Moodle's iframe opens its own page, not the tool's: {page:?}"
        );
        let tool = "http://127.0.0.1:9/dr/abc?lang=en";
        let target = format!(
            "/mod/lti/startltiadvregistration.php?url={}",
            url::form_urlencoded::byte_serialize(tool.as_bytes()).collect::<String>()
        );
        let response = get(&moodle, &format!("GET {target} HTTP/1.1\r\n\r\n"));
        assert!(response.starts_with("HTTP/1.1 302 "), "{response:?}");
        let location = response
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .expect("the redirect names where to go");
        let location = url::Url::parse(location).unwrap();
        assert_eq!(
            &location[..url::Position::AfterPath],
            "http://127.0.0.1:9/dr/abc"
        );
        let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
        let config = format!("{}/mod/lti/openid-configuration.php", moodle.base());
        assert_eq!(
            query,
            [
                ("lang".to_string(), "en".to_string()),
                ("openid_configuration".to_string(), config),
                ("registration_token".to_string(), DR_TOKEN.to_string()),
            ],
            "the tool's own query is kept and Moodle's two parameters follow it"
        );
        let bare = get(
            &moodle,
            "GET /mod/lti/startltiadvregistration.php HTTP/1.1\r\n\r\n",
        );
        assert!(bare.starts_with("HTTP/1.1 400 "), "no url: {bare:?}");
    }

    #[test]
    fn canvass_page_opens_the_tool_itself_and_has_no_moodle_start_page() {
        let (canvas, _) = dynreg_platform(DrLms::Canvas);
        let page = get(&canvas, "GET /lms?dr=x HTTP/1.1\r\n\r\n");
        assert!(
            page.contains("const src = dr + '?openid_configuration='")
                && page.contains("/api/lti/security/openid-configuration"),
            "Canvas's iframe opens the tool's URL with the parameters: {page:?}"
        );
        let start = get(
            &canvas,
            "GET /mod/lti/startltiadvregistration.php?url=http%3A%2F%2F127.0.0.1%3A9%2F HTTP/1.1\r\n\r\n",
        );
        assert!(start.starts_with("HTTP/1.1 404 "), "{start:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The platform side of Dynamic Registration

const TOOL_CONFIGURATION: &str = crate::dynreg::TOOL_CONFIGURATION;

/// The registration token the platforms of [`dynreg_platform`] hand out and require.
pub const DR_TOKEN: &str = "reg-token-1";

/// How the platform of [`dynreg_platform`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrLms {
    /// Canvas: the configuration only with the bearer, no deployment id in the answer.
    Canvas,
    /// Moodle: a single-use token, the deployment id in the answer.
    Moodle,
    /// Canvas whose configuration names an issuer on another origin.
    ForeignIssuer,
    /// Canvas refusing the configuration with a 422.
    Refusing,
    /// An LMS whose registration endpoint answers an HTML page.
    Html,
}

/// Whether the submitted registration has what Canvas and Moodle require.
fn valid(reg: &serde_json::Value) -> Result<(), String> {
    for member in [
        "application_type",
        "initiate_login_uri",
        "client_name",
        "jwks_uri",
        "token_endpoint_auth_method",
    ] {
        if !reg[member].is_string() {
            return Err(format!("{member} is required"));
        }
    }
    if reg["redirect_uris"].as_array().is_none_or(Vec::is_empty) {
        return Err("redirect_uris must not be empty".into());
    }
    let lti = &reg[TOOL_CONFIGURATION];
    for member in ["domain", "target_link_uri"] {
        if !lti[member].is_string() {
            return Err(format!("{TOOL_CONFIGURATION}.{member} is required"));
        }
    }
    Ok(())
}

/// A platform on 127.0.0.1 with the platform side of Dynamic Registration as `lms` answers
/// it: its configuration (Canvas: only with the bearer), its registration endpoint (the
/// bearer required, the metadata checked, Moodle's token single-use), and `/lms?dr=URL`, an
/// LMS page that opens the tool's registration URL in an iframe and marks
/// `body[data-closed="yes"]` when told `org.imsglobal.lti.close`. Canvas's iframe is the
/// tool's URL with `openid_configuration` and `registration_token` added by the page; Moodle's
/// is its own `/mod/lti/startltiadvregistration.php?url=URL`, which redirects (302) to the
/// tool's URL with them. Counts the registrations made.
pub fn dynreg_platform(lms: DrLms) -> (Server, Arc<AtomicUsize>) {
    let registrations = Arc::new(AtomicUsize::new(0));
    let count = registrations.clone();
    let server = Server::start(move |req: &Request| {
        let bearer = req.header("authorization") == Some(&format!("Bearer {DR_TOKEN}"));
        let (config_path, reg_path, family) = match lms {
            DrLms::Moodle => (
                "/mod/lti/openid-configuration.php",
                "/mod/lti/openid-registration.php",
                "moodle",
            ),
            _ => (
                "/api/lti/security/openid-configuration",
                "/api/lti/registrations",
                "canvas",
            ),
        };
        let path = req.path.split('?').next().unwrap_or("");
        if path == config_path && req.method == "GET" {
            if lms != DrLms::Moodle && !bearer {
                return Reply::new(401, r#"{"errors":[{"message":"Unauthorized"}]}"#);
            }
            let issuer = if lms == DrLms::ForeignIssuer {
                "https://canvas.elsewhere.example".to_string()
            } else {
                req.base.clone()
            };
            return Reply::json(
                serde_json::json!({
                    "issuer": issuer,
                    "authorization_endpoint": format!("{}/api/lti/authorize_redirect", req.base),
                    "token_endpoint": format!("{}/login/oauth2/token", req.base),
                    "jwks_uri": format!("{}/api/lti/security/jwks", req.base),
                    "registration_endpoint": format!("{}{reg_path}", req.base),
                    "scopes_supported": ["openid"],
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": family, "version": "1.0",
                        "messages_supported": [{"type": "LtiResourceLinkRequest"}]
                    }
                })
                .to_string(),
            );
        }
        if path == reg_path && req.method == "POST" {
            if !bearer {
                return Reply::new(401, r#"{"error":"invalid_token"}"#);
            }
            // Moodle's token works once.
            if lms == DrLms::Moodle && count.load(Ordering::SeqCst) > 0 {
                return Reply::new(401, r#"{"error":"token already used"}"#);
            }
            if lms == DrLms::Html {
                return Reply::new(500, "<html><body>Oops</body></html>").content_type("text/html");
            }
            let reg: serde_json::Value =
                serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null);
            if let Err(why) = valid(&reg) {
                return Reply::new(422, serde_json::json!({"errors": [why]}).to_string())
                    .content_type("application/json");
            }
            if lms == DrLms::Refusing {
                return Reply::new(
                    422,
                    r#"{"errors":["Scope https://example.invalid/scope is not valid"]}"#,
                )
                .content_type("application/json");
            }
            count.fetch_add(1, Ordering::SeqCst);
            let mut answer = reg.clone();
            answer["client_id"] = serde_json::json!(if lms == DrLms::Moodle {
                "zTn6FWnZ4W21zmS"
            } else {
                "10000000000123"
            });
            if lms == DrLms::Moodle {
                answer[TOOL_CONFIGURATION]["deployment_id"] = serde_json::json!("7");
            }
            return Reply::json(answer.to_string());
        }
        if path == MOODLE_START && req.method == "GET" && lms == DrLms::Moodle {
            return moodle_start(req, config_path);
        }
        if path == "/lms" && req.method == "GET" {
            let src = if lms == DrLms::Moodle {
                format!("'{MOODLE_START}?url=' + encodeURIComponent(dr)")
            } else {
                format!(
                    "dr + '?openid_configuration=' + encodeURIComponent(location.origin + \
                     '{config_path}') + '&registration_token={DR_TOKEN}'"
                )
            };
            let page = format!(
                "<!doctype html><html><body><h1>LMS</h1><p id=\"status\">registering</p>\
                 <script>\
                 const dr = new URLSearchParams(location.search).get('dr');\
                 const src = {src};\
                 window.addEventListener('message', (e) => {{ if (e.data && e.data.subject === 'org.imsglobal.lti.close') \
                   {{ document.body.dataset.closed = 'yes'; document.getElementById('status').textContent = 'closed'; }} }});\
                 const f = document.createElement('iframe'); f.src = src; f.id = 'tool'; f.width = 800; f.height = 600;\
                 document.body.appendChild(f);\
                 </script></body></html>"
            );
            return Reply::new(200, page).content_type("text/html; charset=utf-8");
        }
        Reply::new(404, "")
    });
    (server, registrations)
}

/// The Moodle page its "Add LTI Advantage" modal opens: it sends the browser on to the tool.
const MOODLE_START: &str = "/mod/lti/startltiadvregistration.php";

/// Moodle's `startltiadvregistration.php?url=URL`: a 302 to the tool's URL with the
/// configuration's absolute URL and the registration token in its query.
fn moodle_start(req: &Request, config_path: &str) -> Reply {
    let query = req.path.split_once('?').map_or("", |(_, q)| q);
    let tool = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "url")
        .and_then(|(_, v)| url::Url::parse(&v).ok());
    let Some(mut tool) = tool else {
        return Reply::new(400, "url is required");
    };
    tool.query_pairs_mut()
        .append_pair(
            "openid_configuration",
            &format!("{}{config_path}", req.base),
        )
        .append_pair("registration_token", DR_TOKEN);
    Reply::redirect(tool.as_str())
}

// ---------------------------------------------------------------------------------------------
// Canvas's LTI registrations API

/// The admin token the Canvas of [`canvas_api`] accepts.
pub const CANVAS_ADMIN_TOKEN: &str = "7~admin-token-for-tests";
/// A token of a user who may not manage LTI registrations.
pub const CANVAS_TEACHER_TOKEN: &str = "7~teacher-token-for-tests";

/// The state of the Canvas of [`canvas_api`], for a test to look at and change.
#[derive(Debug, Default)]
pub struct FakeCanvas {
    /// Registrations by Canvas id: the request's name, configuration and binding state.
    pub registrations: Vec<FakeCanvasRegistration>,
    /// Whether "LTI Registrations Next" is on (deployments are listed only then).
    pub registrations_next: bool,
    /// Deployments listed per page.
    pub per_page: usize,
}

/// A registration the Canvas of [`canvas_api`] holds.
#[derive(Debug, Clone)]
pub struct FakeCanvasRegistration {
    /// Canvas's id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The developer key's id: the client_id.
    pub developer_key_id: String,
    /// `on` or `off`.
    pub binding: String,
    /// The configuration as last sent.
    pub configuration: serde_json::Value,
    /// Deployments: (deployment_id, context_type, context_id, context_name, workflow_state).
    pub deployments: Vec<(String, String, u64, String, String)>,
}

impl FakeCanvas {
    /// Installs registration `id` in a course (as Settings → Apps → By Client ID does); returns
    /// the new deployment id.
    pub fn install_in_course(&mut self, id: u64, course_id: u64, course: &str) -> String {
        let reg = self
            .registrations
            .iter_mut()
            .find(|r| r.id == id)
            .expect("a registration of the fake Canvas");
        let deployment_id = format!("{}:{:040x}", reg.deployments.len() + 1, course_id);
        reg.deployments.push((
            deployment_id.clone(),
            "Course".into(),
            course_id,
            course.into(),
            "active".into(),
        ));
        deployment_id
    }
}

/// What Canvas's internal LTI configuration schema refuses in `config`, as json_schemer words it.
fn canvas_schema_errors(config: &serde_json::Value) -> Vec<String> {
    let mut errors = Vec::new();
    if !config.is_object() {
        return vec!["configuration must be an object".into()];
    }
    for key in ["title", "target_link_uri", "oidc_initiation_url"] {
        if !config[key].is_string() {
            errors.push(format!(
                "object at root is missing required properties: {key}"
            ));
        }
    }
    if config["redirect_uris"].as_array().is_none_or(Vec::is_empty) {
        errors.push("property '/redirect_uris' is invalid: error_type=minItems".into());
    }
    if !config["scopes"].is_array() {
        errors.push("object at root is missing required properties: scopes".into());
    }
    if !config["launch_settings"].is_object() {
        errors.push("object at root is missing required properties: launch_settings".into());
    }
    match config["placements"].as_array() {
        None => errors.push("object at root is missing required properties: placements".into()),
        Some(list) => {
            for (i, p) in list.iter().enumerate() {
                if !p["placement"].is_string() {
                    errors.push(format!(
                        "object at `/placements/{i}` is missing required properties: placement"
                    ));
                }
            }
        }
    }
    if config.get("extensions").is_some() {
        errors.push("property '/extensions' is not allowed in the internal format".into());
    }
    for scope in config["scopes"].as_array().into_iter().flatten() {
        let known = scope
            .as_str()
            .is_some_and(|s| crate::lti::scopes().iter().any(|k| k.uri == s));
        if !known {
            errors.push(format!(
                "property '/scopes' is invalid: {scope} is not a scope"
            ));
        }
    }
    errors
}

/// A Canvas on 127.0.0.1 with the LTI registrations API as Canvas answers it: the bearer
/// checked (401 `unauthenticated` for an unknown token, `unauthorized` for a teacher's), only
/// account 1 a root account (any other: 404 `not_found`), the configuration checked against the
/// internal schema's rules (422 with json_schemer's strings), a root-account deployment made at
/// creation, deployments listed only with "LTI Registrations Next" (else 404 `error`) and paged
/// with a `Link` header, on/off through `bind`, the configuration replaced by PUT, and
/// `lti_registration_by_client_id`.
pub fn canvas_api() -> (Server, Arc<Mutex<FakeCanvas>>) {
    let state = Arc::new(Mutex::new(FakeCanvas {
        registrations_next: true,
        per_page: 100,
        ..FakeCanvas::default()
    }));
    let shared = state.clone();
    let server = Server::start(move |req: &Request| {
        use serde_json::{json, Value};
        let reply = |status: u16, body: Value| {
            Reply::new(status, body.to_string()).header("Content-Type", "application/json")
        };
        let not_found = || {
            reply(
                404,
                json!({"errors": [{"code": "not_found", "message": "The specified resource does not exist."}]}),
            )
        };
        match req.header("authorization") {
            Some(a) if a == format!("Bearer {CANVAS_ADMIN_TOKEN}") => {}
            Some(a) if a == format!("Bearer {CANVAS_TEACHER_TOKEN}") => {
                return reply(
                    401,
                    json!({"status": "unauthorized", "errors": [{"message": "user not authorized to perform that action"}]}),
                )
            }
            _ => {
                return reply(
                    401,
                    json!({"errors": [{"message": "Invalid access token."}]}),
                )
                .header("WWW-Authenticate", "Bearer realm=\"canvas-lms\"")
            }
        }
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let Some(rest) = parts.strip_prefix(&["api", "v1", "accounts"]) else {
            return not_found();
        };
        let Some((&account, rest)) = rest.split_first() else {
            return not_found();
        };
        if account != "1" && account != "self" {
            return not_found();
        }
        let mut canvas = shared.lock().unwrap_or_else(PoisonError::into_inner);
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let json_of = |r: &FakeCanvasRegistration| {
            json!({
                "id": r.id,
                "account_id": 1,
                "name": r.name,
                "developer_key_id": r.developer_key_id,
                "workflow_state": "active",
                "lti_version": "1.3",
                "account_binding": {"account_id": 1, "registration_id": r.id, "workflow_state": r.binding},
                "configuration": r.configuration,
            })
        };
        let find = |canvas: &FakeCanvas, id: &str| {
            canvas
                .registrations
                .iter()
                .position(|r| r.id.to_string() == id)
        };
        match (req.method.as_str(), rest) {
            ("POST", ["lti_registrations"]) => {
                let Some(config) = body.get("configuration") else {
                    return reply(
                        400,
                        json!({"errors": [{"message": "param is missing or the value is empty: configuration"}]}),
                    );
                };
                let errors = canvas_schema_errors(config);
                if !errors.is_empty() {
                    return reply(422, json!({ "errors": errors }));
                }
                let state = body["workflow_state"].as_str().unwrap_or("off");
                if state == "allow" {
                    return reply(
                        422,
                        json!({"errors": [{"code": "invalid_workflow_state", "message": "only site admin registrations can have a state of 'allow'"}]}),
                    );
                }
                let id = canvas.registrations.len() as u64 + 40;
                let mut config = config.clone();
                config["launch_settings"]["text"] = config["title"].clone(); // Canvas fills in
                let reg = FakeCanvasRegistration {
                    id,
                    name: body["name"]
                        .as_str()
                        .or(config["title"].as_str())
                        .unwrap_or("")
                        .into(),
                    developer_key_id: format!("100000000000{id}"),
                    binding: state.into(),
                    configuration: config,
                    deployments: vec![(
                        format!("{id}:{:040x}", id),
                        "Account".into(),
                        1,
                        "Acme University".into(),
                        "active".into(),
                    )],
                };
                let out = json_of(&reg);
                canvas.registrations.push(reg);
                reply(201, out)
            }
            ("GET", ["lti_registrations", id]) => match find(&canvas, id) {
                Some(i) => reply(200, json_of(&canvas.registrations[i])),
                None => not_found(),
            },
            ("GET", ["lti_registration_by_client_id", client_id]) => {
                match canvas
                    .registrations
                    .iter()
                    .find(|r| r.developer_key_id == *client_id)
                {
                    Some(r) => reply(200, json_of(r)),
                    None => reply(404, json!({"errors": "LTI registration not found"})),
                }
            }
            ("PUT", ["lti_registrations", id]) => {
                let Some(i) = find(&canvas, id) else {
                    return not_found();
                };
                if let Some(config) = body.get("configuration") {
                    let errors = canvas_schema_errors(config);
                    if !errors.is_empty() {
                        return reply(422, json!({ "errors": errors }));
                    }
                    canvas.registrations[i].configuration = config.clone();
                }
                reply(200, json_of(&canvas.registrations[i]))
            }
            ("POST", ["lti_registrations", id, "bind"]) => {
                let Some(i) = find(&canvas, id) else {
                    return not_found();
                };
                match body["workflow_state"].as_str() {
                    Some(s @ ("on" | "off")) => {
                        canvas.registrations[i].binding = s.into();
                        reply(
                            200,
                            json!({"id": 7, "account_id": 1, "registration_id": canvas.registrations[i].id, "workflow_state": s}),
                        )
                    }
                    _ => reply(
                        422,
                        json!({"errors": [{"code": "invalid_workflow_state", "message": "workflow_state must be on, off or allow"}]}),
                    ),
                }
            }
            ("GET", ["lti_registrations", id, "deployments"]) => {
                if !canvas.registrations_next {
                    return reply(
                        404,
                        json!({"error": "The specified resource does not exist."}),
                    );
                }
                let Some(i) = find(&canvas, id) else {
                    return not_found();
                };
                let page: usize = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "page")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(1);
                let per_page = canvas.per_page.max(1);
                let all = &canvas.registrations[i].deployments;
                let items: Vec<Value> = all
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(
                        |(deployment_id, context_type, context_id, context_name, state)| {
                            json!({"id": context_id + 500, "deployment_id": deployment_id,
                            "context_type": context_type, "context_id": context_id,
                            "context_name": context_name, "workflow_state": state,
                            "registration_id": canvas.registrations[i].id})
                        },
                    )
                    .collect();
                let mut out = reply(200, Value::Array(items));
                let link = |p: usize, rel: &str| {
                    format!(
                        "<{}{path}?page={p}&per_page={per_page}>; rel=\"{rel}\"",
                        req.base
                    )
                };
                let mut links = vec![link(page, "current")];
                if page * per_page < all.len() {
                    links.push(link(page + 1, "next"));
                }
                links.push(link(1, "first"));
                out = out.header("Link", &links.join(","));
                out
            }
            _ => not_found(),
        }
    });
    (server, state)
}
