//! E-mail bodies. User-controlled text (the full name) is HTML-escaped; links
//! are built with `Url` so the token is query-encoded, under the path of
//! `FRONTEND_HOST` (an SPA served at `/app` gets `/app/reset-password`).
//!
//! Subjects start with the product's name and say what the message is for,
//! so they read well in a mail client's list; the recipient is not repeated
//! there (unlike the FastAPI template's) because the list already is theirs.

use std::time::Duration;

use url::Url;

use super::{Email, TestOrigin};

pub fn password_reset_email(
    project: &str,
    frontend: &Url,
    to: &str,
    token: &str,
    valid_for: Duration,
) -> Email {
    let link = spa_link(frontend, "reset-password", Some(token));
    let minutes = valid_for.as_secs() / 60;
    let subject = format!("{project}: reset your password");
    let text = format!(
        "Someone asked to reset the password of your {project} account ({to}).\n\n\
         Open this link within {minutes} minutes to choose a new password:\n{link}\n\n\
         If it was not you, ignore this message: your password stays as it is.\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>Someone asked to reset the password of your {project} account ({to}).</p>\
             <p><a href=\"{link}\">Choose a new password</a> (valid for {minutes} minutes).</p>\
             <p>If it was not you, ignore this message: your password stays as it is.</p>",
            project = escape(project),
            to = escape(to),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

pub fn welcome_email(
    project: &str,
    frontend: &Url,
    to: &str,
    full_name: Option<&str>,
    token: &str,
    valid_for: Duration,
) -> Email {
    let link = spa_link(frontend, "set-password", Some(token));
    let hours = valid_for.as_secs() / 3600;
    let greeting = full_name.map_or_else(|| "Hello".to_owned(), |name| format!("Hello {name}"));
    let subject = format!("{project}: set up your new account");
    let text = format!(
        "{greeting},\n\nAn account was created for you on {project} with the e-mail {to}.\n\n\
         Open this link within {hours} hours to set your password:\n{link}\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>{greeting},</p><p>An account was created for you on {project} with the e-mail {to}.</p>\
             <p><a href=\"{link}\">Set your password</a> (valid for {hours} hours).</p>",
            greeting = escape(&greeting),
            project = escape(project),
            to = escape(to),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// After sign-up (and on "resend"): the link that proves the address.
pub fn verify_email(
    project: &str,
    frontend: &Url,
    to: &str,
    token: &str,
    valid_for: Duration,
) -> Email {
    let link = spa_link(frontend, "verify-email", Some(token));
    let hours = valid_for.as_secs() / 3600;
    let subject = format!("{project}: verify your e-mail address");
    let text = format!(
        "Welcome to {project}.\n\nOpen this link within {hours} hours to confirm that {to} is your address:\n{link}\n\n\
         If you did not sign up, ignore this message: nobody can use the account without this link.\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>Welcome to {project}.</p>\
             <p><a href=\"{link}\">Confirm that {to} is your address</a> (valid for {hours} hours).</p>\
             <p>If you did not sign up, ignore this message: nobody can use the account without this link.</p>",
            project = escape(project),
            to = escape(to),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// Someone signed up with an address that already has an account. Sign-up
/// answers the same either way (no enumeration), so the owner is the one
/// told, with a recovery link in case it was them and they forgot.
pub fn signup_attempt_email(
    project: &str,
    frontend: &Url,
    to: &str,
    reset_token: &str,
    valid_for: Duration,
) -> Email {
    let link = spa_link(frontend, "reset-password", Some(reset_token));
    let minutes = valid_for.as_secs() / 60;
    let subject = format!("{project}: someone tried to sign up with your address");
    let text = format!(
        "Someone tried to create a {project} account with {to}, which already has one. Nothing was changed.\n\n\
         If it was you and you forgot your password, open this link within {minutes} minutes to choose a new one:\n{link}\n\n\
         If it was not you, ignore this message: your account stays as it is.\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>Someone tried to create a {project} account with {to}, which already has one. Nothing was changed.</p>\
             <p>If it was you and you forgot your password, <a href=\"{link}\">choose a new one</a> (valid for {minutes} minutes).</p>\
             <p>If it was not you, ignore this message: your account stays as it is.</p>",
            project = escape(project),
            to = escape(to),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// To the new address of an e-mail change: the link that makes the move.
pub fn confirm_email_change_email(
    project: &str,
    frontend: &Url,
    to: &str,
    token: &str,
    valid_for: Duration,
) -> Email {
    let link = spa_link(frontend, "confirm-email", Some(token));
    let hours = valid_for.as_secs() / 3600;
    let subject = format!("{project}: confirm your new e-mail address");
    let text = format!(
        "Someone asked to move a {project} account to {to}.\n\n\
         Open this link within {hours} hours to confirm the new address (your other sessions will be signed out):\n{link}\n\n\
         If it was not you, ignore this message: nothing changes without this link.\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>Someone asked to move a {project} account to {to}.</p>\
             <p><a href=\"{link}\">Confirm the new address</a> (valid for {hours} hours; your other sessions will be signed out).</p>\
             <p>If it was not you, ignore this message: nothing changes without this link.</p>",
            project = escape(project),
            to = escape(to),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// To the old address when a change is asked for: warns the owner while
/// the change can still be stopped (it needs the link sent to the new one).
pub fn email_change_requested_email(
    project: &str,
    frontend: &Url,
    to: &str,
    new_email: &str,
) -> Email {
    let link = spa_link(frontend, "settings", None);
    let subject = format!("{project}: a change of your e-mail address was requested");
    let text = format!(
        "Someone signed in to your {project} account ({to}) asked to change its address to {new_email}. \
         It changes only when the link sent to {new_email} is used.\n\n\
         If it was not you, change your password now: {link}\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>Someone signed in to your {project} account ({to}) asked to change its address to {new_email}. \
             It changes only when the link sent to {new_email} is used.</p>\
             <p>If it was not you, <a href=\"{link}\">change your password now</a>.</p>",
            project = escape(project),
            to = escape(to),
            new_email = escape(new_email),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// To the old address once the change happened (by the link, or by a
/// superuser): the last message this address gets about the account.
pub fn email_changed_email(project: &str, frontend: &Url, to: &str, new_email: &str) -> Email {
    let link = spa_link(frontend, "", None);
    let subject = format!("{project}: your e-mail address was changed");
    let text = format!(
        "The address of your {project} account is now {new_email}; messages no longer come to {to}.\n\n\
         If you did not make this change, contact the administrators of {link} at once.\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>The address of your {project} account is now {new_email}; messages no longer come to {to}.</p>\
             <p>If you did not make this change, contact the administrators of <a href=\"{link}\">{project}</a> at once.</p>",
            project = escape(project),
            to = escape(to),
            new_email = escape(new_email),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// The message a superuser (or an operator, from the command line) sends to
/// check that e-mail goes out. It carries no token.
/// It says where it was sent from but not by whom: the recipient can be
/// anyone, the superuser's address is for the audit log only.
pub fn test_email(project: &str, frontend: &Url, to: &str, origin: TestOrigin) -> Email {
    let link = spa_link(frontend, "", None);
    let by = match origin {
        TestOrigin::AdminArea => "from the admin area",
        TestOrigin::CommandLine => "from the command line (api send-test-email)",
    };
    let subject = format!("{project}: test e-mail");
    let text = format!(
        "This is a test e-mail from {project} to {to}, sent {by} to check that e-mail delivery works.\n\n\
         Nothing needs to be done. {project} is at {link}\n"
    );
    let html = layout(
        project,
        &format!(
            "<p>This is a test e-mail from {project} to {to}, sent {by} to check that e-mail delivery works.</p>\
             <p>Nothing needs to be done. <a href=\"{link}\">Open {project}</a>.</p>",
            project = escape(project),
            to = escape(to),
            by = escape(by),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// A notice that something happened to the account: what, and what to
/// do if it was not the owner, with a link to the SPA (no token).
pub(super) fn notice(
    project: &str,
    frontend: &Url,
    to: &str,
    what: &str,
    body: &str,
    not_you: &str,
) -> Email {
    let link = spa_link(frontend, "", None);
    let subject = format!("{project}: {what}");
    let text = format!("{body}\n\n{not_you}\n\n{project}: {link}\n");
    let html = layout(
        project,
        &format!(
            "<p>{body}</p><p>{not_you}</p><p><a href=\"{link}\">Open {project}</a></p>",
            body = escape(body),
            not_you = escape(not_you),
            project = escape(project),
            link = escape(link.as_str()),
        ),
    );
    Email {
        to: to.to_owned(),
        subject,
        html,
        text,
    }
}

/// `page` of the SPA under `FRONTEND_HOST`'s own path, which is kept: the
/// SPA may be served under a prefix. Query and fragment are dropped.
fn spa_link(frontend: &Url, page: &str, token: Option<&str>) -> Url {
    let mut link = frontend.clone();
    let prefix = frontend.path().trim_end_matches('/');
    link.set_path(&format!("{prefix}/{page}"));
    link.set_query(None);
    link.set_fragment(None);
    if let Some(token) = token {
        link.query_pairs_mut().append_pair("token", token);
    }
    link
}

/// No inline styles: a mail client's defaults read fine, and the admin
/// area's preview (a sandboxed `srcdoc` frame) inherits the SPA's CSP,
/// which refuses them.
fn layout(project: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body>{body}</body></html>",
        title = escape(project),
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_link_points_at_the_spa_with_an_encoded_token() {
        let frontend = Url::parse("https://app.rampart.dev/?ignored=1#too").unwrap();
        let email = password_reset_email(
            "Rampart",
            &frontend,
            "a@b.dev",
            "t+k/n=",
            Duration::from_secs(900),
        );
        assert!(email
            .text
            .contains("https://app.rampart.dev/reset-password?token=t%2Bk%2Fn%3D"));
        assert!(email.text.contains("15 minutes"));
    }

    #[test]
    fn links_keep_the_frontends_path_prefix() {
        for frontend in ["http://localhost:5173/app", "http://localhost:5173/app/"] {
            let frontend = Url::parse(frontend).unwrap();
            let reset = password_reset_email(
                "Rampart",
                &frontend,
                "a@b.dev",
                "tok",
                Duration::from_secs(900),
            );
            assert!(
                reset
                    .text
                    .contains("http://localhost:5173/app/reset-password?token=tok"),
                "{}",
                reset.text
            );
            let welcome = welcome_email(
                "Rampart",
                &frontend,
                "a@b.dev",
                None,
                "tok",
                Duration::from_secs(3600),
            );
            assert!(welcome
                .text
                .contains("http://localhost:5173/app/set-password?token=tok"));
            let test = test_email("Rampart", &frontend, "a@b.dev", TestOrigin::CommandLine);
            assert!(
                test.text.contains("http://localhost:5173/app/\n"),
                "{}",
                test.text
            );
        }
        let root = Url::parse("https://rampart.dev").unwrap();
        let reset =
            password_reset_email("Rampart", &root, "a@b.dev", "tok", Duration::from_secs(60));
        assert!(reset
            .text
            .contains("https://rampart.dev/reset-password?token=tok"));
    }

    #[test]
    fn subjects_name_the_product_and_the_purpose() {
        let frontend = Url::parse("https://rampart.dev").unwrap();
        let hour = Duration::from_secs(3600);
        let subjects = [
            password_reset_email("Acme", &frontend, "a@b.dev", "t", hour).subject,
            welcome_email("Acme", &frontend, "a@b.dev", None, "t", hour).subject,
            test_email("Acme", &frontend, "a@b.dev", TestOrigin::AdminArea).subject,
            verify_email("Acme", &frontend, "a@b.dev", "t", hour).subject,
            signup_attempt_email("Acme", &frontend, "a@b.dev", "t", hour).subject,
            confirm_email_change_email("Acme", &frontend, "a@b.dev", "t", hour).subject,
            email_change_requested_email("Acme", &frontend, "a@b.dev", "c@d.dev").subject,
            email_changed_email("Acme", &frontend, "a@b.dev", "c@d.dev").subject,
        ];
        assert_eq!(
            subjects,
            [
                "Acme: reset your password",
                "Acme: set up your new account",
                "Acme: test e-mail",
                "Acme: verify your e-mail address",
                "Acme: someone tried to sign up with your address",
                "Acme: confirm your new e-mail address",
                "Acme: a change of your e-mail address was requested",
                "Acme: your e-mail address was changed",
            ]
        );
    }

    #[test]
    fn verification_and_change_links_point_at_their_pages() {
        let frontend = Url::parse("https://rampart.dev/app").unwrap();
        let day = Duration::from_secs(24 * 3600);
        let verify = verify_email("Rampart", &frontend, "a@b.dev", "tok", day);
        assert!(verify
            .text
            .contains("https://rampart.dev/app/verify-email?token=tok"));
        assert!(verify.text.contains("24 hours"));
        let change = confirm_email_change_email("Rampart", &frontend, "c@d.dev", "tok", day);
        assert!(change
            .text
            .contains("https://rampart.dev/app/confirm-email?token=tok"));
        let attempt = signup_attempt_email(
            "Rampart",
            &frontend,
            "a@b.dev",
            "tok",
            Duration::from_secs(900),
        );
        assert!(attempt
            .text
            .contains("https://rampart.dev/app/reset-password?token=tok"));
    }

    #[test]
    fn typed_addresses_are_escaped_in_notices() {
        let frontend = Url::parse("https://rampart.dev").unwrap();
        let hostile = "\"<b>\"@evil.dev";
        for email in [
            email_change_requested_email("Rampart", &frontend, "a@b.dev", hostile),
            email_changed_email("Rampart", &frontend, "a@b.dev", hostile),
        ] {
            assert!(!email.html.contains("<b>"), "{}", email.html);
            assert!(email.html.contains("&lt;b&gt;"));
        }
    }

    #[test]
    fn names_are_escaped_in_html() {
        let frontend = Url::parse("http://localhost:5173").unwrap();
        let email = welcome_email(
            "Rampart",
            &frontend,
            "a@b.dev",
            Some("<script>alert(1)</script>"),
            "tok",
            Duration::from_secs(48 * 3600),
        );
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;"));
    }
}
