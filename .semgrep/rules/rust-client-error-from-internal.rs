// Test file for rust-client-error-from-internal.
async fn create_item(ctx: &Context<'_>, input: NewItem) -> async_graphql::Result<Item> {
    // ruleid: rust-client-error-from-internal
    let saved = service::create(db, input).await.map_err(|e| async_graphql::Error::new(e.to_string()))?;
    // ruleid: rust-client-error-from-internal
    let other = service::load(db).await.map_err(|e| e.to_string())?;
    // ruleid: rust-client-error-from-internal
    let third = service::load(db).await.map_err(|err| AppError::BadRequest(err.to_string()))?;
    // ok: rust-client-error-from-internal
    let fine = service::load(db).await.map_err(AppError::from)?;
    // ok: rust-client-error-from-internal
    let id = ip.map(|ip| ip.to_string());
    Ok(saved)
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        // ok: rust-client-error-from-internal
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| ext.set("code", self.code()))
    }
}
