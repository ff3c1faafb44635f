//! The bounded pool that password hashes run in.
//!
//! A hash is seconds of CPU and megabytes of memory per hundred, so at most
//! `concurrency` run at once and the rest wait in a bounded line: a new
//! turn is refused at once when `queue` turns are already held, or when the
//! wait it would have is longer than `max_wait` (the turns ahead times the
//! recent wall time of one hash, which grows when other work starves the
//! low-priority hash threads or the argon2 cost is raised). Under a flood a
//! login that would only wait into the request timeout is told when to
//! retry instead, and the hashes that do run belong to requests still
//! waiting for their answer. The expected wait is an estimate: a turn
//! still without a permit `max_wait` after it was taken is shed then, so
//! no login waits for its hash longer than that, however slow the hashes
//! ahead of it turned out.
//!
//! The permit travels into the job and is released when the job ends, not
//! when the request gives up: a cancelled request (a client that hung up,
//! the request timeout) cannot let another hash start while its own is
//! still running.
//!
//! Hashes run on threads of their own, one per permit, at a lower
//! scheduling priority (`PASSWORD_HASH_NICE`, Linux): when a login flood
//! keeps every core hashing, the async workers answering everything else
//! (and PostgreSQL) still get a core as soon as they have work, instead of
//! waiting for the scheduler to slice it from a hash. When nothing else
//! runs, the hashes get the cores all the same. Tokio's blocking pool is
//! not used for this: its threads serve other blocking work too, and an
//! unprivileged process cannot raise a thread's priority back once
//! lowered.

use std::{
    panic::AssertUnwindSafe,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        mpsc, Arc, Mutex,
    },
    time::{Duration, Instant},
};

use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug, PartialEq, Eq)]
pub enum JobError {
    /// Every permit is taken and the line is full (by count or by the wait
    /// it would mean); `retry_after` is when it is expected to have drained.
    Busy { retry_after: Duration },
    /// The job panicked or the pool is closed.
    Failed,
}

/// The pool's bounds, from `PASSWORD_HASH_*`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Hashes computed at once, one thread each.
    pub concurrency: usize,
    /// Turns that may be held while every permit is taken.
    pub queue: usize,
    /// The longest expected wait a new turn may have.
    pub max_wait: Duration,
    /// The hash threads' niceness, 0 (as the rest) to 19 (lowest).
    pub nice: i32,
}

pub struct HashJobs {
    permits: Arc<Semaphore>,
    limits: Limits,
    waiting: AtomicUsize,
    running: Arc<AtomicUsize>,
    shed: AtomicU64,
    hash_time: Arc<HashTime>,
    /// To the hash threads; they end when it is dropped.
    threads: mpsc::Sender<Job>,
}

impl HashJobs {
    pub fn new(limits: Limits) -> std::io::Result<Self> {
        let limits = Limits {
            concurrency: limits.concurrency.max(1),
            ..limits
        };
        let (threads, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for index in 0..limits.concurrency {
            let jobs = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("rampart-hash-{index}"))
                .spawn(move || hash_thread(&jobs, limits.nice))?;
        }
        Ok(Self {
            permits: Arc::new(Semaphore::new(limits.concurrency)),
            limits,
            waiting: AtomicUsize::new(0),
            running: Arc::new(AtomicUsize::new(0)),
            shed: AtomicU64::new(0),
            hash_time: Arc::new(HashTime::default()),
            threads,
        })
    }

