//! The login challenge's binding cookie: `HttpOnly`, `SameSite=Strict`,
//! `Secure` with the `__Host-` name outside plain-http local mode (like
//! the refresh cookie), and only as long as the challenge lives. It ties
//! the challenge to the browser that passed the password step: a
//! challenge token read from a log or a shoulder is useless without it.

use std::time::Duration;

use crate::config::SessionConfig;

pub fn name(config: &SessionConfig) -> &'static str {
    if config.cookie_secure {
        "__Host-rampart_mfa"
    } else {
        "rampart_mfa"
    }
}

fn attributes(config: &SessionConfig) -> String {
    let secure = if config.cookie_secure { "; Secure" } else { "" };
    format!(
        "Path={}; HttpOnly; SameSite=Strict{secure}",
        config.cookie_path()
    )
}

pub fn issue(config: &SessionConfig, binding: &str, max_age: Duration) -> String {
    format!(
        "{}={binding}; {}; Max-Age={}",
        name(config),
        attributes(config),
        max_age.as_secs()
    )
}

pub fn clear(config: &SessionConfig) -> String {
    format!("{}=; {}; Max-Age=0", name(config), attributes(config))
}

/// The binding secret from `Cookie` header values, if exactly one cookie
/// of that name was sent.
pub fn read<'a>(config: &SessionConfig, headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = name(config);
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
            issue(&config(true), "b", Duration::from_secs(300)),
            "__Host-rampart_mfa=b; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=300"
        );
        assert_eq!(
            clear(&config(false)),
            "rampart_mfa=; Path=/graphql; HttpOnly; SameSite=Strict; Max-Age=0"
        );
        let two = ["rampart_mfa=a; rampart_mfa=b"];
        assert_eq!(read(&config(false), two.into_iter()), None);
        assert_eq!(
            read(&config(false), ["x=1; rampart_mfa=a"].into_iter()),
            Some("a")
        );
    }
}
