//! `mcpctl add`, with Codex's flags and Claude Code's where they are unambiguous (`-e`, `-H`,
//! `--transport`, a command without `--`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::error::ErrorKind;
use clap::{ArgGroup, Args, CommandFactory as _, FromArgMatches as _, ValueEnum};
use mcpctl_core::{
    AddRequest, HeaderSettings, HttpTransport, McpServerConfig, OAuthClientConfig, ServerName,
    StdioTransport, Transport, Workspace,
};
use mcpctl_utils_cli::parse_key_value;

use super::{UsageError, report};
use crate::output::{note, outln, warn};

const USAGE: &str = "mcpctl add [OPTIONS] <NAME> [--url <URL> | -- <COMMAND>...]
       mcpctl add [OPTIONS] <NAME> <COMMAND>...
       mcpctl add [OPTIONS] --transport http <NAME> <URL>";

const EXAMPLES: &str = "Examples:
  mcpctl add docs -- npx -y docs-mcp --port 3000
  mcpctl add docs npx -y docs-mcp --port 3000    (everything after the command is its own)
  mcpctl add -e API_KEY=abc airtable -- npx -y airtable-mcp-server
  mcpctl add --transport http web https://example.com/mcp -H 'Authorization: Bearer ${WEB_TOKEN}'
  mcpctl add web --url https://example.com/mcp --bearer-token-env-var WEB_TOKEN

A header value written as ${VAR} is read from that variable when connecting (env_http_headers),
and 'Authorization: Bearer ${VAR}' becomes bearer_token_env_var; quote it so the shell keeps it.";

/// The `--transport` values (Claude Code's flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportFlag {
    /// A local command (the default).
    Stdio,
    /// Streamable HTTP: the value after the name is the URL.
    Http,
    /// Legacy HTTP+SSE (MCP 2024-11-05): the value after the name is the SSE URL; stored as
    /// `transport = "sse"`.
    Sse,
}

#[derive(Debug, Args)]
#[command(
    override_usage = USAGE,
    group(ArgGroup::new("target").required(true).args(["url", "command"])),
    after_help = EXAMPLES
)]
pub struct AddArgs {
    /// Name of the server (letters, digits and - _ : @ / .).
    #[arg(value_parser = server_name)]
    pub name: ServerName,

    /// The command that starts a stdio server, and its arguments (after `--`, or directly:
    /// everything after the command is passed to it). With --transport http: the URL.
    #[arg(value_name = "COMMAND", num_args = 1.., trailing_var_arg = true)]
    pub command: Vec<String>,

    /// URL of a streamable HTTP server.
    #[arg(long, conflicts_with = "command", value_parser = http_url)]
    pub url: Option<String>,

    /// How the server is reached: stdio (a command), http (streamable HTTP; the value after the
    /// name is the URL) or sse (legacy HTTP+SSE: the value after the name is the SSE URL).
    #[arg(long, value_enum, value_name = "TRANSPORT")]
    pub transport: Option<TransportFlag>,

    /// stdio: set an environment variable for the server.
    #[arg(short = 'e', long, value_name = "KEY=VALUE", value_parser = parse_key_value, conflicts_with = "url")]
    pub env: Vec<(String, String)>,

    /// stdio: pass this variable through from mcpctl's environment.
    #[arg(long = "env-var", value_name = "NAME", conflicts_with = "url")]
    pub env_vars: Vec<String>,

    /// stdio: working directory of the server.
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub cwd: Option<PathBuf>,

    /// HTTP: environment variable holding a bearer token.
    #[arg(long, value_name = "ENV_VAR")]
    pub bearer_token_env_var: Option<String>,

    /// HTTP: a header sent with every request, as 'Name: value' or Name=value.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = mcpctl_core::parse_header_flag)]
    pub headers: Vec<(String, String)>,

    /// HTTP: a header whose value is read from an environment variable.
    #[arg(long = "env-header", value_name = "NAME=ENV_VAR", value_parser = parse_key_value)]
    pub env_headers: Vec<(String, String)>,

    /// HTTP: OAuth scopes to request at login (comma-separated).
    #[arg(long, value_name = "SCOPES", value_delimiter = ',')]
    pub scopes: Vec<String>,

    /// HTTP: a pre-registered OAuth client id.
    #[arg(long, value_name = "ID")]
    pub oauth_client_id: Option<String>,

