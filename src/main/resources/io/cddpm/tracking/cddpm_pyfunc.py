"""Loads a cddpm model logged to MLflow as a Python function (the python_function flavor of its MLmodel).

    import mlflow, pandas as pd
    model = mlflow.pyfunc.load_model("models:/iclevr32/1")
    images = model.predict(pd.DataFrame({"labels": [["red cube"], ["blue sphere", "gray cylinder"]]}),
                           params={"steps": 25, "guidance": 3.0, "seed": 0})
    images.shape  # (2, 3, 32, 32), float32 in [-1, 1]

cddpm is a Java program: predict() runs its command line, `cddpm sample`, on the model's files, so cddpm
must be installed where Python runs: CDDPM_HOME set to a cddpm checkout (its bin/cddpm is used), or
`cddpm` on the PATH. Each row of the input is one image's condition: a list of label names as in
i-CLEVR's test.json ("red cube"), in a "labels" column of a DataFrame, or a plain list of such lists.
params (all optional) override the model's own sampling setting: sampler, steps, eta, guidance, seed.
"""

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

_PARAMS = ("sampler", "steps", "eta", "guidance", "seed")


def _load_pyfunc(data_path):
    return CddpmModel(data_path)


def _command():
    home = os.environ.get("CDDPM_HOME")
    if home:
        launcher = os.path.join(home, "bin", "cddpm")
        if not os.access(launcher, os.X_OK):
            raise RuntimeError("CDDPM_HOME=%s has no executable bin/cddpm" % home)
        return launcher
    found = shutil.which("cddpm")
    if found:
        return found
    raise RuntimeError("cddpm is not installed here: set CDDPM_HOME to a cddpm checkout or put its bin/cddpm on the PATH"
                       " (this model is drawn by cddpm's Java command line)")


def _conditions(model_input):
    if hasattr(model_input, "columns"):  # a pandas DataFrame
        if "labels" not in model_input.columns:
            raise ValueError("expected a 'labels' column (one list of label names per image), got columns %s"
                             % list(model_input.columns))
        rows = list(model_input["labels"])
    elif isinstance(model_input, dict) and "labels" in model_input:
        rows = list(model_input["labels"])
    else:
        rows = list(model_input)
    out = []
    for i, row in enumerate(rows):
        if isinstance(row, str):
            row = [row]
        labels = [str(label) for label in list(row)]
        if not labels:
            raise ValueError("row %d has no labels" % i)
        out.append(labels)
    if not out:
        raise ValueError("no conditions given")
    return out


class CddpmModel:
    def __init__(self, checkpoint):
        self.checkpoint = checkpoint

    def predict(self, model_input, params=None):
        conditions = _conditions(model_input)
        work = tempfile.mkdtemp(prefix="cddpm-pyfunc-")
        try:
            path = os.path.join(work, "conditions.json")
            with open(path, "w") as f:
                json.dump(conditions, f)
            out = os.path.join(work, "out")
            command = [_command(), "sample", "--checkpoint", self.checkpoint, "--conditions", path, "--out", out]
            for key, value in (params or {}).items():
                if key not in _PARAMS:
                    raise ValueError("unknown parameter %r: expected one of %s" % (key, ", ".join(_PARAMS)))
                command += ["--" + key, str(value)]
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if done.returncode != 0:
                raise RuntimeError("cddpm sample failed (exit %d):\n%s" % (done.returncode, done.stdout))
            with np.load(os.path.join(out, "images.npz")) as images:
                return np.array(images["images"])
        finally:
            shutil.rmtree(work, ignore_errors=True)
