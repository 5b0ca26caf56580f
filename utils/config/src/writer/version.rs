//! The content version of a config file, for optimistic concurrency.

use super::*;

/// The content version of a config file: `sha256:<64 hex digits>` of its bytes.
///
/// A missing file has the version of empty content. Pass the version you read to an edit to make
/// it refuse with [`WriteError::Conflict`] when somebody changed the file in between.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    /// The version of a file with these bytes.
    pub fn of(bytes: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(bytes);
        let mut text = String::with_capacity(7 + 2 * digest.len());
        text.push_str("sha256:");
        for byte in digest.iter() {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(text)
    }

    /// The version as text, `sha256:<64 hex digits>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string that is not a [`Version`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid config version `{given}`: expected `sha256:` followed by 64 hex digits")]
pub struct InvalidVersion {
    /// The text that was given.
    pub given: String,
}

impl FromStr for Version {
    type Err = InvalidVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("sha256:") {
            Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                // Versions are compared as strings, so normalise the case of the digits.
                Ok(Self(format!("sha256:{}", hex.to_ascii_lowercase())))
            }
            _ => Err(InvalidVersion {
                given: s.to_string(),
            }),
        }
    }
}
