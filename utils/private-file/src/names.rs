//! Content versions and safe file names.

use sha2::{Digest as _, Sha256};

/// The version of a file's content: `sha256:<hex>`.
pub fn content_version(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A file name for `name` (a server name may hold `/`, `:`, `.`, `@`): the name itself when it
/// is made of `[A-Za-z0-9_-]`, otherwise those characters kept, the others replaced by `_`,
/// and a short hash of the exact name appended, so that `a/b`, `a:b` and `a_b` never share a
/// file. At most 100 bytes.
pub fn safe_file_name(name: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !name.is_empty() && name.len() <= 100 && name.chars().all(plain) {
        return name.to_string();
    }
    let kept: String = name
        .chars()
        .map(|c| if plain(c) { c } else { '_' })
        .take(80)
        .collect();
    let hash = content_version(name.as_bytes());
    let short = hash.get(7..19).unwrap_or_default();
    format!("{kept}-{short}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_sha256() {
        assert_eq!(
            content_version(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn names_that_differ_get_different_files() {
        let names = ["a/b", "a:b", "a_b", "a.b", "a@b", "A_b", "a b"];
        let files: Vec<String> = names.iter().map(|n| safe_file_name(n)).collect();
        for (i, a) in files.iter().enumerate() {
            for b in files.iter().skip(i + 1) {
                assert_ne!(a, b, "{files:?}");
            }
        }
        assert_eq!(safe_file_name("a_b"), "a_b");
        assert!(safe_file_name("../../etc/passwd").starts_with("______etc_passwd-"));
        assert!(safe_file_name(&"x".repeat(500)).len() <= 100);
        for file in &files {
            assert!(
                file.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
        }
    }
}
