//! The bounded pool that password hashes run in.
//!
//! A hash is seconds of CPU and megabytes of memory per hundred, so at most
//! `concurrency` run at once, at most `queue_limit` more wait for a turn,
//! and the rest are refused at once: under a flood a login that would only
//! wait into the request timeout is told to retry instead, and the hashes
//! that do run belong to requests still waiting for their answer.
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
};

use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug, PartialEq, Eq)]
pub enum JobError {
    /// Every permit is taken and the queue is full.
    Busy,
    /// The job panicked or the pool is closed.
    Failed,
}

pub struct HashJobs {
    permits: Arc<Semaphore>,
    queue_limit: usize,
    waiting: AtomicUsize,
    running: Arc<AtomicUsize>,
    shed: AtomicU64,
    /// To the hash threads; they end when it is dropped.
    threads: mpsc::Sender<Job>,
}

impl HashJobs {
    /// `nice`: the hash threads' niceness, 0 (as the rest) to 19 (lowest).
    pub fn new(concurrency: usize, queue_limit: usize, nice: i32) -> std::io::Result<Self> {
        let concurrency = concurrency.max(1);
        let (threads, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for index in 0..concurrency {
            let jobs = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("rampart-hash-{index}"))
                .spawn(move || hash_thread(&jobs, nice))?;
        }
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            queue_limit,
            waiting: AtomicUsize::new(0),
            running: Arc::new(AtomicUsize::new(0)),
            shed: AtomicU64::new(0),
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
        let before = self.waiting.fetch_add(1, Ordering::SeqCst);
        let place = Decrement(&self.waiting);
        // Within the queue's bound, or beyond it only while a permit is
        // free (then nothing waits at all).
        if before >= self.queue_limit && self.permits.available_permits() == 0 {
            self.shed.fetch_add(1, Ordering::Relaxed);
            return Err(JobError::Busy);
        }
        Ok(Turn { _place: place })
    }

    /// Runs `job` for a turn taken with [`reserve`](Self::reserve).
    pub async fn run_in<T: Send + 'static>(
        &self,
        turn: Turn<'_>,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| JobError::Failed)?;
        drop(turn);
        let (answer, result) = oneshot::channel();
        let running = Arc::clone(&self.running);
        let job: Job = Box::new(move || {
            // Cancelled before a thread took it: nobody would read the
            // result, so the hash is not computed at all.
            if answer.is_closed() {
                return;
            }
            running.fetch_add(1, Ordering::SeqCst);
            let counted = Decrement(&running);
            let result = job();
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
    use std::time::Duration;

    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A job's answer, with a pool failure as a test error.
    async fn answer<T: Send + 'static>(
        jobs: &HashJobs,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Box<dyn std::error::Error>> {
        jobs.run(job)
            .await
            .map_err(|e| format!("the pool failed: {e:?}").into())
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
        let jobs = Arc::new(HashJobs::new(2, 1_000, 0)?);
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
            request.await.unwrap();
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
        let jobs = Arc::new(HashJobs::new(1, 2, 0)?);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let holder = {
            let jobs = Arc::clone(&jobs);
            tokio::spawn(async move { jobs.run(move || hold.recv().ok()).await })
        };
        while jobs.running() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let jobs = Arc::clone(&jobs);
                tokio::spawn(async move { jobs.run(|| 7).await })
            })
            .collect();
        while jobs.waiting() < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(jobs.run(|| 7).await, Err(JobError::Busy));
        assert_eq!(jobs.shed(), 1);
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        for request in queued {
            assert_eq!(request.await.unwrap(), Ok(7), "queued requests are served");
        }
        assert_eq!(jobs.waiting(), 0);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn turns_taken_ahead_of_the_hash_count_against_the_queue() -> TestResult {
        let jobs = Arc::new(HashJobs::new(1, 2, 0)?);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let holder = {
            let jobs = Arc::clone(&jobs);
            tokio::spawn(async move { jobs.run(move || hold.recv().ok()).await })
        };
        while jobs.running() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let first = jobs.reserve().expect("a place");
        let second = jobs.reserve().expect("a place");
        assert_eq!(
            jobs.reserve().err(),
            Some(JobError::Busy),
            "before any work"
        );
        drop(first);
        let third = jobs.reserve().expect("a place given back is free again");
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        assert_eq!(jobs.run_in(second, || 1).await, Ok(1));
        assert_eq!(jobs.run_in(third, || 2).await, Ok(2));
        assert_eq!(jobs.waiting(), 0);
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_run_at_the_configured_lower_priority_and_workers_do_not() -> TestResult {
        // Relative to whatever niceness the test run itself has (a CI
        // runner may start it niced): a thread can only lower its priority.
        let worker = current_thread_nice()?;
        let jobs = HashJobs::new(2, 8, 10)?;
        let hashing = answer(&jobs, current_thread_nice).await??;
        assert_eq!(hashing, worker.max(10), "the hash thread is niced");
        assert_eq!(current_thread_nice()?, worker, "the worker is not");
        let unchanged = HashJobs::new(1, 8, 0)?;
        assert_eq!(answer(&unchanged, current_thread_nice).await??, worker);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_job_fails_its_request_and_frees_its_permit() -> TestResult {
        let jobs = HashJobs::new(1, 8, 0)?;
        let failed = jobs.run(|| -> u8 { panic!("a broken hash") }).await;
        assert_eq!(failed, Err(JobError::Failed));
        assert_eq!(jobs.running(), 0);
        // The one thread survived and the one permit is free again.
        assert_eq!(jobs.run(|| 5).await, Ok(5));
        Ok(())
    }
}
