#!/usr/bin/env python3
"""Goodput under overload through the real serving plane (issue 13).

  python3 bench/overload_serve.py [--glet build/glet] [--k 20] [--devices 3] [--duration 20]
                                  [--policy glet --policy temporal --policy gpulet]
                                  [--model resnet50] [--factor 1.3 --factor 2 ...]
                                  [--flood 100] [--seed 7] [--out FILE.md]

Scenario 1 (resource/rates/scenario1.csv) is planned by each policy for its rates on `--devices`
emulated ref-GPUs dilated by k (latencies x k, SLOs x k, rates / k: the host's own costs stay
small next to the emulated ones), and served by the real processes (`glet frontend`, `glet
backend`, one `glet proxy` per glet) on loopback. `glet client` then sends Poisson arrivals for
--duration seconds: every model at its planned rate, except one (--model) at factor x its
planned rate, one run per factor, on the same deployment. Reported per run: the overloaded
model's goodput (served within SLO per second) over its planned rate, the lowest SLO attainment
of the other models, the drops by reason, whether every request was accounted for (sent = served
+ dropped + failed), and the frontend's resident memory before and after the run. A last run
(--flood) offers the model 100x its planned rate to show that memory stays flat.

Everything goes through the `glet` binary (bench/fidelity.py's deployment and scratch resources).
"""
import argparse
import json
import os
import tempfile

from fidelity import ROOT, Deployment, emit_report, scratch_resources

SCENARIO = {"resnet50": (200.0, 108.0), "vgg16": (200.0, 142.0), "mobilenet_v2": (200.0, 64.0)}


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def run_policy(a, tmp, env, profile, policy):
    work = tempfile.mkdtemp(prefix=policy + "-", dir=tmp)
    planned = {m: r / a.k for m, (r, _) in SCENARIO.items()}
    config = {"models": [{"name": m, "rate_rps": planned[m], "slo_ms": slo * a.k}
                         for m, (_, slo) in SCENARIO.items()],
              "policy": policy, "epoch_s": 1e6, "min_devices": a.devices}
    try:
        d = Deployment(a.glet, work, env, config, profile, a.devices)
    except RuntimeError as e:
        return {"policy": policy, "error": str(e)}
    rows = []
    try:
        fe_pid = d.procs[0].pid
        factors = [1.0] + a.factor + ([a.flood] if a.flood else [])
        for i, f in enumerate(factors):
            rates = dict(planned)
            rates[a.model] = planned[a.model] * f
            log = os.path.join(work, "client-%g.csv" % f)
            before = rss_mib(fe_pid)
            rep = d.client(rates, a.duration, a.seed + i, log)
            after = rss_mib(fe_pid)
            m = rep["models"][a.model]
            others = [rep["models"][o]["slo_attainment"] for o in planned if o != a.model]
            # What the other models lost: per model, late (served past the SLO) and drops.
            misses = {}
            for o in planned:
                x = rep["models"][o]
                if o == a.model or x["served_in_slo"] == x["sent"]:
                    continue
                misses[o] = dict(x["dropped_by_reason"], **x["failed_by_reason"])
                if x["served"] > x["served_in_slo"]:
                    misses[o]["late"] = x["served"] - x["served_in_slo"]
            accounted = all(
                x["sent"] == x["served"] + x["dropped"] + x["failed"]
                for x in list(rep["models"].values()) + [rep])
            rows.append({"factor": f, "sent_rps": m["sent"] / a.duration * a.k,
                         "goodput": m["served_in_slo"] / a.duration / planned[a.model],
                         "attainment": m["slo_attainment"], "p99_ms": m["p99_ms"] / a.k,
                         "others_min": min(others), "others_misses": misses,
                         "drops": m["dropped_by_reason"],
                         "failed": rep["failed"], "accounted": accounted,
                         "rss_before": before, "rss_after": after,
                         "send_lag_ms": rep.get("max_send_lag_ms", 0.0)})
            print("%s %gx: goodput %.3f of planned, others' min %.4f %s, rss %.1f -> %.1f MiB" % (
                policy, f, rows[-1]["goodput"], rows[-1]["others_min"], json.dumps(misses),
                before, after), flush=True)
    finally:
        d.stop()
    return {"policy": policy, "rows": rows}


def describe(a, results):
    lines = ["# Goodput under overload through the real serving plane", "",
             "Command: `python3 bench/overload_serve.py --k %g --devices %d --duration %g "
             "--model %s%s`" % (a.k, a.devices, a.duration, a.model,
                                "".join(" --factor %g" % f for f in a.factor)), "",
             "| policy | %s offered | sent rps | goodput / planned | its attainment | p99 ms | "
             "others' min attainment | others' misses | drops | failed | accounted | frontend RSS MiB |"
             % a.model, "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            lines.append("| %s | - | - | no plan: %s | | | | | | | | |" % (
                r["policy"], r["error"].replace("|", "/")[:160]))
            continue
        for row in r["rows"]:
            lines.append("| %s | %gx | %.1f | %.3f | %.4f | %.1f | %.4f | %s | %s | %d | %s | "
                         "%.1f -> %.1f |" % (
                             r["policy"], row["factor"], row["sent_rps"], row["goodput"],
                             row["attainment"], row["p99_ms"], row["others_min"],
                             json.dumps(row["others_misses"]) if row["others_misses"] else "",
                             json.dumps(row["drops"]), row["failed"],
                             "yes" if row["accounted"] else "NO", row["rss_before"],
                             row["rss_after"]))
    lines += ["", "Rates in undilated rps (x k), latencies in undilated ms (/ k). Goodput = "
              "requests of the model served within its SLO per second of arrivals, over its "
              "planned rate."]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glet", default=os.path.join(ROOT, "build", "glet"))
    ap.add_argument("--k", type=float, default=20, help="time dilation")
    ap.add_argument("--devices", type=int, default=3, help="emulated ref-GPUs")
    ap.add_argument("--duration", type=float, default=20, help="seconds of load per run")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--policy", action="append", help="default: glet, temporal, gpulet")
    ap.add_argument("--model", default="resnet50", choices=sorted(SCENARIO))
    ap.add_argument("--factor", type=float, action="append",
                    help="overload factors (default 1.3 2 5 10)")
    ap.add_argument("--flood", type=float, default=100,
                    help="a last run at this factor (0: none)")
    ap.add_argument("--out", help="append the markdown report to this file")
    a = ap.parse_args()
    a.factor = a.factor or [1.3, 2.0, 5.0, 10.0]
    results = []
    with tempfile.TemporaryDirectory(prefix="glet-overload-") as tmp:
        res, profile, _ = scratch_resources(tmp, a.k)
        env = dict(os.environ, GLET_RESOURCE_DIR=res)
        for policy in a.policy or ["glet", "temporal", "gpulet"]:
            results.append(run_policy(a, tmp, env, profile, policy))
    text = describe(a, results)
    emit_report(text, a.out)


if __name__ == "__main__":
    main()
