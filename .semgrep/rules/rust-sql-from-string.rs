// Test file for rust-sql-from-string.
async fn find_by_email(db: &DatabaseConnection, email: &str) -> Result<(), DbErr> {
    // ruleid: rust-sql-from-string
    let stmt = Statement::from_string(DbBackend::Postgres, format!("SELECT * FROM users WHERE email = '{email}'"));
    // ruleid: rust-sql-from-string
    db.execute_unprepared(&format!("DELETE FROM items WHERE owner = '{email}'")).await?;
    // ruleid: rust-sql-from-string
    let cond = Expr::cust(format!("lower(email) = '{email}'"));
    // ok: rust-sql-from-string
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, "SELECT * FROM users WHERE email = $1", [email.into()]);
    // ok: rust-sql-from-string
    db.execute_unprepared("CREATE INDEX IF NOT EXISTS idx_items_owner ON items (owner_id)").await?;
    Ok(())
}
