//! What text a person may type that other people will read: names, titles,
//! descriptions and e-mail addresses.
//!
//! Refused everywhere, identically on every database:
//! - control characters (NUL among them: PostgreSQL rejects it outright,
//!   SQLite stores it, and both disagreeing is a bug), except tab and line
//!   breaks in multi-line text;
//! - Unicode format characters and line/paragraph separators. They are
//!   invisible: zero-width spaces make `admin@rampart.dev` and
//!   `ad\u{200B}min@rampart.dev` look the same in the admin list and the
//!   audit trail, and bidirectional overrides (U+202E) make text render in
//!   another order than it is stored ("Trojan Source"). Names and other
//!   free text keep the two joiners (U+200C ZWNJ, U+200D ZWJ) that Persian,
//!   Indic scripts and emoji sequences need; e-mail addresses keep none.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::AppError;

const ZERO_WIDTH_NON_JOINER: char = '\u{200C}';
const ZERO_WIDTH_JOINER: char = '\u{200D}';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Checks free text (a name, a title, a description).
pub fn check_free_text(field: &'static str, text: &str, lines: Lines) -> Result<(), AppError> {
    match text.chars().find(|c| !allowed_in_free_text(*c, lines)) {
        None => Ok(()),
        Some(c) => Err(refused(field, c)),
    }
}

/// Checks an e-mail address for characters that cannot be seen.
pub fn check_address(field: &'static str, address: &str) -> Result<(), AppError> {
    match address.chars().find(|c| is_invisible(*c)) {
        None => Ok(()),
        Some(c) => Err(refused(field, c)),
    }
}

fn allowed_in_free_text(c: char, lines: Lines) -> bool {
    match c {
        '\t' | '\n' | '\r' => lines == Lines::Many,
        ZERO_WIDTH_NON_JOINER | ZERO_WIDTH_JOINER => true,
        _ => !is_invisible(c),
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

fn refused(field: &'static str, c: char) -> AppError {
    let what = if c.is_control() {
        "control characters"
    } else {
        "invisible formatting characters"
    };
    AppError::bad_input(
        field,
        format!("This must not contain {what} (found U+{:04X}).", c as u32),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for text in [
            "Jane Doe",
            "Zoë Ångström",
            "محمد‌رضا",
            "नमस्ते",
            "👩‍💻 Release notes",
            "東京",
        ] {
            assert!(check_free_text("name", text, Lines::One).is_ok(), "{text}");
        }
        assert!(check_address("email", "jane.doe+tag@example.com").is_ok());
    }

    #[test]
    fn invisible_and_control_characters_are_refused() {
        for c in [
            '\0', '\u{7}', '\u{1B}', '\u{85}', '\u{200B}', '\u{202E}', '\u{2066}', '\u{FEFF}',
            '\u{2028}',
        ] {
            let text = format!("ad{c}min");
            assert!(
                check_free_text("name", &text, Lines::Many).is_err(),
                "U+{:04X}",
                c as u32
            );
            assert!(check_address("email", &text).is_err(), "U+{:04X}", c as u32);
        }
        assert!(check_address("email", "ad\u{200D}min@rampart.dev").is_err());
    }

    #[test]
    fn line_breaks_only_in_multi_line_text() {
        assert!(check_free_text("description", "one\ntwo\tthree", Lines::Many).is_ok());
        assert!(check_free_text("title", "one\ntwo", Lines::One).is_err());
    }

    #[test]
    fn the_error_names_the_field_and_the_character() {
        match check_free_text("title", "a\u{202E}b", Lines::One) {
            Err(AppError::BadInput { field, message }) => {
                assert_eq!(field, "title");
                assert!(message.contains("U+202E"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    const HIDDEN: [char; 9] = [
        '\0', '\u{7}', '\u{85}', '\u{200B}', '\u{202E}', '\u{2066}', '\u{2060}', '\u{FEFF}',
        '\u{2028}',
    ];

    proptest! {
        /// Letters, marks, digits, punctuation and symbols of every script
        /// are what names and titles are made of: always accepted.
        #[test]
        fn visible_text_of_any_script_is_accepted(text in "[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ]{0,60}") {
            prop_assert!(check_free_text("name", &text, Lines::One).is_ok());
        }

        /// One hidden character anywhere in otherwise valid text is enough
        /// to refuse it, in free text and in addresses.
        #[test]
        fn one_hidden_character_anywhere_is_refused(
            text in "[\\p{L}\\p{N} ]{0,40}",
            at in any::<prop::sample::Index>(),
            hidden in prop::sample::select(HIDDEN.to_vec()),
        ) {
            let mut chars: Vec<char> = text.chars().collect();
            chars.insert(at.index(chars.len() + 1), hidden);
            let spoofed: String = chars.into_iter().collect();
            prop_assert!(check_free_text("name", &spoofed, Lines::Many).is_err());
            prop_assert!(check_address("email", &spoofed).is_err());
        }
    }
}
