//! TOTP as authenticator apps do it: SHA-1, 6 digits, 30-second steps
//! (RFC 6238's defaults; apps that claim other algorithms often silently
//! use SHA-1 anyway). A code is accepted for the current step and one on
//! either side (clock drift, a code typed at the boundary); which step
//! matched is returned so the caller can refuse it a second time.

use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::error::AppError;

pub const DIGITS: u8 = 6;
pub const STEP_SECS: u64 = 30;
/// Steps accepted on either side of the current one.
pub const SKEW: u16 = 1;
/// RFC 4226 recommends 160 bits.
pub const SECRET_BYTES: usize = 20;
pub const ISSUER: &str = "Rampart";

/// A new secret from the operating system's CSPRNG.
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; SECRET_BYTES]>().to_vec()
}

fn totp(secret: &[u8]) -> Result<Totp, AppError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .build()
        .map_err(|e| AppError::internal(anyhow::anyhow!("building a TOTP: {e:?}")))
}

/// The time step `code` (6 digits, already normalised) is valid for at
/// `unix_secs`, within the ±1 window; `None` when it matches none.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Result<Option<u64>, AppError> {
    Ok(totp(secret)?.check(code, unix_secs))
}

/// The code for `unix_secs` (tests and the CLI have no app to ask).
pub fn code_at(secret: &[u8], unix_secs: u64) -> Result<String, AppError> {
    Ok(totp(secret)?.generate(unix_secs).to_string())
}

/// RFC 4648 base32 without padding, as apps expect for manual entry.
pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The `otpauth://` URI the SPA renders as a QR code. The label is
/// `Rampart:<email>`; the e-mail is percent-encoded with `url`'s path
/// encoder so an address with `?`, `#` or `:` cannot change the URI.
pub fn otpauth_uri(email: &str, secret: &[u8]) -> String {
    let label: String = url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
    // form encoding writes spaces as '+', which otpauth readers take literally.
    let label = label.replace('+', "%20");
    format!(
        "otpauth://totp/{ISSUER}:{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vector_and_the_window() {
        // RFC 6238 appendix B, SHA-1, truncated to 6 digits.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
        assert_eq!(code_at(secret, 1_111_111_109).unwrap(), "081804");
        let now = 1_111_111_109;
        let step = now / STEP_SECS;
        for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let at = (now as i64 + offset * STEP_SECS as i64) as u64;
            let code = code_at(secret, at).unwrap();
            let found = matching_step(secret, &code, now).unwrap();
            assert_eq!(found.is_some(), accepted, "offset {offset}");
            if accepted {
                assert_eq!(found, Some((step as i64 + offset) as u64));
            }
        }
    }

    #[test]
    fn the_uri_names_the_issuer_and_encodes_the_address() {
        let uri = otpauth_uri("a+b@example.com", b"12345678901234567890");
        assert_eq!(
            uri,
            "otpauth://totp/Rampart:a%2Bb%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Rampart&algorithm=SHA1&digits=6&period=30"
        );
    }
}
