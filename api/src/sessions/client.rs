//! "Firefox 132 on Linux": the approximate client of a session, parsed
//! from its user agent when the session list is read (the raw string is
//! what is stored), with woothee's tables.

use woothee::{parser::Parser, woothee::VALUE_UNKNOWN};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Client {
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device: Option<String>,
}

pub fn describe(user_agent: Option<&str>) -> Client {
    let Some(parsed) = user_agent.and_then(|ua| Parser::new().parse(ua)) else {
        return Client::default();
    };
    fn known(value: &str) -> Option<&str> {
        (!value.is_empty() && value != VALUE_UNKNOWN).then_some(value)
    }
    let browser = known(parsed.name).map(|name| match known(parsed.version) {
        // The major version is enough to recognise a device; the rest is noise.
        Some(version) => format!("{name} {}", version.split('.').next().unwrap_or(version)),
        None => name.to_owned(),
    });
    let os = known(parsed.os).map(str::to_owned);
    let device = match parsed.category {
        "pc" => Some("Desktop"),
        "smartphone" => Some("Phone"),
        "mobilephone" => Some("Mobile phone"),
        "appliance" => Some("Appliance"),
        "crawler" => Some("Bot"),
        _ => None,
    }
    .map(str::to_owned);
    Client {
        browser,
        os,
        device,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named() {
        let firefox = describe(Some(
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        ));
        assert_eq!(firefox.browser.as_deref(), Some("Firefox 132"));
        assert_eq!(firefox.os.as_deref(), Some("Linux"));
        assert_eq!(firefox.device.as_deref(), Some("Desktop"));
        let iphone = describe(Some(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ));
        assert_eq!(iphone.os.as_deref(), Some("iPhone"));
        assert_eq!(iphone.device.as_deref(), Some("Phone"));
        assert_eq!(describe(None), Client::default());
        assert_eq!(describe(Some("curl-ish/1")).browser, None);
    }
}
