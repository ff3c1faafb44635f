//! Depth, complexity, alias, directive and auth-mutation limits.

use serde_json::json;

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    deep_queries_are_refused,
    alias_floods_are_refused_even_for_typename,
    one_auth_mutation_per_document,
    auth_mutations_hidden_in_fragments_are_counted,
    directive_floods_are_refused,
    complexity_is_limited,
    a_lists_cost_grows_with_its_page_size,
    a_full_page_with_every_field_fits_the_default_limit,
    the_standard_introspection_query_fits_the_local_limits,
    introspection_and_suggestions_can_be_switched_off,
);

/// The standard introspection query GraphiQL sends (depth 14).
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

async fn deep_queries_are_refused(backend: Backend) {
    let app = TestApp::with_env(backend, &[("GRAPHQL_MAX_DEPTH", "10")]).await;
    let deep = format!(
        "{{ {}name{} }}",
        "__schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ",
        " } } } } } } } } } }"
    );
    let reply = app.gql(&deep, json!({}), None).await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.body);
    assert!(
        reply.message().contains("nested too deep"),
        "{}",
        reply.message()
    );
}

async fn alias_floods_are_refused_even_for_typename(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ok: String = (0..15).map(|i| format!("a{i}: __typename ")).collect();
    assert!(app
        .gql(&format!("{{ {ok} }}"), json!({}), None)
        .await
        .body
        .get("errors")
        .is_none());
    let flood: String = (0..16).map(|i| format!("a{i}: __typename ")).collect();
    let reply = app.gql(&format!("{{ {flood} }}"), json!({}), None).await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.message().contains("aliases"));
}

async fn one_auth_mutation_per_document(backend: Backend) {
    let app = TestApp::new(backend).await;
    let query = format!(
        "mutation {{ a: login(input: {{email: \"{e}\", password: \"wrong-one-1\"}}) {{ ... on AccessToken {{ accessToken }} }} \
         b: login(input: {{email: \"{e}\", password: \"{p}\"}}) {{ ... on AccessToken {{ accessToken }} }} }}",
        e = app.admin_email,
        p = app.admin_password
    );
    let reply = app.gql(&query, json!({}), None).await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.data().is_null(), "nothing executed: {}", reply.body);
    // Mixed auth mutations count together.
    let mixed = "mutation { recoverPassword(input: {email: \"a@rampart.dev\"}) { message } signup(input: {email: \"b@rampart.dev\", password: \"x\"}) { message } }";
    assert_eq!(
        app.gql(mixed, json!({}), None).await.code(),
        "BAD_USER_INPUT"
    );
}

async fn auth_mutations_hidden_in_fragments_are_counted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let query = "mutation { ...Guesses } fragment Guesses on MutationRoot { \
                 login(input: {email: \"a@rampart.dev\", password: \"one-guess-1\"}) { ... on AccessToken { accessToken } } \
                 ... on MutationRoot { recoverPassword(input: {email: \"a@rampart.dev\"}) { message } } }";
    let reply = app.gql(query, json!({}), None).await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.body);
    assert!(reply.message().contains("per request"));
}

async fn directive_floods_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let directives = "@include(if: true) ".repeat(6);
    let reply = app
        .gql(
            &format!("{{ publicSettings {directives} {{ signupEnabled }} }}"),
            json!({}),
            None,
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.body);
}

async fn complexity_is_limited(backend: Backend) {
    let app = TestApp::with_env(backend, &[("GRAPHQL_MAX_COMPLEXITY", "15")]).await;
    let token = app.admin_token().await;
    let small = app
        .gql("{ me { id email } }", json!({}), Some(&token))
        .await;
    small.ok();
    let big = app
        .gql(
            "{ items { totalCount nodes { id title description createdAt updatedAt owner { id email fullName isActive isSuperuser createdAt } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(big.code(), "BAD_USER_INPUT");
    assert!(
        big.message().to_lowercase().contains("complex"),
        "{}",
        big.message()
    );
}

async fn a_lists_cost_grows_with_its_page_size(backend: Backend) {
    let app = TestApp::with_env(backend, &[("GRAPHQL_MAX_COMPLEXITY", "100")]).await;
    let token = app.admin_token().await;
    let page = |limit: u32| format!("{{ items(limit: {limit}) {{ nodes {{ id title }} }} }}");
    app.gql(&page(10), json!({}), Some(&token)).await.ok();
    let big = app.gql(&page(100), json!({}), Some(&token)).await;
    assert_eq!(big.code(), "BAD_USER_INPUT", "{}", big.body);
    assert!(big.message().to_lowercase().contains("complex"));
}

async fn a_full_page_with_every_field_fits_the_default_limit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_token().await;
    let reply = app
        .gql(
            "{ items(limit: 100) { totalCount nodes { id title description ownerId createdAt updatedAt owner { id email fullName isActive isSuperuser createdAt updatedAt } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    reply.ok();
}

async fn the_standard_introspection_query_fits_the_local_limits(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app.gql(INTROSPECTION, json!({}), None).await;
    let types = reply.ok()["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "User"));
    assert!(types.iter().all(|t| t["fields"]
        .as_array()
        .is_none_or(|f| f.iter().all(|f| f["name"] != "passwordHash"))));
}

async fn introspection_and_suggestions_can_be_switched_off(backend: Backend) {
    let app = TestApp::with_env(backend, &[("GRAPHQL_INTROSPECTION", "false")]).await;
    let reply = app
        .gql("{ __schema { types { name } } }", json!({}), None)
        .await;
    assert!(
        reply.body.get("errors").is_some() || reply.data()["__schema"].is_null(),
        "{}",
        reply.body
    );
    let typo = app
        .gql("{ publicSetting { signupEnabled } }", json!({}), None)
        .await;
    assert!(
        !typo.message().contains("Did you mean"),
        "{}",
        typo.message()
    );
}
