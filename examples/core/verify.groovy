// Run by the build after `mvn compile exec:exec` (examples/pom.xml): what the example must print.
def log = new File(basedir, 'build.log').text
assert log.contains('spectral, SGD:')
// W2 is 4096 x 4096: init std (1/sqrt(4096)) * min(1, sqrt(4096/4096)) = 0.015625, lr x fanOut/fanIn = 1.
assert log =~ /W2\s+4096 -> 4096\s+init std 0\.01563\s+lr x\s+1\.0000\s+target \|\|W\|\|\* 1\.0000/
assert log.contains('spectral, Adam, relative to width 256:')
assert log =~ /slope [+-]0\.0\d\d \+- 0\.0\d\d over 3 widths/
assert log.contains('transformer block, spectral, Adam, relative to width 256:')
// Adam under the spectral rules: a hidden matrix's rate scales like 1/fanIn, 256/1024 = 0.25; a norm
// gain keeps its rate, starts at 1 (init std 0) and is not decayed.
assert log =~ /mlp\.up\s+init std 0\.03125\s+lr x 0\.2500\s+weight decay x 4\.00/
assert log =~ /ln\.gain\s+init std 0\.00000\s+lr x 1\.0000\s+weight decay x 0\.00/
