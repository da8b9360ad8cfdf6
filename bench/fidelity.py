#!/usr/bin/env python3
"""Simulator fidelity: the real serving plane vs `glet simulate` on the same requests (issue 5).

  python3 bench/fidelity.py [--glet build/glet] [--k 10] [--duration 30] [--out FILE.md]
                            [--scenario NAME ...]

For each scenario, on four emulated ref-GPUs:
  1. the real serving plane — `glet frontend` (planning for the scenario's planned rates),
     `glet backend` with four emulated devices, its `glet proxy` children — serves a
     `glet client` run (Poisson arrivals at the scenario's sent rates, --log per request);
  2. `glet simulate` plans the same rates on the same profile (the same plan: same planner, same
     inputs) and replays the client's log (--replay): the same requests at the same send times;
  3. the two reports are compared: SLO attainment (percentage points) and p99 (ratio).
The simulator runs three times: with the serving overhead measured during the run itself
(in-run: each model's client-minus-frontend latency, and the calibrated batch costs scaled by
how much that moved since calibration), with the one measured before the scenarios
(calibration, below), and with none (an ideal serving plane), to show what the overhead model
changes.

Time dilation (--k): the devices are a dilated copy of ref-gpu, profiles/ref-gpu-x<k>/device.json
= {"base": <repo>/resource/profiles/ref-gpu, "time_scale": k} in a scratch resource folder
(GLET_RESOURCE_DIR): every latency x k, so rates are sent / k and SLOs set x k. Latencies and
p99 are reported in model time (divided by k). k = 1 runs the real profile.

Calibration (per run, on this host, same k): a deployment serving resnet50 (0.57 MiB inputs) and
lenet1 (3 KiB) takes uniform arrivals for one model at a time: resnet50 at two rates below its
planned one (batches of a few and of several items, one in flight at a time), lenet1 at one;
each run three times, keeping the median. From the frontend's /metrics, per batch: overhead =
(lane busy time - model compute time) / batches, fitted (least squares) on the batch's input MiB
-> --batch-overhead-ms, --batch-overhead-ms-per-mib; per request: mean client latency - mean
frontend latency, fitted on the request's input MiB -> --request-overhead-ms,
--request-overhead-ms-per-mib. Then lenet1's run is replayed in the simulator with those costs:
its lone requests are cut by the batcher's timer, so the mean latency the real run took beyond
the simulated one is the lane thread waking up late -> --wakeup-ms.

Everything goes through the `glet` binary; the host may be small (2 cores): keep k large enough
that the host is not the bottleneck (the report prints the client's send lag).
"""
import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1024.0 * 1024.0

# name -> (sent rates in model time (rps), SLO overrides (ms, model time), plan scale): the
# frontend plans for rate x plan scale (one number, or one per model), so a plan scale < 1
# overloads the plan.
SCENARIOS = {
    "S1": ({"resnet50": 200, "vgg16": 200, "mobilenet_v2": 200},
           {"resnet50": 108, "vgg16": 142, "mobilenet_v2": 64}, 1.0),
    "S1-overload": ({"resnet50": 200, "vgg16": 200, "mobilenet_v2": 200},
                    {"resnet50": 108, "vgg16": 142, "mobilenet_v2": 64}, 0.7),
    "S2": ({"googlenet": 200, "ssd-mobilenetv1": 200, "vgg16": 200},
           {"googlenet": 112, "ssd-mobilenetv1": 90, "vgg16": 112}, 1.0),
    "S2-overload": ({"googlenet": 200, "ssd-mobilenetv1": 200, "vgg16": 200},
                    {"googlenet": 112, "ssd-mobilenetv1": 90, "vgg16": 112}, 0.8),
    "S3": ({"lenet1": 200, "lenet2": 200, "lenet3": 200, "resnet50": 200},
           {"lenet1": 108, "lenet2": 108, "lenet3": 108, "resnet50": 108}, 1.0),
    "S4-mixed": ({"resnet50": 400, "googlenet": 300, "mobilenet_v2": 300, "lenet1": 300},
                 {}, 0.85),
    # The workload of tests/integration/fidelity_test.cpp.
    "T": ({"googlenet": 150, "mobilenet_v2": 150, "resnet50": 150}, {},
          {"googlenet": 0.9, "mobilenet_v2": 0.6, "resnet50": 0.9}),
}


