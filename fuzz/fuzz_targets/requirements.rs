//! Any text as an admin requirements.toml: no panic; every error names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpctl_allowlist::Requirements;

fuzz_target!(|text: &str| {
    let path = std::path::Path::new("/fuzz/requirements.toml");
    if let Err(error) = Requirements::parse(text, path) {
        assert!(error.to_string().contains("/fuzz/requirements.toml"), "{error}");
    }
});
