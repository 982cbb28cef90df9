//! `ltikeys tool …`: tools, their Canvas profile and placements, and their rotation policy.

use chrono::Utc;
use clap::{Args, Subcommand};
use ltikeys_core::rotation::{human, parse_duration};
use ltikeys_core::tool::validated_custom_field;
use ltikeys_core::{
    DisplayType, Error, Eula, MessageType, Placement, PrivacyLevel, Tool, ToolProfile, Vault,
    WindowTarget,
};

use crate::output::{errln, or_dash, out, outln, print_json, time};

#[derive(Subcommand)]
pub enum ToolCommand {
    /// Add a tool; prints its id.
    Add(ToolAdd),
    /// List tools.
    List,
    /// Show one tool (id or name).
    Show { tool: String },
    /// Change a tool's profile: URLs, privacy level, scopes, custom fields (with --json, prints
    /// the changed tool).
    Edit(Box<ToolEdit>),
    /// Remove a tool with its keys (their private keys leave the OS keychain) and its rotation
    /// policy; asks first on a terminal unless --yes (with --json, prints what was removed).
    Remove {
        /// Tool id or name.
        tool: String,
        /// Remove its registrations and their deployment ids too (a tool that has any is
        /// refused without it).
        #[arg(long)]
        with_registrations: bool,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
    /// Add, remove and list a tool's Canvas placements.
    #[command(subcommand)]
    Placement(PlacementCommand),
    /// Show or set the rotation policy (durations such as 24h, 7d, 90d; `off` for no period).
    Policy {
        tool: String,
        /// How long a next key is published before it may sign.
        #[arg(long, value_name = "DURATION")]
        pre_publish: Option<String>,
        /// How long a previous key stays published after it stops signing.
        #[arg(long, value_name = "DURATION")]
        overlap: Option<String>,
        /// Mark the tool "rotation due" this long after its key started signing.
        #[arg(long, value_name = "DURATION")]
        rotate_every: Option<String>,
    },
}

#[derive(Args)]
pub struct ToolAdd {
    name: String,
    /// Target link URI.
    #[arg(long, value_name = "URL")]
    launch_url: Option<String>,
    /// OIDC login initiation URL.
    #[arg(long, value_name = "URL")]
    login_url: Option<String>,
    /// A redirect URI (repeat for several).
    #[arg(long = "redirect-uri", value_name = "URL")]
    redirect_uris: Vec<String>,
    /// Where the tool publishes its JWKS.
    #[arg(long, value_name = "URL")]
    jwks_url: Option<String>,
    /// Host name (and port) without scheme.
    #[arg(long)]
    domain: Option<String>,
    #[arg(long, default_value = "")]
    description: String,
}

/// `ltikeys tool edit`: options change only what they name. An empty value clears a field.
#[derive(Args)]
pub struct ToolEdit {
    /// Tool id or name.
    tool: String,
    /// A new name (the Canvas title).
    #[arg(long, visible_alias = "name")]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// Host name (and port) without scheme.
    #[arg(long)]
    domain: Option<String>,
    /// OIDC login initiation URL.
    #[arg(long, value_name = "URL")]
    login_url: Option<String>,
    /// Target link URI.
    #[arg(long, value_name = "URL")]
    launch_url: Option<String>,
    /// Add a redirect URI (repeat for several).
    #[arg(long = "redirect-uri", value_name = "URL")]
    redirect_uris: Vec<String>,
    /// Remove a redirect URI (repeat for several).
    #[arg(long = "remove-redirect-uri", value_name = "URL")]
    remove_redirect_uris: Vec<String>,
    /// Where the tool publishes its JWKS (exports then use public_jwk_url).
    #[arg(long, value_name = "URL", conflicts_with = "clear_jwks_url")]
    jwks_url: Option<String>,
    /// Remove the JWKS URL (exports then embed the current key's public_jwk).
    #[arg(long)]
    clear_jwks_url: bool,
    /// The tool's icon.
    #[arg(long, value_name = "URL")]
    icon_url: Option<String>,
    /// The Canvas tool_id.
    #[arg(long, value_name = "ID")]
    canvas_tool_id: Option<String>,
    /// public, name_only, email_only or anonymous.
    #[arg(long, value_name = "LEVEL")]
    privacy_level: Option<String>,
    /// Add a scope URI (repeat for several; `ltikeys canvas scopes` lists them).
    #[arg(long = "scope", value_name = "URI")]
    scopes: Vec<String>,
    /// Remove a scope URI (repeat for several).
    #[arg(long = "remove-scope", value_name = "URI")]
    remove_scopes: Vec<String>,
    /// Set a custom field (repeat for several), e.g. canvas_user_id=$Canvas.user.id.
    #[arg(long = "custom-field", value_name = "NAME=VALUE")]
    custom_fields: Vec<String>,
    /// Remove a custom field by name (repeat for several).
    #[arg(long = "remove-custom-field", value_name = "NAME")]
    remove_custom_fields: Vec<String>,
    /// Give the tool a EULA launch (LtiEulaRequest, shown before an asset processor handles a
    /// submission); it goes to the launch URL unless --eula-url says where.
    #[arg(long, conflicts_with = "no_eula")]
    eula: bool,
    /// Where the EULA launch goes (gives the tool a EULA launch; empty: the launch URL).
    #[arg(long, value_name = "URL", conflicts_with = "no_eula")]
    eula_url: Option<String>,
    /// Set a custom field of the EULA launch (repeat for several).
    #[arg(
        long = "eula-custom-field",
        value_name = "NAME=VALUE",
        conflicts_with = "no_eula"
    )]
    eula_custom_fields: Vec<String>,
    /// Remove the tool's EULA launch.
    #[arg(long)]
    no_eula: bool,
}