def cpu_times():
    """(busy, total) jiffies of the whole host, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def metric_sum(text, name, label=None):
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        key, _, value = line.rpartition(" ")
        if key != name and not key.startswith(name + "{"):
            continue
        if label and label not in key:
            continue
        total += float(value)
    return total


class Deployment:
    """A frontend and one backend with `devices` emulated devices of `profile`, or, given
    `node_path`, the devices of that node file."""

    def __init__(self, glet, workdir, env, config, profile, devices, node_path=None):
        self.glet, self.env = glet, env
        cfg_path = os.path.join(workdir, "serve.json")
        with open(cfg_path, "w") as f:
            json.dump(config, f)
        if node_path is None:
            node_path = os.path.join(workdir, "node.json")
            with open(node_path, "w") as f:
                json.dump({"node": "fidelity", "devices": [
                    {"id": "gpu%d" % i, "kind": "emulated", "profile": profile, "mem_mib": 11264}
                    for i in range(devices)]}, f)
        self.procs = []
        fe = self._spawn(["frontend", "--config", cfg_path, "--http", "127.0.0.1:0", "--grpc",
                          "127.0.0.1:0", "--control", "127.0.0.1:0", "--drain-s", "1"])
        line = self._await(fe, "listening: ")
        self.addr = dict(p.split("=", 1) for p in line.split() if "=" in p)
        be = self._spawn(["backend", "--frontend", self.addr["control"], "--listen",
                          "127.0.0.1:0", "--node", node_path])
        self._await(be, "listening: ")
        self._await(fe, "ready")

    def _spawn(self, args):
        p = subprocess.Popen([self.glet, "--log-level", "warn"] + args, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=self.env)
        self.procs.append(p)
        return p

    @staticmethod
    def _await(p, text, timeout_s=120):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                raise RuntimeError("process ended before printing %r" % text)
            if text in line:
                return line.strip()
        raise RuntimeError("no %r within %d s" % (text, timeout_s))

    def metrics(self):
        return urllib.request.urlopen("http://%s/metrics" % self.addr["http"]).read().decode()

    def client(self, rates, duration_s, seed, log, dist="poisson"):
        args = ["client", "--target", self.addr["grpc"], "--json", "--duration", str(duration_s),
                "--seed", str(seed), "--dist", dist, "--log", log]
        for name, rps in rates.items():
            args += ["--model", "%s:%g" % (name, rps)]
        p = subprocess.run([self.glet, "--log-level", "warn"] + args, capture_output=True,
                           text=True, env=self.env)
        if p.returncode != 0:
            raise RuntimeError("glet client: " + p.stderr.strip())
        return json.loads(p.stdout[p.stdout.index("{"):])

    def stop(self):
        for p in self.procs:  # frontend first: it stops its glets
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()


def emit_report(text, out):
    """Prints a markdown report and, with --out, appends it to that file."""
    print(text)
    if out:
        with open(out, "a") as f:
            f.write(text + "\n")


def scratch_resources(tmp, k):
    """A resource folder with the manifest and a dilated ref-gpu (k = 1: the real one)."""
    res = os.path.join(tmp, "resource")
    os.makedirs(os.path.join(res, "profiles"), exist_ok=True)
    shutil.copy(os.path.join(ROOT, "resource", "models.json"), res)
    shutil.copytree(os.path.join(ROOT, "resource", "apps"), os.path.join(res, "apps"))
    ref = os.path.join(ROOT, "resource", "profiles", "ref-gpu")
    if k == 1:
        return res, "ref-gpu", ref
    name = "ref-gpu-x%g" % k
    os.makedirs(os.path.join(res, "profiles", name))
    with open(os.path.join(res, "profiles", name, "device.json"), "w") as f:
        json.dump({"base": ref, "time_scale": k}, f)
    return res, name, os.path.join(res, "profiles", name)


def manifest():
    with open(os.path.join(ROOT, "resource", "models.json")) as f:
        return {m["name"]: m for m in json.load(f)["models"]}


def client_minus_frontend_ms(log, metrics_before, metrics_after, model):
    """Mean client latency - mean frontend latency of the served requests (None if none)."""
    lat = [float(r["latency_ms"]) for r in csv.DictReader(open(log))
           if r["model"] == model and r["status"] == "served"]
    if not lat:
        return None
    label = 'model="%s"' % model
    s = 1000 * (metric_sum(metrics_after, "glet_request_latency_seconds_sum", label) -
                metric_sum(metrics_before, "glet_request_latency_seconds_sum", label))
    n = (metric_sum(metrics_after, "glet_request_latency_seconds_count", label) -
         metric_sum(metrics_before, "glet_request_latency_seconds_count", label))
    return statistics.mean(lat) - s / n


def fit_line(points):
    """Least-squares y = a + b x over (x, y) points, both clamped at >= 0."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx > 0 else 0.0
    b = max(0.0, b)
    return max(0.0, my - b * mx), b


