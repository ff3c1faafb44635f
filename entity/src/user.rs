use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stored lower-cased so the unique index is case-insensitive on every backend.
    #[sea_orm(unique)]
    pub email: String,
    pub full_name: Option<String>,
    pub password_hash: String,
    pub is_active: bool,
    pub is_superuser: bool,
    /// Access tokens issued before this instant are refused (revocation
    /// of every session at once; single sessions are revoked in `sessions`).
    pub tokens_valid_after: DateTimeUtc,
    /// When the address was proven to be the owner's (a link from it was
    /// used, or a superuser set it); `None` until then.
    pub email_verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::email_token::Entity")]
    EmailToken,
    #[sea_orm(has_many = "super::item::Entity")]
    Item,
    #[sea_orm(has_many = "super::password_reset_token::Entity")]
    PasswordResetToken,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
    #[sea_orm(has_one = "super::user_mfa::Entity")]
    UserMfa,
}

impl Related<super::email_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::EmailToken.def()
    }
}

impl Related<super::item::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Item.def()
    }
}

impl Related<super::password_reset_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PasswordResetToken.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl Related<super::user_mfa::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserMfa.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