    /// Runs `job` on a hash thread within the limits.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobError> {
        let turn = self.reserve()?;
        self.run_in(turn, job).await
    }

    /// Takes a place in line now, for a hash that comes after other work:
    /// a login reserves before its database statements, so that under a
    /// flood the logins that would be shed anyway cost no database work
    /// and take no pooled connection from everyone else.
    pub fn reserve(&self) -> Result<Turn<'_>, JobError> {
        let ahead = self.waiting.fetch_add(1, Ordering::SeqCst);
        let place = Decrement(&self.waiting);
        // While a permit is free nothing waits at all, whatever the line.
        if self.permits.available_permits() > 0 {
            return Ok(Turn::new(place));
        }
        let wait = self.expected_wait(ahead);
        if ahead >= self.limits.queue || wait > self.limits.max_wait {
            self.shed.fetch_add(1, Ordering::Relaxed);
            return Err(JobError::Busy {
                retry_after: wait.max(Duration::from_secs(1)),
            });
        }
        Ok(Turn::new(place))
    }

    /// How long a turn with `ahead` turns before it, every permit taken,
    /// waits for its own hash to be done: the running round, the full
    /// rounds ahead of it, and its own hash.
    pub fn expected_wait(&self, ahead: usize) -> Duration {
        let rounds = ahead / self.limits.concurrency + 2;
        let recent = self.hash_time.recent();
        // More rounds than a u32 holds is a wait past any bound.
        u32::try_from(rounds).map_or(Duration::MAX, |rounds| recent.saturating_mul(rounds))
    }

    /// Runs `job` for a turn taken with [`reserve`](Self::reserve).
    pub async fn run_in<T: Send + 'static>(
        &self,
        turn: Turn<'_>,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobError> {
        let permit = self.permit_by_deadline(&turn).await?;
        drop(turn);
        let (answer, result) = oneshot::channel();
        let running = Arc::clone(&self.running);
        let hash_time = Arc::clone(&self.hash_time);
        let job: Job = Box::new(move || {
            // Cancelled before a thread took it: nobody would read the
            // result, so the hash is not computed at all.
            if answer.is_closed() {
                return;
            }
            running.fetch_add(1, Ordering::SeqCst);
            let counted = Decrement(&running);
            let started = Instant::now();
            let result = job();
            // Wall time, not CPU time: a hash thread starved by the request
            // workers takes longer to answer, and that is what a turn waits.
            hash_time.observe(started.elapsed());
            // The permit is back before the answer is: a client that sends
            // its next request as soon as it has this one's answer finds
            // the permit free, and is not shed by its own previous hash.
            drop(counted);
            drop(permit);
            let _ = answer.send(result);
        });
        // A permit is held, so one of the `concurrency` threads is free.
        self.threads.send(job).map_err(|_| JobError::Failed)?;
        result.await.map_err(|_| JobError::Failed)
    }

    /// A permit for `turn`, or `Busy` once `max_wait` has passed since the
    /// turn was taken: the wait it was admitted with is an estimate, and
    /// hashes slower than the recent ones (every core taken by other work)
    /// must not turn a login into one that waits into its client's timeout.
    async fn permit_by_deadline(
        &self,
        turn: &Turn<'_>,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, JobError> {
        let acquire = Arc::clone(&self.permits).acquire_owned();
        let Some(deadline) = turn.taken_at.checked_add(self.limits.max_wait) else {
            return acquire.await.map_err(|_| JobError::Failed);
        };
        match tokio::time::timeout_at(deadline.into(), acquire).await {
            Ok(permit) => permit.map_err(|_| JobError::Failed),
            Err(_) => {
                self.shed.fetch_add(1, Ordering::Relaxed);
                Err(JobError::Busy {
                    retry_after: self
                        .expected_wait(self.waiting())
                        .max(Duration::from_secs(1)),
                })
            }
        }
    }

    /// Jobs computing right now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Requests holding a turn: waiting for a permit, or doing the work
    /// before their hash.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Requests refused because the queue was full, since start.
    pub fn shed(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// The recent wall time of one hash (zero before the first).
    pub fn recent_hash_time(&self) -> Duration {
        self.hash_time.recent()
    }

    #[cfg(test)]
    fn observe_hash_time(&self, took: Duration) {
        self.hash_time.observe(took);
    }
}

/// A moving average of the hashes' wall time, in microseconds: each new
/// hash counts for an eighth, so one slow hash does not shed a line that
/// drains quickly, and a lasting slowdown shows within a few dozen.
#[derive(Default)]
struct HashTime(AtomicU64);

impl HashTime {
    fn observe(&self, took: Duration) {
        let sample = took
            .as_secs()
            .saturating_mul(1_000_000)
            .saturating_add(u64::from(took.subsec_micros()));
        // Two hashes ending at once may each average from the same value;
        // one of the two samples is then lost, which the average absorbs.
        let old = self.0.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            (old - old / 8).saturating_add(sample / 8)
        };
        self.0.store(new.max(1), Ordering::Relaxed);
    }

    fn recent(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
    }
}

/// One hash thread: lowers its own priority, then runs jobs until the
/// pool is dropped. A job that panics drops its permit and its answer
/// while unwinding (its request gets `Failed`), and the thread goes on.
fn hash_thread(jobs: &Mutex<mpsc::Receiver<Job>>, nice: i32) {
    lower_priority(nice);
    loop {
        let next = jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        let Ok(job) = next else { return };
        if std::panic::catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("a password hash job panicked");
        }
    }
}

/// Sets the calling thread's niceness. On Linux each thread has its own;
/// elsewhere it would be the whole process's, so nothing is changed.
fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    if nice != 0 {
        let thread = Some(rustix::thread::gettid());
        if let Err(error) = rustix::process::setpriority_process(thread, nice) {
            tracing::warn!(%error, nice, "could not lower the priority of a password hash thread");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// The calling thread's niceness (tests and the diagnostics).
#[cfg(target_os = "linux")]
pub fn current_thread_nice() -> std::io::Result<i32> {
    Ok(rustix::process::getpriority_process(Some(
        rustix::thread::gettid(),
    ))?)
}

/// A place in line for one hash; given back when dropped.
pub struct Turn<'a> {
    _place: Decrement<'a>,
    taken_at: Instant,
}

impl<'a> Turn<'a> {
    fn new(place: Decrement<'a>) -> Self {
        Self {
            _place: place,
            taken_at: Instant::now(),
        }
    }
}

/// Takes one off a counter when dropped (also on panic or cancellation).
struct Decrement<'a>(&'a AtomicUsize);

