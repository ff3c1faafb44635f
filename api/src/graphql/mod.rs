//! The schema: one query and one mutation root merged from the domains,
//! with the baseline's limits applied when it is built.

pub mod limits;
pub mod loaders;

use std::net::IpAddr;

use async_graphql::{
    dataloader::DataLoader, Context, EmptySubscription, MaybeUndefined, MergedObject, Schema,
    SimpleObject,
};

use crate::{
    audit::graphql::AuditQuery,
    auth::{
        graphql::{AuthMutation, AuthQuery},
        viewer::Auth,
    },
    items::graphql::{ItemsMutation, ItemsQuery},
    state::AppState,
    users::graphql::{UsersMutation, UsersQuery},
};

#[derive(MergedObject, Default)]
pub struct QueryRoot(AuthQuery, UsersQuery, ItemsQuery, AuditQuery);

#[derive(MergedObject, Default)]
pub struct MutationRoot(AuthMutation, UsersMutation, ItemsMutation);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// A plain confirmation for mutations that return nothing else.
#[derive(SimpleObject)]
pub struct Message {
    pub message: String,
}

impl Message {
    pub fn new(message: &str) -> Self {
        Self {
            message: message.to_owned(),
        }
    }
}

/// The client's address as the HTTP layer determined it.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

pub fn build_schema(state: AppState) -> AppSchema {
    let limits = &state.config.graphql;
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    // Parser recursion advisories: bound nesting before it reaches the validator.
    .limit_recursive_depth(32)
    // Only @skip/@include are legitimate; more is an amplification attempt.
    .limit_directives(5);
    if !limits.introspection {
        builder = builder.disable_introspection();
        // Suggestions ("did you mean ...") leak the schema field by field.
        builder = builder.disable_suggestions();
    }
    builder.data(state).finish()
}

/// The limits async-graphql has no setting for, checked by the transport.
pub fn operation_limits(state: &AppState) -> limits::OperationLimits {
    limits::OperationLimits {
        max_aliases: state.config.graphql.max_aliases,
        max_auth_mutations: 1,
    }
}

/// Attaches what one request needs: who is asking, from where, and a
/// fresh DataLoader (its cache must not outlive the request).
pub fn with_request_data(
    request: async_graphql::Request,
    state: &AppState,
    auth: Auth,
    ip: Option<IpAddr>,
) -> async_graphql::Request {
    request.data(auth).data(ClientIp(ip)).data(DataLoader::new(
        loaders::UserLoader::new(state.db.clone()),
        tokio::spawn,
    ))
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// Missing request data means "anonymous": a resolver can never be reached
/// with more rights than the HTTP layer granted.
pub(crate) fn auth<'a>(ctx: &Context<'a>) -> &'a Auth {
    ctx.data_opt::<Auth>().unwrap_or(&Auth::Anonymous)
}

pub(crate) fn client_ip(ctx: &Context<'_>) -> Option<IpAddr> {
    ctx.data_opt::<ClientIp>().and_then(|ip| ip.0)
}

/// `MaybeUndefined` to "change or keep": `None` keeps, `Some(None)` clears.
pub(crate) fn change(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
