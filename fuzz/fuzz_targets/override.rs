//! Any `-c key=value` text: parsing the override must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = mcpctl_utils_cli::parse_override(text);
});
