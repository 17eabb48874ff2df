// Run by the build after `mvn compile exec:exec` (examples/pom.xml): what the example must print.
def log = new File(basedir, 'build.log').text
assert log.contains('spectral, SGD:')
// W2 is 4096 x 4096: init std (1/sqrt(4096)) * min(1, sqrt(4096/4096)) = 0.015625, lr x fanOut/fanIn = 1.
assert log =~ /W2\s+4096 -> 4096\s+init std 0\.01563\s+lr x\s+1\.0000\s+target \|\|W\|\|\* 1\.0000/
assert log.contains('spectral, Adam, relative to width 256:')
assert log =~ /slope [+-]0\.0\d\d \+- 0\.0\d\d over 3 widths/
