//! Mutations of seed inputs: byte-level (bit flips, interesting bytes, cuts, repeats, splices)
//! and, for inputs that parse as JSON, structure-aware (a value replaced by one of another
//! type, a huge one or a deeply nested one), stacked one to four at a time.

use rand::rngs::StdRng;
use rand::Rng as _;
use serde_json::{json, Value};

/// Bytes that change the meaning of JSON, PEM, base64url and JWTs.
const BYTES: &[u8] = b"\"{}[],:\\.=-_/+\n\r\t \x00\xff\xc3\xef";

/// Fragments worth inserting whole.
const TOKENS: &[&str] = &[
    "\"keys\"",
    "\"kid\"",
    "\"alg\"",
    "\"RS256\"",
    "\"none\"",
    "\"kty\":\"RSA\"",
    "null",
    "true",
    "1e999",
    "-0",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":",
    "\u{feff}",
    "-----BEGIN PRIVATE KEY-----\n",
    "-----END PRIVATE KEY-----\n",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
    "..",
    "../../etc/passwd",
    "https://",
    "http://169.254.169.254/",
];

/// One to four mutations of a seed, or now and then random bytes of a random length.
pub fn mutate(rng: &mut StdRng, seeds: &[&[u8]]) -> Vec<u8> {
    if rng.gen_ratio(1, 40) {
        let len = rng.gen_range(0..4096);
        return (0..len).map(|_| rng.r#gen()).collect();
    }
    let mut input = seeds[rng.gen_range(0..seeds.len())].to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        input = if rng.gen_ratio(1, 3) {
            structural(rng, &input).unwrap_or_else(|| bytes(rng, input, seeds))
        } else {
            bytes(rng, input, seeds)
        };
    }
    input
}

fn bytes(rng: &mut StdRng, mut input: Vec<u8>, seeds: &[&[u8]]) -> Vec<u8> {
    let len = input.len();
    let at = |rng: &mut StdRng| rng.gen_range(0..=len);
    match rng.gen_range(0..11) {
        0 if len > 0 => {
            let i = rng.gen_range(0..len);
            input[i] ^= 1 << rng.gen_range(0..8);
        }
        1 if len > 0 => {
            let i = rng.gen_range(0..len);
            input[i] = BYTES[rng.gen_range(0..BYTES.len())];
        }
        2 if len > 0 => {
            let start = rng.gen_range(0..len);
            let end = (start + rng.gen_range(1..64)).min(len);
            input.drain(start..end);
        }
        3 => {
            let i = at(rng);
            let extra: Vec<u8> = (0..rng.gen_range(1..16)).map(|_| rng.r#gen()).collect();
            input.splice(i..i, extra);
        }
        4 if len > 0 => {
            let start = rng.gen_range(0..len);
            let end = (start + rng.gen_range(1..256)).min(len);
            let chunk = input[start..end].to_vec();
            let i = at(rng);
            input.splice(i..i, chunk);
        }
        5 => input.truncate(at(rng)),
        6 => {
            let other = seeds[rng.gen_range(0..seeds.len())];
            let from = rng.gen_range(0..=other.len());
            input.truncate(at(rng));
            input.extend_from_slice(&other[from..]);
        }
        7 => {
            let i = at(rng);
            let token = TOKENS[rng.gen_range(0..TOKENS.len())].as_bytes().to_vec();
            input.splice(i..i, token);
        }
        8 => {
            // Nesting past every cap, or just under it.
            let depth = [63, 64, 65, 200, 100_000][rng.gen_range(0..5)];
            let mut deep = vec![b'['; depth];
            deep.extend_from_slice(&input);
            deep.extend(std::iter::repeat_n(b']', depth));
            input = deep;
        }
        9 if len > 0 => {
            // Grown past the size caps (1 MiB for most inputs, 8 MiB for a bundle).
            let start = rng.gen_range(0..len);
            let end = (start + rng.gen_range(1..4096)).min(len);
            let chunk = input[start..end].to_vec();
            let times = (rng.gen_range(256 * 1024..9 * 1024 * 1024) / chunk.len()).max(1);
            let i = at(rng);
            input.splice(i..i, chunk.repeat(times));
        }
        _ => input.clear(),
    }
    input
}

/// The input with one JSON value replaced, when it is JSON.
fn structural(rng: &mut StdRng, input: &[u8]) -> Option<Vec<u8>> {
    let mut value: Value = serde_json::from_slice(input).ok()?;
    let count = count(&value);
    let target = rng.gen_range(0..count);
    let replacement = match rng.gen_range(0..9) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(1e300),
        4 => json!(u64::MAX),
        5 => json!("x".repeat(rng.gen_range(1..200_000))),
        6 => json!([]),
        7 => json!({}),
        _ => (0..rng.gen_range(1..80)).fold(json!("deep"), |v, _| json!([v])),
    };
    replace(&mut value, &mut { target }, &mut Some(replacement));
    serde_json::to_vec(&value).ok()
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// Replaces the `target`-th value in document order; returns whether it was found.
fn replace(value: &mut Value, target: &mut usize, with: &mut Option<Value>) -> bool {
    if *target == 0 {
        *value = with.take().unwrap_or(Value::Null);
        return true;
    }
    *target -= 1;
    let children: Vec<&mut Value> = match value {
        Value::Array(a) => a.iter_mut().collect(),
        Value::Object(o) => o.values_mut().collect(),
        _ => return false,
    };
    for child in children {
        if replace(child, target, with) {
            return true;
        }
    }
    false
}
