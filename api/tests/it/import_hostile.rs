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
    import::{fixtures, import_cli, stdout, TemplateDb, TEMPLATE_SCHEMA},
    on_both_databases,
};

on_both_databases!(
    rows_with_nulls_in_required_columns_are_reported_not_fatal,
    ten_thousand_users_import_in_batches_with_case_twins_reported,
    addresses_that_differ_only_in_unicode_form_are_one_address,
);

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

/// 10,000 template users (and an item each for the first thousand), 50 of
/// them with a twin that differs only in case: batches of 500, every
/// batch's users and items in, the twins reported, and a second run that
/// finds everything present.
async fn ten_thousand_users_import_in_batches_with_case_twins_reported(backend: Backend) {
    use sea_orm::PaginatorTrait;

    let app = TestApp::new(backend).await;
    let template = TemplateDb::create(TEMPLATE_SCHEMA).await;
    let hash = fixtures()["bcrypt_2b_12"].1.clone();
    let insert_users = format!(
        r#"INSERT INTO "user" (id, email, is_active, is_superuser, hashed_password)
           SELECT md5('u' || n)::uuid, 'user' || n || '@example.com', true, false, '{hash}'
           FROM generate_series(1, 9950) AS n"#
    );
    let insert_twins = format!(
        r#"INSERT INTO "user" (id, email, is_active, is_superuser, hashed_password)
           SELECT md5('twin' || n)::uuid, 'USER' || n || '@example.com', true, false, '{hash}'
           FROM generate_series(1, 50) AS n"#
    );
    let insert_items = r#"INSERT INTO item (id, owner_id, title)
           SELECT md5('i' || n)::uuid, md5('u' || n)::uuid, 'Item ' || n
           FROM generate_series(1, 1000) AS n"#;
    for sql in [insert_users.as_str(), insert_twins.as_str(), insert_items] {
        template.db.execute_unprepared(sql).await.unwrap();
    }
    let started = std::time::Instant::now();
    let report = stdout(&import_cli(&app, &["--from", &template.url]).await);
    let took = started.elapsed();
    // 9,900 users without a twin; 100 twins (both of each pair) reported;
    // the items of the 50 first users (whose address has a twin) skipped.
    assert!(
        report.contains("users: 9900 imported, 0 already present, 100 conflicts, 0 skipped"),
        "{report}"
    );
    assert!(
        report.contains("items: 950 imported, 0 already present, 0 conflicts, 50 skipped"),
        "{report}"
    );
    let db = &app.state.db;
    // The superuser and the 9,900.
    assert_eq!(user::Entity::find().count(db).await.unwrap(), 9901);
    assert_eq!(item::Entity::find().count(db).await.unwrap(), 950);
    let again = stdout(&import_cli(&app, &["--from", &template.url]).await);
    assert!(
        again.contains("users: 0 imported, 9900 already present, 100 conflicts, 0 skipped"),
        "{again}"
    );
    assert!(took < std::time::Duration::from_secs(120), "{took:?}");
}

/// "josé" typed on a Mac (NFD: e + combining acute) and on Windows (NFC:
/// é), and a domain in Unicode or in its punycode form, are one mailbox:
/// two template users with them are twins, and a sign-up with the other
/// form of a taken address is answered as for any taken address (the
/// owner is e-mailed), not with a second account that looks the same in
/// every list.
async fn addresses_that_differ_only_in_unicode_form_are_one_address(backend: Backend) {
    let app = TestApp::new(backend).await;
    let template = TemplateDb::create(TEMPLATE_SCHEMA).await;
    let hash = fixtures()["bcrypt_2b_12"].1.clone();
    let pairs = [
        ("jos\u{e9}@example.com", "jose\u{301}@example.com"),
        ("ana@ex\u{e4}mple.com", "ana@xn--exmple-cua.com"),
    ];
    let mut ids = Vec::new();
    for (n, email) in pairs.iter().flat_map(|(a, b)| [a, b]).enumerate() {
        let id = Uuid::from_u128(100 + n as u128);
        ids.push(id);
        let sql = r#"INSERT INTO "user" (id, email, is_active, is_superuser, hashed_password)
                     VALUES ($1, $2, true, false, $3)"#;
        template
            .db
            .execute(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                sql,
                [id.into(), (*email).into(), hash.clone().into()],
            ))
            .await
            .unwrap();
    }
    let report = stdout(&import_cli(&app, &["--from", &template.url]).await);
    assert!(
        report.contains("users: 0 imported, 0 already present, 4 conflicts, 0 skipped"),
        "{report}"
    );

    use sea_orm::PaginatorTrait;
    let password = crate::common::strong_password();
    let db = &app.state.db;
    for (first, second) in pairs {
        app.signup(first, &password, None).await.ok();
        let users = user::Entity::find().count(db).await.unwrap();
        app.signup(second, &password, None).await.ok();
        let twin = user::Entity::find().count(db).await.unwrap();
        assert_eq!(twin, users, "{second:?} made a second account");
    }
}
