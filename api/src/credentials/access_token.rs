//! Access tokens: HS256 JWTs with the algorithm pinned and `sub`, `exp`,
//! `iat`, `iss` and `aud` required (RFC 8725), and the session they belong
//! to (`sid`). Revocation is not in the token: the session (and the user's
//! `tokens_valid_after`) is checked on every request.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::JwtConfig;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    /// The session the token was issued for. A token without one (issued
    /// before sessions existed) fails to decode and is refused.
    pub sid: Uuid,
    pub exp: i64,
    pub iat: i64,
    /// Issue time in milliseconds: `iat` has whole seconds, too coarse to
    /// tell a token issued just before a password change from one just after.
    pub iat_ms: i64,
    pub iss: String,
    pub aud: String,
}

pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub expires_in: Duration,
}

#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl AccessTokens {
    pub fn new(config: &JwtConfig) -> Self {
        let secret = config.secret.expose_secret().as_bytes();
        // Only HS256 is accepted: `alg: none` and algorithm-confusion tokens fail.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["sub", "exp", "iat", "iss", "aud"]);
        validation.set_issuer(&[config.issuer.as_str()]);
        validation.set_audience(&[config.audience.as_str()]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl: config.ttl,
        }
    }

    pub fn issue(
        &self,
        user_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IssuedToken> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            iat_ms: now.timestamp_millis(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(IssuedToken {
            token,
            expires_at,
            expires_in: self.ttl,
        })
    }

    /// Checks signature, algorithm, expiry, issuer and audience. The caller
    /// still has to check the user and the session (exist, active, live).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}
