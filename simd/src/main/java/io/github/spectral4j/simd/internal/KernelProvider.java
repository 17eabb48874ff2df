package io.github.spectral4j.simd.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the {@link Kernels} implementation once, when this class initialises. The Vector API kernels are
 * used when module {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}); their class is then loaded by name, so the scalar path never
 * loads an incubator class. {@code -Dspectral4j.kernels=scalar|panama} forces one implementation; asking
 * for {@code panama} without the module is an error. Without the module and without the property the
 * scalar kernels run and one warning says how to enable SIMD.
 */
public final class KernelProvider {
  /** System property forcing an implementation: {@code scalar} or {@code panama}. */
  public static final String KERNELS_PROPERTY = "spectral4j.kernels";

  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String ENABLE_HINT =
      "start the JVM with --add-modules " + VECTOR_MODULE + " to enable the SIMD kernels";

  private static final System.Logger LOG = System.getLogger("io.github.spectral4j.simd");
  private static final Kernels INSTANCE = select(System.getProperty(KERNELS_PROPERTY), true);

  private KernelProvider() {}

  /** The implementation chosen for this JVM. */
  public static Kernels kernels() {
    return INSTANCE;
  }

  /** A fresh scalar implementation (tests compare it with the Vector API one). */
  public static Kernels scalar() {
    return new ScalarKernels();
  }

  /** The Vector API implementation, or empty when {@code jdk.incubator.vector} is not in the boot layer. */
  public static Optional<Kernels> panama() {
    return vectorModule().isPresent() ? Optional.of(loadPanama()) : Optional.empty();
  }

  /**
   * The selection rule: {@code requested} is the value of {@code spectral4j.kernels} (null or blank =
   * automatic). Package-private so the rule can be tested without restarting the JVM.
   */
  static Kernels select(String requested, boolean warn) {
    String choice = requested == null ? "" : requested.trim().toLowerCase(Locale.ROOT);
    Optional<Module> vector = vectorModule();
    switch (choice) {
      case "scalar":
        return new ScalarKernels();
      case "panama":
        if (vector.isEmpty()) {
          throw new IllegalStateException(
              "-D" + KERNELS_PROPERTY + "=panama but module " + VECTOR_MODULE
                  + " is not in the boot layer: " + ENABLE_HINT);
        }
        return loadPanama();
      case "":
        if (vector.isEmpty()) {
          if (warn) {
            LOG.log(
                System.Logger.Level.WARNING,
                "Java Vector API unavailable, spectral4j uses its slower scalar kernels: " + ENABLE_HINT + ".");
          }
          return new ScalarKernels();
        }
        try {
          return loadPanama();
        } catch (UnsupportedOperationException e) {
          if (warn) {
            LOG.log(System.Logger.Level.WARNING, "spectral4j uses its scalar kernels: " + e.getMessage() + ".");
          }
          return new ScalarKernels();
        }
      default:
        throw new IllegalStateException(
            "-D" + KERNELS_PROPERTY + "=" + requested + " is not one of: scalar, panama");
    }
  }

  private static Optional<Module> vectorModule() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE);
  }

  private static Kernels loadPanama() {
    Module self = KernelProvider.class.getModule();
    // A named module declares the dependence 'requires static'; make sure it reads the module at run time.
    vectorModule().ifPresent(self::addReads);
    try {
      Class<?> type =
          Class.forName(KernelProvider.class.getPackageName() + ".PanamaKernels", true, KernelProvider.class.getClassLoader());
      return (Kernels)
          MethodHandles.lookup().findConstructor(type, MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot load the Vector API kernels", e);
    }
  }
}
