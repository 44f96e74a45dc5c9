"""The deployment kit in deploy/: unit files that parse (and that systemd-analyze accepts where
it runs), an install script that leaves the same files when run twice, an environment template
that names every setting, and an nginx site that forwards exactly what TRUSTED_PROXIES reads."""

from __future__ import annotations

import configparser
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import require
from tests.support.processes import ROOT

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_each_unit_file_parses_with_the_sections_its_kind_needs(path: Path) -> None:
    unit = _unit(path)
    assert unit["Unit"]["Description"]
    if path.suffix == ".timer":
        assert unit["Timer"]["OnCalendar"].endswith("Europe/London")
        assert (DEPLOY / "systemd" / f"{path.stem}.service").exists()
    else:
        service = unit["Service"]
        assert service["ExecStart"].startswith("@APP_DIR@/")
        assert service["EnvironmentFile"] == "/etc/portal/portal.env"
        assert service["User"] == "@USER@"


def test_the_timers_replace_the_cron_lines() -> None:
    timers = {p.stem for p in UNITS if p.suffix == ".timer"}
    assert timers == {"portal-chasers", "portal-backup", "portal-retention"}
    assert _unit(DEPLOY / "systemd" / "portal-chasers.timer")["Timer"]["OnCalendar"] == \
        "*-*-* 07:00:00 Europe/London"


def _tree(root: Path) -> dict[str, str]:
    """Every file's content hash (and every link's target) under root."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest() + f" {path.stat().st_mode:o}"
    return found


def _install(root: Path) -> str:
    result = subprocess.run([str(DEPLOY / "install.sh"), "--root", str(root), "--server-name",
                             "portal.example.org"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_install_run_twice_leaves_the_same_files(tmp_path: Path) -> None:
    first = _install(tmp_path)
    files = _tree(tmp_path)
    second = _install(tmp_path)
    assert _tree(tmp_path) == files
    assert "wrote" in first and "wrote" not in second
    assert {"etc/portal/portal.env", "etc/nginx/sites-available/portal",
            "etc/ssl/portal/fullchain.pem", "etc/systemd/system/portal-web.service"} <= set(files)
    assert files["etc/nginx/sites-enabled/portal"] == "-> /etc/nginx/sites-available/portal"
    installed = (tmp_path / "etc/systemd/system/portal-web.service").read_text()
    assert f"WorkingDirectory={ROOT}" in installed and "@" not in installed.replace("$MAINPID", "")
    settings = (tmp_path / "etc/portal/portal.env").read_text()
    assert re.search(r"^SECRET_KEY=\S{40,}$", settings, re.MULTILINE)
    assert "PORTAL_BASE_URL=https://portal.example.org" in settings


def test_systemd_analyze_verify_accepts_the_installed_units(tmp_path: Path) -> None:
    require(shutil.which("systemd-analyze") is not None, "no systemd-analyze here")
    _install(tmp_path)
    folder = tmp_path / "etc/systemd/system"
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in folder.iterdir())],
                            capture_output=True, text=True, timeout=120, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr and "Failed" not in result.stderr, result.stderr


def test_the_environment_template_names_every_setting() -> None:
    config = (ROOT / "config" / "__init__.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_int|_share)\("([A-Z_]+)"', config))
    assert len(read) > 25
    template = (DEPLOY / "portal.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z_]+)=", template, re.MULTILINE))
    assert read - named == set()


def test_nginx_sets_every_forwarded_header_the_portal_believes_and_hsts() -> None:
    site = (DEPLOY / "nginx" / "portal.conf").read_text()
    forwarded = dict(re.findall(r"proxy_set_header (X-Forwarded-\S+) (\S+);", site))
    # ProxyFix(x_for, x_proto, x_host, x_port) with TRUSTED_PROXIES=1 and TRUSTED_HOSTS: each
    # set by nginx itself (a client's own value never passes), and no other one
    assert forwarded == {"X-Forwarded-For": "$remote_addr", "X-Forwarded-Proto": "$scheme",
                         "X-Forwarded-Host": "$host", "X-Forwarded-Port": "$server_port"}
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert re.search(r'add_header Strict-Transport-Security "max-age=\d+; includeSubDomains" always;',
                     site)
    assert re.search(r"location /survey/ \{\s*access_log off;", site)


def test_nginx_accepts_the_installed_site(tmp_path: Path) -> None:
    require(shutil.which("nginx") is not None, "Debian's nginx is not installed here")
    _install(tmp_path / "root")
    site = (tmp_path / "root/etc/nginx/sites-available/portal").read_text()
    site = site.replace("/etc/ssl/portal", str(tmp_path / "root/etc/ssl/portal"))
    (tmp_path / "site.conf").write_text(site.replace("/var/log/nginx", str(tmp_path)))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ client_body_temp_path {tmp_path}; include {tmp_path}/site.conf; }}\n")
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "syntax is ok" in result.stderr, result.stderr
