#!/usr/bin/env python3
"""Serving benchmark 3 (issue 4): SLO attainment at the planner's peak, glet vs temporal.

  python3 bench/serve_peak.py [--glet build/glet] [--k 20] [--devices 4] [--duration 25]
                              [--seed 1] [--policy glet --policy temporal] [--out FILE.md]
                              [--keep DIR]

For each policy, on `--devices` emulated ref-GPUs dilated by k (the time_scale of
perf/device_profile.h: every latency x k, so SLOs are set x k and rates are / k; the planner's
problem is the same, its peak rate is the undilated one / k, and the script checks that):
  1. `glet schedule --peak --policy P` finds the largest uniform scale of scenario 1
     (resource/rates/scenario1.csv: resnet50, vgg16, mobilenet_v2) that fits the devices, and
     its plan;
  2. the real serving plane serves those rates: `glet frontend` with a serve config whose rates
     are the peak's, whose policy is P and whose epoch is longer than the run (no re-plan),
     `glet backend` with the emulated devices and its `glet proxy` children, loaded by
     `glet client` with Poisson arrivals at the peak rates for --duration seconds;
  3. `glet simulate --plan <the peak plan> --replay <the client's log>` replays the same sends on
     the same plan, without interference (emulated slices do not slow each other down, so this is
     the ideal serving plane on the same hardware), then with the serving overhead measured in
     the run itself (per MiB of batch input: lane busy - proxy compute - proxy queue time; per
     request: client - frontend latency), then with the profile's interference (a real GPU).
Reported: SLO attainment, p99 and served rps per model in undilated terms (ms / k, rps x k), the
ratio of served rates glet / temporal, and how busy the host was (CPU seconds of every glet
process per second of load, the rest of the machine and the hypervisor's steal from /proc/stat,
the load average, the client's own largest send lag), and for each plan its overhead budget: the
per-MiB batch overhead beyond which its tightest glet cannot keep up, because a frontend lane
sends one batch at a time (see overhead_budget()), next to the overhead measured. A run of both
policies takes about two minutes (most of it starting 17 proxies).

Everything goes through the `glet` binary; it binds 127.0.0.1 on ports the kernel picks and uses
a scratch resource folder (GLET_RESOURCE_DIR) holding the dilated profile. The deployment and the
scratch resources are bench/fidelity.py's.
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile
import time

from fidelity import MIB, ROOT, Deployment, emit_report, metric_sum, scratch_resources

SCENARIO = os.path.join(ROOT, "resource", "rates", "scenario1.csv")
TICK = float(os.sysconf("SC_CLK_TCK"))


def run(glet, env, args):
    p = subprocess.run([glet, "--log-level", "warn"] + args, capture_output=True, text=True,
                       env=env)
    if p.returncode != 0:
        raise RuntimeError("glet %s: %s" % (args[0], (p.stderr or p.stdout).strip()))
    return json.loads(p.stdout[p.stdout.index("{"):])


def read_rates(path):
    with open(path) as f:
        return [(r["model"], float(r["rate_rps"]), float(r["slo_ms"])) for r in csv.DictReader(f)]


def peak(glet, env, rates_csv, profiles_root, device_type, devices, policy, plan_out):
    """(per-model peak rps, plan) from `glet schedule --peak`."""
    args = ["schedule", "--rates", rates_csv, "--devices", "%s:%d" % (device_type, devices),
            "--policy", policy, "--peak", "--json", "--out", plan_out,
            "--profiles-root", profiles_root]
    run(glet, env, args)
    with open(plan_out) as f:
        plan = json.load(f)
    rates = {}
    for dev in plan["devices"]:
        for g in dev["glets"]:
            for m in g["models"]:
                rates[m["model"]] = rates.get(m["model"], 0.0) + m["rate_rps"]
    return rates, plan


# ---- host load -------------------------------------------------------------------------------

def machine_s():
    """(busy, stolen) CPU seconds of the whole machine so far (/proc/stat's first line)."""
    with open("/proc/stat") as f:
        user, nice, system, _, _, irq, softirq, steal = (
            float(x) for x in f.readline().split()[1:9])
    return (user + nice + system + irq + softirq) / TICK, steal / TICK


def proc_cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (float(fields[11]) + float(fields[12])) / TICK  # utime + stime
    except OSError:
        return 0.0


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(entry))
        except (OSError, ValueError):
            continue
    return kids


