//! What a user types as a second factor, normalised once: a 6-digit TOTP
//! code (spaces and dashes allowed, "123 456") or a recovery code
//! ("abcde-fghjk", any case, spaces or dashes anywhere). Anything else is
//! no code at all, refused before any secret is touched.

use super::recovery;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Code {
    Totp(String),
    Recovery(String),
}

/// Longer input is refused unread: nothing valid is this long.
const MAX_INPUT: usize = 64;

pub fn parse(input: &str) -> Option<Code> {
    if input.len() > MAX_INPUT {
        return None;
    }
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() == usize::from(super::totp::DIGITS)
        && compact.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(Code::Totp(compact));
    }
    recovery::normalise(&compact).map(Code::Recovery)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(parse("123456"), Some(Code::Totp("123456".into())));
        assert_eq!(parse(" 123 456 "), Some(Code::Totp("123456".into())));
        assert_eq!(parse("123-456"), Some(Code::Totp("123456".into())));
        assert_eq!(parse("12345"), None);
        assert_eq!(parse("1234567"), None);
        assert_eq!(parse("١٢٣٤٥٦"), None, "non-ASCII digits");
        assert_eq!(
            parse("ABCDE-FGHJK"),
            Some(Code::Recovery("abcdefghjk".into()))
        );
        assert_eq!(
            parse("abcdefghjk"),
            Some(Code::Recovery("abcdefghjk".into()))
        );
        assert_eq!(parse("abcde-fghji"), None, "i is not in the alphabet");
        assert_eq!(parse(""), None);
    }

    proptest! {
        /// Any input: parsing never panics, and what it accepts is exactly
        /// six ASCII digits or ten characters of the recovery alphabet.
        #[test]
        fn parsing_accepts_only_valid_shapes(input in "\\PC{0,80}") {
            match parse(&input) {
                Some(Code::Totp(code)) => {
                    prop_assert_eq!(code.len(), 6);
                    prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
                }
                Some(Code::Recovery(code)) => {
                    prop_assert_eq!(code.len(), recovery::CODE_CHARS);
                    prop_assert!(code.chars().all(|c| recovery::ALPHABET.contains(c)));
                }
                None => {}
            }
        }

        /// Valid codes survive any spacing, dashes and case.
        #[test]
        fn formatting_does_not_matter(
            digits in "[0-9]{6}",
            seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-")], 7),
        ) {
            let mut typed = String::new();
            for (i, c) in digits.chars().enumerate() {
                typed.push_str(seps[i]);
                typed.push(c);
            }
            typed.push_str(seps[6]);
            prop_assert_eq!(parse(&typed), Some(Code::Totp(digits)));
        }
    }
}