#[derive(Subcommand)]
pub enum PlacementCommand {
    /// Add a placement to a tool.
    Add(PlacementAdd),
    /// Remove a placement from a tool.
    Remove {
        /// Tool id or name.
        tool: String,
        #[arg(long)]
        placement: String,
    },
    /// List a tool's placements.
    List {
        /// Tool id or name.
        tool: String,
    },
}

#[derive(Args)]
pub struct PlacementAdd {
    /// Tool id or name.
    tool: String,
    /// The Canvas placement, e.g. course_navigation (`ltikeys canvas placements` lists them).
    #[arg(long)]
    placement: String,
    /// LtiResourceLinkRequest or LtiDeepLinkingRequest (default: the placement's default).
    #[arg(long, value_name = "TYPE")]
    message_type: Option<String>,
    /// Link text (default: the tool's title).
    #[arg(long)]
    text: Option<String>,
    /// Launch URL for this placement (default: the tool's launch URL).
    #[arg(long, value_name = "URL")]
    target_link_uri: Option<String>,
    #[arg(long, value_name = "URL")]
    icon_url: Option<String>,
    #[arg(long, value_name = "PIXELS")]
    selection_width: Option<u32>,
    #[arg(long, value_name = "PIXELS")]
    selection_height: Option<u32>,
    #[arg(long, value_name = "PIXELS")]
    launch_width: Option<u32>,
    #[arg(long, value_name = "PIXELS")]
    launch_height: Option<u32>,
    /// default, full_width, full_width_in_context, full_width_with_nav, in_nav_context or
    /// borderless.
    #[arg(long, value_name = "TYPE")]
    display_type: Option<String>,
    /// Open in a new window (windowTarget _blank).
    #[arg(long)]
    new_window: bool,
    /// A Canvas permission the user needs (repeat for several).
    #[arg(long = "required-permission", value_name = "PERMISSION")]
    required_permissions: Vec<String>,
    /// Add it switched off.
    #[arg(long)]
    disabled: bool,
}

pub fn run(mut vault: Vault, cmd: ToolCommand, json: bool) -> Result<(), Error> {
    match cmd {
        ToolCommand::Add(add) => {
            let tool = vault.add_tool(
                ToolProfile {
                    name: add.name,
                    description: add.description,
                    domain: add.domain,
                    login_url: add.login_url,
                    launch_url: add.launch_url,
                    redirect_uris: add.redirect_uris,
                    jwks_url: add.jwks_url,
                    ..ToolProfile::default()
                },
                Utc::now(),
            )?;
            outln!("{}", tool.id)?;
            warn_about(&tool.profile);
        }
        ToolCommand::Edit(args) => edit(&mut vault, *args, json)?,
        ToolCommand::Remove {
            tool,
            with_registrations,
            yes,
        } => remove(&mut vault, &tool, with_registrations, yes, json)?,
        ToolCommand::Placement(cmd) => placement(&mut vault, cmd, json)?,
        ToolCommand::Policy {
            tool,
            pre_publish,
            overlap,
            rotate_every,
        } => {
            policy(vault, &tool, pre_publish, overlap, rotate_every, json)?;
        }
        ToolCommand::List => {
            let tools = vault.tools()?;
            if json {
                return print_json(&tools);
            }
            if tools.is_empty() {
                outln!("No tools yet. Add one with `ltikeys tool add NAME`.")?;
            }
            for t in tools {
                outln!(
                    "{:<10} {:<30} {:>2} keys  current: {}",
                    t.id,
                    t.name,
                    t.key_count,
                    t.current_kid.as_deref().unwrap_or("-")
                )?;
            }
        }
        ToolCommand::Show { tool } => {
            let tool = vault.tool(&tool)?;
            if json {
                return print_json(&tool);
            }
            show(&tool)?;
        }
    }
    Ok(())
}

