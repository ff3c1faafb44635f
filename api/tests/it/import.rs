//! `api import-fastapi-template`: a real PostgreSQL database with the
//! template's schema, filled with hashes made by the real bcrypt and
//! argon2-cffi (api/tests/fixtures/legacy_hashes.json), imported by the real
//! CLI into Rampart on SQLite and PostgreSQL; then the imported users log in
//! through the API with their old passwords.

use std::{collections::HashMap, process::Output};

use chrono::{DateTime, Utc};
use entity::{audit_event, item, user};
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Statement,
};
use secrecy::ExposeSecret;
use serde_json::json;
use uuid::Uuid;

use crate::{
    common::{random, Backend, TestApp, POSTGRES_ADMIN_URL},
    on_both_databases,
};

on_both_databases!(
    template_users_and_items_import_once_and_log_in_with_their_old_passwords,
    a_database_without_the_template_tables_is_refused
);

/// The template's tables exactly as its Alembic migrations leave them
/// (SQLModel `User` and `Item`, uuid ids, `created_at` added later as null).
pub(crate) const TEMPLATE_SCHEMA: &[&str] = &[
    r#"CREATE TABLE "user" (
        email VARCHAR(255) NOT NULL,
        is_active BOOLEAN NOT NULL,
        is_superuser BOOLEAN NOT NULL,
        full_name VARCHAR(255),
        id UUID NOT NULL,
        hashed_password VARCHAR NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (id)
    )"#,
    r#"CREATE UNIQUE INDEX ix_user_email ON "user" (email)"#,
    r#"CREATE TABLE item (
        description VARCHAR(255),
        title VARCHAR(255) NOT NULL,
        id UUID NOT NULL,
        owner_id UUID NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (id),
        FOREIGN KEY(owner_id) REFERENCES "user" (id) ON DELETE CASCADE
    )"#,
];

/// Hashes made by the real implementations, by fixture name.
pub(crate) fn fixtures() -> HashMap<String, (String, String)> {
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../fixtures/legacy_hashes.json")).unwrap();
    rows.into_iter()
        .map(|row| {
            let field = |name: &str| row[name].as_str().unwrap().to_owned();
            (field("name"), (field("password"), field("hash")))
        })
        .collect()
}

/// A fresh PostgreSQL database on the test server, dropped afterwards.
pub(crate) struct TemplateDb {
    name: String,
    pub(crate) url: String,
    pub(crate) db: DatabaseConnection,
}

impl TemplateDb {
    pub(crate) async fn create(schema: &[&str]) -> Self {
        let name = format!("fastapi_template_{}", random(12).to_lowercase());
        let admin = Database::connect(POSTGRES_ADMIN_URL).await.unwrap();
        admin
            .execute(Statement::from_string(
                admin.get_database_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        let db = Database::connect(&url).await.unwrap();
        for statement in schema {
            db.execute_unprepared(statement).await.unwrap();
        }
        Self { name, url, db }
    }

    async fn user(
        &self,
        id: Uuid,
        email: &str,
        hash: &str,
        flags: (bool, bool),
        name: Option<&str>,
        created: Option<&str>,
    ) {
        let sql = r#"INSERT INTO "user" (id, email, is_active, is_superuser, full_name, hashed_password, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)"#;
        self.db
            .execute(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                sql,
                [
                    id.into(),
                    email.into(),
                    flags.0.into(),
                    flags.1.into(),
                    name.map(str::to_owned).into(),
                    hash.into(),
                    created.map(str::to_owned).into(),
                ],
            ))
            .await
            .unwrap();
    }

    async fn item(
        &self,
        id: Uuid,
        owner: Uuid,
        title: &str,
        description: Option<&str>,
        created: Option<&str>,
    ) {
        let sql = "INSERT INTO item (id, owner_id, title, description, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)";
        self.db
            .execute(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                sql,
                [
                    id.into(),
                    owner.into(),
                    title.into(),
                    description.map(str::to_owned).into(),
                    created.map(str::to_owned).into(),
                ],
            ))
            .await
            .unwrap();
    }
}

impl Drop for TemplateDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(POSTGRES_ADMIN_URL).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin
                        .execute(Statement::from_string(admin.get_database_backend(), sql))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Runs the real `api` binary against the app's database, as an operator
/// would, with the suite's argon2 cost.
pub(crate) async fn import_cli(app: &TestApp, args: &[&str]) -> Output {
    let database_url = app.state.config.database.url.expose_secret().to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_api"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("ARGON2_MEMORY_KIB", "8192")
            .env("ARGON2_ITERATIONS", "1")
            .env("LOG_FORMAT", "json")
            .arg("import-fastapi-template")
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

pub(crate) fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "import failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every user and item row, to compare before and after a run.
async fn snapshot(db: &DatabaseConnection) -> (Vec<user::Model>, Vec<item::Model>, u64) {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
        .unwrap();
    let items = item::Entity::find()
        .order_by_asc(item::Column::Id)
        .all(db)
        .await
        .unwrap();
    let events = audit_event::Entity::find().count(db).await.unwrap();
    (users, items, events)
}

async fn events(db: &DatabaseConnection, kind: &str, subject: Uuid) -> Vec<Option<String>> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Kind.eq(kind))
        .filter(audit_event::Column::SubjectId.eq(subject))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

