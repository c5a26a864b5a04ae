"""Runs one two-layer logistic run in catapult and in plain numpy, from the same starting
point, and prints the time of each, their ratio, the final losses and the phases.

The run: benches/reference/two_layer_logistic.json (width 4096, 3000 steps of GD at
eta = 20/lambda0, the NTK top eigenvalue every 10 steps). catapult writes its starting point
(`catapult train --write-start`) and its record; numpy trains from that starting point with
the record's eta, so both follow the same trajectory up to rounding.

Usage (from the repository root, after `cargo build --release -p catapult-cli`):
    python3 benches/reference/compare.py [--catapult target/release/catapult] [--repeats 3]
"""

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
CONFIG = HERE / "two_layer_logistic.json"
DIVERGENCE_THRESHOLD = 1e12


def logistic_loss(margins):
    """Mean of log(1 + exp(-margin)), stable for large |margin|."""
    return np.mean(np.logaddexp(0.0, -margins))


def ntk_top(x, u, v, scale, n):
    """Top eigenvalue of Theta/n for f = scale * v^T U x: Theta = scale^2 (|v|^2 X X^T + H H^T)."""
    h = x @ u.T
    theta = scale * scale * ((v @ v) * (x @ x.T) + h @ h.T)
    return np.linalg.eigvalsh(theta / n)[-1]


def numpy_run(start, eta, steps, observe_every):
    """Gradient descent on the two-layer linear net with logistic loss; returns the losses at
    every step, the observed NTK tops, and whether the run diverged."""
    x = np.array(start["x"])
    y = np.array(start["y"])
    (m,) = start["widths"]
    n, d = x.shape
    theta = np.array(start["theta"])
    u = theta[: m * d].reshape(d, m).T.copy()  # column-major m x d
    v = theta[m * d :].copy()
    scale = 1.0 / np.sqrt(m)
    losses, tops, diverged = [], [], False
    for step in range(steps + 1):
        h = x @ u.T
        f = scale * (h @ v)
        margins = y * f
        loss = logistic_loss(margins)
        if not np.isfinite(loss) or loss > DIVERGENCE_THRESHOLD:
            diverged = True
            break
        losses.append(loss)
        if step % observe_every == 0 or step == steps:
            tops.append(ntk_top(x, u, v, scale, n))
        if step == steps:
            break
        r = -y / (1.0 + np.exp(margins)) / n  # d/df of the mean loss
        grad_u = scale * np.outer(v, x.T @ r)
        grad_v = scale * (h.T @ r)
        u -= eta * grad_u
        v -= eta * grad_v
    return np.array(losses), np.array(tops), diverged


def phase(diverged, initial, highest, final):
    """The phase rule of catapult_theory::Phase::classify."""
    if diverged or final > initial:
        return "divergent"
    if highest > initial * (1.0 + 1e-12):
        return "catapult"
    return "lazy"


def best_time(repeats, run):
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catapult", default="target/release/catapult")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = json.loads(CONFIG.read_text())

    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        start_path, record_path = scratch / "start.json", scratch / "record.json"
        command = [args.catapult, "train", "--config", str(CONFIG), "--out", str(record_path)]

        def catapult():
            subprocess.run(command, check=True, stderr=subprocess.DEVNULL)

        subprocess.run(command + ["--write-start", str(start_path)], check=True,
                       stderr=subprocess.DEVNULL)
        catapult_seconds, _ = best_time(args.repeats, catapult)
        peak_rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        record = json.loads(record_path.read_text())
        start = json.loads(start_path.read_text())

    eta = record["eta"]
    numpy_seconds, (losses, tops, diverged) = best_time(
        args.repeats, lambda: numpy_run(start, eta, config["steps"], config["observe_every"]))

    numpy_phase = phase(diverged, losses[0], losses.max(), losses[-1])
    numpy_final = losses[-1]
    catapult_final = record["final"]["loss"]
    loss_gap = abs(numpy_final - catapult_final)
    top_gap = abs(tops[-1] - record["final"]["ntk_top"])
    p = len(start["theta"])
    print(f"run: two-layer linear, width {start['widths'][0]}, n {len(start['y'])}, "
          f"d {len(start['x'][0])}, p {p}, {config['steps']} steps, eta {eta:.6f} "
          f"= {config['lr']['factor']}/lambda0, NTK top every {config['observe_every']} steps")
    print(f"catapult: {catapult_seconds:.3f} s (whole process, best of {args.repeats}; "
          f"also measures the sharpness at every observation), peak RSS {peak_rss_mib:.1f} MiB")
    print(f"numpy {np.__version__}: {numpy_seconds:.3f} s (best of {args.repeats})")
    print(f"speed-up: {numpy_seconds / catapult_seconds:.1f}x")
    print(f"final loss: catapult {catapult_final:.15e}, numpy {numpy_final:.15e}, "
          f"|difference| {loss_gap:.2e}")
    print(f"final NTK top: catapult {record['final']['ntk_top']:.12f}, numpy {tops[-1]:.12f}, "
          f"|difference| {top_gap:.2e}")
    print(f"phase: catapult {record['phase']}, numpy {numpy_phase}")
    agree = loss_gap <= 1e-8 and numpy_phase == record["phase"]
    print("agreement: " + ("final loss within 1e-8 and same phase" if agree else "NO"))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
