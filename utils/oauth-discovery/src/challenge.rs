//! Parsing of `WWW-Authenticate` challenges (RFC 9110 §11.6.1) and the Bearer parameters MCP
//! servers use to point at their metadata (RFC 9728 §5.1, RFC 6750 §3).

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

/// One challenge of a `WWW-Authenticate` header value, such as `Bearer realm="mcp"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Challenge {
    /// The auth scheme as sent (`Bearer`); schemes compare case-insensitively, see
    /// [`Challenge::is_scheme`].
    pub scheme: String,
    /// The `token68` form some schemes send instead of parameters (`Negotiate abc==`).
    pub token68: Option<String>,
    /// The parameters in the order sent, names lowercased, quoted values unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// True when this challenge uses `scheme`, compared case-insensitively.
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The value of the first parameter called `name` (case-insensitive), if any.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The parameters of a `Bearer` challenge that matter for OAuth discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BearerChallenge {
    /// `resource_metadata`: where the RFC 9728 protected resource metadata lives.
    pub resource_metadata: Option<String>,
    /// `scope`: the space-separated scopes the server asks for.
    pub scope: Option<String>,
    /// `error`: why a presented token was refused (`invalid_token`, `insufficient_scope`).
    pub error: Option<String>,
    /// `realm`: the protection space, informational.
    pub realm: Option<String>,
}

impl BearerChallenge {
    fn from_challenge(challenge: &Challenge) -> Self {
        let param = |name| challenge.param(name).map(str::to_string);
        Self {
            resource_metadata: param("resource_metadata"),
            scope: param("scope"),
            error: param("error"),
            realm: param("realm"),
        }
    }
}

/// The first `Bearer` challenge among all `WWW-Authenticate` headers of a response.
///
/// Servers may send several headers or several challenges in one (`Basic realm="x", Bearer
/// resource_metadata="…"`); both forms are searched in order.
pub fn bearer_challenge(headers: &HeaderMap) -> Option<BearerChallenge> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .flat_map(|value| parse_www_authenticate(&String::from_utf8_lossy(value.as_bytes())))
        .find(|challenge| challenge.is_scheme("Bearer"))
        .map(|challenge| BearerChallenge::from_challenge(&challenge))
}

/// Splits one `WWW-Authenticate` header value into its challenges.
///
/// Lenient by design: malformed parts are skipped rather than failing the whole value, because
/// servers get this header wrong often and one bad parameter should not hide the others.
pub fn parse_www_authenticate(value: &str) -> Vec<Challenge> {
    let mut cursor = Cursor {
        bytes: value.as_bytes(),
        pos: 0,
    };
    let mut challenges = Vec::new();
    loop {
        cursor.skip_while(|b| is_ws(b) || b == b',');
        if cursor.at_end() {
            break;
        }
        let Some(scheme) = cursor.token() else {
            // Not a token: skip the stray character and look for the next challenge.
            cursor.pos += 1;
            continue;
        };
        let mut challenge = Challenge {
            scheme: scheme.to_string(),
            ..Challenge::default()
        };
        if cursor.peek().is_some_and(is_ws) {
            cursor.skip_while(is_ws);
            if let Some(token68) = cursor.token68() {
                challenge.token68 = Some(token68);
            } else {
                challenge.params = cursor.params();
            }
        }
        challenges.push(challenge);
    }
    challenges
}

/// A position in a header value. The syntax is ASCII; quoted values may carry other bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        self.skip_while(is_tchar);
        // Token characters are ASCII, so the slice is valid UTF-8.
        std::str::from_utf8(&self.bytes[start..self.pos])
            .ok()
            .filter(|token| !token.is_empty())
    }

    /// A `token68` that fills the rest of the challenge, or nothing (and no movement).
    fn token68(&mut self) -> Option<String> {
        let start = self.pos;
        self.skip_while(is_token68_char);
        let body_end = self.pos;
        self.skip_while(|b| b == b'=');
        let end = self.pos;
        self.skip_while(is_ws);
        if body_end > start && (self.at_end() || self.peek() == Some(b',')) {
            return Some(String::from_utf8_lossy(&self.bytes[start..end]).into_owned());
        }
        self.pos = start;
        None
    }

    /// `name=value` pairs up to the next challenge (a token not followed by `=`) or the end.
    fn params(&mut self) -> Vec<(String, String)> {
        let mut params = Vec::new();
        loop {
            self.skip_while(|b| is_ws(b) || b == b',');
            let start = self.pos;
            let Some(name) = self.token() else {
                break;
            };
            self.skip_while(is_ws);
            if self.peek() != Some(b'=') {
                // The start of the next challenge.
                self.pos = start;
                break;
            }
            self.pos += 1;
            self.skip_while(is_ws);
            let value = if self.peek() == Some(b'"') {
                self.quoted()
            } else {
                self.token().unwrap_or_default().to_string()
            };
            params.push((name.to_ascii_lowercase(), value));
            self.skip_while(is_ws);
            // Skip anything malformed up to the next list separator.
            self.skip_while(|b| b != b',');
        }
        params
    }

    /// A quoted string starting at `"`, with `\` escapes removed; an unterminated one runs to
    /// the end of the value.
    fn quoted(&mut self) -> String {
        self.pos += 1;
        let mut value = Vec::new();
        while let Some(byte) = self.peek() {
            self.pos += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    if let Some(escaped) = self.peek() {
                        value.push(escaped);
                        self.pos += 1;
                    }
                }
                other => value.push(other),
            }
        }
        String::from_utf8_lossy(&value).into_owned()
    }
}

