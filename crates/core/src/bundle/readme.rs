//! A bundle's README.md: the human steps on both sides of the registration.

use std::fmt::Write as _;

use super::{Manifest, CANVAS_FILE, JWKS_FILE, LTIJS_FILE, PLATFORM_FILE, PYLTI1P3_FILE};
use crate::key::KeyStatus;
use crate::platform::Platform;
use crate::registration::Registration;
use crate::tool::ToolProfile;

/// The README of a bundle whose manifest is `manifest` (its files listed already).
pub(super) fn render(
    manifest: &Manifest,
    registration: &Registration,
    platform: &Platform,
    tool: &ToolProfile,
) -> String {
    let mut md = String::new();
    let has = |name: &str| manifest.files.iter().any(|f| f.path == name);
    let _ = writeln!(
        md,
        "# {} on {}\n\nA registration bundle made by {} on {}.\n",
        manifest.tool,
        manifest.platform,
        manifest.created_by,
        manifest.created_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(md, "## The registration\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| Issuer | `{}` |", registration.issuer);
    let _ = writeln!(md, "| client_id | `{}` |", registration.client_id);
    let _ = writeln!(md, "| OIDC auth endpoint | `{}` |", platform.spec.auth_url);
    let _ = writeln!(md, "| Token endpoint | `{}` |", platform.spec.token_url);
    let _ = writeln!(md, "| Token audience | `{}` |", platform.audience());
    let _ = writeln!(
        md,
        "| Platform JWKS URL | `{}` |",
        crate::platform::fill_client_id(&platform.spec.jwks_url, &registration.client_id)
    );
    let _ = writeln!(md, "\n## Deployments\n");
    if registration.deployments.is_empty() {
        let _ = writeln!(
            md,
            "None recorded yet. Each place the tool is installed (a course, a sub-account, a \
             site) has a deployment_id; add each one to the tool's server as it is made.\n"
        );
    } else {
        for d in &registration.deployments {
            match &d.label {
                Some(label) => {
                    let _ = writeln!(md, "- `{}`: {label}", d.deployment_id);
                }
                None => {
                    let _ = writeln!(md, "- `{}`", d.deployment_id);
                }
            }
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## For the LMS admin ({})\n", platform.spec.family);
    if platform.spec.family.is_canvas() && has(CANVAS_FILE) {
        let _ = writeln!(
            md,
            "1. In Canvas: Admin → Developer Keys → + Developer Key → + LTI Key.\n\
             2. Method: Paste JSON; paste `{CANVAS_FILE}`; Save.\n\
             3. Switch the key ON, copy its client_id (the number under Details).\n\
             4. Settings → Apps → View App Configurations → + App → By Client ID: paste it.\n\
             5. Send the deployment_id Canvas shows to the tool's owner.\n"
        );
    } else {
        match &tool.jwks_url {
            Some(url) => {
                let _ = writeln!(
                    md,
                    "1. Add the tool with these values: login URL `{}`, launch (target link) URL \
                     `{}`, redirect URIs {}.\n2. Give its public keys as the keyset URL `{url}` \
                     (or paste the PEM of the current key, `public.*.pem`).\n3. Send the \
                     client_id and every deployment_id to the tool's owner.\n",
                    tool.login_url.as_deref().unwrap_or("(not set)"),
                    tool.launch_url.as_deref().unwrap_or("(not set)"),
                    redirects(tool),
                );
            }
            None => {
                let _ = writeln!(
                    md,
                    "1. Add the tool with these values: login URL `{}`, launch (target link) URL \
                     `{}`, redirect URIs {}.\n2. Give its public key: the tool has no JWKS URL, \
                     so paste the PEM of the current key (`public.*.pem`) or the JWK.\n3. Send \
                     the client_id and every deployment_id to the tool's owner.\n",
                    tool.login_url.as_deref().unwrap_or("(not set)"),
                    tool.launch_url.as_deref().unwrap_or("(not set)"),
                    redirects(tool),
                );
            }
        }
    }

    let _ = writeln!(md, "## For the tool's server\n");
    let _ = writeln!(
        md,
        "- Configure the platform from `{PLATFORM_FILE}` (issuer, client_id, deployment ids, \
         endpoints, audience), or from the tool-library file for your library.\n\
         - Publish `{JWKS_FILE}` at the tool's JWKS URL{}: it holds every kid that may sign now \
         or soon.",
        tool.jwks_url
            .as_deref()
            .map(|u| format!(" (`{u}`)"))
            .unwrap_or_default()
    );
    let current = manifest
        .keys
        .iter()
        .find(|k| k.status == KeyStatus::Current);
    match current {
        Some(key) => {
            let _ = writeln!(md, "- Sign with the current key, kid `{}`.", key.kid);
            match &key.private_file {
                Some(file) => {
                    let _ = writeln!(
                        md,
                        "- Its private key is `{file}`, encrypted PKCS#8: decrypt it with the \
                         passphrase you were given separately (`openssl pkcs8 -in {file} -out \
                         private.key`), and keep it out of version control."
                    );
                }
                None => {
                    let _ = writeln!(
                        md,
                        "- Its private key is not in this bundle: the server keeps its own copy{}.",
                        if has(PYLTI1P3_FILE) {
                            format!(" (`{PYLTI1P3_FILE}` expects it as `private.key` beside it)")
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
        None => {
            let _ = writeln!(md, "- The tool has no current signing key yet.");
        }
    }

    if has(PYLTI1P3_FILE) || has(LTIJS_FILE) {
        let _ = writeln!(
            md,
            "- pylti1.3: `ToolConfJsonFile(\"{PYLTI1P3_FILE}\")`. ltijs: \
             `lti.registerPlatform(require(\"./{LTIJS_FILE}\"))`."
        );
    }
    let _ = writeln!(md, "\n## Files\n");
    for file in &manifest.files {
        let _ = writeln!(md, "- `{}`: {}", file.path, file.what);
    }
    let _ = writeln!(
        md,
        "- `bundle.json`: what is inside, with the SHA-256 of every file"
    );
    if !manifest.omitted.is_empty() {
        let _ = writeln!(md, "\n## Not included\n");
        for o in &manifest.omitted {
            let _ = writeln!(md, "- `{}`: {}", o.path, o.reason);
        }
    }
    md
}

fn redirects(tool: &ToolProfile) -> String {
    if tool.redirect_uris.is_empty() {
        return "(none set)".into();
    }
    tool.redirect_uris
        .iter()
        .map(|u| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
