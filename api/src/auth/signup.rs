//! Sign-up without enumeration (issue 14): the answer is the same whether
//! the address is new or already has an account, and so, as far as
//! possible, is the work done before it (one password hash, a few
//! statements, an e-mail sent in the background). A new address gets an
//! unverified account and a verification link; an existing account is not
//! touched, and its owner is told someone tried, with a recovery link.

use super::service::{recovery_link, spend_ip_budget};
use crate::{
    audit::Kind,
    caller::Caller,
    credentials::email_token::{self, Purpose},
    error::AppError,
    state::AppState,
    users::{
        normalize_email, normalize_full_name,
        store::{self, CreatedBy, NewAccount},
    },
};

pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub full_name: Option<String>,
}

/// Creates a normal, active, unverified account and sends its verification
/// link, or e-mails the owner of the address if it is taken. Refused when
/// sign-up is disabled. Invalid input (address syntax, password policy,
/// name) is refused the same for new and taken addresses: it is checked
/// before the address is looked up.
#[tracing::instrument(name = "auth.signup", skip_all)]
pub async fn signup(state: &AppState, caller: &Caller, input: SignupInput) -> Result<(), AppError> {
    if !state.config.signup_enabled {
        return Err(AppError::Forbidden("Sign-up is disabled."));
    }
    let turn = state.hasher.reserve()?;
    spend_ip_budget(state, caller.ip).await?;
    let email = normalize_email(&input.email)?;
    let full_name = normalize_full_name(input.full_name.as_deref())?;
    let context = [email.as_str(), full_name.as_deref().unwrap_or_default()];
    // Paid whether or not the address is taken, so the time to answer does
    // not tell the two apart (the same rule as login and recovery).
    let password_hash = state
        .hasher
        .hash_new_in(turn, "password", &input.password, &context)
        .await?;
    if let Some(owner) = store::find_by_email(&state.db, &email).await? {
        return tell_owner(state, caller, &owner).await;
    }
    let account = NewAccount {
        email: email.clone(),
        full_name,
        password_hash,
        is_active: true,
        is_superuser: false,
        email_verified: false,
    };
    let inserted = store::insert_audited(
        &state.db,
        account,
        CreatedBy::Itself,
        caller.ip,
        "signed up",
    )
    .await;
    let (txn, created) = match inserted {
        Ok(inserted) => inserted,
        // Another sign-up for this address won the race between the lookup
        // and the insert (the unique index decided): that account is now
        // the address's, and this request is answered as for a taken one.
        Err(AppError::Conflict { .. }) => {
            return match store::find_by_email(&state.db, &email).await? {
                Some(owner) => tell_owner(state, caller, &owner).await,
                None => Ok(()),
            };
        }
        Err(error) => return Err(error),
    };
    let ttl = state.config.email_verification.link_ttl;
    let token = email_token::create(&txn, created.id, Purpose::Verify, &created.email, ttl).await?;
    txn.commit().await?;
    state.mailer.send_verification(&created.email, &token);
    Ok(())
}

/// The address already has an account: nothing about it changes; its
/// owner gets a notice with a recovery link (within the recovery e-mails'
/// hourly budget; past it, and for a deactivated account, nothing is sent,
/// as recovery does).
async fn tell_owner(
    state: &AppState,
    caller: &Caller,
    owner: &entity::user::Model,
) -> Result<(), AppError> {
    if !owner.is_active {
        return Ok(());
    }
    let detail = Some("owner e-mailed with a recovery link");
    let kind = Kind::SignupWithExistingEmail;
    if let Some(token) = recovery_link(state, owner, caller.ip, kind, detail).await? {
        state.mailer.send_signup_attempt(owner, &token);
    }
    Ok(())
}
