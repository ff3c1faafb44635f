// Test file for rust-unwrap-in-request-path (`semgrep --test .semgrep/`).
async fn resolve_user(id: &str, db: &Db) -> Result<User, AppError> {
    // ruleid: rust-unwrap-in-request-path
    let uuid = Uuid::parse_str(id).unwrap();
    // ruleid: rust-unwrap-in-request-path
    let user = db.find(uuid).await.expect("user exists");
    // ok: rust-unwrap-in-request-path
    let fallback = db.name().unwrap_or_default();
    // ok: rust-unwrap-in-request-path
    let parsed = Uuid::parse_str(id).map_err(|_| AppError::bad_input("id", "not a UUID"))?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        // ok: rust-unwrap-in-request-path
        let id = Uuid::parse_str("00000000-0000-0000-0000-000000000000").unwrap();
    }
}
