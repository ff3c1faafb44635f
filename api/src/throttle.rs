//! Attempt counters kept in the database, so that every API replica sees the
//! same state and a restart does not reset an attacker's budget.
//!
//! Two shapes: a fixed window ("at most N per minute from this IP") and the
//! per-account login backoff ("after 5 failures, wait 1 s, doubling to 15
//! minutes, and never more than 100 failures an hour").

use std::{
    net::{IpAddr, Ipv6Addr},
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use entity::throttle;
use sea_orm::{
    sea_query::{Expr, InsertStatement, OnConflict, Query},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, IdenStatic,
    IntoActiveModel, QueryFilter, QuerySelect, Set, TransactionTrait,
};

use crate::{config::ThrottleConfig, error::AppError};

/// The per-account throttle key that failed logins, every other wrong
/// password of the account and every wrong second-factor code count
/// against: one budget, so a guesser cannot split attempts between them.
pub fn account_key(email: &str) -> String {
    format!("login-account:{email}")
}

pub enum Decision {
    Allowed,
    Limited { retry_after: Duration },
}

/// Counts one attempt for `key` in a fixed window of `window` and says
/// whether it is within `limit`.
///
/// One atomic upsert that returns the new count: every replica's attempt is
/// counted exactly once without a transaction or a row lock held across
/// round trips (this runs before every log-in, sign-up and reset).
pub async fn hit_window<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: u32,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Decision, AppError> {
    use throttle::Column;
    let statement = count_in_window(key, window, now)?;
    let row = db
        .query_one(db.get_database_backend().build(&statement))
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("throttle upsert returned no row")))?;
    let count: i32 = row.try_get("", Column::Count.as_str())?;
    let started: DateTime<Utc> = row.try_get("", Column::WindowStartedAt.as_str())?;
    let limited = count as u32 > limit;
    crate::metrics::throttle_decision(scope_of(key), limited);
    if limited {
        let retry_after = (started + window - now)
            .to_std()
            .unwrap_or(Duration::from_secs(1));
        return Ok(Decision::Limited { retry_after });
    }
    Ok(Decision::Allowed)
}

/// Whether `key` is already over `limit` in its current window, without
/// counting anything: for budgets that only failures spend (invalid
/// refresh tokens), checked before the attempt so that, once spent, a
/// guess is refused without being tried.
pub async fn window_exceeded<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: u32,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Decision, AppError> {
    let Some(row) = throttle::Entity::find_by_id(key.to_owned()).one(db).await? else {
        return Ok(Decision::Allowed);
    };
    let ends = row.window_started_at + TimeDelta::from_std(window).unwrap_or(TimeDelta::MAX);
    let limited = row.count as u32 > limit && ends > now;
    crate::metrics::throttle_decision(scope_of(key), limited);
    if limited {
        let retry_after = (ends - now).to_std().unwrap_or(Duration::from_secs(1));
        return Ok(Decision::Limited { retry_after });
    }
    Ok(Decision::Allowed)
}

/// The per-IP key of a budget: `auth-ip:203.0.113.9`, or for IPv6 the
/// client's /64 (`auth-ip:2001:db8:7:9::/64`): one subscriber or host gets
/// a whole /64, so counting single IPv6 addresses would give every guess a
/// fresh budget. An IPv4 address a dual-stack socket reports as
/// `::ffff:203.0.113.9` is counted as the IPv4 address it is (its /64
/// would lump every IPv4 client together).
pub fn ip_key(scope: &str, ip: Option<IpAddr>) -> String {
    let client = match ip.map(|ip| ip.to_canonical()) {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let network = u128::from(v6) & !(u128::MAX >> 64);
            format!("{}/64", Ipv6Addr::from(network))
        }
    };
    format!("{scope}-ip:{client}")
}

/// The key's namespace, as a metric label from a closed set.
pub fn scope_of(key: &str) -> &'static str {
    const SCOPES: &[&str] = &[
        "auth-ip",
        "recovery-ip",
        "recovery-account",
        "login-account",
        "refresh-ip",
        "verification-ip",
        "verification-account",
        "email-change-account",
    ];
    let prefix = key.split(':').next().unwrap_or_default();
    SCOPES
        .iter()
        .find(|scope| **scope == prefix)
        .copied()
        .unwrap_or("other")
}

