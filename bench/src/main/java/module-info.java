/** JMH benchmarks of spectral4j's kernels against OpenBLAS, EJML and scalar Java. */
module io.github.spectral4j.bench {
}
