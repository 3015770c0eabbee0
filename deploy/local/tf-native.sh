#!/usr/bin/env bash
# Native TensorFlow under TensorFlow.js without Google's download host: installs @tensorflow/tfjs-node (cpu) and/or
# @tensorflow/tfjs-node-gpu (gpu) at the project's tfjs-core version into node_modules (package.json and the lock
# stay as they are), stages libtensorflow from the TensorFlow wheel on PyPI (plus the NVIDIA CUDA/cuDNN wheels of
# `tensorflow[and-cuda]` for gpu) and builds the addon locally with node-gyp.
#
#   npm run tf:native                     # cpu: @tensorflow/tfjs-node on the tensorflow-cpu wheel
#   npm run tf:native -- gpu              # gpu: @tensorflow/tfjs-node-gpu on the tensorflow wheel + nvidia-*-cu12
#   npm run tf:native -- cpu gpu          # both (a variant built earlier is kept either way)
#   bash deploy/local/tf-native.sh gpu --strict   # exit 3 instead of 0 when it cannot (image builds)
#
# Fails soft: when anything cannot be had it says what, leaves no half-built addon, exits 0, and selectBackend()
# (libs/model/src/ziln/backend.ts) keeps training on wasm / cpu. CI does not call it. `npm ci` removes the packages
# again (they are not in the lock): run this after every `npm ci`. Needs python3 with pip, make, a C++ compiler and
# the headers of the running node (<prefix>/include/node, or TF_NATIVE_NODEDIR). Wheels come from pip's configured
# index (PIP_INDEX_URL for a mirror) and are cached in TF_NATIVE_CACHE (default ~/.cache/cvp-tf-native).
set -Eeuo pipefail

# TensorFlow 2.15.1: the binding of tfjs-node 4.22.0 (written against libtensorflow 2.9.1) calls only the stable C API
# (TF_*) and eager C API (TFE_*). 2.12 is the first release whose wheel carries them in a Python-free
# libtensorflow_cc.so.2 (before, they sit in _pywrap_tensorflow_internal.so, which needs libpython); 2.15 is the first
# whose `[and-cuda]` extra pins CUDA 12 wheels (CUDA 12.2, cuDNN 8.9; sm_90, i.e. H100, included).
TF_VERSION="${TF_NATIVE_TF_VERSION:-2.15.1}"
# Any CPython tag the pinned wheels exist for: only their shared libraries and C headers are used, never Python.
WHEEL_PYTHON=3.11
WHEEL_PLATFORMS=(--platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
EXIT_UNAVAILABLE=3

variants=()
strict=false
for arg in "$@"; do
  case "$arg" in
    cpu | gpu) variants+=("$arg") ;;
    --strict) strict=true ;;
    -h | --help)
      sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "tf:native: unknown argument '$arg' (cpu | gpu | --strict)" >&2
      exit 2
      ;;
  esac