    /// HTTP: the secret of a pre-registered OAuth client (stored in plain text in config.toml).
    #[arg(long, value_name = "SECRET")]
    pub oauth_client_secret: Option<String>,

    /// HTTP: the RFC 8707 resource indicator sent at login.
    #[arg(long, value_name = "URI")]
    pub oauth_resource: Option<String>,

    /// HTTP: the environment variable holding the secret of a pre-registered OAuth client
    /// (kept out of config.toml).
    #[arg(long, value_name = "ENV_VAR")]
    pub oauth_client_secret_env_var: Option<String>,

    /// HTTP: do not start the OAuth login that `add` offers on a terminal when the server
    /// asks for one.
    #[arg(long)]
    pub no_login: bool,

    /// HTTP: how that login gets an OAuth client when none is configured.
    #[arg(long, value_enum, value_name = "MODE")]
    pub oauth_client_registration: Option<super::login::RegistrationFlag>,

    #[command(flatten)]
    pub options: ServerOptions,
}

/// Options for any server, shared by `add` and `add-json`.
#[derive(Debug, Args)]
pub struct ServerOptions {
    /// Startup fails when this server cannot start.
    #[arg(long)]
    pub required: bool,

    /// Add the server disabled.
    #[arg(long)]
    pub disabled: bool,

    /// Only expose these tools (comma-separated).
    #[arg(long, value_name = "TOOLS", value_delimiter = ',')]
    pub enabled_tools: Option<Vec<String>>,

    /// Hide these tools (comma-separated).
    #[arg(long, value_name = "TOOLS", value_delimiter = ',')]
    pub disabled_tools: Option<Vec<String>>,

    /// Seconds allowed for start, initialize and the first tools/list.
    #[arg(long = "startup-timeout", value_name = "SECS", value_parser = seconds)]
    pub startup_timeout: Option<Duration>,

    /// Seconds allowed for each tool call.
    #[arg(long = "tool-timeout", value_name = "SECS", value_parser = seconds)]
    pub tool_timeout: Option<Duration>,

    /// Overwrite a server of the same name.
    #[arg(long)]
    pub replace: bool,
}

impl ServerOptions {
    /// Sets what these flags say on `config`; a flag not given leaves the config's value.
    pub fn apply(&self, config: &mut McpServerConfig) {
        if self.disabled {
            config.enabled = false;
        }
        if self.required {
            config.required = true;
        }
        if self.enabled_tools.is_some() {
            config.enabled_tools.clone_from(&self.enabled_tools);
        }
        if self.disabled_tools.is_some() {
            config.disabled_tools.clone_from(&self.disabled_tools);
        }
        config.startup_timeout = self.startup_timeout.or(config.startup_timeout);
        config.tool_timeout = self.tool_timeout.or(config.tool_timeout);
    }
}

fn server_name(value: &str) -> Result<ServerName, String> {
    ServerName::parse(value).map_err(|err| err.to_string())
}

/// A timeout in seconds: a positive number no larger than a year.
pub fn seconds(value: &str) -> Result<Duration, String> {
    mcpctl_core::parse_timeout_secs(value)
}

/// An `http://` or `https://` URL.
pub fn http_url(value: &str) -> Result<String, String> {
    mcpctl_core::check_http_url(value).map(|()| value.to_string())
}

/// What the command line adds up to, once the flags are known to fit together.
#[derive(Debug)]
enum Target {
    Stdio {
        command: Vec<String>,
    },
    Http {
        url: String,
        headers: HeaderSettings,
        /// `--transport sse`: the URL is a legacy HTTP+SSE stream.
        legacy_sse: bool,
    },
}

