//! A small HTTP/1.1 server on 127.0.0.1 for tests: one route table, one thread per connection,
//! `Connection: close` on every answer. Shared by the core and CLI check tests.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// What a route answers.
pub enum Reply {
    /// A whole response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Headers at once, then one byte every `every`, until the client leaves.
    Trickle { every: Duration },
    /// Nothing at all: the request is read, no answer ever comes.
    Silent,
    /// `bytes` of body, sent as fast as the client takes them, with or without Content-Length.
    Huge { bytes: u64, content_length: bool },
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
}

type Routes = dyn Fn(&str) -> Reply + Send + Sync;

/// A running server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server answering each request path with `routes(path)`.
    pub fn start(routes: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let routes: Arc<Routes> = Arc::new(routes);
        let accept = {
            let stop = stop.clone();
            let sent = sent.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (routes, stop, sent) = (routes.clone(), stop.clone(), sent.clone());
                    std::thread::spawn(move || serve(stream, &*routes, &stop, &sent));
                }
            })
        };
        Server {
            addr,
            stop,
            sent,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Body bytes the kernel accepted from `Huge` replies so far.
    pub fn huge_bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
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

fn request_path(stream: &mut TcpStream) -> Option<String> {
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
    let text = String::from_utf8(head).ok()?;
    let mut parts = text.lines().next()?.split_whitespace();
    let (_method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
    version.starts_with("HTTP/1.").then(|| path.to_string())
}

fn serve(mut stream: TcpStream, routes: &Routes, stop: &AtomicBool, sent: &AtomicU64) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(path) = request_path(&mut stream) else {
        // Not HTTP (a TLS ClientHello, say): answer in plain HTTP and hang up.
        let _ = stream.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    match routes(&path) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} Status\r\n");
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
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
                        sent.fetch_add(written as u64, Ordering::SeqCst);
                        left -= written as u64;
                    }
                }
            }
        }
    }
}