done
[ ${#variants[@]} -gt 0 ] || variants=(cpu)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CACHE="${TF_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cvp-tf-native}"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d)"
step=start
PKG_DIR=''

log() { echo "tf:native: $*" >&2; }
package_of() { if [ "$1" = gpu ]; then echo @tensorflow/tfjs-node-gpu; else echo @tensorflow/tfjs-node; fi; }
wheel_of() { if [ "$1" = gpu ]; then echo tensorflow; else echo tensorflow-cpu; fi; }
installed_version() { node -p "try { require('./node_modules/$1/package.json').version } catch { '' }"; }
wants() { [[ " ${variants[*]} " == *" $1 "* ]]; }
fallback_backend() { if [ -d node_modules/@tensorflow/tfjs-backend-wasm ]; then echo wasm; else echo cpu; fi; }

# Removes what would make the package half-work (an addon without its libraries, or the reverse).
undo_build() {
  if [ -n "$PKG_DIR" ] && [ -d "$PKG_DIR" ]; then rm -rf "${PKG_DIR:?}/lib" "${PKG_DIR:?}/build" "${PKG_DIR:?}/deps"; fi
}

fail() {
  trap - ERR
  log "FAILED at '$step': $*"
  undo_build
  if [ -f "$WORK/package.json" ] && ! cmp -s "$WORK/package.json" package.json; then
    cp "$WORK/package.json" package.json
  fi
  if [ -f "$WORK/package-lock.json" ] && ! cmp -s "$WORK/package-lock.json" package-lock.json; then
    cp "$WORK/package-lock.json" package-lock.json
  fi
  log "native TensorFlow is not available: TensorFlow.js keeps running on the $(fallback_backend) backend" \
    "(selectBackend falls back)."
  if $strict; then exit "$EXIT_UNAVAILABLE"; fi
  exit 0
}
trap 'fail "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------------------------
step=prerequisites
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
  fail "only linux x86_64 is scripted (manylinux x86_64 wheels); this is $(uname -s)-$(uname -m)"
[ -f node_modules/@tensorflow/tfjs-core/package.json ] ||
  fail "node_modules/@tensorflow/tfjs-core is missing: run npm ci first"
TFJS_VERSION="$(node -p "require('./node_modules/@tensorflow/tfjs-core/package.json').version")"
"$PYTHON" -m pip --version >/dev/null 2>&1 ||
  fail "$PYTHON with pip is needed to fetch the wheels (apt-get install python3-pip)"
command -v make >/dev/null || fail "make is missing (apt-get install make)"
command -v "${CXX:-c++}" >/dev/null || fail "a C++ compiler is missing (apt-get install g++)"
# node-gyp would download the node headers from nodejs.org: point it at the ones installed with node instead.
NODEDIR="${TF_NATIVE_NODEDIR:-$(node -p "require('path').resolve(process.execPath, '..', '..')")}"
if [ ! -f "$NODEDIR/include/node/node_api.h" ] || [ ! -f "$NODEDIR/include/node/common.gypi" ]; then
  fail "no node headers in $NODEDIR/include/node (set TF_NATIVE_NODEDIR to a node install or tarball with include/node)"
fi
NODE_GYP="${npm_config_node_gyp:-}"
if [ -z "$NODE_GYP" ] || [ ! -f "$NODE_GYP" ]; then
  NODE_GYP="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
fi
[ -f "$NODE_GYP" ] || fail "node-gyp not found (npm's bundled copy, or set npm_config_node_gyp)"

# ---------------------------------------------------------------------------------------------------------------
# One `npm install` for every native package wanted: a later --no-save install removes, or re-extracts (wiping its
# addon), a package that an earlier one added. So a variant already installed at this version is installed again.
for other in cpu gpu; do
  if ! wants "$other" && [ "$(installed_version "$(package_of "$other")")" = "$TFJS_VERSION" ]; then
    variants+=("$other")
  fi
done
specs=()
needs_install=false
for variant in "${variants[@]}"; do
  specs+=("$(package_of "$variant")@$TFJS_VERSION")
  [ "$(installed_version "$(package_of "$variant")")" = "$TFJS_VERSION" ] || needs_install=true
done
log "${specs[*]} on TensorFlow $TF_VERSION (PyPI wheels); node $(node -v), headers $NODEDIR/include/node"
step="npm install ${specs[*]}"
cp package.json package-lock.json "$WORK/"
if $needs_install; then
  npm ls --all --parseable --long 2>/dev/null | grep -v ':EXTRANEOUS$' | sort >"$WORK/npm-ls.before" || true
  # No scripts: the install script would fetch libtensorflow and the addon from storage.googleapis.com.
  npm install --no-save --ignore-scripts --no-audit --no-fund "${specs[@]}" >&2
  npm ls --all --parseable --long 2>/dev/null | sed 's/:EXTRANEOUS$//' | sort >"$WORK/npm-ls.after" || true
  # Only additions: every package of the project stays where it was, at its version.
  changed="$(comm -23 "$WORK/npm-ls.before" "$WORK/npm-ls.after" | head -5)"
  [ -z "$changed" ] || fail "npm changed packages of the project: $changed"
fi
if ! cmp -s "$WORK/package.json" package.json || ! cmp -s "$WORK/package-lock.json" package-lock.json; then
  fail "npm touched package.json or package-lock.json (restored)"
fi
for variant in "${variants[@]}"; do
  # One tfjs-core for the project and the binding, or 'tensorflow' is registered where the project never looks.
  node -e "
    const own = require.resolve('@tensorflow/tfjs-core');
    const its = require.resolve('@tensorflow/tfjs-core', { paths: [require.resolve('$(package_of "$variant")/package.json')] });
    if (own !== its) { console.error('a second tfjs-core at ' + its); process.exit(1); }
  " || fail "$(package_of "$variant") resolves its own @tensorflow/tfjs-core"
done

pip_download() {
  mkdir -p "$CACHE"
  "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --implementation cp --python-version "$WHEEL_PYTHON" "${WHEEL_PLATFORMS[@]}" --dest "$CACHE" "$@" >&2
}
# The cached wheel of a name and version ('' when there is none); never fails, so it can sit in $( ).
cached_wheel() {
  local wheel
  for wheel in "$CACHE/${1//-/_}-$2"-*.whl; do
    if [ -f "$wheel" ]; then
      echo "$wheel"
      return
    fi
  done
}

# The addon loads, runs on the 'tensorflow' backend and multiplies right; says what it runs on.
check_addon() {
  TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}" node -e "
    const tf = require('$1');
    const product = tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[5, 6], [7, 8]])).arraySync();
    if (tf.getBackend() !== 'tensorflow' || JSON.stringify(product) !== '[[19,22],[43,50]]') {
      console.error('backend ' + tf.getBackend() + ', matMul ' + JSON.stringify(product));
      process.exit(1);
    }
    const backend = tf.backend();
    console.error('tf:native: $1 ' + tf.version['tfjs-node'] + ' runs on TensorFlow ' +
      backend.binding.TF_Version + (backend.isUsingGpuDevice ? ' with a GPU' : ' on the CPU') + '; matMul ok');
  "
}

