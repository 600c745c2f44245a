"""Color strength in the four corners of sample images: the "top-left smudge" measure.

For every PNG in the given folders (one sample per file, e.g. a `cddpm sample --out` folder or a
run's samples folder), the 5x5 patch in each corner is scored as the mean over its pixels of
|R - g| + |G - g| + |B - g|, g = (R + G + B) / 3, on 0-255 values: 0 for a gray floor, tens for a
colored object. Prints the mean over all images per corner. Needs Pillow and NumPy (both are in the
MLflow environment):

    mlflow/.venv/bin/python experiments/tools/corner_color.py samples-test samples-new_test
"""
import pathlib
import sys

import numpy as np
from PIL import Image

PATCH = 5


def corner_strengths(path):
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)
    chroma = np.abs(rgb - rgb.mean(axis=2, keepdims=True)).sum(axis=2)
    p = PATCH
    return [chroma[:p, :p].mean(), chroma[:p, -p:].mean(), chroma[-p:, :p].mean(), chroma[-p:, -p:].mean()]


def main(folders):
    if not folders:
        sys.exit("usage: corner_color.py FOLDER [FOLDER ...]")
    files = []
    for folder in map(pathlib.Path, folders):
        if not folder.is_dir():
            sys.exit(f"corner_color.py: {folder}: not a folder")
        found = sorted(f for f in folder.glob("*.png") if not f.name.startswith(("grid", "progressive")))
        if not found:
            sys.exit(f"corner_color.py: {folder}: no sample PNGs")
        files += found
    scores = np.array([corner_strengths(f) for f in files])
    means = scores.mean(axis=0)
    print(f"{len(files)} images; corner color strength (5x5 mean of |R-g|+|G-g|+|B-g|):")
    for name, value in zip(["top-left", "top-right", "bottom-left", "bottom-right"], means):
        print(f"  {name:<12} {value:6.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
