//! Checking many JWKS URLs at once: 500 URLs on a loopback server, one in ten answering after
//! 1.5 s and one in 25 failing (a 500, a closed port or a body that is not a key set), checked four
//! at a time (the old bound, the reference) and [`CHECK_CONCURRENCY`] at a time, in one run.
//! Reports the wall time of each, their ratio, and the most threads and file descriptors the
//! process held (the loopback server runs in the same process, so both ends count).
//!
//! `cargo bench -p ltikeys-core --bench checks` (or `scripts/bench.sh`).
//! `LTIKEYS_BENCH_URLS=N` sets the number of URLs (default 500).

use std::error::Error;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use ltikeys_core::testing::{env_count, refused_url, Reply, Server};
use ltikeys_core::{check_many, HttpClient, Jwk, JwksRole, KeyPair, KeySize, CHECK_CONCURRENCY};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const SLOW: Duration = Duration::from_millis(1500);

fn main() -> Result<()> {
    let count = env_count("LTIKEYS_BENCH_URLS")?.unwrap_or(500);
    let key = KeyPair::generate(KeySize::Bits2048)?;
    let body = serde_json::json!({ "keys": [Jwk::new("k1", &key.public_key())] }).to_string();
    let server = Server::start(move |request| {
        let n: usize = request
            .path
            .trim_start_matches("/jwks/")
            .parse()
            .unwrap_or(0);
        if n.is_multiple_of(10) {
            std::thread::sleep(SLOW);
        }
        match failure(n) {
            Some(Failure::ServerError) => Reply::new(500, "internal error"),
            Some(Failure::NotAKeySet) => Reply::json("{\"keys\": \"none\"}"),
            _ => Reply::json(body.clone()),
        }
    });
    let urls: Vec<(String, JwksRole)> = (1..=count)
        .map(|n| {
            let url = if failure(n) == Some(Failure::ClosedPort) {
                refused_url(&format!("/jwks/{n}"))
            } else {
                server.url(&format!("/jwks/{n}"))
            };
            (url, JwksRole::Platform)
        })
        .collect();
    let slow = urls
        .iter()
        .enumerate()
        .filter(|(i, _)| (i + 1).is_multiple_of(10));
    println!(
        "{count} JWKS URLs on 127.0.0.1: {} answering after {} s, {} failing",
        slow.count(),
        SLOW.as_secs_f64(),
        (1..=count).filter(|n| failure(*n).is_some()).count()
    );
    println!(
        "{:>12} {:>10} {:>8} {:>12} {:>9}",
        "at once", "wall s", "ratio", "peak threads", "peak fds"
    );
    let client = HttpClient::default();
    let mut reference = None;
    for concurrency in [4, CHECK_CONCURRENCY] {
        let sampler = Sampler::start();
        let started = Instant::now();
        let results = check_many(&client, urls.clone(), concurrency, Utc::now(), &|_, _| {});
        let wall = started.elapsed().as_secs_f64();
        let (threads, fds) = sampler.stop();
        assert_eq!(results.len(), count);
        for (result, (url, _)) in results.iter().zip(&urls) {
            assert_eq!(&result.url, url, "results come back in the order asked");
        }
        let reference = *reference.get_or_insert(wall);
        println!(
            "{concurrency:>12} {wall:>10.2} {:>7.2}x {threads:>12} {fds:>9}",
            wall / reference
        );
    }
    println!("ratio: wall time against four at a time (lower is faster)");
    Ok(())
}

/// How the URLs that fail fail, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    ServerError,
    NotAKeySet,
    ClosedPort,
}

/// How URL number `n` fails: one in 25 does, a server error, a body that is not a key set or a
/// port nobody listens on, in turn.
fn failure(n: usize) -> Option<Failure> {
    (n % 25 == 1).then_some(match (n / 25) % 3 {
        0 => Failure::ServerError,
        1 => Failure::NotAKeySet,
        _ => Failure::ClosedPort,
    })
}

/// Samples this process's thread and file-descriptor counts every few milliseconds.
struct Sampler {
    stop: Arc<AtomicBool>,
    peaks: Arc<(AtomicUsize, AtomicUsize)>,
    thread: std::thread::JoinHandle<()>,
}

impl Sampler {
    fn start() -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peaks = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let thread = {
            let (stop, peaks) = (stop.clone(), peaks.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    peaks
                        .0
                        .fetch_max(entries("/proc/self/task"), Ordering::SeqCst);
                    peaks
                        .1
                        .fetch_max(entries("/proc/self/fd"), Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        Sampler {
            stop,
            peaks,
            thread,
        }
    }

    fn stop(self) -> (usize, usize) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.thread.join();
        (
            self.peaks.0.load(Ordering::SeqCst),
            self.peaks.1.load(Ordering::SeqCst),
        )
    }
}

/// How many entries a /proc directory has (0 where there is no /proc).
fn entries(dir: &str) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
