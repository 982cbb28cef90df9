//! The team client's reads against a loopback server that answers as OpenBao's KV v2 does.

use std::sync::atomic::Ordering;
use std::time::Duration;

use ltikeys_core::team::Bao;
use ltikeys_core::testing::{Reply, Request, Server};
use serde_json::json;
use zeroize::Zeroizing;

/// `/v1/lti/data/dN` holds `{"n": N}` at version N; `missing` is not there; `broken` fails.
fn kv(request: &Request) -> Reply {
    let name = request.path.trim_start_matches("/v1/lti/data/");
    match name {
        "missing" => Reply::new(404, r#"{"errors":[]}"#).content_type("application/json"),
        "broken" => {
            Reply::new(500, r#"{"errors":["storage failed"]}"#).content_type("application/json")
        }
        _ => {
            let n: u64 = name.trim_start_matches('d').parse().unwrap_or(0);
            Reply::json(json!({"data": {"data": {"n": n}, "metadata": {"version": n}}}).to_string())
        }
    }
}

fn bao(server: &Server) -> Bao {
    Bao::new(server.base(), Zeroizing::new("test-token".to_string())).unwrap()
}

#[test]
fn many_reads_come_back_in_order_several_at_a_time_within_the_bound() {
    let (server, peak) = Server::slow(Duration::from_millis(40), kv);
    let mut paths: Vec<String> = (1..=40).map(|n| format!("d{n}")).collect();
    paths.insert(7, "missing".into());
    let read = bao(&server).kv_get_many("lti", &paths, 8).unwrap();
    assert_eq!(read.len(), paths.len());
    for (path, answer) in paths.iter().zip(&read) {
        match path.as_str() {
            "missing" => assert!(answer.is_none(), "{path}: {answer:?}"),
            _ => {
                let answer = answer.as_ref().unwrap();
                let n: u64 = path[1..].parse().unwrap();
                assert_eq!(
                    (answer.data["n"].as_u64(), answer.version),
                    (Some(n), n),
                    "{path}"
                );
            }
        }
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        (2..=8).contains(&peak),
        "{peak} reads at once, with 8 allowed"
    );
}

#[test]
fn a_failed_read_is_the_answer_and_names_its_document() {
    let server = Server::start(kv);
    let paths: Vec<String> = ["d1", "d2", "broken", "d3"].map(String::from).to_vec();
    let err = bao(&server).kv_get_many("lti", &paths, 2).unwrap_err();
    assert!(err.to_string().contains("broken"), "{err}");
    let none = bao(&server).kv_get_many("lti", &[], 4).unwrap();
    assert!(none.is_empty());
}
