package io.github.spectral4j.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The OpenBLAS peer, loaded through bytedeco's presets: thread control and a description of the
 * kernel OpenBLAS picked at run time. The bytedeco bindings do not expose {@code openblas_get_corename}
 * or {@code openblas_get_config}, so those two are called through the FFM API on the addresses
 * JavaCPP resolves in the already loaded library.
 */
final class OpenBlas {
  private static boolean announced;

  private OpenBlas() {}

  /** Loads OpenBLAS, sets its thread count and prints (once per JVM) which kernel it runs. */
  static synchronized void init(int threads) {
    Loader.load(openblas.class);
    openblas.blas_set_num_threads(threads);
    if (!announced) {
      announced = true;
      System.out.println(System.lineSeparator() + "# OpenBLAS: " + describe());
      warnAboutEnvironment();
    }
  }

  /** "core=<name>, config=<config>, threads=<n>" for the loaded library. */
  static String describe() {
    return kernel() + ", threads=" + openblas.blas_get_num_threads();
  }

  /** "core=<name>, config=<config>": the kernel OpenBLAS chose for this CPU and environment. */
  static String kernel() {
    Loader.load(openblas.class);
    return "core=" + callString("openblas_get_corename") + ", config=" + callString("openblas_get_config").trim();
  }

  /** The kernel-forcing variables OpenBLAS reads at load time; set, they make the peer look slower. */
  static void warnAboutEnvironment() {
    for (String name : new String[] {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}) {
      String value = System.getenv(name);
      if (value != null) {
        System.out.println("# WARNING: " + name + "=" + value + " forces an older OpenBLAS kernel;"
            + " run under `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` (bench/run does)");
      }
    }
  }

  /** A native buffer of {@code values.length} floats holding a copy of {@code values}. */
  static FloatPointer offHeap(float[] values) {
    FloatPointer p = new FloatPointer(values.length);
    p.put(values);
    return p;
  }

  private static String callString(String symbol) {
    Pointer address = Loader.addressof(symbol);
    if (address == null || address.isNull()) {
      return "?";
    }
    MethodHandle handle = Linker.nativeLinker()
        .downcallHandle(MemorySegment.ofAddress(address.address()), FunctionDescriptor.of(ValueLayout.ADDRESS));
    try {
      MemorySegment chars = (MemorySegment) handle.invokeExact();
      return chars.equals(MemorySegment.NULL) ? "?" : chars.reinterpret(4096).getString(0);
    } catch (Throwable e) {
      return "? (" + e + ")";
    }
  }
}
