// Run by the build after `mvn compile exec:exec` (examples/pom.xml): what the example must print.
def log = new File(basedir, 'build.log').text
assert log =~ /kernels: panama/ : 'the example must run the Vector API kernels (--add-modules jdk.incubator.vector)'
def m1 = (log =~ /sigma_1 = (\d+\.\d+)  stable rank = (\d+\.\d+)/)[0]
def sigma = m1[1] as double
// 3.013 on average over noise draws, standard deviation 0.0095 (200 draws in double precision).
assert Math.abs(sigma - 3.013) < 0.04 : "sigma_1 = $sigma, expected 3.013 +- 0.04"
// ||A||_F^2 is 9 + 15 give or take 0.3%, so the stable rank is 24 / sigma_1^2 to within 1%.
def stableRank = m1[2] as double
assert Math.abs(stableRank - 24 / (sigma * sigma)) < 0.01 * stableRank : "stable rank $stableRank"
def power = (log =~ /power iteration: sigma_1 = (\d+\.\d+) after \d+ iterations \(converged: true\)/)[0][1] as double
assert Math.abs(power - sigma) <= 1e-5 : "power iteration $power, Lanczos $sigma"
def m = (log =~ /\|\|A\^T A\|\|\* = (\d+\.\d+) = sigma_1\^2 = (\d+\.\d+)/)[0]
assert Math.abs((m[1] as double) - (m[2] as double)) < 1e-3 * (m[2] as double)
