//! The committed `schema.graphql` is what the code serves; the SPA's types
//! are generated from it, so drift would break clients silently.

#[test]
fn the_committed_schema_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        committed == rampart_api::schema_sdl(),
        "api/schema.graphql is stale: run `cargo run -p api -- export-schema` and commit it"
    );
}

#[test]
fn the_schema_never_exposes_password_hashes_or_revocation_state() {
    let sdl = rampart_api::schema_sdl();
    for secret in ["passwordHash", "tokensValidAfter", "tokenHash"] {
        assert!(!sdl.contains(secret), "{secret} in the schema");
    }
}