/// `ltikeys tool remove`.
fn remove(
    vault: &mut Vault,
    tool: &str,
    with_registrations: bool,
    yes: bool,
    json: bool,
) -> Result<(), Error> {
    let tool = vault.tool(tool)?;
    let registrations = vault.registrations(Some(&tool.id), None)?;
    // Registrations that were not asked to go: refused by the core before anything is asked.
    if !yes && (with_registrations || registrations.is_empty()) {
        let keys = vault.keys(&tool.id)?;
        let mut lines = vec![format!("tool '{}' ({})", tool.profile.name, tool.id)];
        lines.extend(keys.iter().map(|k| {
            format!(
                "key {} ({}), and its private key in the keychain",
                k.key.kid,
                k.key.status.as_str()
            )
        }));
        lines.extend(registrations.iter().map(|r| {
            format!(
                "registration {} on {}, client_id {}, {} deployment id(s)",
                r.id,
                r.platform_name,
                r.client_id,
                r.deployments.len()
            )
        }));
        let what = format!(
            "tool '{}' with {} key(s) and {} registration(s)",
            tool.profile.name,
            keys.len(),
            registrations.len()
        );
        let question = format!("Remove tool '{}' and all of the above?", tool.profile.name);
        crate::output::confirm("tool remove", &what, &lines, &question)?;
    }
    let removed = vault.remove_tool(&tool.id, with_registrations, Utc::now())?;
    if json {
        return print_json(&removed);
    }
    errln!(
        "removed tool '{}' ({}) with {} key(s) and {} registration(s) ({} deployment id(s))",
        removed.tool,
        removed.tool_id,
        removed.keys.len(),
        removed.registrations,
        removed.deployments
    );
    for key in &removed.keys {
        if let Some(reason) = &key.private_key.reason {
            errln!(
                "warning: key {}: {}",
                key.kid,
                crate::key::removed_later(reason)
            );
        }
    }
    Ok(())
}

fn not_on_tool(flag: &str, what: &str, tool: &Tool) -> Error {
    Error::invalid(
        flag,
        format!("{what} is not on tool '{}'", tool.profile.name),
        format!(
            "run `ltikeys tool show \"{}\"` to see what it has",
            tool.profile.name
        ),
    )
}

/// `ltikeys tool edit`.
fn edit(vault: &mut Vault, args: ToolEdit, json: bool) -> Result<(), Error> {
    let tool = vault.tool(&args.tool)?;
    let mut edit = tool.profile.clone();
    if let Some(title) = args.title {
        edit.name = title;
    }
    if let Some(description) = args.description {
        edit.description = description;
    }
    for (slot, value) in [
        (&mut edit.domain, args.domain),
        (&mut edit.login_url, args.login_url),
        (&mut edit.launch_url, args.launch_url),
        (&mut edit.jwks_url, args.jwks_url),
        (&mut edit.icon_url, args.icon_url),
        (&mut edit.canvas_tool_id, args.canvas_tool_id),
    ] {
        if let Some(value) = value {
            *slot = Some(value);
        }
    }
    if args.clear_jwks_url {
        edit.jwks_url = None;
    }
    if let Some(level) = args.privacy_level {
        edit.privacy_level = level.parse::<PrivacyLevel>()?;
    }
    edit_list(
        &mut edit.redirect_uris,
        args.redirect_uris,
        args.remove_redirect_uris,
        ("--remove-redirect-uri", "redirect URI"),
        &tool,
    )?;
    edit_list(
        &mut edit.scopes,
        args.scopes,
        args.remove_scopes,
        ("--remove-scope", "scope"),
        &tool,
    )?;
    for name in args.remove_custom_fields {
        if edit.custom_fields.remove(name.trim()).is_none() {
            return Err(not_on_tool(
                "--remove-custom-field",
                &format!("custom field {name}"),
                &tool,
            ));
        }
    }
    for pair in args.custom_fields {
        let (name, value) = custom_field("--custom-field", &pair)?;
        edit.custom_fields.insert(name, value);
    }
    if args.no_eula {
        edit.eula = None;
    }
    if args.eula || args.eula_url.is_some() || !args.eula_custom_fields.is_empty() {
        let eula = edit.eula.get_or_insert_with(Eula::default);
        if let Some(url) = args.eula_url {
            eula.target_link_uri = Some(url).filter(|u| !u.trim().is_empty());
        }
        for pair in args.eula_custom_fields {
            let (name, value) = custom_field("--eula-custom-field", &pair)?;
            eula.custom_fields.insert(name, value);
        }
    }
    let changed = edit.clone().validated()?.changed_fields(&tool.profile);
    let updated = vault.update_tool(&tool.id, edit, Utc::now())?;
    if json {
        return print_json(&updated);
    }
    if changed.is_empty() {
        errln!("no change to {}", updated.profile.name);
    } else {
        errln!("updated {}: {}", updated.profile.name, changed.join(", "));
    }
    warn_about(&updated.profile);
    Ok(())
}

