//! Any text as a user config: parsing, layering and conversion must not panic, and an error
//! must name the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpctl_config::{Layer, LayerSource, LayerStack, build_config};

fuzz_target!(|text: &str| {
    let source = LayerSource::User("/fuzz/config.toml".into());
    match Layer::parse(source, text) {
        Ok(layer) => {
            if let Err(error) = build_config(&LayerStack::new(vec![layer])) {
                assert!(error.to_string().contains("/fuzz/config.toml"), "{error}");
            }
        }
        Err(error) => assert!(error.to_string().contains("/fuzz/config.toml"), "{error}"),
    }
});
