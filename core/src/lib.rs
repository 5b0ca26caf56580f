//! The core of mcpctl: loads every configuration layer and the admin policy, builds the
//! effective server list (only ever through the policy), and carries out the edits commands ask
//! for through the one config writer.
//!
//! Front ends (`mcpctl` CLI, later the app server) call [`Workspace::load`] and the operations on
//! it, then render the values they get back.

mod auth_status;
mod connections;
mod error;
mod explain;
mod ops;
mod policy;
mod tool_args;
mod tool_names;
mod tools_cache;
mod workspace;

pub use auth_status::{
    AuthStatusStore, RememberedAuthStatus, RememberedAuthStatuses, probe_auth_statuses,
};
pub use connections::{
    ConnectionManager, DEFAULT_STARTUP_TIMEOUT, DEFAULT_TOOL_TIMEOUT, ManagerOptions,
    ServerConnection, ServerState, StartupUpdate, filtered_reason, tool_timeout,
};
pub use error::CoreError;
pub use explain::{ExplainEntry, mask_if_secret};
pub use ops::{AddRequest, EditOutcome};
pub use policy::{AuthStatus, DisabledReason, EffectiveServer, EffectiveServers, ServerStatus};
pub use tool_args::build_tool_arguments;
pub use tool_names::{
    MAX_TOOL_NAME_LEN, ToolFilterStatus, qualified_tool_name, qualify_tool_names,
    tool_filter_status,
};
pub use tools_cache::{CacheError, CachedServerInfo, CachedTools, ToolsCache};
pub use workspace::{LoadOptions, Workspace};