/// Checks what clap cannot (flags that fit the transport, the URL after the name, headers) and
/// works out the transport. The error is a clap usage error (exit 2) naming the flag.
fn resolve(args: &AddArgs) -> Result<Target, clap::Error> {
    let transport = args.transport.unwrap_or(if args.url.is_some() {
        TransportFlag::Http
    } else {
        TransportFlag::Stdio
    });
    let target = match transport {
        TransportFlag::Stdio => {
            if args.url.is_some() {
                return Err(usage(
                    "the argument '--url <URL>' cannot be used with '--transport stdio'",
                ));
            }
            if let Some(only) = args.command.first()
                && mcpctl_core::check_http_url(only).is_ok()
            {
                return Err(usage(&format!(
                    "'{only}' is a URL, not a command; add an HTTP server with `--transport http {name} {only}` or `{name} --url {only}`",
                    name = args.name
                )));
            }
            if let Some(flag) = http_only_flag(args) {
                return Err(usage(&format!(
                    "the argument '{flag}' cannot be used with a stdio server (a command); it is for HTTP servers"
                )));
            }
            return Ok(Target::Stdio {
                command: args.command.clone(),
            });
        }
        TransportFlag::Http | TransportFlag::Sse => match (&args.url, args.command.as_slice()) {
            (Some(url), []) => url.clone(),
            (None, [url]) => http_url(url)
                .map_err(|message| usage(&format!("invalid value for <URL>: {message}")))?,
            (None, []) => {
                return Err(usage(&format!(
                    "--transport {} needs the server's URL after its name",
                    transport_name(transport)
                )));
            }
            (None, [_, extra, ..]) => {
                return Err(usage(&format!(
                    "--transport {} takes one URL after the name; '{extra}' is one value too many",
                    transport_name(transport)
                )));
            }
            (Some(_), [_, ..]) => {
                return Err(usage(
                    "the argument '--url <URL>' cannot be used with '[COMMAND]...'",
                ));
            }
        },
    };
    if let Some(flag) = stdio_only_flag(args) {
        return Err(usage(&format!(
            "the argument '{flag}' cannot be used with an HTTP server; it is for stdio servers"
        )));
    }
    let headers =
        mcpctl_core::classify_headers(args.headers.clone(), args.bearer_token_env_var.clone())
            .map_err(|problem| match problem {
                mcpctl_core::EntryProblem::Invalid { key, message } => usage(&format!(
                    "--header {}: {message}",
                    key.trim_start_matches("headers.")
                )),
                other => usage(&format!("--header: {other}")),
            })?;
    Ok(Target::Http {
        url: target,
        headers,
        legacy_sse: transport == TransportFlag::Sse,
    })
}

fn transport_name(transport: TransportFlag) -> &'static str {
    match transport {
        TransportFlag::Stdio => "stdio",
        TransportFlag::Http => "http",
        TransportFlag::Sse => "sse",
    }
}

