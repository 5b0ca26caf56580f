//! A string that must not be printed: tokens and client secrets.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A token or client secret. `Debug` shows `*****`, and there is no `Display`: reading the value
/// takes an explicit [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it (an HTTP header or form field).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(*****)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("tok-123");
        assert_eq!(format!("{secret:?}"), "Secret(*****)");
        assert_eq!(secret.expose(), "tok-123");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"tok-123\"");
    }
}
