#!/usr/bin/env python3
"""The peers of spectral4j's benchmarks, timed in PyTorch and SciPy on this machine.

Tasks (each the same work as its JMH benchmark; see bench/README.md):
  mlp     one SGD step of the MLP 784-1024-1024-1024-10 (ReLU, no bias, batch 128, cross-entropy,
          spectral init and per-layer rates, MNIST-10k), as TrainStepBenchmark / Training.step does
  gpt     one AdamW step of the character-level GPT (width 512, 2 pre-norm blocks, 4 heads, 4x GELU MLP,
          final norm, separate unembedding, vocabulary 128, batch 16 x 64 tokens)
  sigma1  the largest singular value of the matrix SpectralNormBenchmark uses (2048 x 2048 Gaussian,
          written by bench's ExportMatrix) with scipy.sparse.linalg.svds (ARPACK) to 1e-6, checked

  peers.py all --out DIR [--tasks mlp,gpt,sigma1] [--profile "-f 3 -wi 2 -w 1s -i 3 -r 1s"]
               [--matrix FILE --reference SIGMA]
      runs every task in every thread configuration, each in fresh processes (the BLAS reads its
      thread count when it loads), and writes DIR/peers.json for bench's Report
  peers.py run --task T --torch-threads N --blas-threads M [...]
      one process of one configuration (what `all` runs); prints its settings and round times

Thread settings: OPENBLAS_NUM_THREADS (OpenBLAS's pthreads ignore torch.set_num_threads) and
OMP_NUM_THREADS are set in the environment of each process before it loads numpy or torch, and
torch.set_num_threads is called; glibc's malloc is told to keep PyTorch's large tensors in its heap (see
MALLOC). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed: set, they force an
older, slower OpenBLAS kernel and the comparison would flatter spectral4j.
"""

import argparse
import ctypes
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MNIST = os.path.join(ROOT, "trainer/src/main/resources/io/github/spectral4j/trainer/data")
FORCING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# glibc's malloc keeps freed blocks up to 32 MB in its heap instead of returning them to the kernel: by default
# each of PyTorch's per-step tensors above its mmap threshold is mapped and unmapped again every step, and every
# page faulted in anew. On one Zen 5 VM (session 13) that put PyTorch's one-core GPT step at 404-683 ms, against
# 274-290 ms with these settings, alternated in pairs; the MLP step read the same either way. The peer gets the
# faster setting; spectral4j allocates nothing per step.
MALLOC = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "4294967295", "MALLOC_TOP_PAD_": "268435456"}


# ---------------------------------------------------------------------------------------------------
# Driver: configurations, processes, merged JSON


def configurations(task, cores):
    """(torch threads, BLAS threads) pairs: one core, then every way to use all cores."""
    one = [(1, 1)]
    if cores < 2:
        return one
    if task == "sigma1":
        return one + [(1, cores)]  # svds is BLAS and ARPACK only: no torch threads
    # DESIGN.md: on these machines PyTorch's best two-core step came from one torch thread with
    # OpenBLAS on two; the others are timed too and the report takes the fastest.
    return one + [(1, cores), (cores, cores), (cores, 1)]


def parse_profile(text):
    """JMH-style -f/-wi/-w/-i/-r as in bench/run: forks, warmup rounds and seconds, rounds and seconds."""
    profile = {"-f": 3, "-wi": 2, "-w": 1.0, "-i": 3, "-r": 1.0}
    words = shlex.split(text or "")
    if len(words) % 2:
        raise SystemExit("peers.py: the profile needs flag-value pairs, got %r" % text)
    for flag, value in zip(words[::2], words[1::2]):
        if flag not in profile:
            continue  # other JMH flags mean nothing here
        try:
            if flag in ("-w", "-r"):
                profile[flag] = float(value[:-2]) / 1000 if value.endswith("ms") else float(value.rstrip("s"))
            else:
                profile[flag] = int(value)
        except ValueError:
            raise SystemExit("peers.py: bad profile value %s %s" % (flag, value))
    if profile["-f"] < 1 or profile["-i"] < 1 or profile["-wi"] < 0:
        raise SystemExit("peers.py: the profile needs -f >= 1, -i >= 1, -wi >= 0, got %r" % text)
    return profile