# ---------------------------------------------------------------------------------------------------------------
for variant in "${variants[@]}"; do
  PACKAGE="$(package_of "$variant")"
  WHEEL="$(wheel_of "$variant")"
  PKG_DIR="$ROOT/node_modules/$PACKAGE"
  if [ -f "$PKG_DIR/deps/lib/libtensorflow_cc.so.2" ] && check_addon "$PACKAGE" 2>"$WORK/check.log"; then
    cat "$WORK/check.log" >&2
    continue
  fi

  step="pip download $WHEEL==$TF_VERSION"
  pip_download "$WHEEL==$TF_VERSION"
  TF_WHEEL="$(cached_wheel "$WHEEL" "$TF_VERSION")"
  [ -n "$TF_WHEEL" ] || fail "pip left no $WHEEL $TF_VERSION wheel in $CACHE"
  WHEELS=("$TF_WHEEL")
  if [ "$variant" = gpu ]; then
    step="pip download the nvidia wheels of ${WHEEL}[and-cuda]==$TF_VERSION"
    # The extra's exact pins, read from the wheel's own metadata.
    "$PYTHON" - "$TF_WHEEL" >"$WORK/and-cuda.txt" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    for line in wheel.read(meta).decode().splitlines():
        m = re.match(r"Requires-Dist: ([A-Za-z0-9_.-]+) \(?==([^);]+)\)? ?; extra == .and-cuda.", line)
        if m:
            print(f"{m.group(1)}=={m.group(2).strip()}")