/// `INSERT` a fresh window with a count of 1, or on conflict add one to the
/// existing window, or restart it if it ended; `RETURNING` the result.
fn count_in_window(
    key: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<InsertStatement, AppError> {
    use throttle::Column;
    let existing = |column: Column| Expr::col((throttle::Entity, column));
    let window_ended = || {
        let window = TimeDelta::from_std(window).unwrap_or(TimeDelta::MAX);
        let cutoff = now
            .checked_sub_signed(window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        existing(Column::WindowStartedAt).lte(cutoff)
    };
    let restart_or_count = [
        (
            Column::Count,
            Expr::case(window_ended(), 1)
                .finally(existing(Column::Count).add(1))
                .into(),
        ),
        (
            Column::WindowStartedAt,
            Expr::case(window_ended(), now)
                .finally(existing(Column::WindowStartedAt))
                .into(),
        ),
        (Column::UpdatedAt, Expr::value(now)),
    ];
    let no_lock: Option<DateTime<Utc>> = None;
    let fresh_window = [
        key.into(),
        1.into(),
        now.into(),
        0.into(),
        no_lock.into(),
        now.into(),
    ];
    Ok(Query::insert()
        .into_table(throttle::Entity)
        .columns([
            Column::Key,
            Column::Count,
            Column::WindowStartedAt,
            Column::ConsecutiveFailures,
            Column::LockedUntil,
            Column::UpdatedAt,
        ])
        .values(fresh_window)
        .map_err(|e| AppError::internal(anyhow::anyhow!("building the throttle upsert: {e}")))?
        .on_conflict(
            OnConflict::column(Column::Key)
                .values(restart_or_count)
                .to_owned(),
        )
        .returning(Query::returning().columns([Column::Count, Column::WindowStartedAt]))
        .to_owned())
}

/// Like [`hit_window`] but returns `RATE_LIMITED` when over the limit.
pub async fn enforce_window<C: ConnectionTrait>(
    db: &C,
    key: &str,
    limit: u32,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    match hit_window(db, key, limit, window, now).await? {
        Decision::Allowed => Ok(()),
        Decision::Limited { retry_after } => Err(rate_limited(retry_after)),
    }
}

/// A throttle row untouched this long has no window or lock left (windows
/// last a minute or an hour, locks at most `LOGIN_BACKOFF_MAX_SECS`): the
/// sweep deletes it. An account's consecutive-failure count is forgotten
/// with it, so a day of silence gives a guesser the few free attempts
/// before the backoff again, not a fresh hourly budget.
pub const STALE_AFTER: TimeDelta = TimeDelta::days(1);

/// Deletes rows untouched for [`STALE_AFTER`] whose lock, if any, ended;
/// returns how many.
pub async fn prune_stale<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, AppError> {
    let unlocked = sea_orm::Condition::any()
        .add(throttle::Column::LockedUntil.is_null())
        .add(throttle::Column::LockedUntil.lt(now));
    let deleted = throttle::Entity::delete_many()
        .filter(throttle::Column::UpdatedAt.lt(now - STALE_AFTER))
        .filter(unlocked)
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// `RATE_LIMITED` with the wait rounded up: a client that waits exactly
/// this long gets through.
pub fn rate_limited(retry_after: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_secs: retry_after.as_secs_f64().ceil().max(1.0) as u64,
    }
}

/// What a log-in needs to know about its account's throttle row, read once.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoginAccount {
    pub locked: bool,
    /// How long the lock lasts from now, when locked.
    pub retry_after: Duration,
    /// A success has a backoff to end (see [`record_login_success`]).
    pub has_failures: bool,
}

pub async fn login_account<C: ConnectionTrait>(
    db: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<LoginAccount, AppError> {
    let row = throttle::Entity::find_by_id(key.to_owned()).one(db).await?;
    Ok(row.map_or_else(LoginAccount::default, |row| {
        let locked_for = row
            .locked_until
            .and_then(|until| (until - now).to_std().ok())
            .filter(|left| !left.is_zero());
        LoginAccount {
            locked: locked_for.is_some(),
            retry_after: locked_for.unwrap_or_default(),
            has_failures: row.consecutive_failures != 0 || row.locked_until.is_some(),
        }
    }))
}

pub async fn record_login_failure<C: TransactionTrait>(
    db: &C,
    key: &str,
    config: &ThrottleConfig,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let hour = Duration::from_secs(3600);
    let txn = db.begin().await?;
    let row = load_for_update(&txn, key, now).await?;
    let (failures_this_hour, started) = next_window_count(&row, hour, now);
    let consecutive = row.consecutive_failures.saturating_add(1);
    let mut locked_until = row.locked_until.filter(|until| *until > now);

    let after = config.login_backoff_after_failures as i32;
    if consecutive >= after {
        let doublings = (consecutive - after).min(30) as u32;
        let backoff = config
            .login_backoff_base
            .saturating_mul(2u32.saturating_pow(doublings));
        let backoff = backoff.min(config.login_backoff_max);
        locked_until = locked_until.max(Some(now + backoff));
    }
    if failures_this_hour as u32 >= config.login_max_failures_per_hour {
        locked_until = locked_until.max(Some(started + hour));
    }

    let mut active = row.into_active_model();
    active.count = Set(failures_this_hour);
    active.window_started_at = Set(started);
    active.consecutive_failures = Set(consecutive);
    active.locked_until = Set(locked_until);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// A successful login ends the backoff but keeps the hourly failure count.
/// Callers skip it when [`LoginAccount::has_failures`] is false, which is
/// nearly always: a log-in then writes nothing here.
pub async fn record_login_success<C: ConnectionTrait>(
    db: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    throttle::Entity::update_many()
        .col_expr(throttle::Column::ConsecutiveFailures, Expr::value(0))
        .col_expr(
            throttle::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(throttle::Column::UpdatedAt, Expr::value(now))
        .filter(throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

fn next_window_count(
    row: &throttle::Model,
    window: Duration,
    now: DateTime<Utc>,
) -> (i32, DateTime<Utc>) {
    let expired =
        now - row.window_started_at >= chrono::TimeDelta::from_std(window).unwrap_or_default();
    if expired {
        (1, now)
    } else {
        (row.count.saturating_add(1), row.window_started_at)
    }
}

/// Makes sure the row exists, then reads it; on PostgreSQL the row is locked
/// until the transaction ends so concurrent replicas count correctly
/// (SQLite serialises writers on its own).
async fn load_for_update<C: ConnectionTrait>(
    txn: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<throttle::Model, AppError> {
    let fresh = throttle::ActiveModel {
        key: Set(key.to_owned()),
        count: Set(0),
        window_started_at: Set(now),
        consecutive_failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    };
    // Twice at most: the sweep (`prune_stale`) may delete a stale row
    // between the insert that found it present and the read; the second
    // insert then creates it.
    for _ in 0..2 {
        throttle::Entity::insert(fresh.clone())
            .on_conflict(
                OnConflict::column(throttle::Column::Key)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        let mut query = throttle::Entity::find_by_id(key.to_owned());
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            query = query.lock_exclusive();
        }
        if let Some(row) = query.one(txn).await? {
            return Ok(row);
        }
    }
    Err(AppError::internal(anyhow::anyhow!(
        "throttle row {key} vanished"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        let key = |ip: &str| ip_key("auth", Some(ip.parse().unwrap()));
        assert_eq!(key("203.0.113.9"), "auth-ip:203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "auth-ip:203.0.113.9");
        assert_eq!(key("2001:db8:7:9::1"), "auth-ip:2001:db8:7:9::/64");
        assert_eq!(
            key("2001:db8:7:9:ffff:ffff:ffff:ffff"),
            key("2001:db8:7:9::abcd")
        );
        assert_ne!(key("2001:db8:7:9::1"), key("2001:db8:7:a::1"));
        assert_eq!(ip_key("auth", None), "auth-ip:unknown");
    }
}