/// `NAME=VALUE` of a custom-field flag, checked.
fn custom_field(flag: &str, pair: &str) -> Result<(String, String), Error> {
    let Some((name, value)) = pair.split_once('=') else {
        return Err(Error::invalid(
            flag,
            format!("'{pair}' has no '='"),
            "give NAME=VALUE, e.g. canvas_user_id=$Canvas.user.id",
        ));
    };
    validated_custom_field(name, value)
}

/// Prints what the profile keeps but should be looked at again (plain http URLs).
fn warn_about(profile: &ToolProfile) {
    for finding in profile.warnings() {
        errln!("warning: {}; {}", finding.message, finding.fix);
    }
}

/// Removes `remove` from `list`, each of which must be there (`flag` and `what` name it when
/// not), then adds what of `add` is not there yet.
fn edit_list(
    list: &mut Vec<String>,
    add: Vec<String>,
    remove: Vec<String>,
    (flag, what): (&str, &str),
    tool: &Tool,
) -> Result<(), Error> {
    for value in remove {
        let before = list.len();
        list.retain(|v| *v != value.trim());
        if list.len() == before {
            return Err(not_on_tool(flag, &format!("{what} {value}"), tool));
        }
    }
    for value in add {
        if !list.iter().any(|v| *v == value.trim()) {
            list.push(value);
        }
    }
    Ok(())
}

/// `ltikeys tool placement …`.
fn placement(vault: &mut Vault, cmd: PlacementCommand, json: bool) -> Result<(), Error> {
    match cmd {
        PlacementCommand::Add(add) => {
            let tool = vault.tool(&add.tool)?;
            let mut placement = Placement::new(&add.placement)?;
            if tool
                .profile
                .placements
                .iter()
                .any(|p| p.placement == placement.placement)
            {
                return Err(Error::invalid(
                    "--placement",
                    format!(
                        "tool '{}' has {} already",
                        tool.profile.name, placement.placement
                    ),
                    format!(
                        "remove it first with `ltikeys tool placement remove \"{}\" --placement {}`",
                        tool.profile.name, placement.placement
                    ),
                ));
            }
            if let Some(m) = add.message_type {
                placement.message_type = m.parse::<MessageType>()?;
            }
            placement.text = add.text;
            placement.target_link_uri = add.target_link_uri;
            placement.icon_url = add.icon_url;
            placement.selection_width = add.selection_width;
            placement.selection_height = add.selection_height;
            placement.launch_width = add.launch_width;
            placement.launch_height = add.launch_height;
            placement.display_type = add
                .display_type
                .as_deref()
                .map(str::parse::<DisplayType>)
                .transpose()?;
            placement.window_target = add.new_window.then_some(WindowTarget::Blank);
            placement.required_permissions = add.required_permissions;
            placement.enabled = !add.disabled;
            let name = placement.placement.clone();
            let mut edit = tool.profile.clone();
            edit.placements.push(placement);
            let updated = vault.update_tool(&tool.id, edit, Utc::now())?;
            errln!("added {name} to {}", updated.profile.name);
        }
        PlacementCommand::Remove { tool, placement } => {
            let tool = vault.tool(&tool)?;
            let mut edit = tool.profile.clone();
            edit.placements.retain(|p| p.placement != placement.trim());
            if edit.placements.len() == tool.profile.placements.len() {
                return Err(not_on_tool(
                    "--placement",
                    &format!("placement {placement}"),
                    &tool,
                ));
            }
            let updated = vault.update_tool(&tool.id, edit, Utc::now())?;
            errln!("removed {} from {}", placement.trim(), updated.profile.name);
        }
        PlacementCommand::List { tool } => {
            let tool = vault.tool(&tool)?;
            if json {
                return print_json(&tool.profile.placements);
            }
            if tool.profile.placements.is_empty() {
                outln!(
                    "No placements yet. Add one with `ltikeys tool placement add \"{}\" --placement course_navigation`.",
                    tool.profile.name
                )?;
            }
            for p in &tool.profile.placements {
                print_placement(p)?;
            }
        }
    }
    Ok(())
}

