//! The rules an authorization response must pass, shared by the HTTP listener and a pasted
//! callback URL.

use std::fmt;

use url::Url;

/// The authorization code. `Debug` shows `*****`; [`expose`](Self::expose) gives the value
/// for the token request.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationCode(String);

impl AuthorizationCode {
    /// The code, for the token request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationCode(*****)")
    }
}

/// A successful authorization response whose `state` matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    /// The code to exchange at the token endpoint.
    pub code: AuthorizationCode,
    /// The `state` (equal to the one the login sent).
    pub state: String,
    /// The RFC 9207 `iss` parameter, when the server sent one. The caller compares it with the
    /// issuer it discovered (and requires it when the metadata says
    /// `authorization_response_iss_parameter_supported`).
    pub iss: Option<String>,
}

/// An error response from the authorization server (`error=…`), with a matching `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The OAuth error code, e.g. `access_denied`.
    pub error: String,
    /// `error_description`.
    pub description: Option<String>,
    /// `error_uri`.
    pub uri: Option<String>,
}

/// Why a request to the callback was refused. The login keeps waiting: a forged or stray
/// request must not end it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The request's path is not the callback path (answered 404).
    WrongPath {
        /// The path requested.
        path: String,
    },
    /// Not a GET (answered 405).
    MethodNotAllowed {
        /// The method used.
        method: String,
    },
    /// No `state` parameter (answered 400).
    MissingState,
    /// A `state` that is not this login's (answered 400).
    WrongState,
    /// Neither `code` nor `error` (answered 400).
    MissingCode,
    /// A parameter given twice (answered 400).
    DuplicateParameter {
        /// Its name.
        name: String,
    },
    /// A pasted text that is not a URL.
    NotAUrl {
        /// What the parser said.
        reason: String,
    },
    /// The login already has its answer (answered 400).
    AlreadyCompleted,
}

impl Rejection {
    /// The HTTP status the listener answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::WrongPath { .. } => 404,
            Self::MethodNotAllowed { .. } => 405,
            _ => 400,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongPath { path } => write!(f, "a request for {path:?}, not the callback path"),
            Self::MethodNotAllowed { method } => {
                write!(f, "a {method} request; the callback takes GET")
            }
            Self::MissingState => f.write_str("a callback without a state parameter"),
            Self::WrongState => f.write_str("a callback whose state is not this login's"),
            Self::MissingCode => f.write_str("a callback with neither code nor error"),
            Self::DuplicateParameter { name } => write!(f, "a callback with {name} given twice"),
            Self::NotAUrl { reason } => write!(f, "not a URL ({reason})"),
            Self::AlreadyCompleted => f.write_str("a callback after the login already completed"),
        }
    }
}

/// What to make of one authorization response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The login succeeded: exchange the code.
    Authorized(AuthorizationResponse),
    /// The server ended the login with an error: stop and show it.
    Denied(ProviderError),
    /// Not a valid response for this login: ignore it and keep waiting.
    Rejected(Rejection),
}

/// Checks a callback URL the user pasted (the `--no-browser` path) by the listener's rules:
/// the path of `redirect_uri`, then `state`, then `error` or `code`.
pub fn check_pasted_url(pasted: &str, redirect_uri: &str, expected_state: &str) -> Verdict {
    let pasted = pasted.trim();
    let url = match Url::parse(pasted) {
        Ok(url) => url,
        Err(e) => {
            return Verdict::Rejected(Rejection::NotAUrl {
                reason: e.to_string(),
            });
        }
    };
    let expected_path = Url::parse(redirect_uri)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| "/".to_owned());
    if url.path() != expected_path {
        return Verdict::Rejected(Rejection::WrongPath {
            path: url.path().to_owned(),
        });
    }
    check_query(url.query(), expected_state)
}

/// The rules on the query string of a request to the callback path.
pub(crate) fn check_query(query: Option<&str>, expected_state: &str) -> Verdict {
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    let mut uri = None;
    let mut iss = None;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let slot = match name.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            "error_uri" => &mut uri,
            "iss" => &mut iss,
            _ => continue,
        };
        if slot.is_some() {
            return Verdict::Rejected(Rejection::DuplicateParameter {
                name: name.into_owned(),
            });
        }
        *slot = Some(value.into_owned());
    }
    // The state is checked before anything else, error responses included: a forged
    // `error=access_denied` must not end someone's login either.
    let Some(state) = state else {
        return Verdict::Rejected(Rejection::MissingState);
    };
    if state != expected_state {
        return Verdict::Rejected(Rejection::WrongState);
    }
    if let Some(error) = error {
        return Verdict::Denied(ProviderError {
            error,
            description,
            uri,
        });
    }
    match code {
        Some(code) if !code.is_empty() => Verdict::Authorized(AuthorizationResponse {
            code: AuthorizationCode(code),
            state,
            iss,
        }),
        _ => Verdict::Rejected(Rejection::MissingCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn rules_in_order() {
        assert_eq!(
            check_query(Some("code=c"), "s"),
            Verdict::Rejected(Rejection::MissingState)
        );
        assert_eq!(
            check_query(Some("code=c&state=x"), "s"),
            Verdict::Rejected(Rejection::WrongState)
        );
        assert_eq!(
            check_query(Some("error=access_denied&state=x"), "s"),
            Verdict::Rejected(Rejection::WrongState)
        );
        assert_eq!(
            check_query(Some("state=s"), "s"),
            Verdict::Rejected(Rejection::MissingCode)
        );
        assert_eq!(
            check_query(Some("state=s&state=s&code=c"), "s"),
            Verdict::Rejected(Rejection::DuplicateParameter {
                name: "state".into()
            })
        );
        assert_eq!(
            check_query(
                Some("error=access_denied&error_description=no+way&state=s"),
                "s"
            ),
            Verdict::Denied(ProviderError {
                error: "access_denied".into(),
                description: Some("no way".into()),
                uri: None
            })
        );
        let Verdict::Authorized(ok) =
            check_query(Some("code=c%2B1&state=s&iss=https%3A%2F%2Fa"), "s")
        else {
            panic!("not authorized");
        };
        assert_eq!(ok.code.expose(), "c+1");
        assert_eq!(ok.iss.as_deref(), Some("https://a"));
        assert_eq!(format!("{:?}", ok.code), "AuthorizationCode(*****)");
    }

    #[test]
    fn pasted_urls() {
        let redirect = "http://127.0.0.1:5000/callback";
        assert!(matches!(
            check_pasted_url(
                " http://127.0.0.1:5000/callback?code=c&state=s\n",
                redirect,
                "s"
            ),
            Verdict::Authorized(_)
        ));
        assert_eq!(
            check_pasted_url("http://127.0.0.1:5000/other?code=c&state=s", redirect, "s"),
            Verdict::Rejected(Rejection::WrongPath {
                path: "/other".into()
            })
        );
        assert!(matches!(
            check_pasted_url("code=c&state=s", redirect, "s"),
            Verdict::Rejected(Rejection::NotAUrl { .. })
        ));
    }
}
