// Test file for rust-secret-in-log.
fn login(email: &str, password: &str, access_token: &str, user_id: Uuid) {
    // ruleid: rust-secret-in-log
    tracing::info!(email = %email, password = %password, "login attempt");
    // ruleid: rust-secret-in-log
    tracing::debug!("issued {access_token} for {email}");
    // ruleid: rust-secret-in-log
    debug!(?access_token, "issued");
    // ruleid: rust-secret-in-log
    warn!("reset token {} sent", reset_token);
    // ok: rust-secret-in-log
    tracing::info!(%user_id, "login succeeded");
    // ok: rust-secret-in-log
    tracing::warn!("JWT_SECRET is not set: using a random secret; tokens stop working on restart");
    // ok: rust-secret-in-log
    tracing::info!(token_id = %token_id, "password changed");
}
