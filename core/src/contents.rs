//! What a tool result or a resource holds, ready to print: text stays text, and images, audio
//! and blobs are decoded and saved to files in a private folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

use crate::error::CoreError;
use crate::workspace::Workspace;

/// One piece of content, after binary parts were saved.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentItem {
    /// Text to print as it is.
    Text(String),
    /// Binary content written to a file.
    Saved {
        /// `image`, `audio` or `resource`.
        kind: String,
        /// The MIME type the server gave.
        mime: String,
        /// The decoded size in bytes.
        bytes: usize,
        /// Where it was saved.
        path: PathBuf,
    },
    /// A link to a resource (not fetched).
    ResourceLink {
        /// Its URI.
        uri: String,
        /// Its name.
        name: String,
    },
    /// A content type mcpctl does not know, as JSON.
    Other {
        /// Its `type`.
        kind: String,
        /// The whole item.
        value: Value,
    },
}

/// A tool result with its binary parts saved.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutput {
    /// The content items, in order.
    pub items: Vec<ContentItem>,
    /// `structuredContent`, shown when there is no text to show instead.
    pub structured: Option<Value>,
    /// The result has `isError: true`.
    pub is_error: bool,
}

impl Workspace {
    /// Where `call` and `read` save binary content by default: `$MCPCTL_HOME/files`, private
    /// to the user (never a shared folder such as `/tmp` that another user could pre-create).
    pub fn default_save_dir(&self) -> PathBuf {
        self.paths().home().join("files")
    }
}

/// True when `result` (a `CallToolResult` as JSON) reports an error.
pub fn is_error_result(result: &Value) -> bool {
    result.get("isError").and_then(Value::as_bool) == Some(true)
}

/// Splits a `CallToolResult` into printable items, saving images, audio and blobs in `dir`
/// (created private when missing) with names made from `stem`.
pub fn save_call_result(result: &Value, dir: &Path, stem: &str) -> Result<CallOutput, CoreError> {
    let mut items = Vec::new();
    let mut saver = Saver::new(dir);
    for item in result
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "text" => items.push(ContentItem::Text(str_field(item, "text"))),
            "image" | "audio" => {
                items.push(saver.save(kind, stem, &mime(item), &str_field(item, "data"))?);
            }
            "resource" => {
                let resource = item.get("resource").unwrap_or(&Value::Null);
                items.push(resource_item(&mut saver, resource)?);
            }
            "resource_link" => items.push(ContentItem::ResourceLink {
                uri: str_field(item, "uri"),
                name: str_field(item, "name"),
            }),
            other => items.push(ContentItem::Other {
                kind: other.to_string(),
                value: item.clone(),
            }),
        }
    }
    let has_text = items.iter().any(|i| matches!(i, ContentItem::Text(_)));
    let structured = result
        .get("structuredContent")
        .filter(|v| !v.is_null() && !has_text)
        .cloned();
    Ok(CallOutput {
        items,
        structured,
        is_error: is_error_result(result),
    })
}

