package io.github.spectral4j.simd.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The threads the GEMM kernels may use: a {@link Team} of {@code parallelism − 1} spinning daemon workers
 * for one calling thread at a time, a dedicated {@link ForkJoinPool} of daemon threads for any other, and
 * the configured parallelism ({@code -Dspectral4j.threads}, default: available processors). The calling
 * thread always runs one share of the work itself.
 */
public final class Parallel {
  /** System property giving the default number of GEMM threads. */
  public static final String THREADS_PROPERTY = "spectral4j.threads";

  private static final System.Logger LOG = System.getLogger("io.github.spectral4j.simd");
  private static volatile int parallelism = initialParallelism();
  private static ForkJoinPool pool;

  private Parallel() {}

  /** The number of threads GEMM may use (≥ 1). */
  public static int parallelism() {
    return parallelism;
  }

  /** Sets the number of threads GEMM may use; must be ≥ 1 (checked by the facade). */
  public static synchronized void setParallelism(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + threads);
    }
    parallelism = threads;
  }

  private static int initialParallelism() {
    int available = Runtime.getRuntime().availableProcessors();
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null || value.isBlank()) {
      return available;
    }
    try {
      int threads = Integer.parseInt(value.trim());
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // fall through to the warning
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "-D" + THREADS_PROPERTY + "=" + value + " is not a positive integer; using " + available + " threads");
    return available;
  }

  private static synchronized ForkJoinPool pool(int workers) {
    if (pool == null || pool.getParallelism() < workers) {
      // A smaller pool is dropped, not shut down: a concurrent call may still submit to it, and its idle
      // workers end by themselves after the pool's keep-alive time.
      pool = new ForkJoinPool(workers, Parallel::newThread, null, false);
    }
    return pool;
  }

  private static ForkJoinWorkerThread newThread(ForkJoinPool owner) {
    ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(owner);
    thread.setName("spectral4j-gemm-" + thread.getPoolIndex());
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Runs {@code body.accept(t)} for every t in [0, tasks): t = 0 on the calling thread, the others on other
   * threads; returns when all are done and rethrows the first failure (of the lowest t). Up to
   * {@link #parallelism()} tasks run on the {@link Team} of spinning workers when no other thread holds it;
   * otherwise a thread outside the pool reuses its own share tasks on the pool (allocated on its first call,
   * grown with the task count). Either way a steady-state training step allocates nothing on any thread
   * count. A nested call from a share of a team job that already keeps all {@link #parallelism()} threads
   * busy (the MLP's diagnostics measure their layers that way, and their kernels fork) runs its tasks one
   * after another on the calling thread: pool workers forked there could only wait for a core behind the
   * team's threads. Same results, since every kernel's split is bit for bit its one-thread result. Another
   * nested call from a share of the team's takes the pool path
   * (the team is held); one from a pool worker, or from a share of the pool path, takes the allocating path,
   * which joins by helping the pool and so cannot deadlock.
   */
  public static void forEach(int tasks, IntConsumer body) {
    if (tasks == 1) {
      body.accept(0);
      return;
    }
    if (tasks <= parallelism && Team.run(tasks, body)) {
      return;
    }
    if (Team.inShareOfFullJob(parallelism)) {
      forEachInline(tasks, body);
      return;
    }
    if (!(Thread.currentThread() instanceof ForkJoinWorkerThread)) {
      Shares shares = SHARES.get();
      if (!shares.busy) {
        shares.run(pool(tasks - 1), tasks, body);
        return;
      }
    }
    forEachAllocating(tasks, body);
  }

  /** Runs every task on this thread, in order; rethrows the first failure (of the lowest t) after all ran. */
  private static void forEachInline(int tasks, IntConsumer body) {
    Throwable failure = null;
    for (int t = 0; t < tasks; t++) {
      try {
        body.accept(t);
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    rethrow(failure);
  }

  /** Throws {@code failure} (a RuntimeException or an Error, as the forks catch them) unless it is null. */
  private static void rethrow(Throwable failure) {
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }

  private static final ThreadLocal<Shares> SHARES = ThreadLocal.withInitial(Shares::new);

  /**
   * A forked job whose arguments live in the fields of a subclass, so that a kernel keeps one per calling
   * thread and reuses it from call to call: a capturing lambda handed to {@link #forEach} would allocate
   * on every forked call of a training step or a solver's pass. {@link #claim} tells whether this thread's
   * job is free (a nested call, from one of its shares, must build a fresh job or a lambda instead).
   */
  abstract static class Job implements IntConsumer {
    private boolean busy;

    /** Whether the job is free; if so it is now taken until {@link #run} returns. */
    final boolean claim() {
      if (busy) {
        return false;
      }
      busy = true;
      return true;
    }

    /** Runs {@code accept(t)} for t in [0, tasks) as {@link #forEach}, then releases the job and {@link #clear}s it. */
    final void run(int tasks) {
      try {
        forEach(tasks, this);
      } finally {
        busy = false;
        clear();
      }
    }

    /** Drops the references to the caller's arrays, so that an idle job keeps nothing alive. */
    abstract void clear();
  }

  /**
   * One calling thread's reusable share tasks. A share's {@code exec} returns false, so the pool never marks
   * it done and never writes to it after it ran: it can be submitted again once {@code pending} reaches 0.
   * Completion is counted here, not joined through the pool, whose blocking join allocates a wait node.
   */
  private static final class Shares {
    final AtomicInteger pending = new AtomicInteger();
    volatile Thread waiter;
    boolean busy;
    Share[] shares = new Share[0];

    void run(ForkJoinPool workers, int tasks, IntConsumer body) {
      if (shares.length < tasks) {
        Share[] grown = java.util.Arrays.copyOf(shares, tasks);
        for (int t = shares.length; t < tasks; t++) {
          grown[t] = new Share(this, t);
        }
        shares = grown;
      }
      busy = true;
      try {
        pending.set(tasks - 1);
        for (int t = 1; t < tasks; t++) {
          Share s = shares[t];
          s.body = body;
          s.failure = null;
          workers.execute(s);
        }
        Throwable failure = null;
        try {
          body.accept(0);
        } catch (RuntimeException | Error e) {
          failure = e;
        }
        await();
        for (int t = 1; t < tasks; t++) {
          Share s = shares[t];
          if (failure == null) {
            failure = s.failure;
          }
          s.body = null;
          s.failure = null;
        }
        rethrow(failure);
      } finally {
        busy = false;
      }
    }

    private void await() {
      for (int spin = 0; spin < 1 << 12; spin++) {
        if (pending.get() == 0) {
          return;
        }
        Thread.onSpinWait();
      }
      // Publish the waiter before re-reading pending; the last share decrements before reading the waiter,
      // so one of the two sees the other.
      waiter = Thread.currentThread();
      while (pending.get() != 0) {
        LockSupport.park(this);
      }
      waiter = null;
    }

    void done() {
      if (pending.decrementAndGet() == 0) {
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }
  }

  @SuppressWarnings("serial") // never serialized
  private static final class Share extends ForkJoinTask<Void> {
    private final transient Shares owner;
    private final int index;
    transient IntConsumer body;
    transient Throwable failure;

    Share(Shares owner, int index) {
      this.owner = owner;
      this.index = index;
    }

    @Override
    public Void getRawResult() {
      return null;
    }

    @Override
    protected void setRawResult(Void value) {}

    @Override
    protected boolean exec() {
      try {
        body.accept(index);
      } catch (Throwable e) {
        failure = e;
      } finally {
        owner.done();
      }
      return false; // never "done" for the pool: see Shares
    }
  }

  /**
   * The most nanoseconds a waiting thread spins (a team worker for its next task, the caller for its
   * workers) before it parks. An MLP step forks 15 times with serial gaps of a few µs between; a parked
   * thread takes 5–100 µs to wake (a futex wake-up, on a VM an inter-processor interrupt), and the caller
   * waits that long for its share each time. But a spinning thread is a runnable one: on a loaded machine
   * it waits in a CPU's queue where a woken thread would be placed on a free CPU (spinning 20 µs measured
   * a median step 1.2–2× slower than parking at once there; yielding while spinning was no better), so
   * the spin adapts ({@link Team#spinNanos}).
   */
  static final long SPIN_NANOS = 20_000;

  /** The least spin: a probe that still catches back-to-back jobs, so that a quiet machine restores the spin. */
  static final long MIN_SPIN_NANOS = 1_000;

  /** A job picked up within this many ns of being posted was seen by a thread spinning on a CPU of its own. */
  static final long PROMPT_NANOS = 3_000;

  /**
   * Workers 1 … size of a forked call, held by one calling thread at a time (others take the pool path):
   * a caller posts the job by bumping {@link #posted} (volatile, after the job's fields; the low byte
   * holds the job's task count, so a worker reads both at once), each worker that spins sees it within a
   * few hundred cycles, and one parked after {@link #SPIN_NANOS} without work is unparked. Completion is
   * counted as for {@link Shares}. The workers are daemon threads, created when first needed and kept
   * (parked) for the life of the JVM.
   */
  static final class Team {
    private static final java.util.concurrent.atomic.AtomicReference<Thread> OWNER =
        new java.util.concurrent.atomic.AtomicReference<>();
    private static Worker[] workers = new Worker[0];
    /** The job number times 256 plus its task count; written last when a job is posted. */
    private static volatile long posted;
    private static IntConsumer body;
    private static final Throwable[] failures = new Throwable[64];
    private static final AtomicInteger pending = new AtomicInteger();
    private static volatile Thread waiter;
    /** When the current job was posted (System.nanoTime), written before {@link #posted}. */
    private static long postedAt;
    /**
     * Nanoseconds a waiting thread spins before it parks, between {@link #MIN_SPIN_NANOS} and
     * {@link #SPIN_NANOS}: doubled whenever a spinning worker picks a job up at once (it had a CPU to
     * itself), halved whenever it picks one up late (it spun without a CPU: a loaded machine, where parking
     * and being woken onto a free CPU is faster). Racy updates are harmless: it only tunes waiting.
     */
    private static volatile long spinNanos = SPIN_NANOS;

    private Team() {}

    /** Runs the tasks on the team if it is free and large enough (growing it up to parallelism − 1); false if not. */
    static boolean run(int count, IntConsumer job) {
      Thread caller = Thread.currentThread();
      if (caller instanceof Worker || count >= failures.length || !OWNER.compareAndSet(null, caller)) {
        return false;
      }
      try {
        if (workers.length < count - 1) {
          grow(count - 1);
        }
        body = job;
        pending.set(count - 1);
        postedAt = System.nanoTime();
        posted = (posted & ~0xFFL) + 0x100 + count; // publishes body, pending and postedAt to the workers
        for (int t = 1; t < count; t++) {
          Worker w = workers[t - 1];
          if (w.parked) {
            LockSupport.unpark(w);
          }
        }
        Throwable failure = null;
        try {
          job.accept(0);
        } catch (RuntimeException | Error e) {
          failure = e;
        }
        await();
        for (int t = 1; t < count; t++) {
          if (failure == null) {
            failure = failures[t];
          }
          failures[t] = null;
        }
        body = null;
        rethrow(failure);
        return true;
      } finally {
        OWNER.set(null);
      }
    }

    /**
     * Whether the calling thread is running a share of the team's current job (as a worker, or as the
     * owner inside its own share) and that job has at least {@code threads} tasks.
     */
    static boolean inShareOfFullJob(int threads) {
      Thread t = Thread.currentThread();
      return (t instanceof Worker || OWNER.get() == t) && (int) (posted & 0xFF) >= threads;
    }

    private static void grow(int size) {
      Worker[] grown = java.util.Arrays.copyOf(workers, size);
      for (int i = workers.length; i < size; i++) {
        grown[i] = new Worker(i + 1, posted);
        grown[i].start();
      }
      workers = grown;
    }

    private static void await() {
      long start = System.nanoTime();
      long budget = spinNanos;
      for (int spin = 1; pending.get() != 0; spin++) {
        if ((spin & 63) == 0 && System.nanoTime() - start > budget) {
          // As in Shares.await: the waiter is published before pending is read again.
          waiter = Thread.currentThread();
          while (pending.get() != 0) {
            LockSupport.park(Team.class);
          }
          waiter = null;
          return;
        }
        Thread.onSpinWait();
      }
    }

    /** A team worker: runs task {@code index} of each posted job that has one for it. */
    private static final class Worker extends Thread {
      private final int index;
      private long seen;
      volatile boolean parked;

      Worker(int index, long seen) {
        super("spectral4j-team-" + index);
        this.index = index;
        this.seen = seen;
        setDaemon(true);
      }

      @Override
      public void run() {
        for (;;) {
          long p = next();
          seen = p;
          if (index >= (int) (p & 0xFF)) {
            continue; // a job with fewer tasks: not ours (its body may already be the next job's)
          }
          try {
            body.accept(index);
          } catch (Throwable e) {
            failures[index] = e;
          }
          if (pending.decrementAndGet() == 0) {
            Thread w = waiter;
            if (w != null) {
              LockSupport.unpark(w);
            }
          }
        }
      }

      /** Waits for a job after {@link #seen}: spins for {@link #spinNanos}, then parks until unparked. */
      private long next() {
        long start = System.nanoTime();
        long budget = spinNanos;
        for (int spin = 1; ; spin++) {
          long p = posted;
          if (p != seen) {
            // Picked up while spinning: promptly if this thread held a CPU, late if it waited for one.
            long late = System.nanoTime() - postedAt;
            spinNanos =
                late <= PROMPT_NANOS ? Math.min(SPIN_NANOS, 2 * budget) : Math.max(MIN_SPIN_NANOS, budget / 2);
            return p;
          }
          if ((spin & 63) == 0 && System.nanoTime() - start > budget) {
            // Publish parked before reading posted again; the caller bumps posted before reading parked,
            // so one of the two sees the other.
            parked = true;
            while ((p = posted) == seen) {
              LockSupport.park(this);
            }
            parked = false;
            return p;
          }
          Thread.onSpinWait();
        }
      }
    }
  }

  private static void forEachAllocating(int tasks, IntConsumer body) {
    ForkJoinPool workers = pool(tasks - 1);
    ForkJoinTask<?>[] forked = new ForkJoinTask<?>[tasks - 1];
    for (int t = 1; t < tasks; t++) {
      int task = t;
      forked[t - 1] = workers.submit(() -> body.accept(task));
    }
    Throwable failure = null;
    try {
      body.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (ForkJoinTask<?> f : forked) {
      try {
        f.join();
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    rethrow(failure);
  }

  /**
   * Splits {@code count} units into {@code parts} contiguous shares as evenly as possible and returns the
   * first unit of share {@code part} (share {@code part} is [split(part), split(part + 1))).
   */
  public static int split(int count, int parts, int part) {
    return (int) ((long) count * part / parts);
  }
}
