//! `api import-fastapi-template` against a template database nobody kept
//! tidy: NULLs where the template's models say there are none (an old
//! migration, a hand-made table, a restore into a schema without the
//! constraints), addresses with control characters. A bad row is reported
//! for the operator like any other conflict; it never stops the import
//! halfway with the batches before it written and the rest not.

use entity::{item, user};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{
    common::{Backend, TestApp},
    import::{fixtures, import_cli, stdout, TemplateDb},
    on_both_databases,
};

on_both_databases!(rows_with_nulls_in_required_columns_are_reported_not_fatal);

/// The template's tables without their NOT NULL constraints.
const LOOSE_SCHEMA: &[&str] = &[
    r#"CREATE TABLE "user" (
        email VARCHAR(255),
        is_active BOOLEAN,
        is_superuser BOOLEAN,
        full_name VARCHAR(255),
        id UUID NOT NULL PRIMARY KEY,
        hashed_password VARCHAR,
        created_at TIMESTAMP WITH TIME ZONE
    )"#,
    r#"CREATE TABLE item (
        description VARCHAR(255),
        title VARCHAR(255),
        id UUID NOT NULL PRIMARY KEY,
        owner_id UUID REFERENCES "user" (id) ON DELETE CASCADE,
        created_at TIMESTAMP WITH TIME ZONE
    )"#,
];

async fn rows_with_nulls_in_required_columns_are_reported_not_fatal(backend: Backend) {
    let app = TestApp::new(backend).await;
    let template = TemplateDb::create(LOOSE_SCHEMA).await;
    let hash = fixtures()["bcrypt_2b_12"].1.clone();
    // Ids in order, so the good rows come both before and after the bad
    // ones, in batches of two.
    let ids: Vec<Uuid> = (1..=6u128).map(Uuid::from_u128).collect();
    let users = [
        (ids[0], "'first@example.com'", "true", "false", "$1"),
        (ids[1], "NULL", "true", "false", "$1"),
        (ids[2], "'no-flag@example.com'", "NULL", "false", "$1"),
        (ids[3], "'no-hash@example.com'", "true", "false", "NULL"),
        (ids[4], "'bell\u{7}@example.com'", "true", "false", "$1"),
        (ids[5], "'last@example.com'", "true", "NULL", "$1"),
    ];
    for (id, email, active, superuser, password) in users {
        let sql = format!(
            r#"INSERT INTO "user" (id, email, is_active, is_superuser, hashed_password)
               VALUES ('{id}', {email}, {active}, {superuser}, {password})"#
        );
        let sql = sql.replace("$1", &format!("'{hash}'"));
        template.db.execute_unprepared(&sql).await.unwrap();
    }
    let (titled, untitled, orphan) = (
        Uuid::from_u128(11),
        Uuid::from_u128(12),
        Uuid::from_u128(13),
    );
    for sql in [
        format!(
            "INSERT INTO item (id, owner_id, title) VALUES ('{titled}', '{}', 'Kept')",
            ids[0]
        ),
        format!(
            "INSERT INTO item (id, owner_id, title) VALUES ('{untitled}', '{}', NULL)",
            ids[0]
        ),
        format!("INSERT INTO item (id, owner_id, title) VALUES ('{orphan}', NULL, 'Nobody''s')"),
    ] {
        template.db.execute_unprepared(&sql).await.unwrap();
    }

    let report = stdout(&import_cli(&app, &["--from", &template.url, "--batch-size", "2"]).await);
    assert!(
        report.contains("users: 1 imported, 0 already present, 5 conflicts, 0 skipped"),
        "{report}"
    );
    for (id, reason) in [
        (ids[1], "email is NULL"),
        (ids[2], "is_active is NULL"),
        (ids[3], "hashed_password is NULL"),
        (ids[4], "is not valid in Rampart"),
        (ids[5], "is_superuser is NULL"),
        (untitled, "title is NULL"),
        (orphan, "owner_id is NULL"),
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.contains(&id.to_string()) && l.contains(reason)),
            "{id} {reason}: {report}"
        );
    }
    // The control character is shown escaped, never written to the terminal.
    assert!(!report.contains('\u{7}'), "{report}");
    let db = &app.state.db;
    assert!(user::Entity::find_by_id(ids[0])
        .one(db)
        .await
        .unwrap()
        .is_some());
    assert!(item::Entity::find_by_id(titled)
        .one(db)
        .await
        .unwrap()
        .is_some());
    // A second run changes nothing and reports the same rows.
    let again = stdout(&import_cli(&app, &["--from", &template.url]).await);
    assert!(
        again.contains("users: 0 imported, 1 already present, 5 conflicts, 0 skipped"),
        "{again}"
    );
}
