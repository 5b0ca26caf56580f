//! `mcpctl login`: the OAuth login of one HTTP server, with the browser or without.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use clap::{Args, ValueEnum};
use mcpctl_core::{
    BrowserMode, BrowserOutcome, ClientKind, LoginEvent, LoginOptions, LoginOutcome,
    RegistrationMode, Workspace,
};
use tokio::sync::mpsc;

use crate::output::{errln, note, outln, warn};
use crate::progress::live_terminal;

/// `--oauth-client-registration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegistrationFlag {
    /// A client ID metadata document when the server accepts one (and
    /// oauth_client_metadata_url is set), else dynamic registration.
    Auto,
    /// Only a client ID metadata document.
    Cimd,
    /// Only dynamic client registration.
    Dcr,
}

impl From<RegistrationFlag> for RegistrationMode {
    fn from(flag: RegistrationFlag) -> Self {
        match flag {
            RegistrationFlag::Auto => Self::Auto,
            RegistrationFlag::Cimd => Self::Cimd,
            RegistrationFlag::Dcr => Self::Dcr,
        }
    }
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The HTTP server to log in to.
    pub name: String,

    /// Scopes to ask for instead of the configured or discovered ones (comma-separated).
    #[arg(long, value_name = "SCOPES", value_delimiter = ',')]
    pub scopes: Option<Vec<String>>,

    /// Print the login URL instead of opening a browser; paste the URL the browser lands on
    /// (or let it reach mcpctl).
    #[arg(long)]
    pub no_browser: bool,

    /// Seconds to wait for the login to finish in the browser (default 300).
    #[arg(long, value_name = "SECS", value_parser = super::add::seconds)]
    pub timeout: Option<Duration>,

    /// How to get an OAuth client when none is configured.
    #[arg(long, value_enum, value_name = "MODE", default_value = "auto")]
    pub oauth_client_registration: RegistrationFlag,
}

pub fn run(workspace: &Workspace, args: &LoginArgs) -> Result<ExitCode> {
    let options = LoginOptions {
        scopes: args.scopes.clone(),
        registration: args.oauth_client_registration.into(),
        timeout: args.timeout,
        browser: if args.no_browser {
            BrowserMode::Report
        } else {
            BrowserMode::Open
        },
        ..LoginOptions::default()
    };
    crate::runtime::block_on(async move {
        let outcome = interactive_login(workspace, &args.name, options).await?;
        outln(&logged_in(&outcome))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs a login with its events shown on stderr (shared with `add`). With `--no-browser`,
/// callback URLs typed on stdin are passed to the login.
pub async fn interactive_login(
    workspace: &Workspace,
    name: &str,
    mut options: LoginOptions,
) -> Result<LoginOutcome> {
    if options.browser == BrowserMode::Report {
        options.pasted = Some(read_stdin_lines());
    }
    let (events, rx) = mpsc::unbounded_channel();
    let shown = tokio::spawn(show_events(rx, name.to_owned()));
    let outcome = mcpctl_core::login(workspace, name, options, Some(events)).await;
    let _ = shown.await;
    Ok(outcome?)
}

/// Lines typed on stdin, on a channel (a thread, since reading stdin blocks).
fn read_stdin_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if line.trim().is_empty() {
                continue;
            }
            if tx.blocking_send(line).is_err() {
                return;
            }
        }
    });
    rx
}

async fn show_events(mut events: mpsc::UnboundedReceiver<LoginEvent>, name: String) {
    let live = live_terminal();
    let mut waiting_line = false;
    let clear = |waiting_line: &mut bool| {
        if *waiting_line {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
            *waiting_line = false;
        }
    };
    while let Some(event) = events.recv().await {
        match event {
            LoginEvent::Waiting { elapsed, timeout } => {
                if live {
                    let mut stderr = std::io::stderr().lock();
                    let _ = write!(
                        stderr,
                        "\r\x1b[2Kwaiting for the login to finish in the browser… {}s (gives up after {}s; Ctrl-C stops)",
                        elapsed.as_secs(),
                        timeout.as_secs()
                    );
                    let _ = stderr.flush();
                    waiting_line = true;
                }
            }
            other => {
                clear(&mut waiting_line);
                show_event(other, &name);
            }
        }
    }
    clear(&mut waiting_line);
}

