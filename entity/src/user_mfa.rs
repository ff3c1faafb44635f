use sea_orm::entity::prelude::*;

/// A user's second factor. The TOTP secret is stored only encrypted
/// (AES-256-GCM, the user id as associated data); `secret_key_id` names
/// the configured key that encrypted it. No `Debug` of the plaintext ever
/// exists because the plaintext is never in this row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_mfa")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub secret_ciphertext: Option<Vec<u8>>,
    pub secret_nonce: Option<Vec<u8>>,
    pub secret_key_id: Option<String>,
    /// Set when the first code confirmed the enrolment: MFA is on.
    pub enabled_at: Option<DateTimeUtc>,
    /// The newest accepted TOTP time step; only later steps are accepted.
    pub last_used_step: Option<i64>,
    pub pending_ciphertext: Option<Vec<u8>>,
    pub pending_nonce: Option<Vec<u8>>,
    pub pending_key_id: Option<String>,
    pub pending_expires_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
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
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
