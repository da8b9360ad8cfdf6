#!/usr/bin/env python3
"""Simulator experiments -> docs/experiments.md (issue 5). One script, one output file.

  python3 bench/sim_experiments.py [--glet build/glet] [--out docs/experiments.md] [--duration 30]

On the ref-gpu profile:
  1. for the three scenarios of the planner benchmarks, SLO attainment vs offered load for each
     policy on 4 ref-GPUs: at each load the policy plans for that load if it fits the 4 GPUs, else
     its peak plan serves the load (overload); Poisson arrivals at the load, --duration seconds;
  2. devices needed vs load (glet schedule --min-devices) for each policy;
  3. the game and traffic apps under a rising-then-falling rate trace with re-planning, with
     SVG plots of attainment and devices over time next to the report (docs/img/).
Everything runs through the `glet` binary (glet schedule / glet simulate --json).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = {"S1": "scenario1", "S2": "scenario2", "S3": "scenario3"}
POLICIES = ["temporal", "greedy-split", "glet-notype", "glet"]
LOADS = [100, 200, 400, 600, 800, 1000, 1200]  # rps per model


def run(glet, args, check=True):
    p = subprocess.run([glet] + args, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit("glet %s failed: %s" % (" ".join(args), p.stderr.strip()))
    return p


def models_of(rates_csv):
    with open(rates_csv) as f:
        rows = [l.strip().split(",") for l in f if l.strip() and not l.startswith("#")]
    return [r[0] for r in rows[1:]]


def attainment_vs_load(glet, tmp, duration, out):
    out.append("## 1. SLO attainment vs offered load (4 ref-GPUs, Poisson arrivals)\n")
    out.append("Each cell: SLO attainment (%%) over %g s of simulated Poisson arrivals at the "
               "load (requests/s per model). A policy plans for the load when it fits 4 GPUs; "
               "past its peak, its peak plan serves the load (marked *).\n" % duration)
    for name, scen in SCENARIOS.items():
        rates = os.path.join(ROOT, "resource/rates/%s.csv" % scen)
        models = models_of(rates)
        out.append("\n### %s (%s)\n" % (name, ", ".join(models)))
        out.append("| policy | " + " | ".join("%d rps" % l for l in LOADS) + " |")
        out.append("|---" * (len(LOADS) + 1) + "|")
        for pol in POLICIES:
            peak = os.path.join(tmp, "%s_%s_peak.json" % (name, pol))
            run(glet, ["schedule", "--rates", rates, "--devices", "ref-gpu:4", "--policy", pol,
                       "--peak", "--out", peak])
            cells = []
            for load in LOADS:
                plan = os.path.join(tmp, "%s_%s_%d.json" % (name, pol, load))
                p = run(glet, ["schedule", "--rates", rates, "--devices", "ref-gpu:4",
                               "--policy", pol, "--scale", str(load / 200.0), "--out", plan],
                        check=False)
                mark = ""
                if p.returncode != 0:
                    plan, mark = peak, "*"
                args = ["simulate", "--plan", plan, "--devices", "ref-gpu:4", "--duration",
                        str(duration), "--replan", "off", "--json"]
                for m in models:
                    args += ["--model", "%s:%g" % (m, load)]
                r = json.loads(run(glet, args).stdout)
                cells.append("%.1f%s" % (100 * r["slo_attainment"], mark))
            out.append("| %s | %s |" % (pol, " | ".join(cells)))


def devices_vs_load(glet, out):
    out.append("\n## 2. Devices needed vs load\n")
    out.append("Fewest ref-GPUs on which each policy places the scenario at the load "
               "(glet schedule --min-devices); - = does not fit 64 devices.\n")
    for name, scen in SCENARIOS.items():
        rates = os.path.join(ROOT, "resource/rates/%s.csv" % scen)
        out.append("\n### %s\n" % name)
        out.append("| policy | " + " | ".join("%d rps" % l for l in LOADS) + " |")
        out.append("|---" * (len(LOADS) + 1) + "|")
        for pol in POLICIES:
            cells = []
            for load in LOADS:
                p = run(glet, ["schedule", "--rates", rates, "--devices", "ref-gpu:64",
                               "--policy", pol, "--scale", str(load / 200.0), "--min-devices",
                               "--json"], check=False)
                cells.append(str(json.loads(p.stdout)["devices"]) if p.returncode == 0 else "-")
            out.append("| %s | %s |" % (pol, " | ".join(cells)))


def apps_under_trace(glet, tmp, out):
    out.append("\n## 3. Apps under a rising and falling rate\n")
    out.append("Entry rate rises linearly from 20 to 310 requests/s over 30 s and falls back "
               "over the next 30 s; policy glet on up to 16 ref-GPUs, re-planning with a 5 s "
               "epoch. Plots: docs/img/sim_<app>_attainment.svg, docs/img/sim_<app>_devices.svg."
               "\n")
    trace = os.path.join(tmp, "rise_fall.csv")
    with open(trace, "w") as f:
        f.write("second,rps\n")
        for s in range(60):
            f.write("%d,%d\n" % (s, 20 + 10 * (s if s < 30 else 59 - s)))
    img = os.path.join(ROOT, "docs/img")
    os.makedirs(img, exist_ok=True)
    out.append("| app | SLO ms | sent | served | dropped | SLO attainment | p99 ms | devices max | "
               "re-plans |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for app in ["game", "traffic"]:
        svg = os.path.join(tmp, app)
        r = json.loads(run(glet, ["simulate", "--app", os.path.join(ROOT, "resource/apps/%s.json"
                                                                      % app),
                                  "--trace", "%s=%s" % (app, trace), "--devices", "ref-gpu:16",
                                  "--duration", "60", "--epoch", "5", "--svg-dir", svg,
                                  "--json"]).stdout)
        m = r["models"][app]
        out.append("| %s | %g | %d | %d | %d | %.1f%% | %.1f | %d | %d |" % (
            app, m["slo_ms"], r["sent"], r["served"], r["dropped"], 100 * r["slo_attainment"],
            r["p99_ms"], r["devices_max"], r["replans"]))
        for kind in ["slo_attainment", "devices"]:
            with open(os.path.join(svg, kind + ".svg")) as src, \
                    open(os.path.join(img, "sim_%s_%s.svg" % (app, kind.replace("slo_", ""))),
                         "w") as dst:
                dst.write(src.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--glet", default=os.path.join(ROOT, "build/glet"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs/experiments.md"))
    ap.add_argument("--duration", type=float, default=30)
    a = ap.parse_args()
    out = ["# Simulator experiments\n",
           "Produced by `python3 bench/sim_experiments.py` (glet simulate and glet schedule on "
           "the ref-gpu profile; see docs/simulator.md). Do not edit by hand.\n"]
    with tempfile.TemporaryDirectory() as tmp:
        attainment_vs_load(a.glet, tmp, a.duration, out)
        devices_vs_load(a.glet, out)
        apps_under_trace(a.glet, tmp, out)
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
