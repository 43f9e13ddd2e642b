"""Turn raw mail bytes into a `ParsedMail`: pure functions, no database.

Parsing never raises on bad input: unknown charsets fall back to a lossy decode, HTML-only mail
becomes plain text, broken MIME keeps whatever parts could be read. What the message *is*
(a report, a reply, an auto-reply, a bounce, a read receipt) is decided here too.
"""

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from .html_text import html_to_text

ISSUE_KEY_RE = r"\[(?P<prefix>[A-Za-z]+)-(?P<number>\d{1,18})\]"
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_OUT_OF_OFFICE_RE = re.compile(
    r"^(auto(matic)?[ -]?(reply|response)|out of (the )?office|abwesenheit|r[ée]ponse automatique)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"(delivery status notification|undeliver|returned mail|delivery failure|mail delivery failed|"
    r"undelivered mail|delayed mail)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass
class MailPart:
    filename: str
    content_type: str
    content: bytes
    is_inline: bool


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    sender: str  # lower-case address
    sender_name: str
    recipients: list[str]
    in_reply_to: list[str]
    references: list[str]
    text: str
    attachments: list[MailPart] = field(default_factory=list)
    noise: str = ""  # why this is not a report: "auto-reply", "bounce", "read receipt", ...
    bounced_message_ids: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Ids this message answers, nearest first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


def parse_mail(raw: bytes) -> ParsedMail:
    message = message_from_bytes(raw, policy=policy.default)
    sender_name, sender = _address(message, "From")
    if not sender:
        sender_name, sender = _address(message, "Sender")
    if not sender:
        sender_name, sender = _address(message, "Return-Path")
    recipients = [a.lower() for _, a in getaddresses(
        [str(v) for h in ("To", "Cc", "Delivered-To") for v in _headers(message, h)]) if a]
    parsed = ParsedMail(
        message_id=_first_id(_header(message, "Message-ID")),
        subject=" ".join(_header(message, "Subject").split())[:300],
        sender=sender, sender_name=sender_name[:200], recipients=recipients,
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        text="",
        defects=[type(d).__name__ for d in message.defects],
    )
    parsed.text, parsed.attachments = _body(message)
    parsed.noise = _noise(message, parsed)
    if parsed.noise == "bounce":
        parsed.bounced_message_ids = _bounced_ids(message)
    return parsed


def _headers(message: Message, name: str) -> list[str]:
    try:
        return [str(v) for v in message.get_all(name) or []]
    except Exception:  # a header the policy cannot parse is as good as absent
        return []


def _header(message: Message, name: str) -> str:
    values = _headers(message, name)
    return values[0] if values else ""


def _address(message: Message, name: str) -> tuple[str, str]:
    name_part, address = parseaddr(_header(message, name))
    address = address.strip().lower()
    return name_part.strip(), address if "@" in address else ""


def _ids(value: str) -> list[str]:
    return _MSGID_RE.findall(value or "")


def _first_id(value: str) -> str:
    ids = _ids(value)
    return ids[0][:500] if ids else ""


def _decode(part: Message) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except Exception:  # unknown charset, broken transfer encoding: decode by hand below
        pass
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _body(message: Message) -> tuple[str, list[MailPart]]:
    plain, html, attachments = [], [], []
    _collect(message, plain, html, attachments)
    text = "\n\n".join(p.strip() for p in plain if p.strip())
    if not text and html:
        text = "\n\n".join(html_to_text(h) for h in html).strip()
    return text, attachments


def _collect(part: Message, plain: list[str], html: list[str], attachments: list[MailPart]) -> None:
    """Text and files of a part, depth first. Of multipart/alternative only one version's text
    counts (the first with plain text, else the first with HTML): they say the same thing, and a
    sender may label its HTML version text/plain. Files of every version are kept."""
    if part.is_multipart():
        children = part.get_payload()
        children = children if isinstance(children, list) else []
        if part.get_content_type() != "multipart/alternative":
            for child in children:
                _collect(child, plain, html, attachments)
            return
        versions = []
        for child in children:
            version: tuple[list[str], list[str]] = ([], [])
            _collect(child, *version, attachments)
            versions.append(version)
        chosen = next((v for v in versions if any(t.strip() for t in v[0])), None) or next(
            (v for v in versions if v[1]), ([], []))
        plain += chosen[0]
        html += chosen[1]
        return
    content_type = part.get_content_type()
    disposition = (part.get_content_disposition() or "").lower()
    filename = part.get_filename()
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        (plain if content_type == "text/plain" else html).append(_decode(part))
        return
    if content_type.startswith("message/") or content_type == "text/rfc822-headers":
        return  # reports and forwarded headers are in the raw message; not a file to attach
    payload = part.get_payload(decode=True)
    if payload is None:
        return
    attachments.append(MailPart(
        filename=(filename or f"part-{len(attachments) + 1}{_extension(content_type)}")[:255],
        content_type=content_type, content=payload, is_inline=disposition == "inline",
    ))


def _extension(content_type: str) -> str:
    return {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
            "text/calendar": ".ics"}.get(content_type, ".bin")


def _noise(message: Message, parsed: ParsedMail) -> str:
    content_type = message.get_content_type()
    report_type = (message.get_param("report-type") or "").lower() if content_type == "multipart/report" else ""
    if report_type == "disposition-notification" or _header(message, "Disposition-Notification-Content"):
        return "read receipt"
    if report_type == "delivery-status" or (
        parsed.sender.startswith(_BOUNCE_SENDERS) and _BOUNCE_SUBJECT_RE.search(parsed.subject)
    ):
        return "bounce"
    if report_type == "feedback-report":
        return "abuse report"
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-reply"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "auto-reply"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence == "auto_reply":
        return "auto-reply"
    if precedence in ("bulk", "junk", "list"):
        return "bulk mail"
    if _header(message, "List-Id") or _header(message, "List-Unsubscribe"):
        return "mailing list"
    if _OUT_OF_OFFICE_RE.search(parsed.subject):
        return "auto-reply"
    if parsed.sender.startswith(_BOUNCE_SENDERS):
        return "bounce"
    return ""


def _bounced_ids(message: Message) -> list[str]:
    """Message-IDs of the mail that bounced: from the returned message or its headers, or any
    id the bounce text quotes."""
    found: list[str] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, (Message, EmailMessage)):
                found += _ids(_header(inner, "Message-ID"))
        elif content_type == "text/rfc822-headers":
            headers = message_from_bytes(part.get_payload(decode=True) or b"", policy=policy.default)
            found += _ids(_header(headers, "Message-ID"))
        elif content_type == "text/plain" and not found:
            for match in re.finditer(r"^Message-ID:\s*(<[^<>\s]+>)", _decode(part), re.IGNORECASE | re.MULTILINE):
                found.append(match.group(1))
    own = _first_id(_header(message, "Message-ID"))
    return [i for i in dict.fromkeys(found) if i != own]


_QUOTE_HEADER_RE = re.compile(
    r"^(On .{1,200}wrote:|Am .{1,200}schrieb .{0,100}:|Le .{1,200}a écrit ?:|-{2,} ?Original Message ?-{2,}|"
    r"-{2,} ?Ursprüngliche Nachricht ?-{2,}|From: .+|_{10,})\s*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The new part of a reply: stops at the first quoted-history marker and drops `>` lines.
    The full message stays in the raw copy."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        # "On Tue, ... <x@y>\nwrote:" is often wrapped over two lines.
        joined = f"{stripped} {lines[i + 1].strip()}" if i + 1 < len(lines) else stripped
        wrapped = stripped.startswith("On ") and _QUOTE_HEADER_RE.match(joined)
        if kept and (_QUOTE_HEADER_RE.match(stripped) or wrapped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    result = "\n".join(kept).strip()
    return result or text.strip()
