package io.github.spectral4j.simd.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The threads the GEMM kernels may use: a dedicated {@link ForkJoinPool} of daemon threads and the
 * configured parallelism ({@code -Dspectral4j.threads}, default: available processors). The calling
 * thread always runs one share of the work itself, so the pool holds {@code parallelism − 1} workers.
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
   * Runs {@code body.accept(t)} for every t in [0, tasks): t = 0 on the calling thread, the others on the
   * pool; returns when all are done and rethrows the first failure (of the lowest t). With one task nothing
   * is allocated; with more, a thread outside the pool reuses its own share tasks (allocated on its first
   * call, grown with the task count), so a steady-state training step allocates nothing on any thread
   * count. A nested call (from a share, or from a pool worker) takes the allocating path, which joins by
   * helping the pool and so cannot deadlock.
   */
  public static void forEach(int tasks, IntConsumer body) {
    if (tasks == 1) {
      body.accept(0);
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
        if (failure instanceof RuntimeException e) {
          throw e;
        }
        if (failure instanceof Error e) {
          throw e;
        }
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
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }

  /**
   * Splits {@code count} units into {@code parts} contiguous shares as evenly as possible and returns the
   * first unit of share {@code part} (share {@code part} is [split(part), split(part + 1))).
   */
  public static int split(int count, int parts, int part) {
    return (int) ((long) count * part / parts);
  }
}
