//! The redirect policy.

use reqwest::Url;
use reqwest::redirect::Policy;

/// How many redirects one request may follow.
pub const MAX_REDIRECTS: usize = 5;

/// True when `a` and `b` have the same scheme, host and port (default ports filled in).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

pub(crate) fn same_origin_policy() -> Policy {
    Policy::custom(|attempt| {
        let Some(previous) = attempt.previous().last() else {
            return attempt.follow();
        };
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error("too many redirects");
        }
        // A redirect that leaves the origin, or carries credentials in the URL, is not
        // followed: the caller gets the 3xx answer as it is.
        if same_origin(previous, attempt.url())
            && attempt.url().username().is_empty()
            && attempt.url().password().is_none()
        {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(same_origin(
            &url("https://a.test/x"),
            &url("https://a.test:443/y")
        ));
        assert!(!same_origin(
            &url("https://a.test/x"),
            &url("http://a.test/x")
        ));
        assert!(!same_origin(
            &url("https://a.test/x"),
            &url("https://b.test/x")
        ));
        assert!(!same_origin(
            &url("http://127.0.0.1:1/x"),
            &url("http://127.0.0.1:2/x")
        ));
    }
}
