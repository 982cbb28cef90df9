//! The core's one HTTP client: https only (loopback excepted), bounded in time, size and redirects.
//!
//! Every fetch refuses plain http to a host that is not this machine before connecting, follows
//! redirects itself (each hop under the same rule), ends at one deadline covering connect,
//! headers and body, and stops reading past the size cap. It is a blocking client: call it from
//! a plain thread (or `spawn_blocking`), never directly on an async runtime's worker.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use reqwest::Method;
use url::{Host, Url};

/// Bytes read per step of a body; a body over the cap is read at most this far past it.
pub const READ_CHUNK: usize = 16 * 1024;

/// The bounds of every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Deadline for the whole fetch: every redirect hop, headers and body.
    pub total_timeout: Duration,
    /// Largest body read, in bytes.
    pub max_bytes: u64,
    /// Most redirects followed.
    pub max_redirects: u32,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(10),
            max_bytes: 1024 * 1024,
            max_redirects: 3,
        }
    }
}

/// A response read in full (within the limits).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fetched {
    /// The URL that answered, after redirects.
    pub final_url: String,
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
    /// The `Cache-Control` header, as sent.
    pub cache_control: Option<String>,
    /// All headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Milliseconds from the start of the fetch until the final response's headers arrived.
    pub latency_ms: u64,
    /// The URLs that answered with a redirect, in the order followed; empty when none did.
    pub redirects: Vec<String>,
}

impl Fetched {
    /// The first header with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }
}

/// The value of the first of `headers` named `name` (any case).
pub(crate) fn first_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why a URL could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL could not be parsed, or is not http(s).
    #[error("{url} is not a usable URL: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Plain http to a host other than this machine (asked for, or reached by a redirect).
    #[error(
        "{url} uses plain http to a host that is not this machine; only https is allowed there"
    )]
    InsecureUrl {
        /// The refused URL.
        url: String,
    },
    /// The deadline passed before the whole answer arrived.
    #[error("no complete answer within {} s", limit.as_secs_f64())]
    Timeout {
        /// The total time allowed.
        limit: Duration,
    },
    /// The body is larger than the cap; reading stopped there.
    #[error("the response is larger than the {} limit", format_bytes(*limit))]
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The TLS handshake failed: bad or expired certificate, wrong host name, or not TLS at all.
    #[error("the https (TLS) connection failed: {0}")]
    Tls(String),
    /// No connection: unknown host, refused, unreachable.
    #[error("could not connect: {0}")]
    Connect(String),
    /// More redirects than allowed (or a redirect loop).
    #[error("more than {limit} redirects (a redirect loop?)")]
    TooManyRedirects {
        /// The most redirects followed.
        limit: u32,
    },
    /// The exchange broke off after connecting: malformed response, connection closed early.
    #[error("the HTTP exchange failed: {0}")]
    Http(String),
}

impl FetchError {
    /// A short stable code (kebab-case), the same as the check finding's.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl { .. } => "invalid-url",
            FetchError::InsecureUrl { .. } => "insecure-url",
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too-large",
            FetchError::Tls(_) => "tls-error",
            FetchError::Connect(_) => "connect-error",
            FetchError::TooManyRedirects { .. } => "too-many-redirects",
            FetchError::Http(_) => "fetch-failed",
        }
    }
}

