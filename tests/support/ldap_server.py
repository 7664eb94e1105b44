"""A real LDAP server for a test: Debian's OpenLDAP slapd on a loopback port, with a directory made from LDIF.

slapd is installed by .ci/run (apt-get install slapd); the directory is loaded
with slapadd before the server starts, so nothing but the test talks to it.

    with ldap_server(tmp_path, LDIF) as port:
        ...  # ldap://127.0.0.1:<port>, suffix dc=example,dc=org

With `tls=(certificate, key)` it offers StartTLS with that certificate.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.hub_harness import free_port

SLAPD_MISSING = "slapd is not installed: apt-get install slapd (Debian), as .ci/run does"
SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin"
"""The directory's administrator, for tests that change the directory while the hub runs."""
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
START_TIMEOUT = 15


def _executable(name: str) -> str:
    # slapd and slapadd live in /usr/sbin, which a non-login PATH may lack.
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    assert path, SLAPD_MISSING
    return path


def _config(directory: Path, tls: tuple[Path, Path] | None) -> str:
    includes = "".join(f"include /etc/ldap/schema/{schema}.schema\n" for schema in SCHEMAS)
    if tls is not None:
        includes += f"TLSCertificateFile {tls[0]}\nTLSCertificateKeyFile {tls[1]}\n"
    return f"""{includes}modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {directory}/slapd.pid
database mdb
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {directory}/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
"""


@contextmanager
def ldap_server(tmp_path: Path, ldif: str, tls: tuple[Path, Path] | None = None) -> Iterator[int]:
    """slapd serving `ldif` (entries below dc=example,dc=org) on a free loopback port; stopped on exit."""
    directory = tmp_path / "slapd"
    (directory / "db").mkdir(parents=True)
    config = directory / "slapd.conf"
    config.write_text(_config(directory, tls), encoding="utf-8")
    (directory / "data.ldif").write_text(ldif, encoding="utf-8")
    subprocess.run(
        [_executable("slapadd"), "-f", str(config), "-l", str(directory / "data.ldif")],
        check=True,
        capture_output=True,
        timeout=30,
    )
    port = free_port()
    log = (directory / "slapd.log").open("wb")
    server = subprocess.Popen(
        [_executable("slapd"), "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(port, server, directory)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_for(port: int, server: subprocess.Popen, directory: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, (directory / "slapd.log").read_text(errors="replace")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"slapd did not listen on {port} within {START_TIMEOUT} s")