def cpu_snapshot(d):
    """CPU seconds so far: frontend, backend, proxies (the backend's children), whole machine."""
    fe, be = d.procs[0].pid, d.procs[1].pid  # frontend, backend
    return {"frontend": proc_cpu_s(fe), "backend": proc_cpu_s(be),
            "proxies": sum(proc_cpu_s(p) for p in children_of(be)), "machine": machine_s()[0],
            "steal": machine_s()[1],
            "children": os.times().children_user + os.times().children_system,
            "wall": time.time()}


def load_avg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# ---- one policy ------------------------------------------------------------------------------

def busy_by_glet(text):
    """glet_glet_busy_seconds_total per glet, in ms."""
    out = {}
    for line in text.splitlines():
        if line.startswith("glet_glet_busy_seconds_total{"):
            key, _, value = line.rpartition(" ")
            out[key] = 1000 * float(value)
    return out


def input_mib():
    """MiB of input per request and model (the profile's input shapes, FP32)."""
    with open(os.path.join(ROOT, "resource", "profiles", "ref-gpu", "device.json")) as f:
        shapes = json.load(f)["inputs"]
    mib = {}
    for model, shape in shapes.items():
        n = 4
        for dim in shape.split("_"):
            n *= int(dim)
        mib[model] = n / MIB
    return mib


def overhead_budget(plan, mib_per_request):
    """The per-MiB batch overhead (host ms) at which the plan's tightest glet stops keeping up.

    A lane sends one batch at a time, so a glet's cycle is its executions plus the serving
    overhead of each batch. At the planned rates r_m, batches b_m and executions e_m (without
    interference: emulated slices have none) the glet is busy U = sum r_m e_m / b_m of the time;
    an overhead of o ms per MiB of batch input adds sum r_m mib_m o, so it keeps up while
    o < (1 - U) / sum r_m mib_m. Returns (o, U, "model bB") of the glet with the smallest o.
    """
    best = None
    for dev in plan["devices"]:
        for g in dev["glets"]:
            used = sum(m["rate_rps"] * m["exec_ms"] / m["alpha"] / m["batch"] / 1000.0
                       for m in g["models"])
            mib_per_s = sum(m["rate_rps"] * mib_per_request[m["model"]] for m in g["models"])
            if mib_per_s <= 0:
                continue
            o = 1000.0 * (1.0 - used) / mib_per_s
            if best is None or o < best[0]:
                best = (o, used, "+".join("%s b%d" % (m["model"], m["batch"])
                                          for m in g["models"]))
    return best


