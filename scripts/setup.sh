#!/usr/bin/env bash
# Set up a fresh Debian machine for policy-review: the system libraries WeasyPrint needs, fonts,
# a virtual environment in .venv with the package and its test tools, and a Jupyter kernel.
# Safe to run again: each step checks first and does nothing when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. System packages (Debian names). Only what is missing is installed.
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0'       || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0'    || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi 'DejaVuSans' || missing+=(fonts-dejavu-core fontconfig)
# pdftotext and pdftoppm: the report tests read the PDF page by page with them.
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
# Java 17 or later for Apache Spark (PySpark 4 runs on Java 17 and 21; tests/test_engines.py
# checks Spark against DuckDB). Debian's default JRE is 17 on bookworm, 21 on trixie.
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then missing+=(default-jre-headless); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo mkdir -p /usr/share/man/man1  # the JRE's install script fails without it on slim images
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The virtual environment, reinstalled when pyproject.toml changes.
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
# dev: the test tools; spark: PySpark, the second rollup engine, which the tests compare with DuckDB;
# lab: JupyterLab for analysts, so that `make lab` needs no download (a force's network may have none).
extras="dev,spark,lab"
stamp=".venv/.installed-$( (cat pyproject.toml; echo "$extras") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing policy-review and its dependencies into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip 2>/dev/null || true
  .venv/bin/python -m pip install --quiet -e ".[$extras]" 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c 'import review, weasyprint, papermill, pyspark, jupyterlab' || { echo "setup: the install failed" >&2; exit 1; }
  # A named kernel, so notebooks run with this environment's Python wherever Jupyter starts.
  .venv/bin/python -m ipykernel install --sys-prefix --name policy-review \
    --display-name "Python (policy-review)" >/dev/null
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# 3. Browser accessibility test (tests/test_browser.py): Debian's Chromium, Node.js, and the
#    JavaScript tools pinned in package-lock.json (axe-core, playwright-core). Playwright's own
#    browser download is not used: the test drives /usr/bin/chromium. `npm ci` runs only when
#    the lock file changed since the last install.
browser_missing=()
command -v chromium >/dev/null 2>&1 || browser_missing+=(chromium)
command -v node >/dev/null 2>&1 || browser_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || browser_missing+=(npm)
if [ ${#browser_missing[@]} -gt 0 ]; then
  say "installing browser test packages: ${browser_missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${browser_missing[@]}" >/dev/null
fi
npm_stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$npm_stamp" ]; then
  say "installing the JavaScript test tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  node -e 'require("axe-core"); require("playwright-core")' || { echo "setup: npm ci failed" >&2; exit 1; }
  touch "$npm_stamp"
fi