fn is_ws(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// The characters of a `token68` before its `=` padding (RFC 9110 §11.2).
fn is_token68_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use reqwest::header::HeaderValue;

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn bearer_with_resource_metadata_and_scope() {
        let parsed = parse_www_authenticate(
            r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="files:read files:write""#,
        );
        assert_eq!(
            parsed,
            vec![Challenge {
                scheme: "Bearer".to_string(),
                token68: None,
                params: params(&[
                    (
                        "resource_metadata",
                        "https://mcp.example.com/.well-known/oauth-protected-resource"
                    ),
                    ("scope", "files:read files:write"),
                ]),
            }]
        );
    }

    #[test]
    fn several_challenges_in_one_value() {
        let parsed = parse_www_authenticate(
            r#"Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"", Bearer"#,
        );
        let schemes: Vec<_> = parsed.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Basic", "Newauth", "Bearer"]);
        assert_eq!(parsed[0].params, params(&[("realm", "simple")]));
        assert_eq!(
            parsed[1].params,
            params(&[
                ("realm", "apps"),
                ("type", "1"),
                ("title", r#"Login to "apps""#)
            ])
        );
        assert!(parsed[2].params.is_empty());
    }

    #[test]
    fn token68_and_following_challenge() {
        let parsed = parse_www_authenticate("Negotiate YII/ab+c==, Bearer realm=mcp");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].token68.as_deref(), Some("YII/ab+c=="));
        assert!(parsed[0].params.is_empty());
        assert!(parsed[1].is_scheme("bearer"));
        assert_eq!(parsed[1].param("REALM"), Some("mcp"));
    }

    #[test]
    fn case_whitespace_and_empty_elements() {
        let parsed = parse_www_authenticate(
            "  ,bearer   Resource_Metadata = \"https://a/b\" ,, Scope=read ,error=\"invalid_token\"",
        );
        assert_eq!(parsed.len(), 1);
        assert!(parsed[0].is_scheme("Bearer"));
        assert_eq!(
            parsed[0].params,
            params(&[
                ("resource_metadata", "https://a/b"),
                ("scope", "read"),
                ("error", "invalid_token"),
            ])
        );
    }

    #[test]
    fn malformed_parts_are_skipped() {
        // An unterminated quote runs to the end; a stray value is skipped.
        let parsed = parse_www_authenticate(r#"Bearer realm=a b, scope="x y"#);
        assert_eq!(parsed.len(), 1);
        assert_eq!(
            parsed[0].params,
            params(&[("realm", "a"), ("scope", "x y")])
        );
        assert!(parse_www_authenticate("").is_empty());
        assert!(parse_www_authenticate(" , ").is_empty());
        let parsed = parse_www_authenticate("=== Bearer");
        assert_eq!(parsed.len(), 1);
        assert!(parsed[0].is_scheme("Bearer"));
    }

    #[test]
    fn non_ascii_in_quoted_values_survives() {
        let parsed = parse_www_authenticate("Bearer realm=\"café\"");
        assert_eq!(parsed[0].param("realm"), Some("café"));
    }

    #[test]
    fn bearer_challenge_searches_every_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"x\""),
        );
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "Bearer error=\"invalid_request\", resource_metadata=\"https://h/m\", scope=\"a b\"",
            ),
        );
        assert_eq!(
            bearer_challenge(&headers),
            Some(BearerChallenge {
                resource_metadata: Some("https://h/m".to_string()),
                scope: Some("a b".to_string()),
                error: Some("invalid_request".to_string()),
                realm: None,
            })
        );
        assert_eq!(bearer_challenge(&HeaderMap::new()), None);
    }
}