async fn template_users_and_items_import_once_and_log_in_with_their_old_passwords(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    let template = TemplateDb::create(TEMPLATE_SCHEMA).await;
    let hashes = fixtures();
    let hash = |name: &str| hashes[name].1.clone();
    let password = |name: &str| hashes[name].0.clone();
    let [alice, bob, carol, dave, erin, erin_too, invalid, admin_twin, frank] =
        std::array::from_fn(|_| Uuid::new_v4());
    let active = (true, false);
    let t = &template;
    t.user(
        alice,
        "Alice@Example.com",
        &hash("bcrypt_2b_12"),
        (true, true),
        Some("Alice Template"),
        Some("2024-05-01T10:00:00Z"),
    )
    .await;
    t.user(
        bob,
        "bob@example.com",
        &hash("argon2id_template"),
        active,
        None,
        None,
    )
    .await;
    t.user(
        carol,
        "carol@example.com",
        &hash("bcrypt_2a_10"),
        (false, false),
        Some("Carol"),
        None,
    )
    .await;
    t.user(
        dave,
        "dave@example.com",
        &hash("bcrypt_2y_10"),
        active,
        None,
        None,
    )
    .await;
    // The template's unique index is case-sensitive; Rampart's addresses are not.
    t.user(
        erin,
        "Erin@example.com",
        &hash("argon2i_small"),
        active,
        None,
        None,
    )
    .await;
    t.user(
        erin_too,
        "erin@example.com",
        &hash("argon2d_small"),
        active,
        None,
        None,
    )
    .await;
    t.user(
        invalid,
        "not-an-address",
        &hash("argon2i_small"),
        active,
        None,
        None,
    )
    .await;
    t.user(
        admin_twin,
        "ADMIN@rampart.dev",
        &hash("argon2i_small"),
        (true, true),
        None,
        None,
    )
    .await;
    t.user(
        frank,
        "frank@example.com",
        "pbkdf2_sha256$600000$c2FsdA$ZmFrZWRpZ2VzdA",
        active,
        None,
        None,
    )
    .await;
    let [first, second, bobs, erins, blank] = std::array::from_fn(|_| Uuid::new_v4());
    t.item(
        first,
        alice,
        "Alice's first",
        Some("hello"),
        Some("2024-05-02T08:30:00Z"),
    )
    .await;
    t.item(second, alice, "Alice's second", None, None).await;
    t.item(bobs, bob, "Bob's", None, None).await;
    t.item(erins, erin, "Erin's", None, None).await;
    t.item(blank, dave, "   ", None, None).await;
    let db = &app.state.db;
    let before = snapshot(db).await;

    // A dry run reports what an import would do and writes nothing.
    let dry =
        stdout(&import_cli(&app, &["--from", &t.url, "--dry-run", "--batch-size", "2"]).await);
    assert!(dry.contains("dry run: nothing was written"), "{dry}");
    assert!(
        dry.contains("users: 5 would import, 0 already present, 4 conflicts, 0 skipped"),
        "{dry}"
    );
    assert!(
        dry.contains("items: 3 would import, 0 already present, 1 conflicts, 1 skipped"),
        "{dry}"
    );
    assert_eq!(snapshot(db).await, before, "a dry run changes nothing");

    // The import, in batches of two.
    let started = Utc::now();
    let report = stdout(&import_cli(&app, &["--from", &t.url, "--batch-size", "2"]).await);
    assert!(
        report.contains("users: 5 imported, 0 already present, 4 conflicts, 0 skipped"),
        "{report}"
    );
    assert!(
        report.contains("items: 3 imported, 0 already present, 1 conflicts, 1 skipped"),
        "{report}"
    );
    for (id, reason) in [
        (erin, "several template users have this address"),
        (erin_too, "several template users have this address"),
        (invalid, "is not valid in Rampart"),
        (
            admin_twin,
            "admin@rampart.dev belongs to another Rampart user",
        ),
        (erins, "skipped: its owner"),
        (blank, "conflict: title: Title is required."),
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.contains(&id.to_string()) && l.contains(reason)),
            "{id} {reason}: {report}"
        );
    }
    assert!(report.contains("bcrypt $2b$ cost 12: 1"), "{report}");
    assert!(
        report.contains("argon2id v=19 m=65536,t=3,p=4: 1"),
        "{report}"
    );
    assert!(
        report.contains("not verifiable (unknown hash format): 1"),
        "{report}"
    );

    let imported = user::Entity::find_by_id(alice)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(imported.email, "alice@example.com", "normalised");
    assert_eq!(imported.full_name.as_deref(), Some("Alice Template"));
    assert!(imported.is_superuser && imported.is_active);
    assert_eq!(
        imported.password_hash,
        hash("bcrypt_2b_12"),
        "copied as it is"
    );
    let may_first: DateTime<Utc> = "2024-05-01T10:00:00Z".parse().unwrap();
    assert_eq!(imported.created_at, may_first, "created_at kept");
    let bob_row = user::Entity::find_by_id(bob)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        bob_row.created_at >= started - chrono::Duration::seconds(1),
        "null created_at is the import's time"
    );
    let carol_row = user::Entity::find_by_id(carol)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(!carol_row.is_active && !carol_row.is_superuser);
    for absent in [erin, erin_too, invalid, admin_twin] {
        assert!(user::Entity::find_by_id(absent)
            .one(db)
            .await
            .unwrap()
            .is_none());
    }
    let admin = user::Entity::find()
        .filter(user::Column::Email.eq("admin@rampart.dev"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        before.0.iter().find(|u| u.id == admin.id),
        Some(&admin),
        "not overwritten"
    );
    let first_item = item::Entity::find_by_id(first)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (first_item.owner_id, first_item.title.as_str()),
        (alice, "Alice's first")
    );
    assert_eq!(first_item.description.as_deref(), Some("hello"));
    assert_eq!(
        first_item.created_at,
        "2024-05-02T08:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(item::Entity::find().count(db).await.unwrap(), 3);
    assert_eq!(
        events(db, "user.created", alice).await,
        [Some("imported from the FastAPI template".to_owned())]
    );

    // A second run changes nothing.
    let after_import = snapshot(db).await;
    let again = stdout(&import_cli(&app, &["--from", &t.url]).await);
    assert!(
        again.contains("users: 0 imported, 5 already present, 4 conflicts, 0 skipped"),
        "{again}"
    );
    assert!(
        again.contains("items: 0 imported, 3 already present, 1 conflicts, 1 skipped"),
        "{again}"
    );
    assert_eq!(snapshot(db).await, after_import, "idempotent");

    // The old passwords log in through the API, and the hashes end up argon2id
    // at the configured cost, audited with the format they replaced.
    for (id, email, fixture, from) in [
        (
            alice,
            "alice@example.com",
            "bcrypt_2b_12",
            "from bcrypt $2b$ cost 12",
        ),
        (
            bob,
            "bob@example.com",
            "argon2id_template",
            "from argon2id v=19 m=65536,t=3,p=4",
        ),
        (
            dave,
            "DAVE@example.com",
            "bcrypt_2y_10",
            "from bcrypt $2y$ cost 10",
        ),
    ] {
        let wrong = app.login(email, "not-the-template-password").await;
        assert_eq!(wrong.code(), "UNAUTHENTICATED", "{}", wrong.body);
        let reply = app.login(email, &password(fixture)).await;
        assert!(reply.ok()["login"]["accessToken"].is_string(), "{email}");
        let row = user::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
        assert!(
            row.password_hash
                .starts_with("$argon2id$v=19$m=8192,t=1,p=1$"),
            "{email}: {}",
            row.password_hash
        );
        assert_eq!(
            events(db, "password.rehashed", id).await,
            [Some(from.to_owned())]
        );
        // The new hash logs in, and is not re-hashed again.
        app.login(email, &password(fixture)).await.ok();
        assert_eq!(events(db, "password.rehashed", id).await.len(), 1);
    }
    // The imported superuser is one in Rampart.
    let alice_token = app
        .token("alice@example.com", &password("bcrypt_2b_12"))
        .await;
    let users = app
        .gql(
            "{ users(limit: 100) { totalCount } }",
            json!({}),
            Some(&alice_token),
        )
        .await;
    assert_eq!(users.ok()["users"]["totalCount"], 6);

    // An inactive account is not let in, nor re-hashed.
    let reply = app
        .login("carol@example.com", &password("bcrypt_2a_10"))
        .await;
    assert_eq!(reply.code(), "UNAUTHENTICATED");
    let carol_row = user::Entity::find_by_id(carol)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(carol_row.password_hash, hash("bcrypt_2a_10"));

    // A hash in no known format is refused like a wrong password; the
    // audit trail says why.
    let wrong_password = app
        .login("bob@example.com", "not-the-template-password")
        .await;
    let unknown = app.login("frank@example.com", "whatever-it-was-1").await;
    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(
        unknown.message(),
        wrong_password.message(),
        "no enumeration"
    );
    let failed = events(db, "login.failed", frank).await;
    assert_eq!(failed, [Some("unknown hash format".to_owned())]);
    drop(template);
}

async fn a_database_without_the_template_tables_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let empty =
        TemplateDb::create(&[r#"CREATE TABLE "user" (id UUID PRIMARY KEY, email TEXT)"#]).await;
    let output = import_cli(&app, &["--from", &empty.url]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"user\" table lacks the column(s) full_name, is_active"),
        "{stderr}"
    );
    let output = import_cli(&app, &["--from", "mysql://template@127.0.0.1/app"]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--from must be a postgres:// URL"),
        "{stderr}"
    );
}
