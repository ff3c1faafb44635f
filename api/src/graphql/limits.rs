//! Operation limits async-graphql has no knob for: fields, aliases and
//! auth mutations per operation.
//!
//! Why: 200 aliased `login` fields in one document are 200 password guesses
//! in one request, and `__typename` costs zero complexity, so the
//! complexity limit alone stops neither 500 aliased logins nor 500 plain
//! repetitions of `__typename` (each one executed and answered).

use async_graphql::{
    parser::types::{
        ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
    },
    ErrorExtensionValues, Name, Positioned, ServerError, ServerResult,
};

use crate::error::code;

/// Mutations that guess or spend a secret; one per document.
const AUTH_MUTATIONS: &[&str] = &[
    "login",
    "completeMfaLogin",
    "signup",
    "recoverPassword",
    "resetPassword",
    // One rotation per request: a second in the same document would present
    // the token the first just rotated away.
    "refreshSession",
    "logout",
    // Each spends a link token or sends e-mail (issue 14): batching them
    // would multiply guesses or messages past the per-request budgets.
    "verifyEmail",
    "resendVerificationEmail",
    "requestEmailChange",
    "confirmEmailChange",
];

/// Checked by the HTTP transport on the parsed document, before the request
/// is authenticated or executed.
///
/// Not an async-graphql `Extension`: with any extension registered the
/// executor takes its slow path for every field of every response (a
/// schema lookup, an allocation and an extra future per field), which cost
/// the 100-item list about a fifth of its throughput (docs/benchmarks.md).
#[derive(Clone, Copy, Debug)]
pub struct OperationLimits {
    pub max_fields: usize,
    pub max_aliases: usize,
    pub max_auth_mutations: usize,
}

impl OperationLimits {
    pub fn check(&self, document: &ExecutableDocument) -> ServerResult<()> {
        for (_, operation) in document.operations.iter() {
            let mut counter = Counter {
                document,
                fields: 0,
                aliases: 0,
                auth_mutations: 0,
                budget: 10_000,
            };
            let is_mutation = operation.node.ty == OperationType::Mutation;
            counter.walk(
                &operation.node.selection_set.node,
                is_mutation,
                &mut Vec::new(),
            );
            if counter.fields > self.max_fields {
                return Err(limit_error(format!(
                    "Operation selects {} fields; at most {} are allowed.",
                    counter.fields, self.max_fields
                )));
            }
            if counter.aliases > self.max_aliases {
                return Err(limit_error(format!(
                    "Operation uses {} aliases; at most {} are allowed.",
                    counter.aliases, self.max_aliases
                )));
            }
            if counter.auth_mutations > self.max_auth_mutations {
                return Err(limit_error(format!(
                    "Only {} sign-in, sign-up or password-recovery operation may run per request.",
                    self.max_auth_mutations
                )));
            }
        }
        Ok(())
    }
}

struct Counter<'a> {
    document: &'a ExecutableDocument,
    /// Fields selected, with fragments expanded where they are spread.
    fields: usize,
    aliases: usize,
    auth_mutations: usize,
    /// Bounds the walk: fragments spread inside fragments can expand
    /// exponentially before validation has rejected anything.
    budget: usize,
}

impl<'a> Counter<'a> {
    /// Walks a selection set, expanding fragments; `top_level_mutation` is
    /// true while the fields are the mutation root's own.
    fn walk(&mut self, set: &'a SelectionSet, top_level_mutation: bool, stack: &mut Vec<&'a Name>) {
        for selection in &set.items {
            if self.budget == 0 {
                // Treat an exhausted budget as a flood of fields.
                self.fields = usize::MAX;
                return;
            }
            self.budget -= 1;
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.fields += 1;
                    if field.alias.is_some() {
                        self.aliases += 1;
                    }
                    if top_level_mutation && AUTH_MUTATIONS.contains(&field.name.node.as_str()) {
                        self.auth_mutations += 1;
                    }
                    self.walk(&field.selection_set.node, false, stack);
                }
                Selection::InlineFragment(fragment) => {
                    self.walk(&fragment.node.selection_set.node, top_level_mutation, stack);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // A cycle is a validation error reported later; just don't loop.
                    if stack.contains(&name) {
                        continue;
                    }
                    if let Some(Positioned {
                        node: FragmentDefinition { selection_set, .. },
                        ..
                    }) = self.document.fragments.get(name)
                    {
                        stack.push(name);
                        self.walk(&selection_set.node, top_level_mutation, stack);
                        stack.pop();
                    }
                }
            }
        }
    }
}

/// The parser's message quotes the offending line of the document (all of a
/// 64 KiB one-line document); the client gets what was expected and where.
pub fn syntax_error(parsed: ServerError) -> ServerError {
    let expected = parsed
        .message
        .lines()
        .rev()
        .find_map(|line| line.trim_start().strip_prefix("= "))
        .filter(|hint| hint.len() <= 200);
    let message = match expected {
        Some(hint) => format!("Syntax error: {hint}."),
        None if !parsed.message.contains('\n') && parsed.message.len() <= 200 => {
            format!("Syntax error: {}", parsed.message)
        }
        None => "Syntax error.".to_owned(),
    };
    let mut error = limit_error(message);
    error.locations = parsed.locations;
    error
}

fn limit_error(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code::BAD_USER_INPUT);
    error.extensions = Some(extensions);
    error
}
