"""`tierline mail poll` against a real IMAP server: Dovecot, started here in a throwaway directory
(the Debian package `dovecot-imapd`; scripts/test.sh installs it)."""

import imaplib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.intake.conftest import fixture_bytes, make_mail
from tierline.intake.imap import Mailbox, poll_mailbox
from tierline.intake.models import InboundMessage
from tierline.issues.models import Issue

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support@tierline.localhost", "imap-test-secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/run
instance_name = tierline-test-{port}
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dovecot():
    if not Path(DOVECOT).exists() or os.geteuid() != 0:
        if os.environ.get("TIERLINE_REQUIRE_SERVICES"):
            pytest.fail("Dovecot (dovecot-imapd) is required here")
        pytest.skip("Dovecot not installed (apt-get install dovecot-imapd), or not root")
    # Dovecot's processes run as nobody: the directory must be reachable, so not under pytest's 0700 tmp.
    tmp_path = Path(tempfile.mkdtemp(prefix="tierline-dovecot-"))
    tmp_path.chmod(0o755)
    (tmp_path / "run").mkdir()
    (tmp_path / "mail").mkdir()
    shutil.chown(tmp_path / "mail", "nobody", "nogroup")
    (tmp_path / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    config = tmp_path / "dovecot.conf"
    config.write_text(CONFIG.format(d=tmp_path, port=port, user="nobody", group="nogroup"))
    subprocess.run([DOVECOT, "-c", str(config)], check=True)
    pid = None
    for _ in range(100):
        try:
            pid = int((tmp_path / "run" / "master.pid").read_text())
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except (OSError, ValueError):
            time.sleep(0.05)
    yield Mailbox("127.0.0.1", port, USER, PASSWORD, "INBOX", use_ssl=False)
    if pid:
        os.kill(pid, signal.SIGTERM)
    shutil.rmtree(tmp_path, ignore_errors=True)


def _append(mailbox: Mailbox, raw: bytes) -> None:
    with imaplib.IMAP4(mailbox.host, mailbox.port) as client:
        client.login(mailbox.user, mailbox.password)
        client.append(mailbox.folder, None, None, raw)
        client.logout()


@pytest.mark.django_db(transaction=True)
def test_polling_stores_unseen_mail_once_and_marks_it_seen(dovecot, org):
    _append(dovecot, make_mail(message_id="<imap1@acme.example>"))
    _append(dovecot, fixture_bytes("email", "flanker", "iphone.eml"))
    _append(dovecot, fixture_bytes("email", "flanker", "disposition-notification.eml"))
    assert poll_mailbox(dovecot) == 3
    assert poll_mailbox(dovecot) == 0  # seen now
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == ["ignored", "processed", "processed"]
    assert InboundMessage.objects.filter(source="imap:INBOX").count() == 3
    assert Issue.objects.count() == 2 and Issue.objects.filter(organization=org).count() == 1
