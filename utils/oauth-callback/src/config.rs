//! Where the listener binds and which `redirect_uri` is sent, from the config.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

use crate::error::CallbackError;

/// The path served when no callback URL is configured.
pub const DEFAULT_CALLBACK_PATH: &str = "/callback";

/// The callback settings: `mcp_oauth_callback_port`, and `mcp_oauth_callback_url` or the
/// server's `oauth.callback_url` (the caller picks which one applies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackConfig {
    /// The port to listen on; `None` lets the OS choose.
    pub port: Option<u16>,
    /// The exact `redirect_uri` to send; the listener serves its path.
    pub callback_url: Option<String>,
}

/// Which interfaces the listener is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindScope {
    /// Only this machine can reach the listener (the callback host is `localhost`,
    /// `127.0.0.1` or `::1`).
    Loopback,
    /// Bound to `0.0.0.0` because the callback host is another name (an ingress, a remote dev
    /// box): anything that can reach this machine's port can reach the listener. Front ends
    /// say so.
    AllInterfaces,
}

/// The resolved plan: addresses to bind, the redirect URI, the path to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The first address is required; the others are tried and skipped when they fail (IPv6
    /// loopback on a machine without IPv6).
    pub addrs: Vec<SocketAddr>,
    pub redirect_uri: RedirectUri,
    pub path: String,
    pub scope: BindScope,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RedirectUri {
    /// Sent exactly as configured.
    Exact(String),
    /// The configured URL with the bound port put in.
    WithBoundPort(Url),
    /// `http://127.0.0.1:<bound port>/callback`.
    Default,
}

impl RedirectUri {
    pub fn resolve(&self, port: u16) -> String {
        match self {
            Self::Exact(uri) => uri.clone(),
            Self::WithBoundPort(url) => {
                let mut url = url.clone();
                // Setting a port on an http(s) URL with a host cannot fail.
                let _ = url.set_port(Some(port));
                url.to_string()
            }
            Self::Default => default_redirect_uri(port),
        }
    }
}

impl CallbackConfig {
    pub(crate) fn plan(&self) -> Result<Plan, CallbackError> {
        let Some(raw) = &self.callback_url else {
            let port = self.port.unwrap_or(0);
            let redirect_uri = match self.port {
                None => RedirectUri::Default,
                Some(port) => RedirectUri::Exact(default_redirect_uri(port)),
            };
            return Ok(Plan {
                addrs: vec![SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)],
                redirect_uri,
                path: DEFAULT_CALLBACK_PATH.to_owned(),
                scope: BindScope::Loopback,
            });
        };
        let invalid = |reason: &str| CallbackError::InvalidCallbackUrl {
            url: raw.clone(),
            reason: reason.to_owned(),
        };
        let url =
            Url::parse(raw).map_err(|e| invalid(&format!("{e}; write an absolute http URL")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("only http and https callback URLs can be served"));
        }
        if url.fragment().is_some() {
            return Err(invalid(
                "a redirect URI may not have a #fragment (RFC 6749 §3.1.2)",
            ));
        }
        let path = if url.path().is_empty() {
            "/"
        } else {
            url.path()
        }
        .to_owned();
        let loopback: Option<Vec<IpAddr>> = match url.host() {
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
                Some(vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()])
            }
            Some(Host::Ipv4(ip)) if ip == Ipv4Addr::LOCALHOST => Some(vec![ip.into()]),
            Some(Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST => Some(vec![ip.into()]),
            Some(_) => None,
            None => return Err(invalid("it has no host")),
        };
        let explicit_port = url.port();
        match loopback {
            Some(ips) => {
                if url.scheme() == "https" {
                    return Err(invalid(
                        "mcpctl serves the loopback callback over plain http; use an http:// URL",
                    ));
                }
                let port = match (explicit_port, self.port) {
                    (Some(a), Some(b)) if a != b => {
                        return Err(invalid(&format!(
                            "its port {a} differs from mcp_oauth_callback_port {b}; the browser \
                             goes to the URL's port, so make them equal or drop one"
                        )));
                    }
                    (Some(p), _) | (None, Some(p)) => p,
                    (None, None) => 0,
                };
                let redirect_uri = if explicit_port.is_some() {
                    RedirectUri::Exact(raw.clone())
                } else {
                    // Without a port in the URL the browser would go to port 80: the port we
                    // listen on has to be in the redirect URI.
                    RedirectUri::WithBoundPort(url)
                };
                let redirect_uri = match (redirect_uri, self.port) {
                    (RedirectUri::WithBoundPort(mut url), Some(p)) => {
                        let _ = url.set_port(Some(p));
                        RedirectUri::Exact(url.to_string())
                    }
                    (other, _) => other,
                };
                Ok(Plan {
                    addrs: ips
                        .into_iter()
                        .map(|ip| SocketAddr::new(ip, port))
                        .collect(),
                    redirect_uri,
                    path,
                    scope: BindScope::Loopback,
                })
            }
            None => {
                // Another host forwards to us (an ingress or tunnel): the URL's port is the
                // public one, mcp_oauth_callback_port the local one when they differ.
                let port = self.port.or(explicit_port).ok_or_else(|| {
                    invalid(
                        "it names a non-local host without a port, so mcpctl cannot tell which \
                         local port the host forwards to; set mcp_oauth_callback_port",
                    )
                })?;
                Ok(Plan {
                    addrs: vec![SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)],
                    redirect_uri: RedirectUri::Exact(raw.clone()),
                    path,
                    scope: BindScope::AllInterfaces,
                })
            }
        }
    }
}

