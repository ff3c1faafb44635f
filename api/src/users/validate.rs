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
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    check_address("email", &email)?;
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
