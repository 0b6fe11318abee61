#!/usr/bin/env python3
"""PyTorch peer of psm's LSTM benchmark (Tests/ForecastingTests/LSTMBenchmarkTests.swift).

Identical shapes and work per step: 2-layer LSTM, hidden 64, window 168, batch 64, input 6
(scaled value, observed flag, 4 features), head Linear(64 + 48*4 -> 48*3) on the last hidden
state and the future features, quantiles by cumulative softplus, pinball loss, backward,
global-norm clipping, Adam. Float32 on CPU. Prints one `BENCH {json}` line per thread count.

    bench/peers/.venv/bin/python bench/peers/lstm_bench.py --threads 1,2
"""
import argparse, json, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

HIDDEN, LAYERS, WINDOW, HORIZON, QUANTILES, FEATURES, BATCH = 64, 2, 168, 48, 3, 4, 64
INPUT = 2 + FEATURES
LEVELS = torch.tensor([0.1, 0.5, 0.9])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(INPUT, HIDDEN, LAYERS)  # time-major, as the Swift side
        self.head = nn.Linear(HIDDEN + HORIZON * FEATURES, HORIZON * QUANTILES)

    def forward(self, x, future):
        out, _ = self.lstm(x)
        raw = self.head(torch.cat([out[-1], future], dim=1)).view(-1, HORIZON, QUANTILES)
        # Non-crossing: q0 = raw0, qk = q(k-1) + softplus(rawk).
        return torch.cat([raw[..., :1], raw[..., :1] + torch.cumsum(F.softplus(raw[..., 1:]), -1)], -1)


def pinball(q, y):
    u = y.unsqueeze(-1) - q
    return torch.maximum(LEVELS * u, (LEVELS - 1) * u).mean()


def run(threads, rounds, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(WINDOW, BATCH, INPUT) * 2 - 1
    future = torch.rand(BATCH, HORIZON * FEATURES) * 2 - 1
    y = torch.rand(BATCH, HORIZON) * 2 - 1

    def step():
        opt.zero_grad(set_to_none=False)
        loss = pinball(net(x, future), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()

    step(); step()
    rates = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(BATCH * steps / (time.perf_counter() - t))

    one_x, one_f = x[:, :1].contiguous(), future[:1].contiguous()
    latencies = []
    with torch.inference_mode():
        for r in range(rounds * 20):
            t = time.perf_counter()
            net(one_x, one_f)
            if r >= 5:
                latencies.append(time.perf_counter() - t)
    print("BENCH " + json.dumps({
        "side": "pytorch", "torch": torch.__version__, "threads": threads,
        "sequences_per_s": statistics.median(rates), "sequences_per_s_runs": [round(r, 1) for r in rates],
        "forecast_latency_ms": statistics.median(latencies) * 1e3,
        "mkldnn": torch.backends.mkldnn.is_available(),
    }, sort_keys=True), flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=10)
    a = p.parse_args()
    for n in [int(t) for t in a.threads.split(",")]:
        run(n, a.rounds, a.steps)
