#!/usr/bin/env python3
"""Low-load latency of the embedded default (issue 13): a lone request is answered at compute speed.

  python3 bench/low_load.py [--glet build/glet] [--config resource/serve/local-cpu.json]
                            [--share 0.05] [--seconds 120] [--out FILE.md]

1. `glet frontend` with the config and `glet backend` with its node (real TorchScript models on
   CPU slices); `glet client` drives each model at SHARE x its configured rate with Poisson
   arrivals. From /metrics before and after: each model's mean batcher wait
   (glet_queue_time_seconds: arrival to batch cut) and mean compute on its glet
   (glet_compute_time_seconds); the rest of the client's mean latency is the data path (client,
   gRPC, frontend, proxy and back); /v2/glet/plan says each model's glet size.
2. `glet infer --batch 1` times each model alone on a slice of the same size (the glet's share
   of the node's cores), with no serving plane at all, its requests as far apart as the served
   ones (--interval-ms: an idle core's caches and thread pool cool down alike).
3. The same at the configured rates (SHARE = 1): SLO attainment must stay >= 99%.
Goal per model: p50 through the serving plane <= infer's batch-1 p50 + the measured data path +
2 ms (a lone request waits for nothing: the batcher runs it on its idle glet at once).
"""
import argparse
import json
import os
import subprocess
import tempfile
import urllib.request

from fidelity import Deployment, emit_report, metric_sum

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_load(a, share, seconds):
    """(client report, per-model metric deltas, plan view) of one load run on a fresh deployment."""
    with open(a.config) as f:
        cfg = json.load(f)
    node = os.path.join(os.path.dirname(a.config), cfg["node"])
    with tempfile.TemporaryDirectory(prefix="glet-low-load-") as work:
        d = Deployment(a.glet, work, os.environ, cfg, None, 0, node_path=node)
        try:
            plan = json.loads(urllib.request.urlopen(
                "http://%s/v2/glet/plan" % d.addr["http"]).read())
            before = d.metrics()
            report = d.client({m["name"]: m["rate_rps"] * share for m in cfg["models"]},
                              seconds, 7, os.path.join(work, "client.csv"))
            after = d.metrics()
        finally:
            d.stop()
    delta = {}
    for m in report["models"]:
        label = 'model="%s"' % m
        dm = lambda name: metric_sum(after, name, label) - metric_sum(before, name, label)
        delta[m] = {
            "wait_ms": (1000 * dm("glet_queue_time_seconds_sum") /
                        max(1, dm("glet_queue_time_seconds_count"))),
            "compute_ms": (1000 * dm("glet_compute_time_seconds_sum") /
                           max(1, dm("glet_compute_time_seconds_count"))),
            "batch": dm("glet_batch_size_sum") / max(1, dm("glet_batch_size_count"))}
    return report, delta, plan


def node_cores(config):
    with open(config) as f:
        cfg = json.load(f)
    node = os.path.join(os.path.dirname(config), cfg["node"])
    with open(node) as f:
        cores = json.load(f)["devices"][0]["cores"]
    lo, _, hi = cores.partition("-")
    return int(lo), int(hi or lo)


def infer_p50(glet, model, cores, rps, seconds):
    """Batch-1 p50 of `model` alone on cpu:`cores`, one request every 1 / rps seconds (as idle
    between requests as the served run: caches and the thread pool cool down alike)."""
    requests = max(5, min(200, int(rps * seconds)))
    p = subprocess.run([glet, "--log-level", "warn", "infer", "--model", model, "--batch", "1",
                        "--requests", str(requests), "--warmup", "2", "--slice", "cpu:" + cores,
                        "--interval-ms", "%g" % (1000.0 / rps), "--json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("glet infer: " + p.stderr.strip())
    return json.loads(p.stdout[p.stdout.index("{"):])["latency_p50_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glet", default=os.path.join(ROOT, "build", "glet"))
    ap.add_argument("--config", default=os.path.join(ROOT, "resource", "serve", "local-cpu.json"))
    ap.add_argument("--share", type=float, default=0.05, help="share of the configured rates")
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--out", help="append the markdown report to this file")
    a = ap.parse_args()
    low, delta, plan = run_load(a, a.share, a.seconds)
    planned, _, _ = run_load(a, 1.0, min(a.seconds, 60))
    partitions = {m["model"]: g["partition_percent"] for g in plan["glets"] for m in g["models"]}
    lo, hi = node_cores(a.config)
    with open(a.config) as f:
        rates = {m["name"]: m["rate_rps"] for m in json.load(f)["models"]}
    lines = ["# Low-load latency of the embedded default", "",
             "Command: `python3 bench/low_load.py --share %g --seconds %g`" % (a.share, a.seconds),
             "", "| model | glet | sent at %g%% | p50 ms | mean ms | batcher wait ms | mean batch "
             "| compute ms | data path ms | infer batch-1 p50 ms | p50 - (infer + data path) ms "
             "| goal (<= 2 ms) | attainment at 100%% |" % (a.share * 100),
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for model, m in sorted(low["models"].items()):
        pct = partitions.get(model, 100)
        n = max(1, round((hi - lo + 1) * pct / 100))
        cores = str(lo) if n == 1 else "%d-%d" % (lo, lo + n - 1)
        base = infer_p50(a.glet, model, cores, rates[model] * a.share, a.seconds)
        x = delta[model]
        data_path = m["mean_ms"] - x["wait_ms"] - x["compute_ms"]
        excess = m["p50_ms"] - base - data_path
        lines.append("| %s | %d%% (cpu:%s) | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f "
                     "| %+.2f | %s | %.4f |" % (
                         model, pct, cores, m["sent"], m["p50_ms"], m["mean_ms"], x["wait_ms"],
                         x["batch"], x["compute_ms"], data_path, base, excess,
                         "yes" if excess <= 2 else "NO",
                         planned["models"][model]["slo_attainment"]))
    text = "\n".join(lines) + "\n"
    emit_report(text, a.out)


if __name__ == "__main__":
    main()