def mean_served_latency(log):
    lat = [float(r["latency_ms"]) for r in csv.DictReader(open(log)) if r["status"] == "served"]
    return statistics.mean(lat) if lat else None


def calibrate(glet, tmp, env, profile, k, input_mib):
    """Serving overhead and lane wake-up on this host (see the module comment)."""
    work = os.path.join(tmp, "calibration")
    os.makedirs(work)
    models = manifest()
    config = {"models": [{"name": m, "rate_rps": 100.0 / k, "slo_ms": models[m]["slo_ms"] * k}
                         for m in ("lenet1", "resnet50")], "epoch_s": 1e6, "min_devices": 1,
              # Planned batching: with work-conserving batching a lone model below its planned
              # rate runs every request alone, and the fit needs batches of several sizes.
              "batching": {"work_conserving": False}}
    rates_csv = os.path.join(work, "rates.csv")
    with open(rates_csv, "w") as f:
        f.write("model,rate_rps,slo_ms,max_batch\n")
        for m in config["models"]:
            f.write("%s,%r,%r,%d\n" % (m["name"], m["rate_rps"], m["slo_ms"],
                                       models[m["name"]]["max_batch"]))
    d = Deployment(glet, work, env, config, profile, 1)
    batch_points = []
    request_points = []
    logs = {}
    try:
        # One model at a time: the other's lanes stay idle, so a shared glet never makes a batch
        # wait for another model's, and lane busy time - compute time is the overhead alone.
        # Each point three times, keeping the median: a burst of other work on the host during
        # one run does not skew the fit.
        # resnet50 is planned for 100 rps: at 25 and 80 its batches are cut by the duty cycle,
        # one at a time (two in flight would overlap, and busy time counts an overlap once).
        for model, rps in (("resnet50", 25.0), ("resnet50", 80.0), ("lenet1", 40.0)):
            batch_runs, request_runs = [], []
            for rep in range(3):
                before = d.metrics()
                log = os.path.join(work, "cal-%s-%g-%d.csv" % (model, rps, rep))
                logs.setdefault((model, rps), []).append(log)
                d.client({model: rps / k}, max(3.0, 20.0 * k / rps), 1 + rep, log,
                         dist="uniform")
                after = d.metrics()
                delta = lambda name: metric_sum(after, name) - metric_sum(before, name)
                batches = delta("glet_compute_time_seconds_count")
                if batches > 0:
                    items = delta("glet_batch_size_sum")
                    overhead = 1000 * (delta("glet_glet_busy_seconds_total") -
                                       delta("glet_compute_time_seconds_sum")) / batches
                    batch_runs.append((items / batches * input_mib.get(model, 0), overhead))
                transit = client_minus_frontend_ms(log, before, after, model)
                if transit is not None:
                    request_runs.append((input_mib.get(model, 0), transit))
            if batch_runs:
                batch_points.append(sorted(batch_runs, key=lambda p: p[1])[len(batch_runs) // 2])
            if request_runs:
                request_points.append(
                    sorted(request_runs, key=lambda p: p[1])[len(request_runs) // 2])
    finally:
        d.stop()
    batch_ms, batch_per_mib = fit_line(batch_points)
    request_ms, request_per_mib = fit_line(request_points)
    cal = {"request_ms": request_ms, "request_ms_per_mib": request_per_mib,
           "batch_ms": batch_ms, "batch_ms_per_mib": batch_per_mib, "wakeup_ms": 0.0,
           "batch_points": batch_points, "request_points": request_points}
    # Lane wake-up: lenet1's lone requests are cut by the batcher's timer; what the real run
    # took beyond the simulation with the costs above is the lane waking up late.
    late = []
    for lenet_log in logs[("lenet1", 40.0)]:
        simulate(glet, env, rates_csv, profile, 1, lenet_log, 1e6, cal,
                 sim_log=lenet_log + ".sim")
        real, sim = mean_served_latency(lenet_log), mean_served_latency(lenet_log + ".sim")
        if real is not None and sim is not None:
            late.append(real - sim)
    if late:
        cal["wakeup_ms"] = max(0.0, sorted(late)[len(late) // 2])
    return cal


def simulate(glet, env, rates_csv, profile, devices, log, duration_s, overhead, sim_log=None):
    args = ["simulate", "--rates", rates_csv, "--devices", "%s:%d" % (profile, devices),
            "--replay", log, "--duration", str(duration_s), "--replan", "off",
            "--no-interference", "--json", "--out", log + ".sim.json"]
    if sim_log:
        args += ["--log", sim_log]
    if overhead:
        for key in ("request_ms", "request_ms_per_mib", "batch_ms", "batch_ms_per_mib"):
            args += ["--%s" % key.replace("_ms", "-overhead-ms").replace("_", "-"),
                     "%.4f" % overhead[key]]
        args += ["--wakeup-ms", "%.4f" % overhead["wakeup_ms"]]
    p = subprocess.run([glet, "--log-level", "warn"] + args, capture_output=True, text=True,
                       env=env)
    if p.returncode != 0:
        raise RuntimeError("glet simulate: " + p.stderr.strip())
    return json.loads(p.stdout[p.stdout.index("{"):])


def run_scenario(glet, tmp, env, profile, k, name, duration_s, seed, overhead, models,
                 input_mib, plan_scale_override=None):
    sent, slos, plan_scale = SCENARIOS[name]
    if plan_scale_override is not None:
        plan_scale = plan_scale_override
    work = os.path.join(tmp, "%s-%d" % (name, len(os.listdir(tmp))))
    os.makedirs(work)
    config = {"models": [], "epoch_s": 1e6, "min_devices": 4}
    rates_csv = "model,rate_rps,slo_ms,max_batch\n"
    for m in sorted(sent):
        slo = slos.get(m, models[m]["slo_ms"])
        share = plan_scale.get(m, 1.0) if isinstance(plan_scale, dict) else plan_scale
        planned = max(1.0, sent[m] * share / k)
        config["models"].append({"name": m, "rate_rps": planned, "slo_ms": slo * k})
        rates_csv += "%s,%r,%r,%d\n" % (m, planned, slo * k, models[m]["max_batch"])
    with open(os.path.join(work, "rates.csv"), "w") as f:
        f.write(rates_csv)
    d = Deployment(glet, work, env, config, profile, 4)
    log = os.path.join(work, "client.csv")
    try:
        t0 = time.time()
        busy0, total0 = cpu_times()
        real = d.client({m: r / k for m, r in sent.items()}, duration_s, seed, log)
        busy1, total1 = cpu_times()
        wall = time.time() - t0
        metrics = d.metrics()
        devices_in_use = metric_sum(metrics, "glet_devices_in_use")
    finally:
        d.stop()
    in_run = measure_in_run(metrics, log, sent, overhead, input_mib)
    sims = {}
    for tag, o in (("sim", in_run), ("sim_cal", overhead), ("sim0", None)):
        sims[tag] = simulate(glet, env, os.path.join(work, "rates.csv"), profile, 4, log,
                             duration_s + 1, o)
    plan = json.load(open(log + ".sim.json"))["plan"]
    glets = sum(len(dev["glets"]) for dev in plan["devices"])
    return {"name": name, "real": real, "sim": sims["sim"], "sim_cal": sims["sim_cal"],
            "sim0": sims["sim0"], "in_run": in_run,
            "devices": int(devices_in_use), "sim_devices": sims["sim"]["devices"],
            "glets": glets, "wall_s": wall, "sent": real["sent"],
            "host_busy": (busy1 - busy0) / max(1, total1 - total0)}


def measure_in_run(metrics, log, sent, cal, input_mib):
    """The serving overhead of the run itself, under the host load it had.

    Per request: each model's mean client latency minus its mean frontend latency, fitted on the
    models' input MiB. Per batch: the calibrated line scaled by how much slower (or faster) the
    requests' transfers were than at calibration (the same host work: gRPC, serialisation,
    copies) -- lane busy time cannot be used here, since a lane's two batches in flight overlap
    and busy time counts the overlap once. The lane wake-up stays the calibrated one.
    """
    out = dict(cal)
    points = []
    for m in sent:
        t = client_minus_frontend_ms(log, "", metrics, m)
        if t is not None:
            points.append((input_mib.get(m, 0), t))
    if not points:
        return out
    predicted = sum(cal["request_ms"] + cal["request_ms_per_mib"] * x for x, _ in points)
    measured = sum(t for _, t in points)
    out["request_ms"], out["request_ms_per_mib"] = fit_line(points)
    if predicted > 0 and measured > 0:
        f = measured / predicted
        out["batch_ms"] *= f
        out["batch_ms_per_mib"] *= f
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glet", default=os.path.join(ROOT, "build", "glet"))
    ap.add_argument("--k", type=float, default=10, help="time dilation (1: none)")
    ap.add_argument("--duration", type=float, default=30, help="client seconds per scenario")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", action="append", help="default: all")
    ap.add_argument("--plan-scale", type=float,
                    help="plan for this share of the sent rates (default: the scenario's)")
    ap.add_argument("--out", help="markdown report (default: print only)")
    a = ap.parse_args()
    names = a.scenario or list(SCENARIOS)
    models = manifest()
    with tempfile.TemporaryDirectory(prefix="glet-fidelity-") as tmp:
        res, profile, profile_dir = scratch_resources(tmp, a.k)
        env = dict(os.environ, GLET_RESOURCE_DIR=res)
        # Input MiB per request, as the simulator reads it (profile device.json `inputs`).
        with open(os.path.join(ROOT, "resource", "profiles", "ref-gpu", "device.json")) as f:
            shapes = json.load(f)["inputs"]
        input_mib = {m: 4 * eval("*".join(s.split("_"))) / MIB for m, s in shapes.items()}
        cal = calibrate(a.glet, tmp, env, profile, a.k, input_mib)
        print("calibration (k=%g): %s  (batch points %s, request points %s)" % (
            a.k, describe(cal), [(round(x, 2), round(y, 2)) for x, y in cal["batch_points"]],
            [(round(x, 3), round(y, 2)) for x, y in cal["request_points"]]), flush=True)
        results = []
        for name in names:
            r = run_scenario(a.glet, tmp, env, profile, a.k, name, a.duration, a.seed, cal,
                             models, input_mib, a.plan_scale)
            results.append(r)
            real = r["real"]
            print("%-12s sent %5d devices %d/%d host busy %3.0f%%  real: att %.4f p99 %.1f" % (
                name, r["sent"], r["devices"], r["sim_devices"], 100 * r["host_busy"],
                real["slo_attainment"], real["p99_ms"] / a.k), flush=True)
            for tag, label in (("sim", "in-run overhead"), ("sim_cal", "calibrated overhead"),
                               ("sim0", "no overhead")):
                sim = r[tag]
                print("    sim, %-19s att %.4f (%+.2f pp) p99 %.1f (x%.3f)" % (
                    label, sim["slo_attainment"],
                    100 * (sim["slo_attainment"] - real["slo_attainment"]), sim["p99_ms"] / a.k,
                    sim["p99_ms"] / real["p99_ms"]), flush=True)
            print("    in-run overhead: %s" % describe(r["in_run"]), flush=True)
    if a.out:
        write_markdown(a, cal, results)


def describe(cal):
    return "request %.2f ms + %.2f ms/MiB, batch %.2f ms + %.2f ms/MiB, lane wake-up %.2f ms" % (
        cal["request_ms"], cal["request_ms_per_mib"], cal["batch_ms"], cal["batch_ms_per_mib"],
        cal["wakeup_ms"])


def write_markdown(a, cal, results):
    lines = ["Command: `python3 bench/fidelity.py --k %g --duration %g --seed %d%s`" % (
                 a.k, a.duration, a.seed,
                 "".join(" --scenario " + s for s in (a.scenario or []))), "",
             "Calibration: %s." % describe(cal), "",
             "| scenario | sent | devices | host busy | real att | p99 ms | sim in-run: att (pp) "
             "| p99 (ratio) | sim calibrated: att (pp) | p99 (ratio) | ideal sim: att (pp) "
             "| p99 (ratio) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        real = r["real"]
        cells = ["%s" % r["name"], "%d" % r["sent"], "%d" % r["devices"],
                 "%.0f%%" % (100 * r["host_busy"]), "%.4f" % real["slo_attainment"],
                 "%.1f" % (real["p99_ms"] / a.k)]
        for tag in ("sim", "sim_cal", "sim0"):
            sim = r[tag]
            cells.append("%.4f (%+.2f)" % (sim["slo_attainment"],
                                           100 * (sim["slo_attainment"] -
                                                  real["slo_attainment"])))
            cells.append("%.1f (%.3f)" % (sim["p99_ms"] / a.k, sim["p99_ms"] / real["p99_ms"]))
        lines.append("| " + " | ".join(cells) + " |")
    with open(a.out, "a") as f:
        f.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