PY
    [ -s "$WORK/and-cuda.txt" ] || fail "no and-cuda requirements in $(basename "$TF_WHEEL")"
    pip_download -r "$WORK/and-cuda.txt"
    while read -r requirement; do
      wheel="$(cached_wheel "${requirement%%==*}" "${requirement#*==}")"
      [ -n "$wheel" ] || fail "pip left no $requirement wheel in $CACHE"
      WHEELS+=("$wheel")
    done <"$WORK/and-cuda.txt"
  fi
  log "wheels: $(for w in "${WHEELS[@]}"; do printf '%s (%s) ' "$(basename "$w")" "$(du -h "$w" | cut -f1)"; done)"

  step="stage libtensorflow into $PKG_DIR/deps"
  undo_build
  # deps/lib: libtensorflow_cc.so.2 (C and eager C API) and libtensorflow_framework.so.2, found by the addon through
  # its rpath $ORIGIN/../../deps/lib; binding.gyp links -ltensorflow, hence the libtensorflow.so link.
  # deps/include: the C API headers. deps/nvidia/<lib>/lib: the CUDA wheels' libraries, where TensorFlow's own
  # RUNPATH ($ORIGIN/../nvidia/*/lib) looks for them, as in site-packages.
  "$PYTHON" - "$PKG_DIR/deps" "${WHEELS[@]}" <<'PY'
import os, re, shutil, sys, zipfile
deps, wheels = sys.argv[1], sys.argv[2:]
keep = re.compile(
    r"^(tensorflow/libtensorflow_(cc|framework)\.so\.2"
    r"|tensorflow/include/(tensorflow/c/.*\.h|tensorflow/core/platform/ctstring.*\.h|tsl/c/.*\.h|tsl/platform/ctstring.*\.h)"
    r"|nvidia/[a-z_]+/lib/lib[^/]+\.so[.0-9]*)$")
for path in wheels:
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            name = info.filename
            if not keep.match(name):
                continue
            if name.startswith("tensorflow/include/"):
                target = os.path.join(deps, "include", name[len("tensorflow/include/"):])
            elif name.startswith("tensorflow/"):
                target = os.path.join(deps, "lib", name[len("tensorflow/"):])
            else:
                target = os.path.join(deps, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with wheel.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            os.chmod(target, 0o755 if ".so" in name else 0o644)
PY
  ln -sfn libtensorflow_cc.so.2 "$PKG_DIR/deps/lib/libtensorflow.so"
  ln -sfn libtensorflow_framework.so.2 "$PKG_DIR/deps/lib/libtensorflow_framework.so"
  [ -f "$PKG_DIR/deps/include/tensorflow/c/eager/c_api.h" ] || fail "the wheel has no tensorflow/c/eager/c_api.h"

  step="build the $PACKAGE addon (node-pre-gyp / node-gyp)"
  NODE_PRE_GYP="$(node -p "require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', { paths: ['$PKG_DIR'] })")"
  started=$SECONDS
  # --build-from-source: never ask storage.googleapis.com for a prebuilt addon (--fallback-to-build does, first).
  (cd "$PKG_DIR" && npm_config_node_gyp="$NODE_GYP" node "$NODE_PRE_GYP" install --build-from-source \
    --nodedir="$NODEDIR" --loglevel=warn >&2)
  sizes="deps/lib $(du -sh "$PKG_DIR/deps/lib" | cut -f1)"
  if [ -d "$PKG_DIR/deps/nvidia" ]; then sizes="$sizes, deps/nvidia $(du -sh "$PKG_DIR/deps/nvidia" | cut -f1)"; fi
  log "addon built in $((SECONDS - started)) s; $PACKAGE takes $(du -sh "$PKG_DIR" | cut -f1) ($sizes)"

  step="load $PACKAGE and run a matMul"
  check_addon "$PACKAGE" || fail "$PACKAGE does not load (see the error above)"
done
PKG_DIR=''

if wants gpu && ls /dev/nvidia0 /dev/nvidiactl >/dev/null 2>&1; then
  log "selectBackend() picks: tensorflow (tfjs-node-gpu)"
elif wants cpu; then
  log "selectBackend() picks: tensorflow (tfjs-node)"
else
  log "no NVIDIA device here (/dev/nvidia*): selectBackend() skips tfjs-node-gpu and takes $(fallback_backend)" \
    "(for native TensorFlow on the CPU too: npm run tf:native -- cpu gpu)"
fi
