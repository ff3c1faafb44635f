//! What every resolver needs: the request's state and caller through one
//! accessor, the plain confirmation type, and the "change or keep" helper.
//! The domains' `graphql.rs` files import this; `graphql/` (the schema)
//! imports them, so the layers point one way.

use async_graphql::{Context, ErrorExtensions, MaybeUndefined, SimpleObject};

use crate::{
    caller::{Auth, Caller},
    error::AppError,
    state::AppState,
};

/// Missing request data means "anonymous": a resolver can never be reached
/// with more rights than the transport granted.
static ANONYMOUS: Caller = Caller {
    auth: Auth::Anonymous,
    ip: None,
    request_id: String::new(),
    user_agent: None,
    refresh_cookie: None,
    mfa_cookie: None,
};

/// The state the schema was built with and the caller the transport
/// attached to this request.
pub fn request<'a>(ctx: &Context<'a>) -> async_graphql::Result<(&'a AppState, &'a Caller)> {
    let state = ctx.data::<AppState>().map_err(|_| {
        AppError::internal(anyhow::anyhow!("schema built without AppState")).extend()
    })?;
    let caller = ctx.data_opt::<Caller>().unwrap_or(&ANONYMOUS);
    Ok((state, caller))
}

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

/// `MaybeUndefined` to "change or keep": `None` keeps, `Some(None)` clears.
pub fn change(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
