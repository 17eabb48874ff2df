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
def s = (log =~ /solver: sigma_1 = (\d+\.\d+) in (\d+) passes, after a small change (\d+\.\d+) in (\d+) passes/)[0]
assert Math.abs((s[1] as double) - sigma) <= 1e-5 : "solver ${s[1]}, one-off $sigma"
// Adding 0.01 * u * v^T moves sigma_1 by 0.01 * u1'u * v'v1, within 0.01 since u, v are near u1, v1.
def change = (s[3] as double) - (s[1] as double)
assert change > 0.009 && change <= 0.01001 : "sigma_1 changed by $change"
assert (s[4] as int) < (s[2] as int) : "the warm run took ${s[4]} passes, the cold one ${s[2]}"
def m = (log =~ /\|\|A\^T A\|\|\* = (\d+\.\d+) = sigma_1\^2 = (\d+\.\d+)/)[0]
assert Math.abs((m[1] as double) - (m[2] as double)) < 1e-3 * (m[2] as double)
