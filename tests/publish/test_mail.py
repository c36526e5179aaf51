"""E-mail partners, through an SMTP server started by the test (aiosmtpd), which keeps
what it receives; the messages are read back with the standard library's parser."""

from __future__ import annotations

import json
import re
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from publish.servers import Mailbox, certificate, room_from
from support.commands import run_briefkit
from support.newsrooms import ENGLISH, FRENCH, SAMPLES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SENDER = "desk@briefings.example.org"


def desk(mailbox: Mailbox, smtp: str = "") -> str:
    return ('[publish.desk]\nto = "mailto:partners@example.org, archive@example.net"\n'
            'formats = ["pdf", "docx"]\nretries = 1\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {mailbox.port}\nsecurity = "none"\n'
            f'from = "{SENDER}"\ntimeout = 10\n{smtp}\n')


def messages(mailbox: Mailbox) -> dict[str, EmailMessage]:
    """The messages received, by the briefing their attachments are named after."""
    found = {}
    for recipients, data in mailbox.messages:
        assert recipients == ["partners@example.org", "archive@example.net"]
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        names = [part.get_filename() for part in message.iter_attachments()]
        found[names[0].rsplit(".", 1)[0]] = message
    return found


def test_each_briefing_version_is_one_message_with_its_files(mailbox: Mailbox,
                                                             exported_all: Path,
                                                             tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", desk(mailbox))
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    received = messages(mailbox)
    assert sorted(received) == sorted([ENGLISH, FRENCH, "every-block", "rtl-arabic"])
    for briefing in (ENGLISH, FRENCH):
        source = json.loads((SAMPLES / f"{briefing}.json").read_text("utf-8"))
        message = received[briefing]
        assert message["Subject"] == source["title"]
        assert message["Content-Language"] == source["language"]
        assert message["To"] == "partners@example.org, archive@example.net"
        assert SENDER in message["From"]
        assert re.fullmatch(r"<[0-9a-f]{40}@briefings\.example\.org>", message["Message-ID"])
        raw = f"Message-ID: {message['Message-ID']}\r\n".encode()  # on one line
        assert any(raw in data for _, data in mailbox.messages)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert f"https://briefings.example.org/{briefing}.html" in text
        standfirst = re.sub(r"[*\[\]]|\(https?://[^)]*\)", "", source["standfirst"])
        assert standfirst.split()[0] in text and standfirst.split()[-1] in text
        attached = {part.get_filename(): part for part in message.iter_attachments()}
        assert sorted(attached) == [f"{briefing}.docx", f"{briefing}.pdf"]
        assert attached[f"{briefing}.pdf"].get_content_type() == "application/pdf"
        assert attached[f"{briefing}.docx"].get_content_type() == DOCX
        for name, part in attached.items():
            assert part.get_content() == (room / "dist" / name).read_bytes()
    french = received[FRENCH].get_body(preferencelist=("plain",))
    # the dateline, in its zone (a date is one unit: no-break spaces)
    assert french is not None and "8 janvier 2020 à 11 h 45 UTC+1" in " ".join(
        french.get_content().split())
    # nothing new: nothing sent; the receipt knows each version
    mailbox.messages.clear()
    again = run_briefkit("publish", cwd=room)
    assert again.returncode == 0 and mailbox.messages == []
    assert "desk: nothing to mail, 4 up to date" in again.stdout


def test_a_publish_stopped_while_mailing_sends_again_with_the_same_message_id(
        mailbox: Mailbox, exported_all: Path, tmp_path: Path) -> None:
    room = room_from(exported_all, tmp_path / "room", desk(mailbox))
    assert run_briefkit("publish", cwd=room).returncode == 0
    first = {b: m["Message-ID"] for b, m in messages(mailbox).items()}
    # as a publish killed between handing a message over and noting it leaves things:
    receipts = room / ".briefkit" / "receipts"
    (receipts / "desk.json").unlink()  # no message noted as taken by the server
    (receipts / "desk.journal").write_text(
        json.dumps({"sending": first[FRENCH], "briefing": FRENCH}) + "\n")
    mailbox.messages.clear()
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    assert {b: m["Message-ID"] for b, m in messages(mailbox).items()} == first
    assert result.stderr.splitlines() == [
        f"warning: desk: {FRENCH}: a publish that was stopped may have sent this message "
        f"already: sent again with the same Message-ID {first[FRENCH]}"]


def test_starttls_and_a_login_with_a_password_from_the_environment(
        exported_all: Path, tmp_path: Path) -> None:
    key, cert = certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    secret = "mail-s3cret-99"
    server = Mailbox(tls=context, login=("desk", secret))
    server.start()
    try:
        smtp = (desk(server).replace('security = "none"', 'security = "starttls"')
                .replace('host = "127.0.0.1"', 'host = "localhost"')
                + f'user = "desk"\npassword_env = "DESK_SMTP_PASSWORD"\nca_file = "{cert}"\n')
        room = room_from(exported_all, tmp_path / "room", smtp)
        wrong = run_briefkit("publish", cwd=room, env={"DESK_SMTP_PASSWORD": "wrong-guess-7"})
        assert wrong.returncode == 1 and server.messages == []
        assert wrong.stderr.splitlines() == [
            "desk: mailto:partners@example.org, archive@example.net: the mail server refused "
            "the login (535): check [smtp] user and password_env"]
        assert "wrong-guess-7" not in wrong.stdout + wrong.stderr
        right = run_briefkit("publish", "--json", cwd=room, env={"DESK_SMTP_PASSWORD": secret})
        assert right.returncode == 0, right.stderr
        assert secret not in right.stdout + right.stderr
        assert len(server.messages) == 4
    finally:
        server.stop()

def test_a_refused_recipient_is_said_and_the_others_get_the_message_once(
        exported_all: Path, tmp_path: Path) -> None:
    server = Mailbox(refused=frozenset({"archive@example.net"}))
    server.start()
    try:
        room = room_from(exported_all, tmp_path / "room", desk(server))
        result = run_briefkit("publish", cwd=room)
        assert result.returncode == 1
        assert [recipients for recipients, _ in server.messages] == \
            [["partners@example.org"]] * 4
        failures = result.stderr.splitlines()
        assert len(failures) == 4, failures
        for line in failures:
            assert line.startswith("desk: ") and line.endswith(
                ": the mail server refused archive@example.net (550 5.1.1 no such mailbox "
                "here): sent to the other recipients only"), line
        # those who have it are not sent it again
        server.messages.clear()
        again = run_briefkit("publish", cwd=room)
        assert again.returncode == 0 and server.messages == [], again.stderr
    finally:
        server.stop()


def test_a_newsletter_exported_as_a_message_is_sent_as_it_is() -> None:
    from briefkit.publish.letters import as_sent

    newsletter = (b"From: Newsletter <news@briefings.example.org>\r\nTo: someone@example.com\r\n"
                  b"Subject: This week\r\nMessage-ID: <old@x>\r\nContent-Type: text/html\r\n\r\n"
                  b"<p>The week</p>\r\n")
    sent = as_sent(newsletter, sender=SENDER, recipients=["partners@example.org"],
                   message_id="<new@example.org>")
    message = message_from_bytes(sent, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "This week" and message["To"] == "partners@example.org"
    assert message["Message-ID"] == "<new@example.org>"
    assert message["From"] == "Newsletter <news@briefings.example.org>"
    assert message.get_content_type() == "text/html"
    assert "The week" in message.get_content()
    # a message written with bare line ends travels with CRLF, as SMTP carries it
    bare = as_sent(newsletter.replace(b"\r\n", b"\n"), sender=SENDER,
                   recipients=["partners@example.org"], message_id="<new@example.org>")
    assert bare == sent


def split(data: bytes) -> tuple[list[bytes], bytes]:
    """A message's header fields (a folded one whole) and its body, as bytes."""
    head, _, body = data.partition(b"\r\n\r\n")
    fields: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields, body


def test_the_email_edition_and_the_digest_are_received_as_exported(
        mailbox: Mailbox, exported_all: Path, tmp_path: Path) -> None:
    target = ('[publish.readers]\nto = "mailto:readers@example.org"\n'
              'formats = ["email", "digest"]\nretries = 1\n'
              f'[smtp]\nhost = "127.0.0.1"\nport = {mailbox.port}\nsecurity = "none"\n'
              f'from = "{SENDER}"\ntimeout = 10\n')
    room = room_from(exported_all, tmp_path / "room", target)
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    exported = {p.name: p.read_bytes() for p in (room / "dist").glob("*.eml")}
    assert "digest.eml" in exported and f"{ENGLISH}.eml" in exported
    assert len(mailbox.messages) == len(exported)
    received = {}
    for recipients, data in mailbox.messages:
        assert recipients == ["readers@example.org"]
        fields, body = split(data)
        # the body as exported, byte for byte: found by it
        [name] = [n for n, e in exported.items() if split(e)[1] == body]
        received[name] = fields
    assert sorted(received) == sorted(exported)
    for name, fields in received.items():
        written, _ = split(exported[name])
        kept = [f for f in written if not f.lower().startswith(b"message-id:")]
        # the exported header fields as they were, then those the target sets, no other
        assert fields[:len(kept)] == kept
        added = [f.split(b":", 1)[0] for f in fields[len(kept):]]
        assert added == [b"From", b"To", b"Message-ID"], name
        message = message_from_bytes(b"\r\n".join(fields) + b"\r\n\r\n", policy=policy.default)
        assert message["To"] == "readers@example.org"
        assert SENDER in message["From"] and "The Briefing Desk" in message["From"]
        assert re.fullmatch(r"<[0-9a-f]{40}@briefings\.example\.org>", message["Message-ID"])
    assert "readers: mailed digest.eml to readers@example.org" in result.stdout
    # nothing new: nothing sent
    mailbox.messages.clear()
    again = run_briefkit("publish", cwd=room)
    assert again.returncode == 0 and mailbox.messages == []
    assert f"readers: nothing to mail, {len(exported)} up to date" in again.stdout
