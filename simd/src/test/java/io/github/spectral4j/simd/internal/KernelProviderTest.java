package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The selection rule of {@link KernelProvider}. The build runs the simd tests twice: with
 * {@code --add-modules jdk.incubator.vector}, and without it with {@code -Dspectral4j.test.expectScalar=true};
 * {@link #activeImplementationMatchesTheJvmFlags} checks the provider's choice in each run.
 */
class KernelProviderTest {
  private static final boolean VECTOR_MODULE =
      ModuleLayer.boot().findModule(KernelProvider.VECTOR_MODULE).isPresent();

  @Test
  void activeImplementationMatchesTheJvmFlags() {
    String name = KernelProvider.kernels().name();
    if (Boolean.getBoolean("spectral4j.test.expectScalar")) {
      assertTrue(!VECTOR_MODULE, "the fallback run must not have " + KernelProvider.VECTOR_MODULE);
      assertEquals("scalar", name);
      assertTrue(KernelProvider.panama().isEmpty());
    } else {
      assertTrue(VECTOR_MODULE, "the default test run adds " + KernelProvider.VECTOR_MODULE);
      assertTrue(name.startsWith("panama (") && name.endsWith("-bit)"), name);
    }
  }

  @Test
  void scalarCanAlwaysBeForced() {
    assertEquals("scalar", KernelProvider.select("scalar", false).name());
    assertEquals("scalar", KernelProvider.select(" SCALAR ", false).name());
  }

  @Test
  void automaticChoiceFollowsTheModule() {
    String name = KernelProvider.select(null, false).name();
    assertEquals(VECTOR_MODULE, name.startsWith("panama"), name);
    assertEquals(name, KernelProvider.select("", false).name());
  }

  @Test
  void panamaIsLoadedWhenRequestedOrFailsClearly() {
    if (VECTOR_MODULE) {
      assertTrue(KernelProvider.select("panama", false).name().startsWith("panama"));
    } else {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelProvider.select("panama", false));
      assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
    }
  }

  @Test
  void unknownChoiceIsRejectedNamingIt() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelProvider.select("gpu", false));
    assertTrue(e.getMessage().contains("gpu") && e.getMessage().contains("scalar, panama"), e.getMessage());
  }
}
