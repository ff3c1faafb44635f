use std::str::FromStr;

use crate::{
    error::AppError,
    text::{check_address, check_free_text, Lines},
};

pub const MAX_EMAIL_LENGTH: usize = 255;
pub const MAX_NAME_LENGTH: usize = 255;

/// Trims and lower-cases an e-mail address and checks its syntax with
/// lettre's parser. Lower-casing on every write and lookup is what makes the
/// unique index case-insensitive on both databases. Invisible characters
/// are refused (`text.rs`): an address must look like what it is.
///
/// One mailbox has one spelling here: the local part in Unicode NFC ("é"
/// typed on a Mac is e + a combining accent, on Windows one character) and
/// an internationalised domain in its ASCII form (`xn--…`, UTS 46),
/// whether it was typed so or in Unicode. Otherwise two accounts could
/// share an address that looks the same in every list. ASCII rather than
/// Unicode for the domain: it is what every mail server accepts without
/// SMTPUTF8, and it shows a look-alike domain for what it is.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    use unicode_normalization::UnicodeNormalization;

    let email: String = raw.trim().to_lowercase().nfc().collect();
    check_address("email", &email)?;
    let email = match email.rsplit_once('@') {
        Some((local, domain)) if !domain.is_ascii() || domain.contains("xn--") => {
            let Ok(domain) = idna::domain_to_ascii(domain) else {
                return Err(AppError::bad_input(
                    "email",
                    "Enter a valid e-mail address.",
                ));
            };
            format!("{local}@{domain}")
        }
        _ => email,
    };
    if email.chars().count() > MAX_EMAIL_LENGTH {
        return Err(AppError::bad_input(
            "email",
            "E-mail must be at most 255 characters.",
        ));
    }
    if email.is_empty() || lettre::Address::from_str(&email).is_err() || !email.contains('.') {
        return Err(AppError::bad_input(
            "email",
            "Enter a valid e-mail address.",
        ));
    }
    Ok(email)
}

/// Trims the name; an empty name means "no name". Control and invisible
/// formatting characters are refused (`text.rs`): names end up in e-mail
/// headers, logs, the admin list and the audit trail.
pub fn normalize_full_name(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(name) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_NAME_LENGTH {
        return Err(AppError::bad_input(
            "fullName",
            "Full name must be at most 255 characters.",
        ));
    }
    check_free_text("fullName", name, Lines::One)?;
    Ok(Some(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Jane.Doe@Example.COM ").unwrap(),
            "jane.doe@example.com"
        );
    }

    #[test]
    fn one_mailbox_has_one_spelling() {
        assert_eq!(
            normalize_email("jose\u{301}@example.com").unwrap(),
            normalize_email("jos\u{e9}@example.com").unwrap()
        );
        assert_eq!(
            normalize_email("ana@ex\u{e4}mple.com").unwrap(),
            "ana@xn--exmple-cua.com"
        );
        assert_eq!(
            normalize_email("ana@EX\u{c4}MPLE.com").unwrap(),
            "ana@xn--exmple-cua.com"
        );
        assert!(normalize_email("ana@xn--.com").is_err());
    }

    #[test]
    fn malformed_or_long_emails_are_refused() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "ja ne@example.com",
            "jane@localhost",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(normalize_email(&long).is_err());
    }

    #[test]
    fn names_are_optional_trimmed_and_bounded() {
        assert_eq!(normalize_full_name(Some("  ")).unwrap(), None);
        assert_eq!(
            normalize_full_name(Some(" Jane ")).unwrap().as_deref(),
            Some("Jane")
        );
        assert!(normalize_full_name(Some(&"n".repeat(256))).is_err());
        assert!(normalize_full_name(Some("Jane\r\nBcc: x@y.z")).is_err());
    }

    #[test]
    fn look_alike_addresses_and_names_are_refused() {
        for spoof in ["ad\u{200B}min@rampart.dev", "admin@rampart\u{202E}ved.evil"] {
            assert!(normalize_email(spoof).is_err(), "{spoof:?} accepted");
        }
        assert!(normalize_full_name(Some("Jane\u{202E}eod")).is_err());
        assert!(normalize_full_name(Some("Zoë")).is_ok());
    }
}
