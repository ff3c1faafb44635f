use sea_orm::entity::prelude::*;

/// An append-only record of a security-relevant event. `actor_id` and
/// `subject_id` are plain columns, not foreign keys, so that the trail
/// survives the deletion of the users it mentions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub actor_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    /// The e-mail the event was about, kept as text for failed logins of unknown accounts.
    pub subject_email: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
