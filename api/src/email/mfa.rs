//! The second factor's notices: MFA turned on, turned off, reset by an
//! administrator, a recovery code used. They carry no token or link that
//! does anything: each tells the owner what happened and what to do if it
//! was not them.

use url::Url;

use super::{templates::notice, Email, Mailer};

const NOT_YOU: &str = "If this was not you, reset your password now and contact an administrator.";

pub fn enabled_email(project: &str, frontend: &Url, to: &str) -> Email {
    notice(
        project,
        frontend,
        to,
        "two-step sign-in is on",
        &format!(
            "Two-step sign-in (an authenticator app code) was turned on for your {project} account ({to}). \
             Keep your recovery codes somewhere safe: each one lets you sign in once without the app."
        ),
        NOT_YOU,
    )
}

pub fn disabled_email(project: &str, frontend: &Url, to: &str) -> Email {
    notice(
        project,
        frontend,
        to,
        "two-step sign-in is off",
        &format!(
            "Two-step sign-in was turned off for your {project} account ({to}). \
             Your password alone now signs you in, and your other sessions were signed out."
        ),
        NOT_YOU,
    )
}

pub fn reset_email(project: &str, frontend: &Url, to: &str) -> Email {
    notice(
        project,
        frontend,
        to,
        "an administrator turned off two-step sign-in",
        &format!(
            "An administrator removed two-step sign-in from your {project} account ({to}) and signed out \
             all of its sessions. Sign in with your password and set up your authenticator app again."
        ),
        "If you did not ask for this, contact an administrator.",
    )
}

pub fn recovery_code_used_email(project: &str, frontend: &Url, to: &str, left: u64) -> Email {
    let left_text = match left {
        0 => "You have no recovery codes left: create new ones in Settings → Security.".to_owned(),
        1 => "You have 1 recovery code left.".to_owned(),
        n => format!("You have {n} recovery codes left."),
    };
    notice(
        project,
        frontend,
        to,
        "a recovery code was used",
        &format!(
            "A recovery code of your {project} account ({to}) was just used instead of an authenticator \
             app code. {left_text}"
        ),
        NOT_YOU,
    )
}

impl Mailer {
    pub fn send_mfa_enabled(&self, user: &entity::user::Model) {
        let email = enabled_email(&self.project, &self.frontend, &user.email);
        self.send_in_background("mfa_enabled", email);
    }

    pub fn send_mfa_disabled(&self, user: &entity::user::Model) {
        let email = disabled_email(&self.project, &self.frontend, &user.email);
        self.send_in_background("mfa_disabled", email);
    }

    pub fn send_mfa_reset(&self, user: &entity::user::Model) {
        let email = reset_email(&self.project, &self.frontend, &user.email);
        self.send_in_background("mfa_reset", email);
    }

    pub fn send_recovery_code_used(&self, user: &entity::user::Model, left: u64) {
        let email = recovery_code_used_email(&self.project, &self.frontend, &user.email, left);
        self.send_in_background("mfa_recovery_code_used", email);
    }

    /// The MFA notices with sample data, for the admin area's preview.
    pub(super) fn mfa_previews(&self, to: &str) -> Vec<(&'static str, Email)> {
        let (project, frontend) = (self.project.as_str(), &self.frontend);
        vec![
            ("mfa_enabled", enabled_email(project, frontend, to)),
            ("mfa_disabled", disabled_email(project, frontend, to)),
            ("mfa_reset", reset_email(project, frontend, to)),
            (
                "mfa_recovery_code_used",
                recovery_code_used_email(project, frontend, to, 7),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_the_product_and_escape_the_address() {
        let frontend = Url::parse("https://rampart.dev/app").unwrap();
        let email = recovery_code_used_email("Rampart", &frontend, "<a>@example.com", 0);
        assert_eq!(email.subject, "Rampart: a recovery code was used");
        assert!(email.text.contains("no recovery codes left"));
        assert!(email.html.contains("&lt;a&gt;@example.com"));
        assert!(!email.html.contains("<a>@"));
        assert!(email.text.contains("https://rampart.dev/app/"));
    }
}
