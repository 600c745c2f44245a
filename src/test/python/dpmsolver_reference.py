"""Reference vectors for DpmSolverMultistepScheduler: diffusers' DPMSolverMultistepScheduler with its
defaults (dpmsolver++, solver_order 2, midpoint, lower_order_final, linspace spacing, final sigma zero,
no thresholding, no Karras sigmas) run on a tiny tensor, for every prediction type, both beta schedules
and a few step counts. Writes src/test/resources/reference/diffusers_dpmsolver_vectors.json, which
DpmSolverExactnessTest reads; run once and commit the output:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -r src/test/python/requirements.txt
    /tmp/venv/bin/python src/test/python/dpmsolver_reference.py

The model outputs are inputs to the test, recorded per step. They are what a good denoiser would say:
the parametrization (epsilon, sample or v) of an x0 estimate x0* + 0.1 z_i (a fixed image plus fresh
noise each step, so the second-order correction has something to correct), taken at the sample the
scheduler is at. Random outputs would instead make the epsilon path explode (x0 = (x - sigma eps) /
alpha with alpha ~ 5e-5 at t = 999 of the cosine schedule) to values where float32 has no 1e-5 left.
Every float32 is written exactly (as the double it widens to).
"""
import json
import pathlib

import diffusers
import numpy as np
import torch
from diffusers import DPMSolverMultistepScheduler

SHAPE = (1, 2, 3, 3)
SCHEDULES = ("linear", "squaredcos_cap_v2")
PREDICTIONS = ("epsilon", "sample", "v_prediction")
STEPS = (1, 3, 10, 20)
TIMESTEP_STEPS = (1, 7, 14, 15, 25, 50, 999)
OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "reference" / "diffusers_dpmsolver_vectors.json"


def flat(t):
    return [float(v) for v in t.detach().to(torch.float32).reshape(-1).tolist()]


def model_output(scheduler, prediction, sample, x0):
    """The output of a model of this prediction type whose x0 estimate at the scheduler's current step is x0."""
    sigma = scheduler.sigmas[scheduler.step_index if scheduler.step_index is not None else 0]
    alpha_t, sigma_t = scheduler._sigma_to_alpha_sigma_t(sigma)
    if prediction == "epsilon":
        return (sample - alpha_t * x0) / sigma_t
    if prediction == "sample":
        return x0.clone()
    return (alpha_t * sample - x0) / sigma_t  # v = alpha eps - sigma x0, so x0 = alpha x - sigma v


def case(schedule, prediction, steps, generator):
    scheduler = DPMSolverMultistepScheduler(beta_schedule=schedule, prediction_type=prediction)
    scheduler.set_timesteps(steps)
    target = torch.randn(SHAPE, generator=generator).clamp(-0.9, 0.9)
    sample = torch.randn(SHAPE, generator=generator)
    record = {"beta_schedule": schedule, "prediction_type": prediction, "steps": steps,
              "timesteps": [int(t) for t in scheduler.timesteps], "x_T": flat(sample), "model_outputs": [], "prev_samples": []}
    for t in scheduler.timesteps:
        x0 = target + 0.1 * torch.randn(SHAPE, generator=generator)
        out = model_output(scheduler, prediction, sample, x0).to(torch.float32)
        sample = scheduler.step(out, t, sample).prev_sample
        record["model_outputs"].append(flat(out))
        record["prev_samples"].append(flat(sample))
    return record


def main():
    generator = torch.Generator().manual_seed(2022)
    defaults = DPMSolverMultistepScheduler()
    keys = ("num_train_timesteps", "beta_start", "beta_end", "solver_order", "algorithm_type", "solver_type", "lower_order_final",
            "euler_at_final", "final_sigmas_type", "timestep_spacing", "thresholding", "use_karras_sigmas", "lambda_min_clipped",
            "steps_offset")
    config = {k: defaults.config[k] for k in keys}
    config["lambda_min_clipped"] = str(config["lambda_min_clipped"])
    timesteps = {}
    for n in TIMESTEP_STEPS:
        defaults.set_timesteps(n)
        timesteps[str(n)] = [int(t) for t in defaults.timesteps]
    out = {
        "generator": "src/test/python/dpmsolver_reference.py",
        "diffusers_version": diffusers.__version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "notes": "DPMSolverMultistepScheduler with its defaults (config below), float32 on CPU. Tensors are flattened "
                 "row-major; shape given. Each case starts at x_T; model_outputs[i] is fed at timesteps[i] and "
                 "prev_samples[i] is what step() returned.",
        "shape": list(SHAPE),
        "config": config,
        "timesteps": timesteps,
        "cases": [case(s, p, n, generator) for s in SCHEDULES for p in PREDICTIONS for n in STEPS],
    }
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(out['cases'])} cases)")


if __name__ == "__main__":
    main()