/// Splits a `ReadResourceResult` (as JSON) into printable items, saving blobs in `dir`.
pub fn save_resource_contents(result: &Value, dir: &Path) -> Result<Vec<ContentItem>, CoreError> {
    let mut saver = Saver::new(dir);
    result
        .get("contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| resource_item(&mut saver, item))
        .collect()
}

fn resource_item(saver: &mut Saver<'_>, item: &Value) -> Result<ContentItem, CoreError> {
    if let Some(text) = item.get("text").and_then(Value::as_str) {
        return Ok(ContentItem::Text(text.to_string()));
    }
    let uri = str_field(item, "uri");
    let stem = uri
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("resource");
    saver.save("resource", stem, &mime(item), &str_field(item, "blob"))
}

fn str_field(item: &Value, key: &str) -> String {
    item.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn mime(item: &Value) -> String {
    item.get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or("application/octet-stream")
        .to_string()
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "audio/wav" | "audio/x-wav" => "wav",
        "audio/mpeg" => "mp3",
        "application/pdf" => "pdf",
        "application/json" => "json",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// Saves decoded content into one folder, creating it (0700) on first use.
struct Saver<'a> {
    dir: &'a Path,
    created: bool,
}

impl<'a> Saver<'a> {
    fn new(dir: &'a Path) -> Self {
        Self {
            dir,
            created: false,
        }
    }

    fn save(
        &mut self,
        kind: &str,
        stem: &str,
        mime: &str,
        data: &str,
    ) -> Result<ContentItem, CoreError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|err| CoreError::BadContent {
                what: format!("{kind} content ({mime})"),
                message: format!("not valid base64: {err}"),
            })?;
        if !self.created {
            mcpctl_private_file::create_private_dir(self.dir).map_err(|source| {
                CoreError::Save {
                    path: self.dir.to_path_buf(),
                    source,
                }
            })?;
            self.created = true;
        }
        let safe: String = stem
            .chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        for n in 1u32.. {
            let path = self.dir.join(format!("{safe}-{n}.{}", extension(mime)));
            // create_new: never follow a planted symlink or overwrite an earlier result.
            let opened = mcpctl_private_file::create_new_private(&path);
            match opened {
                Ok(mut file) => {
                    file.write_all(&bytes)
                        .and_then(|()| file.sync_all())
                        .map_err(|source| CoreError::Save {
                            path: path.clone(),
                            source,
                        })?;
                    return Ok(ContentItem::Saved {
                        kind: kind.to_string(),
                        mime: mime.to_string(),
                        bytes: bytes.len(),
                        path,
                    });
                }
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(CoreError::Save { path, source }),
            }
        }
        Err(CoreError::Save {
            path: self.dir.to_path_buf(),
            source: std::io::Error::other("no free file name"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::fs;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn binaries_are_saved_with_their_exact_size_in_a_private_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("files");
        // 5 bytes: base64 with padding, whose length/4*3 guess would say 6.
        let result = json!({"content": [
            {"type": "text", "text": "hello"},
            {"type": "image", "mimeType": "image/png", "data": "AQIDBAU="},
        ]});
        let output = save_call_result(&result, &dir, "shot").unwrap();
        assert_eq!(output.items[0], ContentItem::Text("hello".into()));
        let ContentItem::Saved { bytes, path, .. } = &output.items[1] else {
            panic!("not saved: {:?}", output.items[1]);
        };
        assert_eq!(*bytes, 5);
        assert_eq!(fs::read(path).unwrap(), vec![1, 2, 3, 4, 5]);
        assert_eq!(path.file_name().unwrap(), "shot-1.png");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(path), 0o600);
        let again = save_call_result(&result, &dir, "shot").unwrap();
        let ContentItem::Saved { path, .. } = &again.items[1] else {
            panic!()
        };
        assert_eq!(path.file_name().unwrap(), "shot-2.png");
    }

    #[test]
    fn bad_base64_is_an_error_naming_the_content() {
        let tmp = tempfile::tempdir().unwrap();
        let result = json!({"content": [{"type": "audio", "mimeType": "audio/wav", "data": "!!"}]});
        let err = save_call_result(&result, tmp.path(), "a").unwrap_err();
        assert!(
            err.to_string().contains("audio content (audio/wav)"),
            "{err}"
        );
    }

    #[test]
    fn structured_content_shows_only_without_text() {
        let tmp = tempfile::tempdir().unwrap();
        let with_text =
            json!({"content": [{"type": "text", "text": "t"}], "structuredContent": {"a": 1}});
        assert_eq!(
            save_call_result(&with_text, tmp.path(), "x")
                .unwrap()
                .structured,
            None
        );
        let without = json!({"content": [], "structuredContent": {"a": 1}, "isError": true});
        let output = save_call_result(&without, tmp.path(), "x").unwrap();
        assert_eq!(output.structured, Some(json!({"a": 1})));
        assert!(output.is_error);
    }
}
