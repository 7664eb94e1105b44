"""Logging in end to end against a real LDAP server: OpenLDAP's slapd, the real hub and proxy, on loopback.

slapd (tests/support/ldap_server.py) serves a small directory: people and two groups. The hub and
configurable-http-proxy run from the synthesized objects (tests/support/hub_harness.py); users log in
through the proxy with the login form, as a browser does. The directory decides: the right password,
a member of an allowed group gets in; a member of the admin group is admin, and stops being admin once
removed from it; anyone else is refused.
"""

from __future__ import annotations

import ldap3
import pytest
import requests
from support.hooks import self_signed
from support.hub_harness import fake_secrets, running_hub
from support.ldap_server import ADMIN_DN, ADMIN_PASSWORD, SUFFIX, ldap_server
from support.synthesis import synth_objects
from test_real_hub_shared_password_login import log_in

pytestmark = pytest.mark.real

PEOPLE = {"alice": "alice-secret", "carol": "carol-secret", "dave": "dave-secret", "mallory": "mallory-secret"}
STUDENTS = f"cn=students,ou=groups,{SUFFIX}"
TEACHERS = f"cn=teachers,ou=groups,{SUFFIX}"


def directory() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
        *(
            f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\n"
            f"userPassword: {password}\n"
            for uid, password in PEOPLE.items()
        ),
        f"dn: {STUDENTS}\nobjectClass: groupOfNames\ncn: students\nmember: uid=alice,ou=people,{SUFFIX}\n"
        f"member: uid=dave,ou=people,{SUFFIX}\n",
        f"dn: {TEACHERS}\nobjectClass: groupOfNames\ncn: teachers\nmember: uid=carol,ou=people,{SUFFIX}\n"
        f"member: uid=dave,ou=people,{SUFFIX}\nmember: {ADMIN_DN}\n",  # groupOfNames never goes empty
    ]
    return "\n".join(entries)


def environment_text(port: int, tls: str = "tls: insecure  # loopback only; production refuses it") -> str:
    return f"""
namespace: hub-test
host: hub.example.test
auth:
  type: ldap
  server: 127.0.0.1
  port: {port}
  {tls}
  bind_dn_templates: ["uid={{username}},ou=people,{SUFFIX}"]
  allowed_groups: ["{STUDENTS}"]
  admin_groups: ["{TEACHERS}"]
hub:
  services:
    - name: login-test
      scopes: [read:users]
      api_token: {{name: login-test, key: token}}
      runs_at: [127.0.0.1/32]
# On loopback there is no cluster to enforce NetworkPolicies.
network_policy: {{enabled: false}}
"""


def logged_in(hub, username: str, password: str) -> bool:
    _, response = log_in(hub.public_url, username, password)
    assert response.status_code in (302, 403), f"{response.status_code}\n{hub.logs()}"
    return response.status_code == 302


def is_admin(hub, token: str, username: str) -> bool | None:
    answer = requests.get(
        hub.hub_url + f"hub/api/users/{username}", headers={"Authorization": f"token {token}"}, timeout=10
    )
    return None if answer.status_code == 404 else answer.json()["admin"]


def test_ldap_users_log_in_and_groups_decide_access_and_admin(tmp_path):
    with ldap_server(tmp_path, directory()) as port:
        objects = synth_objects(environment_text(port), tmp_path)
        secrets = fake_secrets(objects)
        token = secrets[("login-test", "token")]
        with running_hub(objects, tmp_path, secrets=secrets) as hub:
            # A student with the right password: in, not admin.
            assert logged_in(hub, "alice", PEOPLE["alice"])
            assert is_admin(hub, token, "alice") is False
            # The wrong password, or a user in neither group: refused, never a hub user.
            assert not logged_in(hub, "alice", "guess")
            assert not logged_in(hub, "mallory", PEOPLE["mallory"])
            assert is_admin(hub, token, "mallory") is None
            # A teacher: in, and admin (admins may log in without being in the allowed group).
            assert logged_in(hub, "carol", PEOPLE["carol"])
            assert is_admin(hub, token, "carol") is True
            # A teacher who is also a student, once removed from the teachers in the directory: still in,
            # admin no more from the next login. Carol, a teacher only, is refused from then on.
            assert logged_in(hub, "dave", PEOPLE["dave"])
            assert is_admin(hub, token, "dave") is True
            remove_member(port, TEACHERS, f"uid=dave,ou=people,{SUFFIX}")
            assert logged_in(hub, "dave", PEOPLE["dave"])
            assert is_admin(hub, token, "dave") is False
            remove_member(port, TEACHERS, f"uid=carol,ou=people,{SUFFIX}")
            assert not logged_in(hub, "carol", PEOPLE["carol"])


def test_the_hub_sends_passwords_only_to_a_directory_whose_certificate_it_verifies(tmp_path):
    """ldap3 accepts any certificate unless told otherwise: StartTLS then protects no password from whoever
    answers. With the directory's CA configured the login works; with only the public CAs, a self-signed
    directory is refused before the password is sent."""
    certificate, key = self_signed(tmp_path, "slapd")
    (tmp_path / "trusted").mkdir()
    (tmp_path / "public-cas").mkdir()
    with ldap_server(tmp_path, directory(), tls=(certificate, key)) as port:
        trusted = environment_text(port, "tls: before_bind\n  ca_certificate: {config_map: directory-ca, key: ca.crt}")
        objects = synth_objects(trusted, tmp_path / "trusted")
        # The only change for a local run: the ConfigMap's file is where the pod would mount it.
        here = f"c.LDAPAuthenticator.tls_kwargs['ca_certs_file'] = {str(certificate)!r}"
        with running_hub(objects, tmp_path / "trusted", secrets=fake_secrets(objects), extra_config=here) as hub:
            assert logged_in(hub, "alice", PEOPLE["alice"]), hub.logs()
        objects = synth_objects(environment_text(port, "tls: before_bind"), tmp_path / "public-cas")
        with running_hub(objects, tmp_path / "public-cas", secrets=fake_secrets(objects)) as hub:
            # ldapauthenticator lets the StartTLS error through: the user sees the hub's error page, 500.
            _, response = log_in(hub.public_url, "alice", PEOPLE["alice"])
            assert response.status_code == 500
            assert "[SSL: CERTIFICATE_VERIFY_FAILED]" in hub.logs()


def remove_member(port: int, group: str, member: str) -> None:
    """Change the directory as its administrator would, over LDAP (with ldap3, the authenticator's client)."""
    server = ldap3.Server("127.0.0.1", port=port)
    with ldap3.Connection(server, ADMIN_DN, ADMIN_PASSWORD, auto_bind=True) as connection:
        assert connection.modify(group, {"member": [(ldap3.MODIFY_DELETE, [member])]}), connection.result