fn show_event(event: LoginEvent, name: &str) {
    match event {
        LoginEvent::Warning(text) => warn(text),
        LoginEvent::Listening {
            redirect_uri,
            all_interfaces,
        } => {
            if all_interfaces {
                warn(format_args!(
                    "the OAuth callback listener for {redirect_uri} is bound to every network \
                     interface (0.0.0.0), since its host is not this machine; anything that can \
                     reach this port can reach it until the login ends"
                ));
            }
        }
        LoginEvent::AuthorizationUrl { url, browser } => match browser {
            BrowserOutcome::Opened => {
                errln(&format!(
                    "Opened the browser to log in to MCP server '{name}'. If it did not open, visit:\n  {url}"
                ));
            }
            BrowserOutcome::NotAsked => {
                errln(&format!(
                    "To log in to MCP server '{name}', open this URL in a browser:\n  {url}"
                ));
                errln(
                    "When the browser lands on the callback page (or an error page of it), you may \
                     paste that URL here and press Enter.",
                );
            }
            BrowserOutcome::Failed(reason) => {
                errln(&format!(
                    "Could not open a browser ({reason}). To log in to MCP server '{name}', open \
                     this URL:\n  {url}"
                ));
            }
        },
        LoginEvent::CallbackRejected { reason, pasted } => {
            if pasted {
                note(format_args!(
                    "that is not the callback URL of this login: {reason}"
                ));
            } else {
                note(format_args!(
                    "ignored a request to the OAuth callback ({reason}); still waiting"
                ));
            }
        }
        LoginEvent::Exchanging | LoginEvent::Done | LoginEvent::Waiting { .. } => {}
    }
}

/// "Logged in to MCP server 'x' as client c (scopes a b; expires in 1h); credentials in the
/// keyring."
pub fn logged_in(outcome: &LoginOutcome) -> String {
    let how = match outcome.client {
        ClientKind::Preregistered => "the configured client",
        ClientKind::Cimd => "its client ID metadata document",
        ClientKind::Registered => "a newly registered client",
        ClientKind::Reused => "the client registered at the last login",
        ClientKind::ClientCredentials => "client credentials",
    };
    let mut facts = Vec::new();
    if !outcome.scopes.is_empty() {
        facts.push(format!("scopes {}", outcome.scopes.join(" ")));
    }
    if let Some(expires_at) = outcome.expires_at {
        let summary = mcpctl_core::LoginSummary {
            location: String::new(),
            client_id: String::new(),
            scopes: Vec::new(),
            expires_at: Some(expires_at),
            refresh_token: outcome.refresh_token,
            issuer: None,
            registration: None,
        };
        let label = mcpctl_core::auth_label(
            mcpctl_core::AuthStatus::OAuth,
            Some(&summary),
            SystemTime::now(),
        );
        facts.push(
            label
                .trim_start_matches("OAuth (")
                .trim_end_matches(')')
                .to_owned(),
        );
    }
    if outcome.refresh_token {
        facts.push("refreshes automatically".to_owned());
    }
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!(" ({})", facts.join("; "))
    };
    format!(
        "Logged in to MCP server '{}' with {how}{facts}; credentials stored in the {}.",
        outcome.server,
        match outcome.location {
            mcpctl_core::CredentialLocation::Keyring => "OS keyring",
            mcpctl_core::CredentialLocation::File => "credentials file",
        }
    )
}

/// Whether `add` may start a login: both ends of the terminal are a person.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// How a connection steps up when a server asks for more scope during use: the browser (with
/// the URL on stderr, as `login` shows it); with no terminal and no `$BROWSER`, the URL only,
/// for two minutes, so a script is not held for long.
pub fn step_up_policy() -> mcpctl_core::StepUp {
    let browser_set = std::env::var_os("BROWSER").is_some_and(|b| !b.is_empty());
    let person = interactive();
    mcpctl_core::StepUp {
        browser: if person || browser_set {
            BrowserMode::Open
        } else {
            BrowserMode::Report
        },
        timeout: (!person).then_some(Duration::from_secs(120)),
        on_event: std::sync::Arc::new(|server: &str, event| match event {
            LoginEvent::Waiting { .. } => {}
            LoginEvent::Listening { .. } => {
                note(format_args!(
                    "MCP server '{server}' asks for more access (insufficient_scope): logging in \
                     again with the extra scopes"
                ));
                show_event(event, server);
            }
            other => show_event(other, server),
        }),
    }
}
