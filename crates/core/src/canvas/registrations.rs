//! Canvas's LTI registrations API (`/api/v1/accounts/:account_id/lti_registrations`), called
//! with an admin's access token: one call creates the registration with its developer key and
//! binds it to the account; others read it back, list its deployments, turn it on or off and
//! replace its configuration.
//!
//! The client_id of such a registration is its developer key's global id, which Canvas returns
//! as `developer_key_id`. Listing deployments needs Canvas's "LTI Registrations Next" feature;
//! without it Canvas answers 404 and the admin copies the deployment ids from the Apps page.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{FetchError, Fetched, HttpClient};

/// How many deployment pages are read at most (100 deployments each).
pub const MAX_DEPLOYMENT_PAGES: usize = 50;

/// Whether a registration is on for its account (Canvas's account binding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BindingState {
    /// Installable and launchable in the account.
    On,
    /// Off: nothing launches.
    Off,
    /// Left to sub-accounts (Site Admin registrations only).
    Allow,
}

impl BindingState {
    /// Canvas's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingState::On => "on",
            BindingState::Off => "off",
            BindingState::Allow => "allow",
        }
    }
}

/// A registration as Canvas's API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasRegistration {
    /// Canvas's id of the registration.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The client_id: the developer key's global id (`developer_key_id`).
    pub client_id: String,
    /// Whether it is on for the account, when Canvas said.
    pub binding: Option<BindingState>,
    /// The configuration Canvas holds, when it returned one.
    #[ts(type = "unknown")]
    pub configuration: Option<Value>,
}

/// A deployment of a registration as Canvas's API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasDeployment {
    /// The `deployment_id` launches carry, e.g. `1:a2ea…`.
    pub deployment_id: String,
    /// `Account` or `Course`.
    pub context_type: String,
    /// The account's or course's id.
    pub context_id: String,
    /// The account's or course's name.
    pub context_name: String,
    /// Whether it is active (Canvas lists deleted and disabled ones too).
    pub active: bool,
}

impl CanvasDeployment {
    /// The label a recorded deployment id gets: the context's name and kind.
    pub fn label(&self) -> String {
        let kind = match self.context_type.as_str() {
            "Account" => "account",
            "Course" => "course",
            other => other,
        };
        format!("{} ({kind})", self.context_name)
    }
}

/// Checks a Canvas account id as given: digits (a local or global id) or `self`.
pub fn validated_account(account: &str) -> Result<String> {
    let account = account.trim();
    let fine = account == "self"
        || (!account.is_empty()
            && account.len() <= 32
            && account.bytes().all(|b| b.is_ascii_digit()));
    if fine {
        Ok(account.to_string())
    } else {
        Err(Error::invalid(
            "account",
            format!("'{account}' is not a Canvas account id"),
            "give the root account's number: Admin → the account; it is the number after \
             /accounts/ in the address, usually 1",
        )
        .at("account"))
    }
}

/// A Canvas instance's API, reached at `base` with an admin's access token.
pub struct CanvasApi<'a> {
    client: &'a HttpClient,
    base: Url,
    token: &'a str,
}

