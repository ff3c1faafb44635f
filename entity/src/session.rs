use sea_orm::entity::prelude::*;

/// One sign-in. Only the SHA-256 of the current refresh token is stored;
/// access tokens name the session (`sid`) and are refused once it is
/// revoked or past either deadline.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(unique)]
    pub refresh_hash: String,
    pub created_at: DateTimeUtc,
    /// Updated on refresh only, never per request.
    pub last_used_at: DateTimeUtc,
    /// The absolute end, whatever the use.
    pub expires_at: DateTimeUtc,
    /// The end if no refresh comes first (never after `expires_at`).
    pub idle_expires_at: DateTimeUtc,
    pub created_ip: Option<String>,
    pub created_user_agent: Option<String>,
    pub last_ip: Option<String>,
    pub last_user_agent: Option<String>,
    pub remember_me: bool,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
    pub reuse_notice_pending: bool,
    /// Opened with a second factor (TOTP or a recovery code).
    pub mfa_used: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(has_many = "super::rotated_refresh_token::Entity")]
    RotatedRefreshToken,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::rotated_refresh_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RotatedRefreshToken.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