fn http_only_flag(args: &AddArgs) -> Option<&'static str> {
    [
        (
            args.bearer_token_env_var.is_some(),
            "--bearer-token-env-var <ENV_VAR>",
        ),
        (!args.headers.is_empty(), "--header <NAME: VALUE>"),
        (!args.env_headers.is_empty(), "--env-header <NAME=ENV_VAR>"),
        (!args.scopes.is_empty(), "--scopes <SCOPES>"),
        (args.oauth_client_id.is_some(), "--oauth-client-id <ID>"),
        (
            args.oauth_client_secret.is_some(),
            "--oauth-client-secret <SECRET>",
        ),
        (args.oauth_resource.is_some(), "--oauth-resource <URI>"),
        (
            args.oauth_client_secret_env_var.is_some(),
            "--oauth-client-secret-env-var <ENV_VAR>",
        ),
        (args.no_login, "--no-login"),
        (
            args.oauth_client_registration.is_some(),
            "--oauth-client-registration <MODE>",
        ),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

fn stdio_only_flag(args: &AddArgs) -> Option<&'static str> {
    [
        (!args.env.is_empty(), "--env <KEY=VALUE>"),
        (!args.env_vars.is_empty(), "--env-var <NAME>"),
        (args.cwd.is_some(), "--cwd <DIR>"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// A usage error of `mcpctl add`, formatted by clap with the usage lines (exit code 2).
fn usage(message: &str) -> clap::Error {
    let mut cli = crate::args::Cli::command();
    cli.build();
    let error = clap::Error::raw(ErrorKind::ArgumentConflict, message.to_string());
    match cli.find_subcommand_mut("add") {
        Some(add) => error.format(add),
        None => error.format(&mut cli),
    }
}

/// With `--transport http NAME URL`, flags may follow the URL, as Claude Code allows: a URL
/// takes no arguments, so they are mcpctl's own. (After a command they belong to the command.)
pub fn flags_after_url(mut args: AddArgs) -> Result<AddArgs, clap::Error> {
    let http = matches!(
        args.transport,
        Some(TransportFlag::Http | TransportFlag::Sse)
    );
    if !http || args.command.len() < 2 || !args.command[1].starts_with('-') {
        return Ok(args);
    }
    let tail = args.command.split_off(1);
    let parser = AddArgs::augment_args(clap::Command::new("add"))
        .mut_group("target", |group| group.required(false));
    let matches = parser.try_get_matches_from(
        std::iter::once("add".to_string())
            .chain(std::iter::once(args.name.to_string()))
            .chain(tail),
    )?;
    let extra = AddArgs::from_arg_matches(&matches)?;
    if let Some(value) = extra.command.first() {
        return Err(usage(&format!(
            "--transport http takes one URL after the name; '{value}' is one value too many"
        )));
    }
    if extra.url.is_some() {
        return Err(usage(
            "the argument '--url <URL>' cannot be used with a URL after the name",
        ));
    }
    fn once<T>(first: &mut Option<T>, second: Option<T>, flag: &str) -> Result<(), clap::Error> {
        match (first.is_some(), second) {
            (true, Some(_)) => Err(usage(&format!(
                "the argument '{flag}' cannot be used multiple times"
            ))),
            (_, None) => Ok(()),
            (false, second) => {
                *first = second;
                Ok(())
            }
        }
    }
    if extra.transport.is_some_and(|t| Some(t) != args.transport) {
        return Err(usage(
            "the argument '--transport' is given twice with different values",
        ));
    }
    args.env.extend(extra.env);
    args.env_vars.extend(extra.env_vars);
    args.headers.extend(extra.headers);
    args.env_headers.extend(extra.env_headers);
    args.scopes.extend(extra.scopes);
    once(&mut args.cwd, extra.cwd, "--cwd <DIR>")?;
    once(
        &mut args.bearer_token_env_var,
        extra.bearer_token_env_var,
        "--bearer-token-env-var <ENV_VAR>",
    )?;
    once(
        &mut args.oauth_client_id,
        extra.oauth_client_id,
        "--oauth-client-id <ID>",
    )?;
    once(
        &mut args.oauth_client_secret,
        extra.oauth_client_secret,
        "--oauth-client-secret <SECRET>",
    )?;
    once(
        &mut args.oauth_resource,
        extra.oauth_resource,
        "--oauth-resource <URI>",
    )?;
    once(
        &mut args.oauth_client_secret_env_var,
        extra.oauth_client_secret_env_var,
        "--oauth-client-secret-env-var <ENV_VAR>",
    )?;
    once(
        &mut args.oauth_client_registration,
        extra.oauth_client_registration,
        "--oauth-client-registration <MODE>",
    )?;
    args.no_login |= extra.no_login;
    let (options, more) = (&mut args.options, extra.options);
    options.required |= more.required;
    options.disabled |= more.disabled;
    options.replace |= more.replace;
    for (list, added) in [
        (&mut options.enabled_tools, more.enabled_tools),
        (&mut options.disabled_tools, more.disabled_tools),
    ] {
        if let Some(added) = added {
            list.get_or_insert_with(Vec::new).extend(added);
        }
    }
    once(
        &mut options.startup_timeout,
        more.startup_timeout,
        "--startup-timeout <SECS>",
    )?;
    once(
        &mut options.tool_timeout,
        more.tool_timeout,
        "--tool-timeout <SECS>",
    )?;
    Ok(args)
}

/// Checks the flags before anything is loaded, so a wrong command line fails like clap's own
/// errors do (exit 2, with the usage).
pub fn check_usage(args: &AddArgs) -> Result<(), clap::Error> {
    resolve(args).map(|_| ())
}

pub fn run(workspace: &Workspace, args: AddArgs) -> Result<ExitCode> {
    // `check_usage` ran before loading, so this only fails if the two ever disagree.
    let target = resolve(&args).map_err(|err| UsageError(err.to_string()))?;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let transport = match target {
        Target::Stdio { command } => {
            let mut command = command.into_iter();
            Transport::Stdio(StdioTransport {
                command: command.next().unwrap_or_default(),
                args: command.collect(),
                env: args.env.into_iter().collect(),
                env_vars: args.env_vars,
                cwd: args
                    .cwd
                    .map(|dir| mcpctl_core::absolute_dir(workspace.cwd(), &dir)),
            })
        }
        Target::Http {
            url,
            headers,
            legacy_sse,
        } => {
            notes.extend(headers.notes);
            let mut env_http_headers = headers.env_http_headers;
            env_http_headers.extend(args.env_headers);
            Transport::StreamableHttp(HttpTransport {
                url,
                bearer_token_env_var: headers.bearer_token_env_var,
                http_headers: headers.http_headers,
                env_http_headers,
                http_headers_helper: None,
                legacy_sse,
            })
        }
    };
    let mut config = McpServerConfig::new(transport);
    args.options.apply(&mut config);
    config.scopes = (!args.scopes.is_empty()).then_some(args.scopes);
    config.oauth_resource = args.oauth_resource;
    if args.oauth_client_secret.is_some() {
        warnings.push(format!(
            "--oauth-client-secret is stored in plain text in {}; anyone who can read that file can read the secret",
            workspace.paths().user_config().display()
        ));
    }
    if args.oauth_client_id.is_some()
        || args.oauth_client_secret.is_some()
        || args.oauth_client_secret_env_var.is_some()
    {
        config.oauth = Some(OAuthClientConfig {
            client_id: args.oauth_client_id,
            client_secret: args.oauth_client_secret,
            client_secret_env_var: args.oauth_client_secret_env_var,
            ..OAuthClientConfig::default()
        });
    }
    let offer_login = matches!(
        &config.transport,
        Transport::StreamableHttp(http) if http.bearer_token_env_var.is_none() && !http.legacy_sse
    ) && !args.no_login;
    let name = args.name.clone();
    let request = AddRequest {
        name: args.name,
        config,
        replace: args.options.replace,
    };
    let code = added(workspace, request, &warnings, &notes)?;
    if offer_login {
        offer_oauth_login(workspace, name.as_str(), args.oauth_client_registration)?;
    }
    Ok(code)
}

/// On a terminal, asks a new HTTP server whether it wants an OAuth login and starts it. The
/// server is added whatever happens here: a failed login is a warning with the command to
/// retry, never an error of `add`.
fn offer_oauth_login(
    workspace: &Workspace,
    name: &str,
    registration: Option<super::login::RegistrationFlag>,
) -> Result<()> {
    let workspace = workspace.reload()?;
    let detected = crate::runtime::block_on(async {
        let interactive = super::login::interactive();
        match mcpctl_core::detect_oauth(&workspace, name).await {
            Ok(mcpctl_core::OAuthSupport::Offered) if interactive => {
                note(format_args!(
                    "MCP server '{name}' asks for an OAuth login; starting it"
                ));
                let options = mcpctl_core::LoginOptions {
                    registration: registration.map(Into::into).unwrap_or_default(),
                    ..mcpctl_core::LoginOptions::default()
                };
                match super::login::interactive_login(&workspace, name, options).await {
                    Ok(outcome) => outln(&super::login::logged_in(&outcome))?,
                    Err(err) => warn(format_args!(
                        "{err:#}; the server is added: log in later with `mcpctl login {name}`"
                    )),
                }
            }
            Ok(mcpctl_core::OAuthSupport::Offered) => note(format_args!(
                "MCP server '{name}' asks for an OAuth login: run `mcpctl login {name}`"
            )),
            Ok(_) => {}
            // GitHub's endpoint and the like: the guidance, as a note (the server is added).
            Err(err @ mcpctl_core::AuthError::GitHub { .. }) => note(err),
            Err(_) => {}
        }
        Ok(std::process::ExitCode::SUCCESS)
    });
    detected.map(|_| ())
}

/// Adds the server and says so, with the warnings and notes about how it was stored (shared
/// with `add-json`).
pub fn added(
    workspace: &Workspace,
    request: AddRequest,
    warnings: &[String],
    notes: &[String],
) -> Result<ExitCode> {
    let name = request.name.clone();
    let outcome = workspace.add_server(request)?;
    for line in warnings {
        warn(line);
    }
    report(&outcome);
    for line in notes {
        note(line);
    }
    let verb = if outcome.replaced {
        "Replaced"
    } else {
        "Added"
    };
    outln(&format!(
        "{verb} MCP server '{name}' in {}.",
        outcome.path.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