/// Calls `each` on every item of `items` from at most `at_once` threads, and gives the answers in
/// the order of `items`. `each` answers a value and whether to start no more items after it (the
/// ones under way still finish); an item never started answers `None`, and every one of them
/// comes after the item that stopped the others. For many fetches: each is a blocked thread
/// and one socket, so `at_once` bounds both.
pub fn each_at_most<T: Sync, R: Send>(
    items: &[T],
    at_once: usize,
    each: impl Fn(&T) -> (R, bool) + Sync,
) -> Vec<Option<R>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Mutex, PoisonError};

    let next = AtomicUsize::new(0);
    let answers: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..at_once.clamp(1, items.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let (answer, stop) = each(item);
                answers.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(answer);
                if stop {
                    next.store(items.len(), Ordering::SeqCst);
                    break;
                }
            });
        }
    });
    answers.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Bytes as people read them: `512 bytes`, `1 MiB`, `1.5 KiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// Whether the URL's host is this machine: 127.0.0.0/8, ::1 or `localhost` (not its
/// subdomains, which a resolver may send elsewhere).
pub fn is_loopback(url: &Url) -> bool {
    url.host().is_some_and(|host| is_loopback_host(&host))
}

/// Whether a host is this machine: 127.0.0.0/8, ::1 or `localhost`. The one loopback rule
/// behind every "https, or http on loopback only" check.
pub fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
    }
}

/// Parses a URL and applies the https-or-loopback rule, without any network access.
pub fn check_url(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url.trim()).map_err(|e| FetchError::InvalidUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    allow(parsed)
}

fn allow(url: Url) -> Result<Url, FetchError> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(FetchError::InsecureUrl {
                url: url.to_string(),
            })
        }
        other => {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: format!("the scheme is `{other}`, not https"),
            })
        }
    }
    if url.host().is_none() {
        return Err(FetchError::InvalidUrl {
            url: url.to_string(),
            reason: "it has no host".into(),
        });
    }
    Ok(url)
}

/// The direct client's resolver: only loopback hosts reach that client, so every name it is
/// asked for (`localhost`, `localhost.`) is this machine, and DNS, which may not know
/// `localhost.`, is never asked. Port 0 stands for the URL's port.
struct ThisMachine;

impl reqwest::dns::Resolve for ThisMachine {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let ips = [
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ];
        let addrs: reqwest::dns::Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
        Box::pin(std::future::ready(Ok(addrs)))
    }
}

/// The two underlying clients: through the environment's proxy settings for remote hosts,
/// direct (and without DNS) for this machine.
#[derive(Debug, Clone)]
struct Clients {
    remote: Client,
    loopback: Client,
}

/// A blocking HTTP client bounded by [`HttpLimits`]. Cheap to clone; share one for many fetches.
#[derive(Debug, Clone)]
pub struct HttpClient {
    limits: HttpLimits,
    clients: Result<Clients, String>,
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new(HttpLimits::default())
    }
}

impl HttpClient {
    /// A client with these limits. If the TLS stack cannot be set up, every fetch says so.
    pub fn new(limits: HttpLimits) -> Self {
        let build = |direct: bool| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            let mut builder = Client::builder()
                .default_headers(headers)
                .user_agent(concat!("ltikeys/", env!("CARGO_PKG_VERSION")))
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(limits.connect_timeout)
                .timeout(limits.total_timeout)
                .pool_max_idle_per_host(0);
            if direct {
                builder = builder.no_proxy().dns_resolver(Arc::new(ThisMachine));
            }
            builder.build()
        };
        let clients = match (build(false), build(true)) {
            (Ok(remote), Ok(loopback)) => Ok(Clients { remote, loopback }),
            (Err(e), _) | (_, Err(e)) => Err(error_chain(&e)),
        };
        HttpClient { limits, clients }
    }

    /// The limits every fetch obeys.
    pub fn limits(&self) -> &HttpLimits {
        &self.limits
    }

    /// GETs `url` within the limits, following redirects, and reads the body.
    ///
    /// A non-2xx answer is a successful fetch (look at `status`); an error means no complete
    /// answer arrived.
    pub fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        self.fetch_with_bearer(url, None)
    }

    /// Like [`HttpClient::fetch`], sending `Authorization: Bearer <token>` while the request stays
    /// on the first URL's origin (a redirect elsewhere does not get the token).
    pub fn fetch_with_bearer(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let mut current = check_url(url)?;
        let origin = current.origin();
        let clients = self
            .clients
            .as_ref()
            .map_err(|e| FetchError::Http(format!("the HTTP client could not be set up ({e})")))?;
        let start = Instant::now();
        let deadline = start + self.limits.total_timeout;
        let mut redirects = Vec::new();
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.timeout());
            }
            let client = if is_loopback(&current) {
                &clients.loopback
            } else {
                &clients.remote
            };
            let mut request = client.get(current.clone()).timeout(remaining);
            if let Some(token) = bearer.filter(|_| current.origin() == origin) {
                request = request.bearer_auth(token);
            }
            let response = request.send().map_err(|e| self.classify(&e, deadline))?;
            if response.status().is_redirection() {
                if let Some(location) = response.headers().get(LOCATION) {
                    let location = location.to_str().map_err(|_| FetchError::InvalidUrl {
                        url: String::from_utf8_lossy(location.as_bytes()).into_owned(),
                        reason: "the redirect's Location header is not text".into(),
                    })?;
                    let next = current.join(location).map_err(|e| FetchError::InvalidUrl {
                        url: location.to_string(),
                        reason: format!("the redirect's Location is not a URL ({e})"),
                    })?;
                    if redirects.len() >= self.limits.max_redirects as usize {
                        return Err(FetchError::TooManyRedirects {
                            limit: self.limits.max_redirects,
                        });
                    }
                    let next = allow(next)?;
                    redirects.push(current.to_string());
                    current = next;
                    continue;
                }
            }
            let latency_ms = millis(start.elapsed());
            return self.read(response, current, redirects, latency_ms, deadline);
        }
    }

    /// POSTs `body` as JSON to `url` with `Authorization: Bearer <token>` when given, within
    /// the limits and under the same rules as [`HttpClient::post_form`].
    pub fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
        bearer: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        self.send(
            Method::POST,
            url,
            "application/json",
            body.to_string(),
            bearer,
        )
    }

    /// PUTs `body` as JSON to `url`, as [`HttpClient::post_json`] POSTs it.
    pub fn put_json(
        &self,
        url: &str,
        body: &serde_json::Value,
        bearer: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        self.send(
            Method::PUT,
            url,
            "application/json",
            body.to_string(),
            bearer,
        )
    }

    /// POSTs `fields` as `application/x-www-form-urlencoded` to `url` within the limits and
    /// reads the answer. The URL obeys the same rule as a fetch (https, loopback excepted); a
    /// redirect is not followed (a form post is never re-sent elsewhere) but returned as the
    /// answer, like any other status.
    pub fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<Fetched, FetchError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Method::POST,
            url,
            "application/x-www-form-urlencoded",
            body,
            None,
        )
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        content_type: &'static str,
        body: String,
        bearer: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let url = check_url(url)?;
        let clients = self
            .clients
            .as_ref()
            .map_err(|e| FetchError::Http(format!("the HTTP client could not be set up ({e})")))?;
        let client = if is_loopback(&url) {
            &clients.loopback
        } else {
            &clients.remote
        };
        let start = Instant::now();
        let deadline = start + self.limits.total_timeout;
        let mut request = client
            .request(method, url.clone())
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .timeout(self.limits.total_timeout);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().map_err(|e| self.classify(&e, deadline))?;
        let latency_ms = millis(start.elapsed());
        self.read(response, url, Vec::new(), latency_ms, deadline)
    }

    fn read(
        &self,
        response: Response,
        url: Url,
        redirects: Vec<String>,
        latency_ms: u64,
        deadline: Instant,
    ) -> Result<Fetched, FetchError> {
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let content_type = header(CONTENT_TYPE);
        let cache_control = header(CACHE_CONTROL);
        if response
            .content_length()
            .is_some_and(|len| len > self.limits.max_bytes)
        {
            return Err(FetchError::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        let body = read_capped(response, self.limits.max_bytes, deadline)
            .map_err(|e| self.body_error(e))?;
        Ok(Fetched {
            final_url: url.to_string(),
            status,
            content_type,
            cache_control,
            headers,
            body,
            latency_ms,
            redirects,
        })
    }

    fn timeout(&self) -> FetchError {
        FetchError::Timeout {
            limit: self.limits.total_timeout,
        }
    }

    fn body_error(&self, e: BodyError) -> FetchError {
        match e {
            BodyError::Deadline => self.timeout(),
            BodyError::TooLarge => FetchError::TooLarge {
                limit: self.limits.max_bytes,
            },
            BodyError::Io(text) => FetchError::Http(text),
        }
    }

    fn classify(&self, e: &reqwest::Error, deadline: Instant) -> FetchError {
        let text = error_chain(e);
        if e.is_timeout() || Instant::now() >= deadline {
            return self.timeout();
        }
        if looks_like_tls(&text) {
            let lower = text.to_ascii_lowercase();
            if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
                return FetchError::Tls(format!(
                    "{text}; the server did not answer in TLS: is this port plain http?"
                ));
            }
            return FetchError::Tls(text);
        }
        if e.is_connect() {
            return FetchError::Connect(text);
        }
        FetchError::Http(text)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The causes of an error, outermost first, without the wrappers that only repeat the URL.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        let text = err.to_string();
        let wrapper =
            text.starts_with("error sending request") || text.starts_with("client error (");
        if !wrapper && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = err.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

fn looks_like_tls(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "tls",
        "certificate",
        "handshake",
        "invalidcontenttype",
        "corrupt message",
        "unknownissuer",
        "peer is incompatible",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// How reading a body can end early.
#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    Deadline,
    TooLarge,
    Io(String),
}

/// Reads at most `max_bytes` (plus one chunk to notice more) before `deadline`.
fn read_capped(
    mut body: impl Read,
    max_bytes: u64,
    deadline: Instant,
) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        if Instant::now() >= deadline {
            return Err(BodyError::Deadline);
        }
        let n = match body.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                if Instant::now() >= deadline || io_is_timeout(&e) {
                    return Err(BodyError::Deadline);
                }
                return Err(BodyError::Io(error_chain(&e)));
            }
        };
        if n == 0 {
            return Ok(out);
        }
        if out.len() as u64 + n as u64 > max_bytes {
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

fn io_is_timeout(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = e
        .get_ref()
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(err) = cause {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        cause = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An endless body that counts what was taken from it.
    struct Endless {
        taken: u64,
        delay: Option<Duration>,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if let Some(delay) = self.delay {
                std::thread::sleep(delay);
                buf[0] = b'x';
                self.taken += 1;
                return Ok(1);
            }
            buf.fill(b'x');
            self.taken += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn body_over_the_cap_stops_within_one_chunk_of_it() {
        let mut body = Endless {
            taken: 0,
            delay: None,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let err = read_capped(&mut body, 1024 * 1024, deadline).unwrap_err();
        assert_eq!(err, BodyError::TooLarge);
        assert!(
            body.taken <= 1024 * 1024 + READ_CHUNK as u64,
            "read {} bytes: more than the cap plus one chunk",
            body.taken
        );
    }

    #[test]
    fn body_at_the_cap_is_accepted() {
        let data = vec![7u8; 4096];
        let deadline = Instant::now() + Duration::from_secs(30);
        assert_eq!(read_capped(&data[..], 4096, deadline).unwrap(), data);
        assert_eq!(
            read_capped(&data[..], 4095, deadline).unwrap_err(),
            BodyError::TooLarge
        );
    }

    #[test]
    fn trickling_body_ends_at_the_deadline() {
        let mut body = Endless {
            taken: 0,
            delay: Some(Duration::from_millis(20)),
        };
        let start = Instant::now();
        let err = read_capped(&mut body, 1024, start + Duration::from_millis(300)).unwrap_err();
        assert_eq!(err, BodyError::Deadline);
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_millis(600), "took {elapsed:?}");
        assert!(
            body.taken > 0,
            "it should have read some bytes before giving up"
        );
    }

    #[test]
    fn https_required_except_for_loopback() {
        for ok in [
            "https://example.com/jwks",
            "http://127.0.0.1:8080/jwks",
            "http://127.10.0.1/jwks",
            "http://[::1]:3000/.well-known/jwks.json",
            "http://localhost/jwks",
            "http://LOCALHOST./jwks",
        ] {
            assert!(check_url(ok).is_ok(), "{ok} should be allowed");
        }
        for insecure in [
            "http://example.com/jwks",
            "http://128.0.0.1/jwks",
            "http://10.0.0.1/jwks",
            "http://[::2]/jwks",
            "http://localhost.example.com/jwks",
        ] {
            assert!(
                matches!(check_url(insecure), Err(FetchError::InsecureUrl { .. })),
                "{insecure} should be refused as insecure"
            );
        }
        for invalid in [
            "ftp://example.com/jwks",
            "not a url",
            "file:///etc/passwd",
            "",
        ] {
            assert!(
                matches!(check_url(invalid), Err(FetchError::InvalidUrl { .. })),
                "{invalid} should be refused as invalid"
            );
        }
    }

    #[test]
    fn bytes_are_formatted_for_people() {
        assert_eq!(format_bytes(512), "512 bytes");
        assert_eq!(format_bytes(1024 * 1024), "1 MiB");
        assert_eq!(format_bytes(1536), "1.5 KiB");
    }

    #[test]
    fn error_texts_are_plain() {
        let e = FetchError::TooLarge { limit: 1024 * 1024 };
        assert_eq!(e.to_string(), "the response is larger than the 1 MiB limit");
        let e = FetchError::Timeout {
            limit: Duration::from_secs(10),
        };
        assert_eq!(e.to_string(), "no complete answer within 10 s");
        assert_eq!(e.code(), "timeout");
    }
}
