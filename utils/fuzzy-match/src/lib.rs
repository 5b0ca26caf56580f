//! Did-you-mean suggestions for mistyped names.
//!
//! [`did_you_mean`] picks the one name a user most plausibly meant (for "no server named
//! `githb`; did you mean `github`?"), [`rank`] orders names for a search, and
//! [`osa_distance`] is the typo distance both use.

mod distance;
mod suggest;

pub use distance::osa_distance;
pub use suggest::{did_you_mean, rank};
