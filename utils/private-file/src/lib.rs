//! The one way mcpctl writes files to disk. Every file it writes may hold secrets (env values,
//! headers, tokens, tool results), so every write goes through here:
//!
//! - [`write_atomic`]: a temporary file beside the target (a name only mcpctl uses), fsync,
//!   rename, fsync of the folder; a new file gets 0600, an existing one keeps its mode; a
//!   symlinked target is written through. [`write_atomic_if_unchanged`] also refuses to rename
//!   over a file that changed since it was read (a writer that takes no lock, such as Codex).
//! - [`create_private_dir`], [`create_new_private`], [`LogFile`]: folders 0700, files 0600.
//! - [`content_version`]: the `sha256:` version of a file's content.
//! - [`safe_file_name`]: distinct, portable file names for any server name.
//! - [`check_private`]: a file that steers mcpctl must not be writable by another user.
//! - [`ignore_file_size_signal`], [`raise_open_file_limit`]: process settings for binaries.

// This crate is the one place allowed to write files.
#![allow(clippy::disallowed_methods)]

mod atomic;
mod dirs;
mod limits;
mod log;
mod names;
mod ownership;

pub use atomic::{
    AtomicWrite, is_own_temp_file, temp_prefix, write_atomic, write_atomic_if_unchanged,
};
pub use dirs::{create_new_private, create_private_dir};
pub use limits::{ignore_file_size_signal, raise_open_file_limit};
pub use log::{DEFAULT_LOG_CAP, LogFile, open_jsonl, utc_now};
pub use names::{content_version, safe_file_name};
pub use ownership::{OwnershipError, check_private};
