// Run by the build after `mvn compile exec:exec` (examples/pom.xml): what the example must print.
def log = new File(basedir, 'build.log').text
def accuracy = (log =~ /epoch 3  train loss \d+\.\d+  test accuracy (\d+\.\d+)%/)[0][1] as double
// 96.1% when written (the run is deterministic up to the kernels' float rounding)
assert accuracy >= 94 : "test accuracy after 3 epochs is $accuracy%, expected >= 94%"
assert log =~ /W3  w_spec_ratio \d+\.\d\d  update_spec_ratio \d+\.\d+  rms_h \d+\.\d+  rms_dh \d+\.\d+/
