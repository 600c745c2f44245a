"""PyTorch eager reference for `cddpm bench`: the same architectures as diffusers' UNet2DModel plus
the reference solution's Linear(24, 4*C0) label embedding, the same step (forward, MSE, backward,
gradient clipping at 1.0, AdamW) and the same sampling measure (forward passes at t=500, no grad).
Prints one JSON line per run, with the field names of `cddpm bench`.

    make bench-pytorch ARCH=tiny32 PRECISION=fp32     # pinned torch + diffusers in build/torch-venv
"""
import argparse, json, resource, time

import torch
from diffusers import UNet2DModel

ARCHS = {
    "tiny32": (32, (32, 64, 128), ("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"), ("AttnUpBlock2D", "UpBlock2D", "UpBlock2D")),
    "base32": (32, (64, 128, 256), ("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"), ("AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D")),
    "lab64": (64, (128, 128, 256, 256, 512, 512),
              ("DownBlock2D",) * 4 + ("AttnDownBlock2D", "DownBlock2D"), ("UpBlock2D", "AttnUpBlock2D") + ("UpBlock2D",) * 4),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=ARCHS, default="tiny32")
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    size, channels, down, up = ARCHS[a.arch]
    torch.manual_seed(0)
    unet = UNet2DModel(sample_size=size, in_channels=3, out_channels=3, block_out_channels=channels, layers_per_block=2,
                       down_block_types=down, up_block_types=up, attention_head_dim=8, class_embed_type="identity")
    label = torch.nn.Linear(24, channels[0] * 4)
    params = list(unet.parameters()) + list(label.parameters())
    opt = torch.optim.AdamW(params, lr=1e-4)
    bf16 = a.precision == "bf16"
    shape = (a.batch, 3, size, size)

    def step():
        x = torch.randn(shape).clamp(-1, 1)
        t = torch.randint(0, 1000, (a.batch,))
        y = (torch.rand(a.batch, 24) > 0.9).float()
        noise = torch.randn(shape)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = unet(x + noise, t, class_labels=label(y)).sample.float()
        loss = torch.nn.functional.mse_loss(out, noise)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    train = 0.0
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        step()
        if i >= a.warmup:
            train += time.perf_counter() - t0
    sample = 0.0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for i in range(a.warmup + a.iters):
            x = torch.randn(shape)
            t0 = time.perf_counter()
            unet(x, torch.full((a.batch,), 500), class_labels=label(torch.zeros(a.batch, 24))).sample.float()
            if i >= a.warmup:
                sample += time.perf_counter() - t0
    print(json.dumps({
        "arch": a.arch, "resolution": size, "batch": a.batch, "parameters": sum(p.numel() for p in params),
        "framework": f"pytorch {torch.__version__} eager", "threads": torch.get_num_threads(), "precision": a.precision,
        "train_images_per_second": a.batch * a.iters / train, "sampling_evaluations_per_second": a.batch * a.iters / sample,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10}))


if __name__ == "__main__":
    main()
