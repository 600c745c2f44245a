#!/usr/bin/env bash
# Builds cddpm's native kernels (cddpm_kernels.cpp) into the jar's resources. Run by `mvn package`
# (exec-maven-plugin, phase process-classes); rebuilds only when the source or this script changed.
#
#   build.sh OUT_CLASSES_DIR NATIVE_JAR TORCH_VERSION [plain|asan]
#
# Needs g++ and, once, the libtorch headers of TORCH_VERSION: they come from the torch wheel on PyPI
# (pip download, about 0.9 GB, cached in ~/.cache/cddpm/torch-VERSION/include; set
# CDDPM_TORCH_INCLUDE to use headers you already have). Links against the libtorch_cpu.so and
# libc10.so inside DJL's pytorch-native jar, i.e. the very libraries DJL loads at run time.
# `mvn -Dcddpm.kernels.skip package` builds without the kernels (DJL's own operators; no bf16).
#
# A 4th argument "asan" (`mvn -Pasan`, or CDDPM_KERNELS_ASAN=1) builds them with AddressSanitizer
# (-fsanitize=address -fno-omit-frame-pointer -O1 -g) for the native-memory test (`make asan`). Such a
# library only loads in a JVM started with the ASan runtime preloaded
# (LD_PRELOAD=$(g++ -print-file-name=libasan.so)); TorchKernels refuses it otherwise, with that advice.
# A marker resource (libcddpm_kernels.asan) beside it says which build the jar holds.
set -euo pipefail
out_classes="$1"; native_jar="$2"; torch_version="$3"; variant="${4:-}"
[[ "${CDDPM_KERNELS_ASAN:-0}" == 1 ]] && variant=asan
case "$variant" in
  asan) ;;
  ""|plain) variant="" ;;
  *) echo "[cddpm kernels] ERROR: unknown variant '$variant' (expected plain or asan)" >&2; exit 1 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/cddpm_kernels.cpp"
lib="$out_classes/native/linux-x86_64/libcddpm_kernels.so"
marker="$out_classes/native/linux-x86_64/libcddpm_kernels.asan"
stamp="$(dirname "$out_classes")/native-link/kernels.variant"
say() { echo "[cddpm kernels] $*"; }
fail() { echo "[cddpm kernels] ERROR: $*" >&2; echo "[cddpm kernels] (mvn -Dcddpm.kernels.skip package builds without them: DJL's own operators, no bf16)" >&2; exit 1; }

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  say "no native kernels for $(uname -s)-$(uname -m); DJL's own operators will be used (bf16 unavailable)"
  exit 0
fi
# up to date: newer than the source and this script, and built as the same variant (plain or asan)
if [[ -f "$lib" && "$lib" -nt "$src" && "$lib" -nt "${BASH_SOURCE[0]}" && "$(cat "$stamp" 2>/dev/null)" == "variant=$variant" ]]; then
  exit 0
fi
command -v g++ >/dev/null || fail "g++ not found (Debian/Ubuntu: apt-get install g++)"
[[ -f "$native_jar" ]] || fail "DJL's native libtorch jar not found: $native_jar"

include="${CDDPM_TORCH_INCLUDE:-${XDG_CACHE_HOME:-$HOME/.cache}/cddpm/torch-$torch_version/include}"
if [[ ! -f "$include/ATen/ATen.h" ]]; then
  [[ -z "${CDDPM_TORCH_INCLUDE:-}" ]] || fail "CDDPM_TORCH_INCLUDE=$include has no ATen/ATen.h"
  say "fetching the libtorch $torch_version headers from PyPI (torch wheel, once) ..."
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      --platform manylinux1_x86_64 --python-version 3.11 --implementation cp \
      "torch==$torch_version" -d "$work/wheel" || fail "pip download torch==$torch_version failed (network? pip?)"
  python3 - "$work/wheel" "$work/x" <<'PY' || fail "could not unpack the headers from the torch wheel"
import sys, zipfile, glob
wheel = glob.glob(sys.argv[1] + "/torch-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("torch/include/")])
PY
  mkdir -p "$(dirname "$include")"
  rm -rf "$include.tmp" && mv "$work/x/torch/include" "$include.tmp" && mv "$include.tmp" "$include"
fi

link="$(dirname "$out_classes")/native-link"
mkdir -p "$link"
python3 - "$native_jar" "$link" <<'PY' || fail "could not take libtorch_cpu.so/libc10.so from $native_jar"
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if n.endswith("/libtorch_cpu.so") or n.endswith("/libc10.so"):
            target = os.path.join(sys.argv[2], os.path.basename(n))
            if not os.path.exists(target) or os.path.getsize(target) != z.getinfo(n).file_size:
                with z.open(n) as s, open(target, "wb") as d:
                    while chunk := s.read(1 << 20):
                        d.write(chunk)
PY
[[ -f "$link/libtorch_cpu.so" && -f "$link/libc10.so" ]] || fail "$native_jar holds no libtorch_cpu.so/libc10.so"

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[[ -f "$java_home/include/jni.h" ]] || fail "jni.h not found under JAVA_HOME=$java_home (a JDK is needed)"
# DJL's libtorch uses the C++11 ABI (the PyPI wheel does not; only the headers are taken from it).
mkdir -p "$(dirname "$lib")"
flags=(-O2)
if [[ "$variant" == asan ]]; then
  runtime="$(g++ -print-file-name=libasan.so)"
  [[ "$runtime" == /* && -f "$runtime" ]] || fail "AddressSanitizer requested but g++ has no libasan.so (Debian/Ubuntu: apt-get install libasan8 or the gcc that brings it)"
  flags=(-O1 -g -fsanitize=address -fno-omit-frame-pointer)
  say "compiling $(basename "$src") against libtorch $torch_version WITH AddressSanitizer (run the JVM with LD_PRELOAD=$runtime)"
else
  say "compiling $(basename "$src") against libtorch $torch_version"
fi
g++ "${flags[@]}" -std=c++17 -shared -fPIC -D_GLIBCXX_USE_CXX11_ABI=1 -Wall \
    -isystem "$include" -isystem "$include/torch/csrc/api/include" \
    -I"$java_home/include" -I"$java_home/include/linux" \
    "$src" -L"$link" -ltorch_cpu -lc10 -o "$lib.tmp" || fail "g++ failed"
mv "$lib.tmp" "$lib"
if [[ "$variant" == asan ]]; then
  echo "$runtime" > "$marker"
else
  rm -f "$marker"
fi
echo "variant=$variant" > "$stamp"
say "built $lib"