impl<'a> CanvasApi<'a> {
    /// The API of the Canvas at `base` (the address admins sign in at, e.g.
    /// `https://school.instructure.com`).
    pub fn new(client: &'a HttpClient, base: &str, token: &'a str) -> Result<Self> {
        let fix = "give the Canvas address you sign in at, e.g. https://school.instructure.com";
        crate::input::validate_url("Canvas URL", base).map_err(|e| e.at("canvas_url"))?;
        let mut base = Url::parse(base).map_err(|e| {
            Error::invalid("Canvas URL", format!("'{base}' is not a URL ({e})"), fix)
        })?;
        base.set_query(None);
        base.set_fragment(None);
        base.set_path("/");
        Ok(CanvasApi {
            client,
            base,
            token,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}api/v1/{path}", self.base)
    }

    /// Creates the registration on `account` with `configuration` (the API form of the tool's
    /// configuration), on for the account unless `on` is false.
    pub fn create(
        &self,
        account: &str,
        name: &str,
        configuration: &Value,
        on: bool,
    ) -> Result<CanvasRegistration> {
        let action = format!("creating the registration on account {account}");
        let body = json!({
            "name": name,
            "configuration": configuration,
            "workflow_state": if on { "on" } else { "off" },
        });
        let answer = self
            .client
            .post_json(
                &self.url(&format!("accounts/{account}/lti_registrations")),
                &body,
                Some(self.token),
            )
            .map_err(|e| unreachable(&action, &e))?;
        registration_from(&action, &answer)
    }

    /// Reads the registration `id` of `account`, with its binding and configuration.
    pub fn get(&self, account: &str, id: &str) -> Result<CanvasRegistration> {
        let action = format!("reading registration {id} of account {account}");
        let answer = self
            .client
            .fetch_with_bearer(
                &self.url(&format!("accounts/{account}/lti_registrations/{id}")),
                Some(self.token),
            )
            .map_err(|e| unreachable(&action, &e))?;
        registration_from(&action, &answer)
    }

    /// Finds the registration of `account` whose client_id is `client_id`.
    pub fn by_client_id(&self, account: &str, client_id: &str) -> Result<CanvasRegistration> {
        let action = format!("finding client_id {client_id} on account {account}");
        let encoded: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
        let answer = self
            .client
            .fetch_with_bearer(
                &self.url(&format!(
                    "accounts/{account}/lti_registration_by_client_id/{encoded}"
                )),
                Some(self.token),
            )
            .map_err(|e| unreachable(&action, &e))?;
        registration_from(&action, &answer)
    }

    /// Replaces the configuration of registration `id`.
    pub fn update(
        &self,
        account: &str,
        id: &str,
        configuration: &Value,
    ) -> Result<CanvasRegistration> {
        let action = format!("updating registration {id} on account {account}");
        let answer = self
            .client
            .put_json(
                &self.url(&format!("accounts/{account}/lti_registrations/{id}")),
                &json!({ "configuration": configuration }),
                Some(self.token),
            )
            .map_err(|e| unreachable(&action, &e))?;
        registration_from(&action, &answer)
    }

    /// Turns registration `id` on or off for `account`; returns the state Canvas reports.
    pub fn bind(&self, account: &str, id: &str, state: BindingState) -> Result<BindingState> {
        let action = format!(
            "turning registration {id} {} on account {account}",
            state.as_str()
        );
        let answer = self
            .client
            .post_json(
                &self.url(&format!("accounts/{account}/lti_registrations/{id}/bind")),
                &json!({ "workflow_state": state.as_str() }),
                Some(self.token),
            )
            .map_err(|e| unreachable(&action, &e))?;
        let body = json_answer(&action, &answer)?;
        binding_of(&body)
            .ok_or_else(|| unexpected(&action, &answer, "the answer has no workflow_state"))
    }

    /// The deployments of registration `id`, every page (at most [`MAX_DEPLOYMENT_PAGES`]).
    pub fn deployments(&self, account: &str, id: &str) -> Result<Vec<CanvasDeployment>> {
        let action = format!("listing the deployments of registration {id}");
        let mut next = Some(self.url(&format!(
            "accounts/{account}/lti_registrations/{id}/deployments?per_page=100"
        )));
        let mut out = Vec::new();
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_DEPLOYMENT_PAGES {
                return Err(Error::CanvasApi {
                    action,
                    status: None,
                    problem: format!(
                        "Canvas listed more than {} pages of deployments",
                        MAX_DEPLOYMENT_PAGES
                    ),
                    fix: "remove the deployments that are no longer used in Canvas, or copy the \
                          deployment ids from Canvas by hand"
                        .into(),
                });
            }
            // A next page elsewhere than this Canvas would get the token: refuse it.
            if Url::parse(&url).map(|u| u.origin()) != Ok(self.base.origin()) {
                return Err(unexpected(
                    &action,
                    &Fetched::default(),
                    &format!("the next page is at {url}, on another host"),
                ));
            }
            let answer = self
                .client
                .fetch_with_bearer(&url, Some(self.token))
                .map_err(|e| unreachable(&action, &e))?;
            let body = json_answer(&action, &answer)?;
            let Value::Array(items) = body else {
                return Err(unexpected(&action, &answer, "the answer is not a list"));
            };
            for item in &items {
                out.push(deployment_from(item).ok_or_else(|| {
                    unexpected(&action, &answer, "a deployment has no deployment_id")
                })?);
            }
            next = answer.header("link").and_then(next_link);
        }
        Ok(out)
    }
}