def serve_policy(a, tmp, env, profile, profile_dir, policy, mib_per_request):
    work = os.path.join(tmp, policy)
    os.makedirs(work)
    k = a.k
    base = read_rates(SCENARIO)
    # The scenario dilated: SLOs x k (rates stay: --peak scales them).
    dilated_csv = os.path.join(work, "scenario1-x%g.csv" % k)
    with open(dilated_csv, "w") as f:
        f.write("model,rate_rps,slo_ms\n")
        for m, r, slo in base:
            f.write("%s,%r,%r\n" % (m, r, slo * k))
    plan_path = os.path.join(work, "plan.json")
    rates, plan = peak(a.glet, env, dilated_csv, os.path.dirname(profile_dir), profile,
                       a.devices, policy, plan_path)
    # The undilated peak, to check that dilation leaves the planner's problem unchanged.
    rates1, _ = peak(a.glet, env, SCENARIO, os.path.join(ROOT, "resource", "profiles"),
                     "ref-gpu", a.devices, policy, os.path.join(work, "plan-undilated.json"))
    glets = sum(len(dev["glets"]) for dev in plan["devices"])
    # Serve the peak: rates a hair under the plan's (JSON round trip) so the frontend's planner
    # finds the same plan.
    served_rates = {m: rates[m] * (1 - 1e-9) for m, _, _ in base}
    slo = {m: s * k for m, _, s in base}
    config = {"models": [{"name": m, "rate_rps": served_rates[m], "slo_ms": slo[m]}
                         for m, _, _ in base],
              "policy": policy, "epoch_s": 1e6, "min_devices": a.devices}
    print("%s: peak %.1f rps dilated (x%g: %.1f; undilated peak %.1f), %d glets" % (
        policy, sum(rates.values()), k, sum(rates.values()) * k, sum(rates1.values()), glets),
        flush=True)
    t_start = time.time()
    d = Deployment(a.glet, work, env, config, profile, a.devices)
    startup_s = time.time() - t_start
    log = os.path.join(work, "client.csv")
    try:
        before_metrics = d.metrics()
        load_before = load_avg()
        c0 = cpu_snapshot(d)
        client_args = ["client", "--target", d.addr["grpc"], "--json", "--duration",
                       str(a.duration), "--seed", str(a.seed), "--log", log]
        for m in served_rates:
            client_args += ["--model", "%s:%r" % (m, served_rates[m]), "--slo",
                            "%s=%r" % (m, slo[m])]
        real = run(a.glet, env, client_args)
        c1 = cpu_snapshot(d)
        load_after = load_avg()
        time.sleep(2.5)  # the proxies' counters arrive with the backend's next reports
        after_metrics = d.metrics()
        for name, text in (("metrics-before.txt", before_metrics),
                           ("metrics-after.txt", after_metrics)):
            with open(os.path.join(work, name), "w") as f:
                f.write(text)
    finally:
        d.stop()
    wall = c1["wall"] - c0["wall"]
    host = {k_: (c1[k_] - c0[k_]) / wall for k_ in ("frontend", "backend", "proxies",
                                                     "children", "machine", "steal")}
    host["client"] = host.pop("children")
    host["glet"] = host["frontend"] + host["backend"] + host["proxies"] + host["client"]
    host["other"] = host["machine"] - host["glet"]
    host["load_before"], host["load_after"] = load_before, load_after

    def delta(name, label=None):
        return metric_sum(after_metrics, name, label) - metric_sum(before_metrics, name, label)

    live_glets = sum(1 for line in after_metrics.splitlines()
                     if line.startswith("glet_glet_up{") and line.rstrip().endswith(" 1"))
    busy_before, busy_after = busy_by_glet(before_metrics), busy_by_glet(after_metrics)
    # Serving overhead per batch: the lane's time per batch beyond the proxy's compute and its
    # queue (a time-shared glet runs its models' batches one after another), per MiB of input.
    batches = delta("glet_compute_time_seconds_count")
    items = {m: delta("glet_batch_size_sum", 'model="%s"' % m) for m in served_rates}
    batch_mib = sum(n * mib_per_request[m] for m, n in items.items())
    overhead_ms = 1000 * (delta("glet_glet_busy_seconds_total") -
                          delta("glet_compute_time_seconds_sum") -
                          delta("glet_proxy_queue_seconds_total"))
    served = delta("glet_request_latency_seconds_count")
    frontend_mean = 1000 * delta("glet_request_latency_seconds_sum") / served if served else 0.0
    with open(log) as f:
        client_lat = [float(r["latency_ms"]) for r in csv.DictReader(f) if r["status"] == "served"]
    client_mean = sum(client_lat) / len(client_lat) if client_lat else 0.0
    overhead = {"batch_ms": max(0.0, overhead_ms / batches) if batches else 0.0,
                "batch_ms_per_mib": max(0.0, overhead_ms / batch_mib) if batch_mib else 0.0,
                "request_ms": max(0.0, client_mean - frontend_mean),
                "mean_batch": sum(items.values()) / batches if batches else 0.0,
                "busiest_lane": max([v - busy_before.get(key, 0.0) for key, v in busy_after.items()]
                                    or [0.0]) / (1000 * (c1["wall"] - c0["wall"]))}
    # The same sends on the same plan in the simulator.
    sims = {}
    for tag, extra in (("ideal", ["--no-interference"]),
                       ("overhead", ["--no-interference", "--batch-overhead-ms",
                                     "0", "--batch-overhead-ms-per-mib",
                                     "%.4f" % overhead["batch_ms_per_mib"],
                                     "--request-overhead-ms",
                                     "%.4f" % overhead["request_ms"]]),
                       ("interference", [])):
        sims[tag] = run(a.glet, env, ["simulate", "--plan", plan_path, "--replay", log,
                                      "--duration", str(a.duration + 1), "--replan", "off",
                                      "--json"] + extra)
    return {"policy": policy, "rates": served_rates,
            "budget": overhead_budget(plan, mib_per_request),
            "rates_undilated": rates1, "glets": glets, "live_glets": live_glets, "slo": slo,
            "real": real, "sims": sims, "host": host, "overhead": overhead,
            "startup_s": startup_s, "wall_s": wall}