def run_all(args):
    profile = parse_profile(args.profile)
    tasks = [t for t in args.tasks.split(",") if t]
    for t in tasks:
        if t not in TASKS:
            raise SystemExit("peers.py: unknown task %s (known: %s)" % (t, ", ".join(TASKS)))
    if "sigma1" in tasks and not args.matrix:
        raise SystemExit("peers.py: task sigma1 needs --matrix FILE --reference SIGMA (bench/run writes them)")
    os.makedirs(args.out, exist_ok=True)
    cores = len(os.sched_getaffinity(0))
    results = []
    status = 0
    for task in tasks:
        variants = ["float64", "float32"] if task == "sigma1" else [None]
        for dtype in variants:
            for torch_threads, blas_threads in configurations(task, cores):
                entry = None
                for fork in range(profile["-f"]):
                    env = {k: v for k, v in os.environ.items() if k not in FORCING}
                    env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
                    env["OMP_NUM_THREADS"] = str(torch_threads)
                    env["MKL_NUM_THREADS"] = str(blas_threads)
                    if task != "sigma1":
                        env.update(MALLOC)
                    json_file = os.path.join(args.out, "peer-%s-%s-t%d-b%d-f%d.json" % (
                        task, dtype or "float32", torch_threads, blas_threads, fork))
                    command = [sys.executable, os.path.abspath(__file__), "run", "--task", task,
                               "--torch-threads", str(torch_threads), "--blas-threads", str(blas_threads),
                               "--warmup-iterations", str(profile["-wi"]), "--warmup-seconds", str(profile["-w"]),
                               "--iterations", str(profile["-i"]), "--seconds", str(profile["-r"]),
                               "--json", json_file]
                    if task == "sigma1":
                        command += ["--matrix", args.matrix, "--reference", str(args.reference), "--dtype", dtype]
                    print("peers.py: %s fork %d/%d: OPENBLAS_NUM_THREADS=%d OMP_NUM_THREADS=%d %s" % (
                        task, fork + 1, profile["-f"], blas_threads, torch_threads, " ".join(command[1:])),
                          file=sys.stderr, flush=True)
                    code = subprocess.call(command, env=env)
                    if code != 0:
                        print("peers.py: %s (torch %d, BLAS %d threads) failed with exit %d" % (
                            task, torch_threads, blas_threads, code), file=sys.stderr)
                        status = 1
                        entry = None
                        break
                    with open(json_file) as f:
                        one = json.load(f)
                    os.remove(json_file)
                    if entry is None:
                        entry = one
                        entry["rounds"] = [one["rounds"]]
                    else:
                        entry["rounds"].append(one["rounds"])
                if entry is not None:
                    results.append(entry)
    path = os.path.join(args.out, "peers.json")
    with open(path + ".tmp", "w") as f:
        json.dump(results, f, indent=1)
    os.replace(path + ".tmp", path)
    print("peers.py: %d results in %s" % (len(results), path), file=sys.stderr)
    return status


# ---------------------------------------------------------------------------------------------------
# One process: settings, the BLAS in use, timing