/// The `rel="next"` URL of a `Link` header, as Canvas paginates.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next");
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_string())
    })
}

/// A JSON id Canvas sends as a number or a string.
fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn binding_of(value: &Value) -> Option<BindingState> {
    match value.get("workflow_state")?.as_str()? {
        "on" => Some(BindingState::On),
        "off" => Some(BindingState::Off),
        "allow" => Some(BindingState::Allow),
        _ => None,
    }
}

fn deployment_from(item: &Value) -> Option<CanvasDeployment> {
    Some(CanvasDeployment {
        deployment_id: item.get("deployment_id")?.as_str()?.to_string(),
        context_type: item["context_type"].as_str().unwrap_or("").to_string(),
        context_id: id_of(&item["context_id"]).unwrap_or_default(),
        context_name: item["context_name"].as_str().unwrap_or("").to_string(),
        active: item["workflow_state"].as_str().unwrap_or("active") == "active",
    })
}

fn registration_from(action: &str, answer: &Fetched) -> Result<CanvasRegistration> {
    let body = json_answer(action, answer)?;
    let id = id_of(&body["id"])
        .ok_or_else(|| unexpected(action, answer, "the registration has no id"))?;
    let client_id = id_of(&body["developer_key_id"]).ok_or_else(|| {
        unexpected(
            action,
            answer,
            "the registration has no developer_key_id (its client_id)",
        )
    })?;
    Ok(CanvasRegistration {
        id,
        name: body["name"].as_str().unwrap_or("").to_string(),
        client_id,
        binding: body.get("account_binding").and_then(binding_of),
        configuration: body.get("configuration").cloned().filter(Value::is_object),
    })
}

/// The JSON body of a 2xx answer, or the error Canvas's answer means.
fn json_answer(action: &str, answer: &Fetched) -> Result<Value> {
    let is_html = answer
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("html"))
        || answer.body.trim_ascii_start().starts_with(b"<");
    if (200..300).contains(&answer.status) && !is_html {
        return crate::input::json(&answer.body)
            .map_err(|e| unexpected(action, answer, &format!("the answer cannot be read: {e}")));
    }
    Err(refusal(action, answer, is_html))
}