# ---- report ----------------------------------------------------------------------------------

def served_rps(report, model, duration_s):
    """Requests served within SLO per second of load (the goodput over the arrival window)."""
    m = report["models"][model] if model else report
    return m["served_in_slo"] / duration_s


def describe(a, results):
    k = a.k
    lines = ["# Serving benchmark 3: SLO attainment at the planner's peak, glet vs temporal",
             "", "Command: `python3 bench/serve_peak.py --k %g --devices %d --duration %g "
             "--seed %d%s`" % (k, a.devices, a.duration, a.seed,
                               "".join(" --policy " + p for p in (a.policy or []))), "",
             "Scenario 1 (resnet50 108 ms, vgg16 142 ms, mobilenet_v2 64 ms) on %d emulated "
             "ref-GPUs dilated x%g (latencies x%g, SLOs x%g, rates / %g), served by the real "
             "processes (frontend, backend, one proxy per glet, client) on loopback, Poisson "
             "arrivals for %g s. Latencies in undilated ms (/ k), rates in undilated rps (x k)."
             % (a.devices, k, k, k, k, a.duration), "",
             "| policy | peak rps (sum) | glets | model | sent rps | attainment | p99 ms | SLO ms "
             "| served-in-SLO rps | sim ideal att. | sim +overhead att. | sim +interference att. "
             "| sim ideal p99 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        real, sims = r["real"], r["sims"]
        models = list(r["rates"]) + [None]
        for m in models:
            rm = real["models"][m] if m else real
            sm = {t: (s["models"][m] if m else s) for t, s in sims.items()}
            lines.append("| %s | %.1f | %d | %s | %.1f | %.4f | %.1f | %s | %.1f | %.4f | %.4f | "
                         "%.4f | %.1f |" % (
                             r["policy"], sum(r["rates"].values()) * k, r["glets"],
                             m or "**all**", rm["sent"] / a.duration * k, rm["slo_attainment"],
                             rm["p99_ms"] / k, "%g" % (r["slo"][m] / k) if m else "",
                             served_rps(real, m, a.duration) * k,
                             sm["ideal"]["slo_attainment"], sm["overhead"]["slo_attainment"],
                             sm["interference"]["slo_attainment"], sm["ideal"]["p99_ms"] / k))
    if len(results) == 2:
        g, t = results
        lines += ["", "Ratio %s / %s: planned peak %.3f, served within SLO %.3f, sent %.3f." % (
            g["policy"], t["policy"], sum(g["rates"].values()) / sum(t["rates"].values()),
            served_rps(g["real"], None, a.duration) / served_rps(t["real"], None, a.duration),
            g["real"]["sent"] / t["real"]["sent"])]
    lines += ["", "| policy | drops | failures | max send lag ms | client | frontend | backend "
              "| proxies | others | stolen | load avg before / after "
              "| batch overhead host ms (per MiB) | overhead budget ms/MiB (glet, planned busy) "
              "| request overhead host ms | mean batch | busiest lane | start s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        h, o, real = r["host"], r["overhead"], r["real"]
        lines.append("| %s | %s | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | "
                     "%.1f / %.1f | %.1f (%.2f) | %.2f (%s, %.3f) | %.2f | %.1f | %.3f | %.1f |" % (
                         r["policy"], json.dumps(real["dropped_by_reason"]),
                         json.dumps(real["failed_by_reason"]), real["max_send_lag_ms"],
                         h["client"], h["frontend"], h["backend"], h["proxies"], h["other"],
                         h["steal"], h["load_before"], h["load_after"], o["batch_ms"],
                         o["batch_ms_per_mib"], r["budget"][0], r["budget"][2], r["budget"][1],
                         o["request_ms"], o["mean_batch"],
                         o["busiest_lane"], r["startup_s"]))
    lines += ["", "Host columns: CPU cores kept busy on average during the load (CPU seconds per "
              "wall second; the host has %d; others = the rest of the machine, stolen = taken "
              "by the hypervisor, both from /proc/stat). "
              "Overheads in host (dilated) ms, i.e. k times their share of model time: per batch, "
              "the lane's time beyond the proxy's compute and queue (from /metrics); per request, "
              "client latency - frontend latency. Overhead budget: the per-MiB batch overhead at "
              "which the plan's tightest glet (named, with its planned busy share) can no longer "
              "keep up with its mean rate, since a lane sends one batch at a time. Busiest "
              "lane: the largest share of the load window a glet's lane spent on batches. "
              "Checks: the dilated peak x k equals the undilated peak (%s rps); the frontend ran "
              "the planned number of glets (%s)." % (
                  os.cpu_count(),
                  ", ".join("%s %.1f vs %.1f" % (r["policy"], sum(r["rates"].values()) * k,
                                                 sum(r["rates_undilated"].values()))
                            for r in results),
                  ", ".join("%s %d of %d" % (r["policy"], r["live_glets"], r["glets"])
                            for r in results))]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glet", default=os.path.join(ROOT, "build", "glet"))
    ap.add_argument("--k", type=float, default=20, help="time dilation")
    ap.add_argument("--devices", type=int, default=4, help="emulated ref-GPUs")
    ap.add_argument("--duration", type=float, default=25, help="seconds of load per policy")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policy", action="append", help="default: glet and temporal")
    ap.add_argument("--out", help="append the markdown report to this file")
    ap.add_argument("--keep", help="keep the work files (plans, client logs, metrics) in this "
                    "folder (a new one, or one without policy folders)")
    a = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="glet-serve-peak-") as scratch:
        tmp = a.keep or scratch
        os.makedirs(tmp, exist_ok=True)
        res, profile, profile_dir = scratch_resources(tmp, a.k)
        env = dict(os.environ, GLET_RESOURCE_DIR=res)
        for policy in a.policy or ["glet", "temporal"]:
            r = serve_policy(a, tmp, env, profile, profile_dir, policy, input_mib())
            results.append(r)
            print("%s: attainment %.4f (sim ideal %.4f), p99 %.1f ms, sent %d, host: glet "
                  "processes %.2f cores, others %.2f" % (
                      policy, r["real"]["slo_attainment"],
                      r["sims"]["ideal"]["slo_attainment"], r["real"]["p99_ms"] / a.k,
                      r["real"]["sent"], r["host"]["glet"], r["host"]["other"]), flush=True)
    text = describe(a, results)
    emit_report(text, a.out)


if __name__ == "__main__":
    main()