impl Drop for Decrement<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn limits(concurrency: usize, queue: usize) -> Limits {
        Limits {
            concurrency,
            queue,
            max_wait: Duration::from_secs(3600),
            nice: 0,
        }
    }

    /// A job's answer, with a pool failure as a test error.
    async fn answer<T: Send + 'static>(
        jobs: &HashJobs,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Box<dyn std::error::Error>> {
        jobs.run(job)
            .await
            .map_err(|e| format!("the pool failed: {e:?}").into())
    }

    fn turn(jobs: &HashJobs) -> Result<Turn<'_>, Box<dyn std::error::Error>> {
        jobs.reserve()
            .map_err(|e| format!("refused a turn: {e:?}").into())
    }

    /// Takes one of the pool's permits with a job that runs until the
    /// returned sender is used (or dropped).
    async fn hold_a_permit(
        jobs: &Arc<HashJobs>,
    ) -> (
        std::sync::mpsc::Sender<()>,
        tokio::task::JoinHandle<Result<Option<()>, JobError>>,
    ) {
        let before = jobs.running();
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let holder = {
            let jobs = Arc::clone(jobs);
            tokio::spawn(async move { jobs.run(move || hold.recv().ok()).await })
        };
        while jobs.running() == before {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        (release, holder)
    }

    /// A job that counts how many of its kind run at once, independently
    /// of the pool's own bookkeeping.
    fn counted_job(now: &Arc<AtomicUsize>, peak: &Arc<AtomicUsize>) -> impl FnOnce() + Send {
        let (now, peak) = (Arc::clone(now), Arc::clone(peak));
        move || {
            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(running, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(15));
            now.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn cancelled_requests_never_let_more_jobs_run_than_the_cap() -> TestResult {
        let jobs = Arc::new(HashJobs::new(limits(2, 1_000))?);
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut requests = Vec::new();
        for i in 0..60u64 {
            let (jobs, job) = (Arc::clone(&jobs), counted_job(&now, &peak));
            // Most requests give up long before their job could finish, as
            // a request timeout or a client hanging up would.
            let patience = Duration::from_millis(1 + i % 7);
            requests.push(tokio::spawn(async move {
                let _ = tokio::time::timeout(patience, jobs.run(job)).await;
            }));
        }
        for request in requests {
            request.await?;
        }
        while jobs.running() > 0 || now.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!(peak >= 1, "some jobs ran");
        assert!(peak <= 2, "{peak} jobs ran at once with a cap of 2");
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_queue_requests_are_refused_at_once() -> TestResult {
        let jobs = Arc::new(HashJobs::new(limits(1, 2))?);
        let (release, holder) = hold_a_permit(&jobs).await;
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let jobs = Arc::clone(&jobs);
                tokio::spawn(async move { jobs.run(|| 7).await })
            })
            .collect();
        while jobs.waiting() < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert!(matches!(jobs.run(|| 7).await, Err(JobError::Busy { .. })));
        assert_eq!(jobs.shed(), 1);
        release.send(())?;
        assert!(holder.await?.is_ok());
        for request in queued {
            assert_eq!(request.await?, Ok(7), "queued requests are served");
        }
        assert_eq!(jobs.waiting(), 0);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn turns_taken_ahead_of_the_hash_count_against_the_queue() -> TestResult {
        let jobs = Arc::new(HashJobs::new(limits(1, 2))?);
        let (release, holder) = hold_a_permit(&jobs).await;
        let first = turn(&jobs)?;
        let second = turn(&jobs)?;
        assert!(
            matches!(jobs.reserve(), Err(JobError::Busy { .. })),
            "refused before any work"
        );
        drop(first);
        let third = turn(&jobs).map_err(|e| format!("a place given back is free again: {e}"))?;
        release.send(())?;
        assert!(holder.await?.is_ok());
        assert_eq!(jobs.run_in(second, || 1).await, Ok(1));
        assert_eq!(jobs.run_in(third, || 2).await, Ok(2));
        assert_eq!(jobs.waiting(), 0);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_turn_whose_wait_would_pass_the_bound_is_refused_long_before_the_count_is(
    ) -> TestResult {
        // Seconds, not milliseconds: the turns admitted here must not reach
        // their deadline (the bound since they were taken) on a busy machine.
        let jobs = Arc::new(HashJobs::new(Limits {
            max_wait: Duration::from_secs(2),
            ..limits(1, 1_000)
        })?);
        jobs.observe_hash_time(Duration::from_millis(600));
        let (release, holder) = hold_a_permit(&jobs).await;
        // The running hash, then its own: 1.2 s. One more ahead: 1.8 s.
        let first = turn(&jobs)?;
        let second = turn(&jobs)?;
        // Three hash times ahead and its own, 2.4 s: past the bound, with
        // 997 places left in the count.
        assert_eq!(
            jobs.reserve().err(),
            Some(JobError::Busy {
                retry_after: Duration::from_millis(2_400)
            }),
        );
        // Hashes that got faster (the flood that starved them has passed)
        // shorten the expected wait, and the same place is given.
        for _ in 0..40 {
            jobs.observe_hash_time(Duration::from_millis(100));
        }
        let third = turn(&jobs)?;
        release.send(())?;
        assert!(holder.await?.is_ok());
        for turn in [first, second, third] {
            assert_eq!(jobs.run_in(turn, || 3).await, Ok(3));
        }
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_turn_still_waiting_at_the_bound_is_shed_then() -> TestResult {
        let jobs = Arc::new(HashJobs::new(Limits {
            max_wait: Duration::from_millis(50),
            ..limits(1, 1_000)
        })?);
        let (release, holder) = hold_a_permit(&jobs).await;
        // No hash has finished yet, so its expected wait is nothing and it
        // is admitted; the hash ahead of it then never ends.
        let admitted = turn(&jobs)?;
        let shed = jobs.shed();
        let outcome =
            tokio::time::timeout(Duration::from_secs(10), jobs.run_in(admitted, || 5)).await?;
        assert_eq!(
            outcome,
            Err(JobError::Busy {
                retry_after: Duration::from_secs(1)
            }),
            "shed at the bound, not left waiting, told to come back in no less than a second"
        );
        assert_eq!(jobs.shed(), shed + 1);
        assert_eq!(jobs.waiting(), 0, "its place is given back");
        release.send(())?;
        assert!(holder.await?.is_ok());
        assert_eq!(
            answer(&jobs, || 6).await?,
            6,
            "a turn with a permit free runs"
        );
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_retry_hint_is_when_the_line_should_have_drained() -> TestResult {
        let jobs = Arc::new(HashJobs::new(Limits {
            max_wait: Duration::from_secs(1),
            ..limits(2, 1_000)
        })?);
        // A cost at which one hash takes 1.5 s of wall time.
        jobs.observe_hash_time(Duration::from_millis(1_500));
        let (release_a, holder_a) = hold_a_permit(&jobs).await;
        let (release_b, holder_b) = hold_a_permit(&jobs).await;
        assert_eq!(
            jobs.reserve().err(),
            Some(JobError::Busy {
                retry_after: Duration::from_millis(3_000)
            }),
            "the running round and its own hash"
        );
        release_a.send(())?;
        release_b.send(())?;
        assert!(holder_a.await?.is_ok());
        assert!(holder_b.await?.is_ok());
        // With a permit free nothing waits, whatever the hash time.
        assert_eq!(answer(&jobs, || 4).await?, 4);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_hash_time_is_measured_on_the_jobs_themselves() -> TestResult {
        let jobs = HashJobs::new(limits(1, 8))?;
        assert_eq!(jobs.recent_hash_time(), Duration::ZERO);
        answer(&jobs, || std::thread::sleep(Duration::from_millis(20))).await?;
        let first = jobs.recent_hash_time();
        assert!(first >= Duration::from_millis(20), "{first:?}");
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_run_at_the_configured_lower_priority_and_workers_do_not() -> TestResult {
        // Relative to whatever niceness the test run itself has (a CI
        // runner may start it niced): a thread can only lower its priority.
        let worker = current_thread_nice()?;
        let jobs = HashJobs::new(Limits {
            nice: 10,
            ..limits(2, 8)
        })?;
        let hashing = answer(&jobs, current_thread_nice).await??;
        assert_eq!(hashing, worker.max(10), "the hash thread is niced");
        assert_eq!(current_thread_nice()?, worker, "the worker is not");
        let unchanged = HashJobs::new(limits(1, 8))?;
        assert_eq!(answer(&unchanged, current_thread_nice).await??, worker);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_job_fails_its_request_and_frees_its_permit() -> TestResult {
        let jobs = HashJobs::new(limits(1, 8))?;
        let failed = jobs.run(|| -> u8 { panic!("a broken hash") }).await;
        assert_eq!(failed, Err(JobError::Failed));
        assert_eq!(jobs.running(), 0);
        // The one thread survived and the one permit is free again.
        assert_eq!(jobs.run(|| 5).await, Ok(5));
        Ok(())
    }
}
