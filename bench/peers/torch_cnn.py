"""PyTorch peer of the 5x5 CNN workload of bench/workloads.ts (cnnImagesPerSecond).

The classic MNIST CNN: 5x5 convolution to 32 channels, ReLU, 2x2 max pooling,
5x5 convolution to 64, ReLU, pooling, a 128-unit ReLU layer and 10 outputs
(no padding: 28 -> 24 -> 12 -> 8 -> 4), cross-entropy, Adam at 1e-3, batches of
64 uniform random 28x28 images made beforehand. Prints one JSON line,
cnn5x5_images_per_s_torch: training images per second, median of 5 runs of
10 steps after one. The first argument is the thread count (default 1).
"""

import json
import sys
import time

import torch
from torch import nn

STEPS = 10
BATCH = 64


def main():
    """Times the training steps and prints the result line."""
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 4 * 4, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    labels = torch.arange(BATCH) % 10
    batches = [torch.rand(BATCH, 1, 28, 28) for _ in range(STEPS)]

    def run():
        for x in batches:
            loss = nn.functional.cross_entropy(model(x), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    run()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    rate = STEPS * BATCH / sorted(times)[2]
    print(json.dumps({"name": "cnn5x5_images_per_s_torch", "value": round(rate), "unit": "images/s"}))


if __name__ == "__main__":
    main()
