//! Runs one parsed command: load the workspace, call core, render.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use mcpctl_config::{McpServerConfig, OAuthClientConfig, Transport, config_schema_json};
use mcpctl_core::{AddRequest, EditOutcome, LoadOptions, Workspace};

use crate::args::{AddArgs, Cli, Command, ConfigCommand, FeaturesCommand};
use crate::render;

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Config(ConfigCommand::Schema) = &cli.command {
        print!("{}", config_schema_json());
        return Ok(ExitCode::SUCCESS);
    }
    let overrides = cli
        .overrides
        .parse()?
        .into_iter()
        .map(|o| mcpctl_config::ConfigOverride {
            // A secret value typed on the command line must not reappear in messages.
            raw: if o.raw.starts_with("--") {
                o.raw
            } else if mcpctl_core::mask_if_secret(&o.key_path) {
                format!("-c {}=*****", mcpctl_config::display_key_path(&o.key_path))
            } else {
                format!("-c {}", o.raw)
            },
            key_path: o.key_path,
            value: o.value,
        })
        .collect();
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let options = LoadOptions::from_env(cwd, overrides)?;
    let workspace = Workspace::load(options)?;
    for notice in workspace.notices() {
        eprintln!("{notice}");
    }
    for warning in workspace.warnings() {
        eprintln!("warning: {warning}");
    }

    match cli.command {
        Command::Add(args) => {
            let name = args.name.clone();
            let outcome = workspace.add_server(add_request(args, workspace.cwd()))?;
            report(&outcome);
            let verb = if outcome.replaced {
                "Replaced"
            } else {
                "Added"
            };
            println!("{verb} MCP server '{name}' in {}.", outcome.path.display());
        }
        Command::List(args) if args.check => {
            return crate::live::block_on(crate::live::list_check(&workspace, args.json));
        }
        Command::Tools(args) => {
            return crate::live::block_on(crate::live::tools(&workspace, &args));
        }
        Command::Call(args) => return crate::live::block_on(crate::live::call(&workspace, &args)),
        Command::Resources(args) => {
            return crate::live::block_on(crate::live::resources(&workspace, &args));
        }
        Command::Read(args) => return crate::live::block_on(crate::live::read(&workspace, &args)),
        Command::Prompts(args) => {
            return crate::live::block_on(crate::live::prompts(&workspace, &args));
        }
        Command::List(args) => {
            if args.json {
                println!(
                    "{}",
                    render::servers_json(&workspace, &auth_statuses(&workspace), args.show_secrets)
                );
            } else {
                print!(
                    "{}",
                    render::servers_table(
                        &workspace,
                        &auth_statuses(&workspace),
                        args.show_secrets
                    )
                );
            }
        }
        Command::Get(args) => {
            let server = workspace.server(&args.name)?;
            if args.json {
                println!(
                    "{}",
                    render::server_json_text(server, &auth_statuses(&workspace), args.show_secrets)
                );
            } else {
                print!(
                    "{}",
                    render::server_details(server, &auth_statuses(&workspace), args.show_secrets)
                );
            }
        }
        Command::Remove(args) => {
            let outcome = workspace.remove_server(&args.name)?;
            report(&outcome);
            println!(
                "Removed MCP server '{}' from {}.",
                args.name,
                outcome.path.display()
            );
        }
        Command::Enable(args) => toggle(&workspace, &args.name, true)?,
        Command::Disable(args) => toggle(&workspace, &args.name, false)?,
        Command::Trust(args) => {
            let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
            let outcome = workspace.trust_project(&dir)?;
            report(&outcome);
            let dir = workspace.cwd().join(&dir);
            let dir = dir.canonicalize().unwrap_or(dir);
            println!(
                "Trusted {}: its .mcpctl/config.toml will be read.",
                dir.display()
            );
        }
        Command::Features(FeaturesCommand::List { json }) => {
            let features = workspace.features();
            if json {
                println!("{}", render::features_json(&features));
            } else {
                print!("{}", render::features_table(&features));
            }
        }
        Command::Config(ConfigCommand::Explain {
            key,
            json,
            show_secrets,
        }) => {
            let prefix = match key.as_deref() {
                Some(key) => mcpctl_utils_cli::parse_key_path(key)
                    .map_err(|message| anyhow::anyhow!("invalid key '{key}': {message}"))?,
                None => Vec::new(),
            };
            let entries = workspace.explain(&prefix, show_secrets)?;
            if json {
                println!("{}", render::explain_json(&entries));
            } else {
                print!("{}", render::explain_table(&entries));
            }
        }
        Command::Config(ConfigCommand::Paths) => {
            print!("{}", render::paths_table(&workspace));
        }
        Command::Config(ConfigCommand::Schema) => print!("{}", config_schema_json()),
    }
    Ok(ExitCode::SUCCESS)
}

fn toggle(workspace: &Workspace, name: &str, enable: bool) -> Result<()> {
    let outcome = workspace.set_server_enabled(name, enable)?;
    report(&outcome);
    let state = if enable { "Enabled" } else { "Disabled" };
    let unchanged = if outcome.changed {
        ""
    } else {
        " (it already was)"
    };
    println!("{state} MCP server '{name}'{unchanged}.");
    Ok(())
}

/// Auth statuses remembered by the last `list --check` (read offline).
fn auth_statuses(workspace: &Workspace) -> mcpctl_core::RememberedAuthStatuses {
    mcpctl_core::AuthStatusStore::in_home(workspace.paths().home()).load()
}

fn report(outcome: &EditOutcome) {
    for warning in &outcome.warnings {
        eprintln!("warning: {warning}");
    }
}

fn add_request(args: Box<AddArgs>, cwd: &std::path::Path) -> AddRequest {
    let transport = match args.url {
        Some(url) => Transport::StreamableHttp(mcpctl_config::HttpTransport {
            url,
            bearer_token_env_var: args.bearer_token_env_var,
            http_headers: args.headers.into_iter().collect(),
            env_http_headers: args.env_headers.into_iter().collect(),
        }),
        None => {
            let mut command = args.command.into_iter();
            Transport::Stdio(mcpctl_config::StdioTransport {
                command: command.next().unwrap_or_default(),
                args: command.collect(),
                env: args.env.into_iter().collect::<BTreeMap<_, _>>(),
                env_vars: args.env_vars,
                cwd: args.cwd.map(|dir| cwd.join(dir)),
            })
        }
    };
    let mut config = McpServerConfig::new(transport);
    config.enabled = !args.disabled;
    config.required = args.required;
    config.enabled_tools = args.enabled_tools;
    config.disabled_tools = args.disabled_tools;
    config.startup_timeout = args.startup_timeout.map(Duration::from_secs_f64);
    config.tool_timeout = args.tool_timeout.map(Duration::from_secs_f64);
    config.scopes = (!args.scopes.is_empty()).then_some(args.scopes);
    config.oauth_resource = args.oauth_resource;
    config.oauth = args.oauth_client_id.map(|client_id| OAuthClientConfig {
        client_id: Some(client_id),
        ..OAuthClientConfig::default()
    });
    AddRequest {
        name: args.name,
        config,
        replace: args.replace,
    }
}