def loaded_blas():
    """The BLAS libraries mapped into this process and, for OpenBLAS, the kernel it chose and its threads."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            path = fields[-1] if len(fields) >= 6 else ""
            name = os.path.basename(path)
            if path not in paths and name.startswith("lib") and ("blas" in name or "lapack" in name or "mkl" in name):
                paths.append(path)
    kernels = {}
    plain = []
    for path in paths:
        text = None
        try:
            lib = ctypes.CDLL(path)
            for prefix in ("", "scipy_"):
                corename = getattr(lib, prefix + "openblas_get_corename", None)
                if corename is None:
                    continue
                corename.restype = ctypes.c_char_p
                config = getattr(lib, prefix + "openblas_get_config")
                config.restype = ctypes.c_char_p
                threads = getattr(lib, prefix + "openblas_get_num_threads")
                text = "core=%s, config=%s, threads=%d" % (corename().decode(), config().decode().strip(), threads())
                break
        except OSError:
            pass
        if text is None:
            plain.append(path)
        else:
            kernels.setdefault(text, []).append(os.path.basename(path))
    described = ["%s (%s)" % (k, ", ".join(v)) for k, v in kernels.items()] + plain
    return "; ".join(described) if described else "none mapped"


def measure(step, warmup_iterations, warmup_seconds, iterations, seconds):
    """Milliseconds per call in each measured round; one untimed call first (it also checks the result)."""
    step()
    for _ in range(warmup_iterations):
        start = time.perf_counter()
        while time.perf_counter() - start < warmup_seconds:
            step()
    rounds = []
    for _ in range(iterations):
        calls = 0
        start = time.perf_counter()
        while True:
            step()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        rounds.append(elapsed / calls * 1e3)
    return rounds


def run_one(args):
    for name in FORCING:
        if name in os.environ:
            print("# WARNING: %s=%s forces an older OpenBLAS kernel; unset it (peers.py all does)" % (
                name, os.environ[name]))
    task = TASKS[args.task]
    step, peer, version, detail = task(args)
    blas = loaded_blas()
    settings = "OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s" % (
        os.environ.get("OPENBLAS_NUM_THREADS", "unset"), os.environ.get("OMP_NUM_THREADS", "unset"))
    if peer == "pytorch":
        import torch
        settings += " torch.get_num_threads()=%d" % torch.get_num_threads()
        settings += "".join(" %s=%s" % (k, os.environ.get(k, "unset")) for k in MALLOC)
    print("# %s %s %s: %s" % (peer, version, args.task, detail))
    print("# threads: %s" % settings)
    print("# BLAS: %s" % blas, flush=True)
    rounds = measure(step, args.warmup_iterations, args.warmup_seconds, args.iterations, args.seconds)
    for i, ms in enumerate(rounds):
        print("Iteration %d: %.3f ms/op" % (i + 1, ms))
    result = {
        "peer": peer, "version": version, "task": TASK_NAMES[args.task], "dtype": args.dtype,
        "cores": max(args.torch_threads, args.blas_threads),
        "torchThreads": args.torch_threads if peer == "pytorch" else None,
        "blasThreads": args.blas_threads, "threads": settings, "blas": blas,
        "blasKernel": blas.split(", threads=")[0], "detail": detail,
        "python": sys.version.split()[0], "unit": "ms/op", "rounds": rounds,
    }
    result.update(SHAPES[args.task](args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    return 0


# ---------------------------------------------------------------------------------------------------
# The tasks. Each returns (step, peer, version, detail); step() does one timed unit of work.


def import_torch(args):
    import torch
    torch.set_num_threads(args.torch_threads)
    return torch


def read_idx(path, magic):
    import gzip
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    found = int.from_bytes(data[0:4], "big")
    if found != magic:
        raise SystemExit("peers.py: %s has magic %#x, expected %#x" % (path, found, magic))
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mlp_task(args):
    """Training.step of TrainingConfig.defaults([784, 1024, 1024, 1024, 10]): SPECTRAL, SGD, eta = 0.1."""
    import numpy as np
    torch = import_torch(args)
    nn = torch.nn
    dims = [784, args.width, args.width, args.width, 10]
    batch = args.batch
    images = read_idx(os.path.join(MNIST, "mnist-10k-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx(os.path.join(MNIST, "mnist-10k-labels-idx1-ubyte.gz"), 0x801)
    inputs = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255)
    targets = torch.from_numpy(labels.astype(np.int64))
    generator = torch.Generator().manual_seed(1)
    layers = []
    groups = []
    for l in range(len(dims) - 1):
        fan_in, fan_out = dims[l], dims[l + 1]
        linear = nn.Linear(fan_in, fan_out, bias=False)
        # The spectral rule (core's Parametrization.SPECTRAL): sigma = min(1, sqrt(fo/fi))/sqrt(fi),
        # SGD rate eta * fo/fi. Values do not change the work; they keep the run a sensible one.
        with torch.no_grad():
            linear.weight.normal_(0, min(1.0, math.sqrt(fan_out / fan_in)) / math.sqrt(fan_in), generator=generator)
        groups.append({"params": [linear.weight], "lr": 0.1 * fan_out / fan_in})
        layers.append(linear)
        if l < len(dims) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0, weight_decay=0, foreach=args.foreach)
    loss_fn = nn.CrossEntropyLoss()
    steps_per_epoch = len(inputs) // batch
    state = {"step": 0, "permutation": None}

    def step():
        # Training.nextBatch: a fresh permutation per epoch, the last partial batch dropped.
        position = state["step"] % steps_per_epoch
        if position == 0:
            state["permutation"] = torch.randperm(len(inputs), generator=generator)
        index = state["permutation"][position * batch:(position + 1) * batch]
        x = inputs.index_select(0, index)
        y = targets.index_select(0, index)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        state["step"] += 1
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit("peers.py: mlp loss became %s at step %d" % (value, state["step"]))
        return value

    detail = "MLP %s, ReLU, no bias, batch %d, SGD (per-layer rates, foreach=%s), cross-entropy, MNIST-10k" % (
        "-".join(map(str, dims)), batch, args.foreach)
    return step, "pytorch", torch.__version__, detail


def gpt_task(args):
    """One AdamW step of the trainer's Gpt (trainer.nn.Gpt, GptConfig.of(512)): same shapes and operations."""
    torch = import_torch(args)
    nn = torch.nn
    F = torch.nn.functional
    width, heads, blocks = args.width, args.heads, args.blocks
    context, batch, vocabulary = args.context, args.batch, args.vocabulary
    head_dim = width // heads
    # GptConfig.of's spectral rule without a base width: sqrt(d_head)/d_head = 1/sqrt(d_head).
    scale = 1.0 / math.sqrt(head_dim)
    torch.manual_seed(1)

    class RmsNorm(nn.Module):
        """trainer.nn.RmsNorm: y = g * x / sqrt(mean(x^2) + 1e-5), gain only (PyTorch 1.13 has none built in)."""

        def __init__(self):
            super().__init__()
            self.gain = nn.Parameter(torch.ones(width))

        def forward(self, x):
            return self.gain * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5))

    def norm():
        return RmsNorm() if args.norm == "rms" else nn.LayerNorm(width)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = norm()
            # Q, K and V in one product: the same arithmetic as three, and PyTorch's fastest way to do it.
            self.qkv = nn.Linear(width, 3 * width, bias=False)
            self.out = nn.Linear(width, width, bias=False)
            self.norm2 = norm()
            self.up = nn.Linear(width, 4 * width, bias=False)
            self.down = nn.Linear(4 * width, width, bias=False)
            self.register_buffer("mask", torch.ones(context, context, dtype=torch.bool).triu(1), persistent=False)

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(self.norm1(x)).split(width, dim=2)
            q = q.view(b, t, heads, head_dim).transpose(1, 2)
            k = k.view(b, t, heads, head_dim).transpose(1, 2)
            v = v.view(b, t, heads, head_dim).transpose(1, 2)
            if hasattr(F, "scaled_dot_product_attention") and args.attention == "sdpa":
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale)
            else:
                logits = (q @ k.transpose(-2, -1)) * scale
                logits = logits.masked_fill(self.mask[:t, :t], float("-inf"))
                y = torch.softmax(logits, dim=-1) @ v
            x = x + self.out(y.transpose(1, 2).reshape(b, t, c))
            return x + self.down(F.gelu(self.up(self.norm2(x)), approximate=args.gelu))

    class Gpt(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocabulary, width)
            self.positions = nn.Embedding(context, width) if args.positions == "learned" else None
            self.blocks = nn.ModuleList(Block() for _ in range(blocks))
            self.norm = norm()
            self.unembedding = nn.Linear(width, vocabulary, bias=False)

        def forward(self, tokens):
            x = self.embedding(tokens)
            if self.positions is not None:
                x = x + self.positions.weight[: tokens.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.unembedding(self.norm(x))

    model = Gpt()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2 ** -8, weight_decay=args.weight_decay,
                                  foreach=args.foreach)
    generator = torch.Generator().manual_seed(2)
    # The values of the tokens do not change the work; a fixed random stream stands in for the corpus.
    corpus = torch.randint(0, vocabulary, (1 << 16,), generator=generator)
    state = {"step": 0}

    def step():
        starts = torch.randint(0, len(corpus) - context - 1, (batch,), generator=generator)
        windows = starts[:, None] + torch.arange(context + 1)
        tokens = corpus[windows]
        logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, vocabulary), tokens[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        state["step"] += 1
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit("peers.py: gpt loss became %s at step %d" % (value, state["step"]))
        return value

    attention = ("scaled_dot_product_attention" if hasattr(F, "scaled_dot_product_attention")
                 and args.attention == "sdpa" else "explicit softmax(QK^T)V")
    parameters = sum(p.numel() for p in model.parameters())
    detail = ("GPT width %d, %d blocks, %d heads of %d, 4x GELU (%s) MLP, %s norm, positions %s, vocabulary %d, "
              "batch %d x %d tokens, no biases, AdamW (foreach=%s, decay %g), attention %s, %d parameters") % (
        width, blocks, heads, head_dim, "tanh" if args.gelu == "tanh" else "erf", args.norm, args.positions,
        vocabulary, batch, context, args.foreach, args.weight_decay, attention, parameters)
    return step, "pytorch", torch.__version__, detail


def svds_work(a, start, tolerance):
    """svds's work on a: its products with A and A^T (each one pass over A), counted through a
    LinearOperator doing what svds does with a dense array (A.dot, A^T.dot), and the CPU time inside
    them and in the whole solve: the peer's cost per pass, to set against SpectralNormBenchmark's."""
    from scipy.sparse.linalg import LinearOperator, svds
    work = {"passes": 0, "cpu": 0.0}

    def timed(f):
        def product(x):
            t = time.thread_time()
            y = f(x)
            work["cpu"] += time.thread_time() - t
            work["passes"] += 1
            return y
        return product

    op = LinearOperator(a.shape, matvec=timed(a.dot), rmatvec=timed(a.T.dot), dtype=a.dtype)
    t = time.thread_time()
    svds(op, k=1, tol=tolerance, v0=start, return_singular_vectors=False)
    return work["passes"], work["cpu"], time.thread_time() - t


def sigma1_task(args):
    """scipy.sparse.linalg.svds (ARPACK), k = 1, tol 1e-6, on the matrix SpectralNormBenchmark solves."""
    import numpy as np
    import scipy
    from scipy.sparse.linalg import svds
    if not args.matrix:
        raise SystemExit("peers.py: sigma1 needs --matrix FILE --reference SIGMA")
    n = args.n
    a = np.fromfile(args.matrix, dtype="<f4")
    if a.size != n * n:
        raise SystemExit("peers.py: %s holds %d floats, expected %d x %d" % (args.matrix, a.size, n, n))
    a = np.ascontiguousarray(a.reshape(n, n).astype(args.dtype))
    reference = args.reference
    start = np.random.default_rng(2310).standard_normal(n).astype(args.dtype)

    def step():
        sigma = float(svds(a, k=1, tol=args.tolerance, v0=start, return_singular_vectors=False)[0])
        error = abs(sigma - reference) / reference
        if not error <= 1e-6:
            raise SystemExit("peers.py: svds (%s) gave sigma1 = %.12g, reference %.12g: relative error %.3g > 1e-6" % (
                args.dtype, sigma, reference, error))
        return sigma

    passes, in_products, total = svds_work(a, start, args.tolerance)
    print("# svds work (one untimed, instrumented solve): %d products with A or A^T (passes over A); "
          "%.1f of its %.1f ms CPU inside them" % (passes, in_products * 1e3, total * 1e3))
    detail = ("svds(A, k=1, tol=%g, solver=arpack), A %dx%d %s (bench's %s, seed %s), reference %.12f, "
              "%d passes over A per solve") % (
        args.tolerance, n, n, args.dtype, args.spectrum, args.seed, reference, passes)
    return step, "scipy", scipy.__version__, detail


# What the report matches against the JMH rows' parameters.
SHAPES = {
    "mlp": lambda a: {"width": a.width, "batch": a.batch},
    "gpt": lambda a: {"width": a.width, "batch": a.batch, "context": a.context},
    "sigma1": lambda a: {"n": a.n, "spectrum": a.spectrum},
}
TASKS = {"mlp": mlp_task, "gpt": gpt_task, "sigma1": sigma1_task}
TASK_NAMES = {"mlp": "mlp-step", "gpt": "gpt-step", "sigma1": "sigma1"}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    every = sub.add_parser("all", help="every task in every thread configuration, merged into DIR/peers.json")
    every.add_argument("--out", required=True)
    every.add_argument("--tasks", default="mlp,gpt,sigma1")
    every.add_argument("--profile", default="", help='JMH-style, e.g. "-f 3 -wi 2 -w 1s -i 3 -r 1s" (the default)')
    every.add_argument("--matrix")
    every.add_argument("--reference", type=float)
    one = sub.add_parser("run", help="one process of one configuration")
    one.add_argument("--task", required=True, choices=sorted(TASKS))
    one.add_argument("--torch-threads", type=int, default=1)
    one.add_argument("--blas-threads", type=int, default=1)
    one.add_argument("--warmup-iterations", type=int, default=2)
    one.add_argument("--warmup-seconds", type=float, default=1.0)
    one.add_argument("--iterations", type=int, default=3)
    one.add_argument("--seconds", type=float, default=1.0)
    one.add_argument("--json")
    one.add_argument("--foreach", type=lambda s: None if s == "default" else s == "true", default=None,
                     help="optimizer foreach: true, false or default (the library's choice)")
    one.add_argument("--width", type=int, default=None)
    one.add_argument("--batch", type=int, default=None)
    one.add_argument("--heads", type=int, default=4)
    one.add_argument("--blocks", type=int, default=2)
    one.add_argument("--context", type=int, default=64)
    one.add_argument("--vocabulary", type=int, default=128)
    one.add_argument("--positions", choices=["learned", "none"], default="learned")
    one.add_argument("--gelu", choices=["none", "tanh"], default="tanh", help="exact (none) or tanh GELU")
    one.add_argument("--norm", choices=["rms", "layer"], default="rms")
    one.add_argument("--attention", choices=["sdpa", "explicit"], default="sdpa")
    one.add_argument("--attention-scale", choices=["1/d", "1/sqrt(d)"], default="1/d")
    one.add_argument("--weight-decay", type=float, default=0.0)
    one.add_argument("--matrix")
    one.add_argument("--reference", type=float)
    one.add_argument("--n", type=int, default=2048)
    one.add_argument("--seed", default="2310")
    one.add_argument("--spectrum", default="gaussian", help="which of bench's matrices --matrix holds")
    one.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    one.add_argument("--tolerance", type=float, default=1e-6)
    args = parser.parse_args(argv)
    if args.command == "all":
        return run_all(args)
    if args.width is None:
        args.width = 1024 if args.task == "mlp" else 512
    if args.batch is None:
        args.batch = 128 if args.task == "mlp" else 16
    if args.task != "sigma1":
        args.dtype = "float32"
    return run_one(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