fn error_messages(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match &body["errors"] {
        Value::Array(list) => {
            for e in list {
                match e {
                    Value::String(s) => out.push(s.clone()),
                    Value::Object(o) => {
                        if let Some(m) = o.get("message").and_then(Value::as_str) {
                            out.push(m.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::String(s) => out.push(s.clone()),
        Value::Object(o) => {
            for (field, problems) in o {
                let text = match problems {
                    Value::Array(list) => list
                        .iter()
                        .map(|p| p["message"].as_str().or(p.as_str()).unwrap_or("invalid"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.as_str().unwrap_or("invalid").to_string(),
                };
                out.push(format!("{field}: {text}"));
            }
        }
        _ => {}
    }
    if let Some(s) = body["error"].as_str() {
        out.push(s.to_string());
    }
    if let Some(s) = body["message"].as_str() {
        out.push(s.to_string());
    }
    out.iter_mut().for_each(|m| {
        if m.chars().count() > 300 {
            *m = m.chars().take(300).collect::<String>() + "…";
        }
    });
    out.truncate(10);
    out
}

fn refusal(action: &str, answer: &Fetched, is_html: bool) -> Error {
    let status = answer.status;
    let body: Value = crate::input::json(&answer.body).unwrap_or(Value::Null);
    let said = error_messages(&body);
    let quoted = if said.is_empty() {
        String::new()
    } else {
        format!(" (Canvas says: {})", said.join("; "))
    };
    let (problem, fix): (String, String) = if (300..400).contains(&status) {
        (
            format!(
                "Canvas answered {status}, a redirect to {}",
                answer.header("location").unwrap_or("elsewhere")
            ),
            "give the Canvas address the API answers at: the one you sign in at, with https".into(),
        )
    } else if is_html {
        (
            format!("the address answered {status} with a web page, not Canvas's API"),
            "give the Canvas address you sign in at, e.g. https://school.instructure.com".into(),
        )
    } else {
        match status {
            401 if body["status"] == "unauthorized" => (
                format!("the token's user may not manage LTI registrations here{quoted}"),
                "use a token of an admin of the root account whose role has \"Manage LTI \
                 registrations\" (Admin → Permissions)"
                    .into(),
            ),
            401 => (
                format!("the API token was refused: it is mistyped, expired or revoked{quoted}"),
                "make a new access token (Account → Settings → + New access token) and give it \
                 again"
                    .into(),
            ),
            403 => (
                format!("the token's user may not do this here{quoted}"),
                "use a token of an admin of the root account whose role has \"Manage LTI \
                 registrations\" (Admin → Permissions)"
                    .into(),
            ),
            404 if body["error"].is_string() && action.contains("deployments") => (
                format!("Canvas lists deployments only with its \"LTI Registrations Next\" feature on{quoted}"),
                "turn that feature on for the root account, or copy each deployment id from \
                 Settings → Apps → the app's ⚙ → Deployment Id and add it by hand"
                    .into(),
            ),
            404 => (
                format!("not found{quoted}"),
                "check the account is the root account (a sub-account has no registrations API), \
                 that the registration still exists in Canvas, and that the \"LTI Registrations\" \
                 feature is on for the account"
                    .into(),
            ),
            400 | 422 => (
                format!("Canvas refused the request{quoted}"),
                "correct the tool's configuration (`ltikeys canvas export --form api` shows what \
                 is sent; `ltikeys canvas lint` explains Canvas's rules) and try again"
                    .into(),
            ),
            429 => (
                "Canvas is throttling this token (429)".into(),
                "wait a minute and try again".into(),
            ),
            s if s >= 500 => (
                format!("Canvas failed ({s}){quoted}"),
                "try again later; if it persists, Canvas's status page or support can say why"
                    .into(),
            ),
            s => (
                format!("Canvas answered {s}{quoted}"),
                "check the Canvas URL and the account id".into(),
            ),
        }
    };
    Error::CanvasApi {
        action: action.to_string(),
        status: Some(status),
        problem,
        fix,
    }
}

fn unexpected(action: &str, answer: &Fetched, what: &str) -> Error {
    Error::CanvasApi {
        action: action.to_string(),
        status: (answer.status != 0).then_some(answer.status),
        problem: format!("{what}, so it is not an answer of Canvas's registrations API"),
        fix: "check the Canvas URL is the Canvas instance itself, not a proxy or another site"
            .into(),
    }
}

fn unreachable(action: &str, err: &FetchError) -> Error {
    let fix = match err {
        FetchError::InvalidUrl { .. } | FetchError::InsecureUrl { .. } => {
            "give the Canvas address with https, e.g. https://school.instructure.com"
        }
        FetchError::Timeout { .. } => "check the network and try again; Canvas may be slow",
        FetchError::Tls(_) => "check the Canvas address; its certificate is not valid for it",
        _ => "check the Canvas address and the network",
    };
    Error::CanvasApi {
        action: action.to_string(),
        status: None,
        problem: err.to_string(),
        fix: fix.into(),
    }
}

/// Where the configuration Canvas holds differs from `ours` (the API form of the tool's
/// configuration), member by member: what an update would change. Members Canvas fills in
/// itself (defaults, its own ids) are not compared.
pub fn configuration_differences(ours: &Value, theirs: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "title",
        "description",
        "target_link_uri",
        "oidc_initiation_url",
        "public_jwk_url",
        "public_jwk",
        "domain",
        "privacy_level",
        "custom_fields",
    ] {
        let (a, b) = (blank(&ours[key]), blank(&theirs[key]));
        if a != b {
            out.push(key.to_string());
        }
    }
    let set = |v: &Value| {
        let mut list: Vec<String> = v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        list.sort();
        list
    };
    for key in ["redirect_uris", "scopes"] {
        if set(&ours[key]) != set(&theirs[key]) {
            out.push(key.to_string());
        }
    }
    let placements = |v: &Value| {
        let mut list: Vec<(String, String, String)> = v
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
                        (s("placement"), s("target_link_uri"), s("message_type"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        list.sort();
        list
    };
    if placements(&ours["placements"]) != placements(&theirs["placements"]) {
        out.push("placements".into());
    }
    out
}

/// Null, an empty string and an empty object all mean "none".
fn blank(v: &Value) -> Value {
    match v {
        Value::String(s) if s.is_empty() => Value::Null,
        Value::Object(o) if o.is_empty() => Value::Null,
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Fetched {
        Fetched {
            status,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
            ..Fetched::default()
        }
    }

    #[test]
    fn next_links_are_read_from_canvas_link_headers() {
        let header = "<https://c.edu/api/v1/x?page=1&per_page=100>; rel=\"current\",\
                      <https://c.edu/api/v1/x?page=2&per_page=100>; rel=\"next\",\
                      <https://c.edu/api/v1/x?page=1&per_page=100>; rel=\"first\"";
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://c.edu/api/v1/x?page=2&per_page=100")
        );
        assert_eq!(next_link("<https://c.edu/a>; rel=\"last\""), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn a_registration_takes_its_client_id_from_the_developer_key() {
        let reg = registration_from(
            "reading",
            &answer(
                200,
                r#"{"id": 42, "name": "Quiz", "developer_key_id": "10000000000007",
                    "account_binding": {"workflow_state": "off"}, "configuration": {"title": "Quiz"}}"#,
            ),
        )
        .unwrap();
        assert_eq!(reg.id, "42");
        assert_eq!(reg.client_id, "10000000000007");
        assert_eq!(reg.binding, Some(BindingState::Off));
        let err = registration_from("reading", &answer(200, r#"{"id": 42}"#)).unwrap_err();
        assert!(err.to_string().contains("developer_key_id"), "{err}");
    }

    #[test]
    fn refusals_say_what_canvas_said_and_what_to_do() {
        let cases = [
            (
                answer(401, r#"{"errors":[{"message":"Invalid access token."}]}"#),
                "mistyped, expired or revoked",
                "Invalid access token.",
            ),
            (
                answer(
                    401,
                    r#"{"status":"unauthorized","errors":[{"message":"user not authorized to perform that action"}]}"#,
                ),
                "may not manage LTI registrations",
                "Manage LTI",
            ),
            (
                answer(
                    422,
                    r#"{"errors":["property '/redirect_uris' is invalid"]}"#,
                ),
                "redirect_uris",
                "canvas export --form api",
            ),
            (
                answer(
                    422,
                    r#"{"errors":[{"code":"invalid_workflow_state","message":"only site admin"}]}"#,
                ),
                "only site admin",
                "try again",
            ),
            (
                answer(
                    404,
                    r#"{"errors":[{"code":"not_found","message":"The specified resource does not exist."}]}"#,
                ),
                "not found",
                "root account",
            ),
            (
                Fetched {
                    content_type: Some("text/html".into()),
                    ..answer(200, "<html>login</html>")
                },
                "web page",
                "sign in at",
            ),
            (answer(503, "{}"), "Canvas failed (503)", "try again later"),
        ];
        for (fetched, problem, fix) in cases {
            let err = json_answer("creating", &fetched).unwrap_err();
            let text = err.to_string();
            assert_eq!(err.kind(), crate::error::ErrorKind::CanvasApi);
            assert!(text.contains(problem) && text.contains(fix), "{text}");
        }
        let err = json_answer(
            "listing the deployments of registration 4",
            &answer(404, r#"{"error":"The specified resource does not exist."}"#),
        )
        .unwrap_err();
        assert!(err.to_string().contains("LTI Registrations Next"), "{err}");
    }

    #[test]
    fn account_ids_are_numbers_or_self() {
        assert_eq!(validated_account(" 1 ").unwrap(), "1");
        assert_eq!(validated_account("self").unwrap(), "self");
        for bad in ["", "1/../2", "abc", "1 2", &"9".repeat(40)] {
            assert_eq!(validated_account(bad).unwrap_err().field(), Some("account"));
        }
    }

    #[test]
    fn differences_ignore_order_and_canvas_defaults() {
        let ours = json!({"title": "Q", "description": "", "scopes": ["b", "a"],
            "redirect_uris": ["https://q/l"], "placements": [{"placement": "course_navigation"}],
            "custom_fields": {}});
        let mut theirs = json!({"title": "Q", "scopes": ["a", "b"], "redirect_uris": ["https://q/l"],
            "placements": [{"placement": "course_navigation", "enabled": true}],
            "launch_settings": {"text": "x"}});
        assert_eq!(
            configuration_differences(&ours, &theirs),
            Vec::<String>::new()
        );
        theirs["scopes"] = json!(["a"]);
        theirs["title"] = json!("Old");
        assert_eq!(
            configuration_differences(&ours, &theirs),
            vec!["title", "scopes"]
        );
    }
}
