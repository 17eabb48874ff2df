package io.github.spectral4j.simd.internal;

import java.util.function.Supplier;

/**
 * A forked product's arguments, C = α·op(A)·op(B) + β·C over m × n × k split into {@code tasks} shares
 * of {@code groups} row or column groups, held in fields by one calling thread and reused from call to
 * call, so that a fork allocates nothing. Each kernel's subclass says what a share computes.
 */
abstract class GemmCall extends Parallel.Job {
  int tasks;
  int groups;
  int m;
  int n;
  int k;
  float alpha;
  float beta;
  float[] a;
  int lda;
  float[] b;
  int ldb;
  float[] c;
  int ldc;

  /**
   * This thread's call from {@code calls}, claimed; a fresh one from {@code fresh} if it is busy, which
   * only a product inside one of its own shares would find (none does today).
   */
  static <J extends GemmCall> J claim(ThreadLocal<J> calls, Supplier<J> fresh) {
    J call = calls.get();
    if (!call.claim()) {
      call = fresh.get();
      call.claim();
    }
    return call;
  }

  /** Sets the arguments of the call about to run. */
  final void set(
      int tasks, int groups, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta,
      float[] c, int ldc) {
    this.tasks = tasks;
    this.groups = groups;
    this.m = m;
    this.n = n;
    this.k = k;
    this.alpha = alpha;
    this.a = a;
    this.lda = lda;
    this.b = b;
    this.ldb = ldb;
    this.beta = beta;
    this.c = c;
    this.ldc = ldc;
  }

  @Override
  void clear() {
    a = null;
    b = null;
    c = null;
  }
}