fn default_redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{DEFAULT_CALLBACK_PATH}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn plan(port: Option<u16>, url: Option<&str>) -> Result<Plan, CallbackError> {
        CallbackConfig {
            port,
            callback_url: url.map(str::to_owned),
        }
        .plan()
    }

    #[test]
    fn default_is_loopback_with_os_port() {
        let p = plan(None, None).unwrap();
        assert_eq!(p.addrs, vec!["127.0.0.1:0".parse().unwrap()]);
        assert_eq!(
            p.redirect_uri.resolve(4242),
            "http://127.0.0.1:4242/callback"
        );
        assert_eq!(p.path, "/callback");
        assert_eq!(p.scope, BindScope::Loopback);
        let fixed = plan(Some(5555), None).unwrap();
        assert_eq!(
            fixed.redirect_uri,
            RedirectUri::Exact("http://127.0.0.1:5555/callback".into())
        );
    }

    #[test]
    fn exact_url_is_kept_verbatim() {
        let p = plan(None, Some("http://localhost:8765/oauth/done?client=mcpctl")).unwrap();
        assert_eq!(
            p.redirect_uri,
            RedirectUri::Exact("http://localhost:8765/oauth/done?client=mcpctl".into())
        );
        assert_eq!(p.path, "/oauth/done");
        assert_eq!(
            p.addrs,
            vec![
                "127.0.0.1:8765".parse().unwrap(),
                "[::1]:8765".parse().unwrap()
            ]
        );
        let v6 = plan(None, Some("http://[::1]:9000/cb")).unwrap();
        assert_eq!(v6.addrs, vec!["[::1]:9000".parse().unwrap()]);
    }

    #[test]
    fn loopback_url_without_port_gets_the_bound_one() {
        let p = plan(None, Some("http://127.0.0.1/cb")).unwrap();
        assert_eq!(p.redirect_uri.resolve(1234), "http://127.0.0.1:1234/cb");
        let fixed = plan(Some(7000), Some("http://localhost/cb")).unwrap();
        assert_eq!(
            fixed.redirect_uri,
            RedirectUri::Exact("http://localhost:7000/cb".into())
        );
        assert!(plan(Some(1), Some("http://localhost:2/cb")).is_err());
    }

    #[test]
    fn other_hosts_bind_all_interfaces() {
        let p = plan(Some(8080), Some("https://dev.example.com/mcp/callback")).unwrap();
        assert_eq!(p.scope, BindScope::AllInterfaces);
        assert_eq!(p.addrs, vec!["0.0.0.0:8080".parse().unwrap()]);
        assert_eq!(
            p.redirect_uri,
            RedirectUri::Exact("https://dev.example.com/mcp/callback".into())
        );
        let err = plan(None, Some("https://dev.example.com/cb")).unwrap_err();
        assert!(err.to_string().contains("mcp_oauth_callback_port"), "{err}");
    }

    #[test]
    fn unusable_urls() {
        for url in [
            "not a url",
            "ftp://localhost:1/x",
            "https://localhost:1/x",
            "http://localhost:1/x#f",
        ] {
            let err = plan(None, Some(url)).unwrap_err();
            assert!(
                matches!(err, CallbackError::InvalidCallbackUrl { .. }),
                "{url}: {err}"
            );
        }
    }
}
