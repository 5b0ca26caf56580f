//! The core of mcpctl: loads every configuration layer and the admin policy, builds the
//! effective server list (only ever through the policy), and carries out the edits commands ask
//! for through the one config writer.
//!
//! Front ends (`mcpctl` CLI, later the app server) call [`Workspace::load`] and the operations on
//! it, then render the values they get back.

mod auth_status;
mod error;
mod explain;
mod ops;
mod policy;
mod tool_names;
mod tools_cache;
mod workspace;

pub use error::CoreError;
pub use explain::{ExplainEntry, mask_if_secret};
pub use ops::{AddRequest, EditOutcome};
pub use policy::{AuthStatus, DisabledReason, EffectiveServer, EffectiveServers, ServerStatus};
pub use workspace::{LoadOptions, Workspace};
