"""`tierline`: run, administer and seed a Tierline installation.

    tierline run [--host H] [--port P] [--data-dir D] [--no-demo]   web server + in-process worker
    tierline worker                                                  the task queue worker alone
    tierline migrate | demo | user create | token create | token revoke | org create | team create
    tierline chat-key create | list | revoke                         keys that sign chat widget identities
    tierline probe add | list | change | remove | hits               live debugging probes (tierline.probes.cli)
    tierline agent-token create | list | revoke                      tokens of the services' agents
    tierline audit verify                                            check the audit trail's hash chain
    tierline smtpd | mail poll                                       inbound mail (intake)
    tierline import reviews FILE [--source S]                        reviews and mentions (intake)
    tierline manage ARGS...                                          any Django management command
"""

import argparse
import os
import secrets
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tierline", description="Tierline issue desk")
    parser.add_argument("--data-dir", help="where the database, queue and attachments live (TIERLINE_DATA_DIR)")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the web UI and API with the worker in the same process")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--data-dir", dest="run_data_dir")
    run.add_argument("--no-demo", action="store_true", help="do not seed demo data on first run")
    run.add_argument("--no-worker", action="store_true", help="leave background work to `tierline worker`")
    run.add_argument("--workers", type=int, default=1, help="web server processes")

    worker = commands.add_parser("worker", help="run the background task worker")
    worker.add_argument("--threads", type=int, default=2)

    commands.add_parser("migrate", help="create or upgrade the database")

    demo = commands.add_parser("demo", help="erase everything and seed the demo data again")
    demo.add_argument("--issues", type=int, default=2500)
    demo.add_argument("--yes", action="store_true", help="do not ask before erasing")

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    create = user.add_parser("create")
    create.add_argument("email")
    create.add_argument("--role", required=True)
    create.add_argument("--org", help="organization name (customers)")
    create.add_argument("--name", default="")
    create.add_argument("--password", help="default: a generated one, printed once")

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(dest="action", required=True)
    token_create = token.add_parser("create")
    token_create.add_argument("email")
    token_create.add_argument("--name", default="personal")
    token_create.add_argument("--scope", default="write", choices=["read", "write", "admin"],
                              help="read: GET only; write: no admin-only endpoints; admin: all the role allows")
    token_revoke = token.add_parser("revoke")
    token_revoke.add_argument("prefix", help="the first characters of the token, as listed")

    chat_key = commands.add_parser("chat-key", help="keys that sign chat widget identities").add_subparsers(
        dest="action", required=True)
    chat_key_create = chat_key.add_parser("create", help="prints the key id and its secret, once")
    chat_key_create.add_argument("--org", help="the organization's id or exact name (default: a product-wide key)")
    chat_key_create.add_argument("--product", default="", help="which of your products signs with it")
    chat_key.add_parser("list")
    chat_key.add_parser("revoke").add_argument("key_id", help="the key id, as listed (tlk_...)")

    org = commands.add_parser("org", help="manage organizations").add_subparsers(dest="action", required=True)
    org_create = org.add_parser("create")
    org_create.add_argument("name")
    org_create.add_argument("--domain", action="append", default=[])
    org_create.add_argument("--importance", default="standard")
    org_create.add_argument("--plan", default="team")
    org_create.add_argument("--arr", default="0")

    team = commands.add_parser("team", help="manage teams").add_subparsers(dest="action", required=True)
    team_create = team.add_parser("create")
    team_create.add_argument("name")
    team_create.add_argument("--tier", type=int, required=True)

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(dest="action", required=True)
    audit.add_parser("verify", help="check that no audit entry was changed, removed or reordered")

    smtpd = commands.add_parser("smtpd", help="receive support mail over SMTP (TIERLINE_SMTPD_HOST/_PORT)")
    smtpd.add_argument("--host")
    smtpd.add_argument("--port", type=int)

    mail = commands.add_parser("mail", help="inbound mail").add_subparsers(dest="action", required=True)
    mail.add_parser("poll", help="fetch unseen mail from the TIERLINE_IMAP_* mailbox once")

    imports = commands.add_parser("import", help="import from other channels").add_subparsers(
        dest="action", required=True)
    reviews = imports.add_parser("reviews", help="an app-store / Google Play review export or a mention feed")
    reviews.add_argument("file")
    reviews.add_argument("--source", default="app_store", help="app_store, google_play, mentions, ...")

    from tierline.probes.cli import add_commands as add_probe_commands

    add_probe_commands(commands)
    manage = commands.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def _setup(data_dir: str | None) -> None:
    if data_dir:
        os.environ["TIERLINE_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierline.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _fail(message: str) -> int:
    print(f"tierline: {message}", file=sys.stderr)
    return 2


def _start_worker_thread(threads: int):
    """The embedded worker: Huey's consumer on threads inside the web server's process."""
    from huey.contrib.djhuey import HUEY

    consumer = HUEY.create_consumer(workers=threads, worker_type="thread", periodic=True)
    consumer._set_signal_handlers = lambda: None  # the web server owns the signals
    consumer.start()
    return consumer


def cmd_run(args) -> int:
    from django.conf import settings
    from django.core.management import call_command

    _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    from tierline.demo.seed import has_data, print_logins, seed_demo

    if not args.no_demo and not has_data():
        print("Seeding demo data (first run)...", flush=True)
        seed_demo(issues=settings.DEMO_ISSUES)
    if has_data():
        print_logins()
    consumer = None if args.no_worker else _start_worker_thread(2)
    demo_portal = None
    if settings.DEMO_PORTAL:
        from tierline.demo.example_portal import start_demo_portal

        demo_portal = start_demo_portal(f"http://127.0.0.1:{args.port}")
    import uvicorn

    print(f"Tierline is running at http://{args.host}:{args.port}/", flush=True)
    if not settings.PLAIN_HTTP:
        print("Cookies are HTTPS-only: serve it behind a TLS proxy, or set TIERLINE_PLAIN_HTTP=1 to log in "
              "over plain http:// (make run does).", flush=True)
    try:
        uvicorn.run("tierline.asgi:application", host=args.host, port=args.port, workers=args.workers,
                    log_level="warning", access_log=False, lifespan="off")
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        if demo_portal is not None:
            from tierline.demo.example_portal import stop_demo_portal

            stop_demo_portal(demo_portal)
    return 0


def cmd_worker(args) -> int:
    from huey.contrib.djhuey import HUEY

    print("Tierline worker started", flush=True)
    HUEY.create_consumer(workers=args.threads, worker_type="thread", periodic=True).run()
    return 0


def cmd_demo(args) -> int:
    erase = "This erases every issue, user and organization. Type 'yes': "
    if not args.yes and sys.stdin.isatty() and input(erase).strip() != "yes":
        return 1
    from django.core.management import call_command

    _migrate()
    call_command("flush", interactive=False, verbosity=0)
    from huey.contrib.djhuey import HUEY

    HUEY.flush()  # queued work refers to rows that no longer exist
    from tierline.demo.seed import print_logins, seed_demo

    seed_demo(issues=args.issues)
    print_logins()
    return 0


def cmd_user(args) -> int:
    from tierline.accounts.actions import do_create_user
    from tierline.customers.models import Organization
    from tierline.errors import ActionError

    organization = None
    if args.org:
        organization = Organization.objects.filter(name__iexact=args.org).first()
        if organization is None:
            return _fail(f"no organization named {args.org!r}")
    password = args.password or secrets.token_urlsafe(12)
    try:
        user = do_create_user(email=args.email, role=args.role, name=args.name, password=password,
                              organization=organization)
    except ActionError as error:
        return _fail(f"{error.detail}: {error.fields}")
    print(f"created {user.email} ({user.role})")
    if not args.password:
        print(f"password: {password}")
    return 0


def cmd_token(args) -> int:
    from tierline.accounts.actions import do_create_api_token, do_revoke_api_token
    from tierline.accounts.models import ApiToken, User

    if args.action == "create":
        user = User.objects.filter(email=args.email.lower(), is_active=True).first()
        if user is None:
            return _fail(f"no active user {args.email}")
        token, secret = do_create_api_token(user, name=args.name, scope=args.scope)
        print(secret)
        print(f"(shown once; only its hash is stored. Revoke with: tierline token revoke {token.prefix})",
              file=sys.stderr)
        return 0
    tokens = list(ApiToken.objects.filter(prefix=args.prefix, revoked_at=None))
    if len(tokens) != 1:
        return _fail(f"{len(tokens)} active tokens start with {args.prefix!r}; need exactly one")
    do_revoke_api_token(tokens[0])
    print(f"revoked {args.prefix}")
    return 0


def cmd_chat_key(args) -> int:
    from tierline.conversations.actions import do_create_chat_key, do_revoke_chat_key
    from tierline.conversations.identity import chat_secret
    from tierline.conversations.models import ChatKey
    from tierline.conversations.queries import list_chat_keys
    from tierline.customers.models import Organization
    from tierline.errors import ActionError

    if args.action == "list":
        for key in list_chat_keys():
            print(f"{key.key_id}\t{key.organization.name if key.organization else '(any organization)'}\t"
                  f"{key.product or '-'}\t{key.created_at:%Y-%m-%d}\t{'active' if key.is_active else 'revoked'}")
        return 0
    try:
        if args.action == "create":
            organization = None
            if args.org:
                found = Organization.objects.filter(pk=int(args.org)) if args.org.isdigit() and len(args.org) < 19 \
                    else Organization.objects.filter(name=args.org)
                organization = found.first()
                if organization is None:
                    return _fail(f"no organization {args.org}")
            key = do_create_chat_key(actor=None, organization=organization, product=args.product)
            print(f"key_id {key.key_id}\nsecret {chat_secret(key.key_id, key.secret_salt)}")
            print(f"(the secret is shown once. Revoke with: tierline chat-key revoke {key.key_id})", file=sys.stderr)
            return 0
        key = ChatKey.objects.filter(key_id=args.key_id, is_active=True).first()
        if key is None:
            return _fail(f"no active chat key {args.key_id}")
        do_revoke_chat_key(key, actor=None)
    except ActionError as error:
        return _fail(f"{error.detail}: {error.fields}")
    print(f"revoked {args.key_id}")
    return 0


def cmd_org(args) -> int:
    from tierline.customers.actions import do_create_organization
    from tierline.errors import ActionError

    try:
        org = do_create_organization(name=args.name, email_domains=args.domain, importance=args.importance,
                                     plan=args.plan, annual_revenue=args.arr)
    except ActionError as error:
        return _fail(f"{error.detail}: {error.fields}")
    print(f"created organization {org.name} (id {org.pk})")
    return 0


def cmd_team(args) -> int:
    from tierline.accounts.actions import do_create_team
    from tierline.errors import ActionError

    try:
        team = do_create_team(name=args.name, tier=args.tier)
    except ActionError as error:
        return _fail(f"{error.detail}: {error.fields}")
    print(f"created team {team.name} (tier {team.tier})")
    return 0


def cmd_audit(args) -> int:
    from tierline.audit.chain import verify_chain

    report = verify_chain()
    for problem in report.problems:
        print(problem)
    if not report.is_intact:
        return _fail(f"the audit trail is broken ({len(report.problems)} problems in {report.checked} entries)")
    print(f"audit trail intact: {report.checked} entries")
    return 0


def cmd_smtpd(args) -> int:
    import time

    from tierline.intake.smtpd import start_smtpd

    controller = start_smtpd(args.host, args.port)
    print(f"Tierline SMTP intake listening on {controller.hostname}:{controller.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


def cmd_mail(args) -> int:
    from tierline.intake.imap import Mailbox, poll_mailbox

    mailbox = Mailbox.from_settings()
    if mailbox is None:
        return _fail("set TIERLINE_IMAP_HOST (and _USER, _PASSWORD) to poll a mailbox")
    print(f"stored {poll_mailbox(mailbox)} messages")
    return 0


def cmd_import(args) -> int:
    from pathlib import Path

    from tierline.intake.actions import do_import_reviews
    from tierline.intake.reviews import read_reviews

    try:
        reviews = read_reviews(Path(args.file).read_bytes(), default_source=args.source)
    except (OSError, ValueError) as error:
        return _fail(f"cannot read {args.file}: {error}")
    counts = do_import_reviews(reviews)
    print(f"{counts['issues']} issues, {counts['ignored']} without an issue, "
          f"{counts['already_imported']} already imported")
    return 0


def _probe_commands() -> dict:
    from tierline.probes.cli import COMMANDS

    return COMMANDS


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _setup(getattr(args, "run_data_dir", None) or args.data_dir)
    if args.command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["tierline", *args.args])
        return 0
    if args.command == "migrate":
        _migrate(verbosity=1)
        return 0
    if args.command not in ("run", "demo"):
        _migrate()
    handler = {"run": cmd_run, "worker": cmd_worker, "demo": cmd_demo, "user": cmd_user,
               "token": cmd_token, "chat-key": cmd_chat_key, "org": cmd_org, "team": cmd_team, "audit": cmd_audit,
               "smtpd": cmd_smtpd, "mail": cmd_mail, "import": cmd_import, **_probe_commands()}[args.command]
    if args.command in ("run", "worker", "smtpd"):  # servers: their entries carry each request's origin
        return handler(args)
    from tierline.audit.context import command_line_origin

    with command_line_origin(args.command):
        return handler(args)


if __name__ == "__main__":
    sys.exit(main())
