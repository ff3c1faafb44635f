//! The schema: one query and one mutation root merged from the domains,
//! with the configured limits applied when it is built, and the two steps
//! the transport calls for each request (check, then execute).

mod documents;
pub mod limits;

use std::sync::OnceLock;

use async_graphql::{
    dataloader::DataLoader,
    parser::types::{ExecutableDocument, Selection, TypeKind, TypeSystemDefinition},
    EmptySubscription, MergedObject, Schema, ServerError,
};

use crate::{
    admin::graphql::{AdminMutation, AdminQuery},
    audit::graphql::AuditQuery,
    auth::graphql::{AuthMutation, AuthQuery},
    caller::Caller,
    email_change::graphql::EmailChangeMutation,
    items::graphql::{ItemsMutation, ItemsQuery},
    mfa::{
        graphql::{MfaMutation, MfaQuery},
        loader::MfaEnabledLoader,
    },
    sessions::graphql::{SessionsMutation, SessionsQuery},
    state::AppState,
    users::{
        graphql::{UsersMutation, UsersQuery},
        loader::UserLoader,
        pending_email::PendingEmailLoader,
    },
};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    AuthQuery,
    UsersQuery,
    ItemsQuery,
    AuditQuery,
    SessionsQuery,
    MfaQuery,
    AdminQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AuthMutation,
    UsersMutation,
    EmailChangeMutation,
    ItemsMutation,
    SessionsMutation,
    MfaMutation,
    AdminMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The SDL of the schema, for `api export-schema` and the drift check.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}

/// The executable schema with the limits async-graphql has no setting for.
#[derive(Clone)]
pub struct ApiSchema {
    schema: AppSchema,
    limits: limits::OperationLimits,
    documents: std::sync::Arc<documents::Documents>,
    state: AppState,
}

impl ApiSchema {
    pub fn new(state: AppState) -> Self {
        let config = &state.config.graphql;
        let mut builder = Schema::build(
            QueryRoot::default(),
            MutationRoot::default(),
            EmptySubscription,
        )
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        // Parser recursion advisories: bound nesting before it reaches the validator.
        .limit_recursive_depth(32)
        // Only @skip/@include are legitimate; more is an amplification attempt.
        .limit_directives(5);
        if !config.introspection {
            builder = builder.disable_introspection();
            // Suggestions ("did you mean ...") leak the schema field by field.
            builder = builder.disable_suggestions();
        }
        let limits = limits::OperationLimits {
            max_fields: config.max_fields,
            max_aliases: config.max_aliases,
            max_auth_mutations: 1,
        };
        Self {
            schema: builder.data(state.clone()).finish(),
            limits,
            documents: std::sync::Arc::new(documents::Documents::new(config.document_cache_bytes)),
            state,
        }
    }

    /// Parses the document (once: `execute` reuses it) and applies the
    /// operation limits, before the request is authenticated.
    pub fn check(&self, request: &mut async_graphql::Request) -> Result<(), ServerError> {
        if let Some(document) = self.documents.get(&request.query) {
            self.limits.check(&document)?;
            request.set_parsed_query(ExecutableDocument::clone(&document));
            return Ok(());
        }
        let text = request.query.clone();
        let document = request.parsed_query().map_err(limits::syntax_error)?;
        self.limits.check(document)?;
        self.documents.insert(&text, document);
        Ok(())
    }

    /// Runs the request for `caller`, with a fresh DataLoader (its cache
    /// must not outlive the request).
    pub async fn execute(
        &self,
        request: async_graphql::Request,
        caller: Caller,
    ) -> async_graphql::Response {
        let loader = DataLoader::new(UserLoader::new(self.state.db.clone()), tokio::spawn);
        let pending = DataLoader::new(PendingEmailLoader::new(self.state.db.clone()), tokio::spawn);
        let mfa = DataLoader::new(MfaEnabledLoader::new(self.state.db.clone()), tokio::spawn);
        let request = request.data(caller).data(loader).data(pending).data(mfa);
        self.schema.execute(request).await
    }
}

/// What a request did, as a metric label: its operation's first root field
/// (`me`, `login`, `items`, …) if that is one of the schema's, else
/// "other". The set is closed, so a client cannot mint new series.
pub fn operation_label(request: &mut async_graphql::Request) -> &'static str {
    let Ok(document) = request.parsed_query() else {
        return "other";
    };
    let first_field =
        document
            .operations
            .iter()
            .next()
            .and_then(|(_, operation)| {
                operation.node.selection_set.node.items.iter().find_map(
                    |selection| match &selection.node {
                        Selection::Field(field) => Some(field.node.name.node.as_str()),
                        _ => None,
                    },
                )
            });
    first_field
        .and_then(|name| root_fields().iter().find(|f| **f == name).copied())
        .unwrap_or("other")
}

/// The root fields of `Query` and `Mutation`, read once from the schema.
fn root_fields() -> &'static [&'static str] {
    static FIELDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let Ok(document) = async_graphql::parser::parse_schema(sdl()) else {
            return Vec::new();
        };
        document
            .definitions
            .into_iter()
            .filter_map(|definition| match definition {
                TypeSystemDefinition::Type(ty) => Some(ty.node),
                _ => None,
            })
            .filter(|ty| matches!(ty.name.node.as_str(), "QueryRoot" | "MutationRoot"))
            .flat_map(|ty| match ty.kind {
                TypeKind::Object(object) => object.fields,
                _ => Vec::new(),
            })
            // Leaked once per process: a few dozen names, the label set.
            .map(|field| &*String::leak(field.node.name.node.to_string()))
            .collect()
    })
}
