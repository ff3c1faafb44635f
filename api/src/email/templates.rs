//! E-mail bodies. User-controlled text (the full name) is HTML-escaped; links
//! are built with `Url` so the token is query-encoded.

use std::time::Duration;

use url::Url;

use super::Email;

pub fn password_reset_email(
    project: &str,
    frontend: &Url,
    to: &str,
    token: &str,
    valid_for: Duration,
) -> Email {
    let link = reset_link(frontend, token);
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
    let link = reset_link(frontend, token);
    let hours = valid_for.as_secs() / 3600;
    let greeting = full_name.map_or_else(|| "Hello".to_owned(), |name| format!("Hello {name}"));
    let subject = format!("{project}: your new account");
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

fn reset_link(frontend: &Url, token: &str) -> Url {
    let mut link = frontend.clone();
    link.set_path("/reset-password");
    link.set_query(None);
    link.query_pairs_mut().append_pair("token", token);
    link
}

fn layout(project: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5\">{body}</body></html>",
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
        let frontend = Url::parse("https://app.rampart.dev/ignored?x=1").unwrap();
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