fn print_placement(p: &Placement) -> Result<(), Error> {
    outln!(
        "{:<36} {:<23} {:<8} {}",
        p.placement,
        p.message_type.as_str(),
        if p.enabled { "enabled" } else { "disabled" },
        p.target_link_uri.as_deref().unwrap_or("-")
    )
}

/// `ltikeys tool show` as text.
fn show(tool: &Tool) -> Result<(), Error> {
    let profile = &tool.profile;
    outln!("id:             {}", tool.id)?;
    outln!("name:           {}", profile.name)?;
    outln!("description:    {}", profile.description)?;
    outln!("domain:         {}", or_dash(profile.domain.as_deref()))?;
    outln!("login URL:      {}", or_dash(profile.login_url.as_deref()))?;
    outln!("launch URL:     {}", or_dash(profile.launch_url.as_deref()))?;
    for uri in &profile.redirect_uris {
        outln!("redirect URI:   {uri}")?;
    }
    outln!("JWKS URL:       {}", or_dash(profile.jwks_url.as_deref()))?;
    outln!("created:        {}", tool.created_at.to_rfc3339())?;
    outln!("privacy level:  {}", profile.privacy_level)?;
    outln!(
        "Canvas tool id: {}",
        or_dash(profile.canvas_tool_id.as_deref())
    )?;
    outln!("icon URL:       {}", or_dash(profile.icon_url.as_deref()))?;
    for scope in &profile.scopes {
        outln!("scope:          {scope}")?;
    }
    for (name, value) in &profile.custom_fields {
        outln!("custom field:   {name}={value}")?;
    }
    for p in &profile.placements {
        out!("placement:      ")?;
        print_placement(p)?;
    }
    if let Some(eula) = &profile.eula {
        let at = eula.target_link_uri.as_deref().unwrap_or("the launch URL");
        outln!("EULA launch:    {at}")?;
        for (name, value) in &eula.custom_fields {
            outln!("EULA custom:    {name}={value}")?;
        }
    }
    Ok(())
}

/// `tool policy`: show, or set any of the three durations.
fn policy(
    mut vault: Vault,
    tool: &str,
    pre_publish: Option<String>,
    overlap: Option<String>,
    rotate_every: Option<String>,
    json: bool,
) -> Result<(), Error> {
    let mut policy = vault.policy(tool)?;
    let changing = pre_publish.is_some() || overlap.is_some() || rotate_every.is_some();
    if let Some(text) = pre_publish {
        policy.pre_publish_secs = parse_duration("--pre-publish", &text)?;
    }
    if let Some(text) = overlap {
        policy.overlap_secs = parse_duration("--overlap", &text)?;
    }
    if let Some(text) = rotate_every {
        policy.rotate_every_secs = match text.trim() {
            "off" | "never" | "none" => None,
            other => Some(parse_duration("--rotate-every", other)?),
        };
    }
    if changing {
        policy = vault.set_policy(tool, policy, Utc::now())?;
    }
    let state = vault.rotation_state(tool, Utc::now())?;
    if json {
        return print_json(&state);
    }
    outln!("pre-publish:  {}", human(policy.pre_publish_secs))?;
    outln!("overlap:      {}", human(policy.overlap_secs))?;
    outln!(
        "rotate every: {}",
        policy
            .rotate_every_secs
            .map(human)
            .unwrap_or_else(|| "off".into())
    )?;
    if let Some(since) = state.due_since {
        outln!("rotation due since {}", time(since))?;
    }
    for kid in state.retire_ready {
        outln!("{kid}: overlap over, ready to retire")?;
    }
    Ok(())
}
