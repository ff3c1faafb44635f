//! The refresh cookie's wire form. `HttpOnly` (no script reads it),
//! `SameSite=Strict` (no cross-site request carries it), `Secure` with the
//! `__Host-` name outside plain-http local mode; persistent only for
//! "remember me". Which requests may read it is decided by the transport
//! (`http::graphql`: JSON POSTs from the SPA's own origin).

use std::time::Duration;

use crate::config::SessionConfig;

/// `Set-Cookie` for a new refresh token; `max_age` `None` makes a cookie
/// that ends with the browser.
pub fn issue(config: &SessionConfig, token: &str, max_age: Option<Duration>) -> String {
    let mut cookie = format!("{}={token}; {}", config.cookie_name(), attributes(config));
    if let Some(max_age) = max_age {
        cookie.push_str(&format!("; Max-Age={}", max_age.as_secs()));
    }
    cookie
}

/// `Set-Cookie` that makes the browser forget the refresh cookie.
pub fn clear(config: &SessionConfig) -> String {
    format!(
        "{}=; {}; Max-Age=0",
        config.cookie_name(),
        attributes(config)
    )
}

fn attributes(config: &SessionConfig) -> String {
    let secure = if config.cookie_secure { "; Secure" } else { "" };
    format!(
        "Path={}; HttpOnly; SameSite=Strict{secure}",
        config.cookie_path()
    )
}

/// The refresh token from `Cookie` header values, if exactly one cookie
/// of that name was sent (two mean something planted one; trust neither).
pub fn read<'a>(config: &SessionConfig, headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = config.cookie_name();
    let mut found = headers
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| *key == name)
        .map(|(_, value)| value.trim());
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(secure: bool) -> SessionConfig {
        SessionConfig {
            idle_timeout: Duration::from_secs(60),
            remember_lifetime: Duration::from_secs(600),
            browser_lifetime: Duration::from_secs(300),
            cookie_secure: secure,
            reuse_grace: Duration::ZERO,
        }
    }

    #[test]
    fn attributes_follow_the_deployment() {
        assert_eq!(
            issue(&config(true), "abc", Some(Duration::from_secs(60))),
            "__Host-rampart_refresh=abc; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=60"
        );
        assert_eq!(
            issue(&config(false), "abc", None),
            "rampart_refresh=abc; Path=/graphql; HttpOnly; SameSite=Strict"
        );
        assert!(clear(&config(true)).ends_with("; Secure; Max-Age=0"));
    }

    #[test]
    fn exactly_one_cookie_of_the_name_is_read() {
        let c = config(true);
        let one = ["theme=dark; __Host-rampart_refresh=tok"];
        assert_eq!(read(&c, one.into_iter()), Some("tok"));
        let two = ["__Host-rampart_refresh=a", "__Host-rampart_refresh=b"];
        assert_eq!(read(&c, two.into_iter()), None);
        assert_eq!(read(&c, ["rampart_refresh=x"].into_iter()), None);
    }

    proptest::proptest! {
        /// Any `Cookie` header: reading never panics, and whatever it
        /// returns is the value of the one pair with exactly our name.
        #[test]
        fn any_header_reads_as_one_exact_pair_or_nothing(
            headers in proptest::collection::vec("[ -~]{0,80}", 0..4),
        ) {
            let c = config(true);
            let read = read(&c, headers.iter().map(String::as_str));
            let pairs: Vec<(&str, &str)> = headers
                .iter()
                .flat_map(|h| h.split(';'))
                .filter_map(|p| p.trim().split_once('='))
                .filter(|(k, _)| *k == c.cookie_name())
                .collect();
            match read {
                Some(value) => {
                    proptest::prop_assert_eq!(pairs.len(), 1);
                    proptest::prop_assert_eq!(value, pairs[0].1.trim());
                }
                None => proptest::prop_assert_ne!(pairs.len(), 1),
            }
        }

        /// The issued token among any other cookies is read back exactly,
        /// and a near miss (case, a prefix, a suffix) never hashes to it.
        #[test]
        fn the_issued_token_among_other_cookies_is_read_exactly(
            before in "([a-z_]{1,8}=[a-zA-Z0-9]{0,12}; ){0,3}",
            after in "(; [a-z_]{1,8}=[a-zA-Z0-9]{0,12}){0,3}",
            cut in 1usize..64,
        ) {
            let c = config(true);
            let token = crate::credentials::refresh_token::generate();
            let header = format!("{before}{}={}{after}", c.cookie_name(), token.raw);
            let value = read(&c, [header.as_str()].into_iter());
            proptest::prop_assert_eq!(value, Some(token.raw.as_str()));
            let hash = |raw: &str| crate::credentials::refresh_token::hash_of(raw);
            proptest::prop_assert_eq!(hash(&token.raw), Some(token.hash.clone()));
            let upper = token.raw.to_ascii_uppercase();
            let near = [upper, token.raw[..cut].to_owned(), format!("{}0", token.raw)];
            for near in near.into_iter().filter(|n| *n != token.raw) {
                proptest::prop_assert_ne!(hash(&near), Some(token.hash.clone()));
            }
        }
    }
}
