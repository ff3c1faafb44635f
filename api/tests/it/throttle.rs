//! The database-backed attempt counters, driven directly with a chosen
//! clock so that windows can end without waiting for them.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use rampart_api::auth::throttle::{hit_window, Decision};

use crate::{
    common::{Backend, TestApp},
    on_both_databases,
};

on_both_databases!(
    a_window_allows_its_limit_then_restarts_when_it_ends,
    concurrent_attempts_are_each_counted_once,
    windows_are_kept_per_key,
);

const MINUTE: Duration = Duration::from_secs(60);

async fn hit(app: &TestApp, key: &str, limit: u32, at: DateTime<Utc>) -> Option<Duration> {
    match hit_window(&app.state.db, key, limit, MINUTE, at)
        .await
        .unwrap()
    {
        Decision::Allowed => None,
        Decision::Limited { retry_after } => Some(retry_after),
    }
}

async fn a_window_allows_its_limit_then_restarts_when_it_ends(backend: Backend) {
    let app = TestApp::new(backend).await;
    // Whole seconds: PostgreSQL keeps microseconds, and the expected waits
    // below are exact.
    let start = Utc::now().trunc_subsecs(0);
    for second in 0..3 {
        let at = start + TimeDelta::seconds(second);
        assert_eq!(hit(&app, "t", 3, at).await, None, "attempt {second}");
    }
    let refused = hit(&app, "t", 3, start + TimeDelta::seconds(20)).await;
    assert_eq!(
        refused,
        Some(Duration::from_secs(40)),
        "until the window ends"
    );

    // Refused attempts count too, and the window still ends on time.
    let just_before = start + TimeDelta::seconds(59);
    assert!(hit(&app, "t", 3, just_before).await.is_some());
    let next_window = start + TimeDelta::seconds(60);
    for attempt in 0..3 {
        let at = next_window + TimeDelta::milliseconds(attempt);
        assert_eq!(
            hit(&app, "t", 3, at).await,
            None,
            "new window, attempt {attempt}"
        );
    }
    let refused = hit(&app, "t", 3, next_window + TimeDelta::seconds(30)).await;
    assert_eq!(refused, Some(Duration::from_secs(30)));
}

async fn concurrent_attempts_are_each_counted_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let now = Utc::now();
    let attempts = (0..24).map(|_| hit(&app, "burst", 10, now));
    let outcomes = futures_util::future::join_all(attempts).await;
    let allowed = outcomes.iter().filter(|o| o.is_none()).count();
    assert_eq!(allowed, 10, "exactly the limit gets through: {outcomes:?}");
}

async fn windows_are_kept_per_key(backend: Backend) {
    let app = TestApp::new(backend).await;
    let now = Utc::now();
    assert_eq!(hit(&app, "a", 1, now).await, None);
    assert!(hit(&app, "a", 1, now).await.is_some());
    assert_eq!(
        hit(&app, "b", 1, now).await,
        None,
        "another key has its own budget"
    );
}
