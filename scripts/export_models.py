#!/usr/bin/python3
"""Export glet's model zoo to TorchScript with random weights from a fixed seed.

Run with Debian's interpreter (python3-torch, python3-torchvision):
    /usr/bin/python3 scripts/export_models.py --models lenet,mobilenet_v2
Files land in $GLET_HOME/models (default ~/.cache/glet/models) as <name>.pt; existing files are
kept unless --force. No weights are downloaded: every model starts from torch.manual_seed(seed).
"""
import argparse
import os
import sys
import time

ALL_MODELS = ["lenet", "googlenet", "resnet50", "mobilenet_v2", "mnasnet1_0", "vgg16",
              "densenet161", "bert", "identity"]


def build(name):
    import torch
    import torch.nn as nn
    import torchvision.models as tvm

    if name == "lenet":
        class LeNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
                self.conv2 = nn.Conv2d(6, 16, 5)
                self.fc1 = nn.Linear(16 * 5 * 5, 120)
                self.fc2 = nn.Linear(120, 84)
                self.fc3 = nn.Linear(84, 10)

            def forward(self, x):
                x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
                x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
                x = torch.flatten(x, 1)
                return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))
        return LeNet(), torch.rand(1, 1, 28, 28)
    if name == "identity":
        class Identity(nn.Module):
            def forward(self, x):
                return x + 0.0
        return Identity(), torch.rand(1, 16)
    if name == "bert":
        class BertLike(nn.Module):
            """BERT-base shape: 12 layers, hidden 768, 12 heads, FFN 3072, seq 128."""

            def __init__(self, vocab=30522, hidden=768, layers=12, heads=12, seq=128):
                super().__init__()
                self.tok = nn.Embedding(vocab, hidden)
                self.pos = nn.Embedding(seq, hidden)
                self.norm = nn.LayerNorm(hidden)
                layer = nn.TransformerEncoderLayer(hidden, heads, 4 * hidden, dropout=0.0,
                                                   activation="gelu", batch_first=True)
                self.encoder = nn.TransformerEncoder(layer, layers,
                                                     enable_nested_tensor=False)
                self.register_buffer("positions", torch.arange(seq).unsqueeze(0))

            def forward(self, ids):
                x = self.norm(self.tok(ids) + self.pos(self.positions))
                return self.encoder(x)
        return BertLike(), torch.randint(0, 30522, (1, 128), dtype=torch.int64)
    if name == "googlenet":
        return tvm.googlenet(weights=None, aux_logits=False, init_weights=True), \
            torch.rand(1, 3, 224, 224)
    ctor = getattr(tvm, name, None)
    if ctor is None:
        raise SystemExit(f"export_models.py: unknown model '{name}' (known: {', '.join(ALL_MODELS)})")
    return ctor(weights=None), torch.rand(1, 3, 224, 224)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="lenet,mobilenet_v2,identity",
                        help="comma-separated list, or 'all' (%s)" % ",".join(ALL_MODELS))
    home = os.environ.get("GLET_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "glet")
    parser.add_argument("--out", default=os.path.join(home, "models"), help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="re-export existing files")
    args = parser.parse_args()

    names = ALL_MODELS if args.models == "all" else [m for m in args.models.split(",") if m]
    for n in names:
        if n not in ALL_MODELS:
            print(f"export_models.py: --models: unknown model '{n}' (known: {', '.join(ALL_MODELS)})",
                  file=sys.stderr)
            return 2
    os.makedirs(args.out, exist_ok=True)
    todo = [n for n in names if args.force or not os.path.exists(os.path.join(args.out, n + ".pt"))]
    if not todo:
        return 0
    import torch
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for n in todo:
        start = time.time()
        torch.manual_seed(args.seed)
        model, example = build(n)
        model.eval()
        with torch.no_grad():
            traced = torch.jit.trace(model, example, check_trace=False)
        path = os.path.join(args.out, n + ".pt")
        tmp = path + ".tmp"
        traced.save(tmp)
        os.replace(tmp, path)
        print(f"exported {n} -> {path} ({os.path.getsize(path) / 2**20:.1f} MiB, "
              f"{time.time() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
