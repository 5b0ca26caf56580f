//! The core of mcpctl: loads every configuration layer and the admin policy, builds the
//! effective server list (only ever through the policy), and carries out the edits commands ask
//! for through the one config writer.
//!
//! Front ends (`mcpctl` CLI, later the app server) call [`Workspace::load`] and the operations on
//! it, then render the values they get back.

mod approval;
mod auth;
mod auth_error;
mod auth_status;
mod connections;
mod contents;
mod error;
mod explain;
mod import;
mod input;
mod live;
mod login;
mod oauth_logins;
mod oauth_settings;
mod oauth_tokens;
mod ops;
mod policy;
mod redact;
mod tool_args;
mod tool_list;
mod tool_names;
mod tools_cache;
mod trust;
mod uri_template;
mod views;
mod workspace;

pub use approval::{ApprovalPolicy, tool_hints};
pub use auth::{
    AuthStatusEntry, CallbackUrl, LogoutOutcome, OAuthSupport, Revocation, auth_statuses,
    callback_url, detect_oauth, logout,
};
pub use auth_error::AuthError;
pub use auth_status::{
    AuthStatusStore, RememberedAuthStatus, RememberedAuthStatuses, probe_auth_statuses,
};
pub use connections::{
    ConnectionManager, DEFAULT_STARTUP_TIMEOUT, DEFAULT_TOOL_TIMEOUT, ManagerOptions,
    RESTART_BACKOFF_MAX, RESTART_RESET, ServerConnection, ServerState, StartupUpdate,
    filtered_reason, restart_backoff, tool_timeout,
};
pub use contents::{
    CallOutput, ContentItem, is_error_result, save_call_result, save_resource_contents,
};
pub use error::{CoreError, NotReady, StartFailure};
pub use explain::ExplainEntry;
pub use import::{
    CodexHint, ConvertedServer, EntryProblem, HeaderSettings, ImportAction, ImportError,
    ImportLocations, ImportOutcome, ImportPlan, ImportRequest, ImportSource, Origin, PlannedServer,
    Scope, ServerJsonError, SkipReason, SkippedServer, classify_headers, codex_hint,
    parse_header_flag, parse_server_json,
};
pub use input::{
    MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS, absolute_dir, check_http_url, parse_timeout_secs,
};
pub use live::{
    AUTH_PROBE_DEADLINE, CachedToolList, CallRequest, CheckReport, LiveSession, ResourceListing,
    ToolsReport, list_prompts, list_resources, read_resource, refused_tool_warnings,
};
pub use login::{
    BrowserMode, BrowserOutcome, ClientKind, LoginEvent, LoginEvents, LoginOptions, LoginOutcome,
    RegistrationMode, StepUp, StepUpEvents, login,
};
pub use oauth_logins::{LoginCache, LoginSummary, known_logins};
pub use oauth_settings::Grant;
pub use oauth_tokens::REFRESH_WINDOW;
pub use ops::{AddRequest, EditOutcome};
pub use policy::{AuthStatus, DisabledReason, EffectiveServer, EffectiveServers, ServerStatus};
pub use redact::{MASK, Redacted, config_override, holds_secret, is_secret_key};
pub use tool_args::build_tool_arguments;
pub use tool_list::{
    ToolArgument, ToolEntry, listed_tool_entries, rank_tools, tool_arguments, tool_entries,
};
pub use tool_names::{
    MAX_TOOL_NAME_LEN, ToolFilterStatus, prefix_tool_names, prefixed_tool_name,
    qualified_tool_name, qualify_tool_names, tool_filter_status,
};
pub use tools_cache::{CacheError, CachedServerInfo, CachedTools, ToolsCache};
pub use trust::{TrustReport, TrustState};
pub use uri_template::expand_uri_template;
pub use views::{HttpView, OAuthView, ServerView, TransportView, auth_label};
pub use workspace::{LoadOptions, Workspace};

/// Where stored OAuth credentials live, and what a logout deleted.
pub use mcpctl_credentials_store::{Deleted as CredentialsDeleted, Location as CredentialLocation};

// The configuration types front ends build requests from and render, re-exported so that they
// depend on this crate alone.
pub use mcpctl_config::{
    ConfigOverride, FeatureState, HttpTransport, LayerSource, McpServerConfig, OAuthClientConfig,
    Paths, ProjectStatus, ServerName, Stage, StdioTransport, Transport, config_schema_json,
    display_key_path,
};

/// The approval decision table's types, for front ends that show or enforce decisions.
pub mod approval_types {
    pub use mcpctl_approval_presets::{
        AdminCap, ApprovalMode, DecidedBy, Decision, Outcome, Preset, Settings, ToolHints,
    };
}

/// The MCP client's hooks and types that front ends use: elicitation, progress, results.
pub mod client {
    pub use mcpctl_rmcp_client::{
        BoxFuture, ClientHooks, DeclineElicitation, DefaultsElicitation, ElicitRequestParams,
        ElicitResult, ElicitationAction, ElicitationHandler, McpClient, NoticeHook, ProgressHook,
        ProgressNotificationParam, RootsHandler, SamplingHandler, ServerNotice,
        kill_all_process_groups,
    };
}

/// The closest of `candidates` to `input`, for did-you-mean hints.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    mcpctl_fuzzy_match::did_you_mean(input, candidates).map(str::to_string)
}

/// Process settings every binary applies at startup.
pub mod process {
    pub use mcpctl_private_file::{ignore_file_size_signal, raise_open_file_limit};
}
