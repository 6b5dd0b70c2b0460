"""NumPy peers of `deno task bench`'s per-backend workloads (bench/backends.ts).

Runs the same workloads as Inkling's benchmarks, written the way one would in
NumPy, and prints one JSON object per line ({"name", "value", "unit"}):

- matmul_256x1024x256_numpy: GFLOP/s of a float32 256x1024 @ 1024x256 product
  on the ramps of bench/matmul.ts, median of 9 runs after a 100 ms warm-up;
- mlp_epoch_numpy: one epoch of bench/mlp.ts's 1024-64(sigmoid)-36(softmax)
  MLP, 10,800 uniform random samples, batch 32, plain SGD at 0.01, ms, median
  of 5 epochs after one;
- autoencoder_epoch_numpy: one epoch of the 1024-32-32-32-1024 autoencoder
  (ReLU, sigmoid output, summed squared error, SGD with momentum 0.9 at 3e-5,
  batches of 36) on 10,800 uniform random images, ms, median of 5 after one;
- pca_top32_numpy (with --pca FILE N D): 32 centred principal components of
  the float32 N x D matrix in FILE: float32 Gram matrix, float64 eigh, ms,
  median of 3 after one.

The thread count is whatever OPENBLAS_NUM_THREADS says; bench/peers.ts runs
this with 1 and with 2 and keeps the better result.
"""

import argparse
import json
import time

import numpy as np


def emit(name, value, unit):
    """Prints one result line."""
    print(json.dumps({"name": name, "value": value, "unit": unit}), flush=True)


def median_ms(body, runs):
    """The median wall time of `runs` calls of body in ms, after one untimed call."""
    body()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        body()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def ramp(size, step):
    """bench/matmul.ts's operands: ((i * step) % 1000) / 1000 - 0.5."""
    i = np.arange(size, dtype=np.int64)
    return (((i * step) % 1000) / 1000 - 0.5).astype(np.float32)


def matmul_gflops(m=256, k=1024, n=256):
    """GFLOP/s of a float32 m x k @ k x n product into a preallocated result."""
    a = ramp(m * k, 7919).reshape(m, k)
    b = ramp(k * n, 104729).reshape(k, n)
    c = np.empty((m, n), dtype=np.float32)
    flops = 2 * m * n * k
    reps = max(1, round(2e8 / flops))

    def run():
        for _ in range(reps):
            np.matmul(a, b, out=c)

    warm_until = time.perf_counter() + 0.1
    while time.perf_counter() < warm_until:
        run()
    times = []
    for _ in range(9):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    seconds = sorted(times)[4]
    return round(flops * reps / seconds / 1e8) / 10


def xavier(rng, fan_in, fan_out):
    """Xavier-uniform weights [fan_in, fan_out], float32."""
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def sigmoid(z):
    """The logistic function."""
    return 1 / (1 + np.exp(-z))


def mlp_epoch_ms(samples=10_800, batch=32, lr=np.float32(0.01)):
    """One epoch of the 1024-64-36 MLP: forward, cross-entropy, backward, SGD step."""
    rng = np.random.default_rng(0)
    x = rng.random((samples, 1024), dtype=np.float32)
    labels = np.arange(samples) % 36
    w1, b1 = xavier(rng, 1024, 64), np.zeros(64, np.float32)
    w2, b2 = xavier(rng, 64, 36), np.zeros(36, np.float32)

    def epoch():
        nonlocal w1, b1, w2, b2  # updated in place
        order = rng.permutation(samples)
        for start in range(0, samples, batch):
            rows = order[start:start + batch]
            xb, yb = x[rows], labels[rows]
            h = sigmoid(xb @ w1 + b1)
            z = h @ w2 + b2
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            picked = np.arange(len(rows))
            _loss = -np.log(p[picked, yb]).mean()
            g = p
            g[picked, yb] -= 1
            g /= len(rows)
            gh = (g @ w2.T) * h * (1 - h)
            w2 -= lr * (h.T @ g)
            b2 -= lr * g.sum(axis=0)
            w1 -= lr * (xb.T @ gh)
            b1 -= lr * gh.sum(axis=0)

    return median_ms(epoch, 5)


def autoencoder_epoch_ms(samples=10_800, batch=36, lr=np.float32(3e-5), momentum=np.float32(0.9)):
    """One epoch of the autoencoder, with the assignment's momentum rule M = mu*M - lr*g, W += M."""
    rng = np.random.default_rng(0)
    x = rng.random((samples, 1024), dtype=np.float32)
    sizes = [1024, 32, 32, 32, 1024]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params += [xavier(rng, fan_in, fan_out), np.zeros(fan_out, np.float32)]
    velocity = [np.zeros_like(p) for p in params]

    def epoch():
        order = rng.permutation(samples)
        for start in range(0, samples, batch):
            xb = x[order[start:start + batch]]
            acts = [xb]
            for layer in range(3):
                acts.append(np.maximum(acts[-1] @ params[2 * layer] + params[2 * layer + 1], 0))
            out = sigmoid(acts[-1] @ params[6] + params[7])
            diff = out - xb
            _loss = (diff * diff).sum()
            g = 2 * diff * out * (1 - out)
            grads = [None] * 8
            for layer in range(3, -1, -1):
                grads[2 * layer] = acts[layer].T @ g
                grads[2 * layer + 1] = g.sum(axis=0)
                if layer > 0:
                    g = (g @ params[2 * layer].T) * (acts[layer] > 0)
            for p, v, grad in zip(params, velocity, grads):
                v *= momentum
                v -= lr * grad
                p += v

    return median_ms(epoch, 5)


def pca_ms(path, n, d, components=32):
    """Top principal components of the centred data: float32 Gram matrix, float64 eigh."""
    x = np.fromfile(path, dtype=np.float32).reshape(n, d)

    def fit():
        mean = x.mean(axis=0, dtype=np.float64).astype(np.float32)
        centred = x - mean
        gram = centred.T @ centred
        _values, vectors = np.linalg.eigh(gram.astype(np.float64))
        return vectors[:, ::-1][:, :components]

    return median_ms(fit, 3)


def main():
    """Runs every workload and prints its line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pca", nargs=3, metavar=("FILE", "N", "D"))
    args = parser.parse_args()
    emit("matmul_256x1024x256_numpy", matmul_gflops(), "GFLOP/s")
    emit("mlp_epoch_numpy", round(mlp_epoch_ms(), 1), "ms")
    emit("autoencoder_epoch_numpy", round(autoencoder_epoch_ms(), 1), "ms")
    if args.pca:
        path, n, d = args.pca
        emit("pca_top32_numpy", round(pca_ms(path, int(n), int(d)), 1), "ms")


if __name__ == "__main__":
    main()
