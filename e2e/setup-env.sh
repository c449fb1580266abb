# Sourced by scripts/test-e2e and scripts/demo (bash): installs what the rig needs, idempotently and quickly when
# everything is already there.
#   Debian packages: glewlwyd caddy nginx chromium chromium-driver
#   Python (a venv in e2e/.venv): selenium pytest requests cryptography
# A package installed here may start its system service (caddy and nginx on port 80, glewlwyd on 4593): those
# services are stopped and disabled right after their install. The rig runs its own instances, with its own configs
# under a temp dir, on 127.0.0.1 only. Services of packages that were already installed are left alone.

E2E_APT_PACKAGES=(glewlwyd caddy nginx chromium chromium-driver)
E2E_PIP_PACKAGES=(selenium pytest requests cryptography)

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
      case "$pkg" in glewlwyd|caddy|nginx) e2e_stop_service "$pkg" ;; esac
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
  if ! "$venv/bin/python" -c 'import selenium, pytest, requests, cryptography' >/dev/null 2>&1; then
    echo "e2e: pip install ${E2E_PIP_PACKAGES[*]}"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${E2E_PIP_PACKAGES[@]}"
  fi
  E2E_PYTHON="$venv/bin/python"
}
