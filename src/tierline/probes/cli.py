"""`tierline probe ...` and `tierline agent-token ...`: live debugging from the shell.

    tierline probe add TL-42 --service portal --at app/auth.py:88 --log "token length {len(token)}" \\
        --when "len(token) > 8000" --reason "..." --as erin@example.com [--snapshot | --metric TYPE
        [--value EXPR] | --log-level LOGGER] [--all-customers] [--ttl 3600] [--max-hits N] [--rate R]
    tierline probe list TL-42 | change p-7 ... | remove p-7 --reason ... --as EMAIL
    tierline probe hits TL-42 [--probe p-7] [--follow]
    tierline agent-token create --service portal [--name N] | list | revoke ID

Writes act as the user `--as` names (an engineer or admin: probe.manage), so audit entries and
timeline events have an actor; they call the same actions as the API.
"""

import json
import sys
import time


def add_commands(commands) -> None:
    probe = commands.add_parser("probe", help="live debugging probes on issues").add_subparsers(
        dest="action", required=True)
    add = probe.add_parser("add", help="add a probe to a service for an issue")
    add.add_argument("issue")
    add.add_argument("--service", required=True)
    add.add_argument("--at", dest="location", default="", help="path/to/file.py:LINE or package.module:function")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--log", dest="template", help="a log line: text with {expression} parts")
    kind.add_argument("--snapshot", action="store_true", help="arguments, locals, return value and stack")
    kind.add_argument("--metric", choices=["count", "gauge", "histogram", "duration"])
    kind.add_argument("--log-level", dest="logger", help="DEBUG records of this logger ('' for all)")
    add.add_argument("--value", default="", help="the metric's expression")
    add.add_argument("--name", dest="metric_name", default="")
    change = probe.add_parser("change", help="change a probe")
    for target in (add, change):
        target.add_argument("--when", dest="condition", help="only when this expression is true")
        target.add_argument("--max-hits", type=int)
        target.add_argument("--rate", type=float, help="hits per second")
        target.add_argument("--reason", required=True, help="why (kept in the audit trail)")
        target.add_argument("--as", dest="actor", required=True, help="the engineer's email")
    add.add_argument("--ttl", type=int, default=3600, help="seconds until the probe ends")
    add.add_argument("--all-customers", action="store_true", help="fire for every customer, not the issue's")
    add.add_argument("--instance", dest="instances", action="append", default=[])
    add.add_argument("--tag", dest="tags", action="append", default=[], help="KEY=VALUE: only tagged instances")
    change.add_argument("probe")
    change.add_argument("--extend", dest="extend_seconds", type=int, help="seconds to add to its end")
    probe.add_parser("list", help="an issue's probes and their statuses").add_argument("issue")
    remove = probe.add_parser("remove", help="remove a probe from every agent")
    remove.add_argument("probe")
    remove.add_argument("--reason", required=True)
    remove.add_argument("--as", dest="actor", required=True)
    hits = probe.add_parser("hits", help="an issue's hits, oldest first")
    hits.add_argument("issue")
    hits.add_argument("--probe", default="")
    hits.add_argument("--follow", action="store_true", help="keep printing new hits (Ctrl-C to stop)")

    token = commands.add_parser("agent-token", help="tokens the services' agents authenticate with") \
        .add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="prints the secret, once")
    create.add_argument("--service", required=True)
    create.add_argument("--name", default="")
    token.add_parser("list")
    token.add_parser("revoke").add_argument("token", help="its id or prefix, as listed")


def _fail(message: str) -> int:
    print(f"tierline: {message}", file=sys.stderr)
    return 2


def _actor(email: str):
    from tierline.accounts.models import User
    from tierline.accounts.permissions import has_perm
    from tierline.errors import PermissionDenied

    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None or not has_perm(user, "probe.manage"):
        raise PermissionDenied(f"{email} is not an active engineer or admin (probe.manage)")
    return user


def _add(args) -> str:
    from tierline.issues.queries import get_issue_for_user

    from .actions import do_create_probe

    actor = _actor(args.actor)
    kind = "log" if args.template is not None else "snapshot" if args.snapshot else \
        "metric" if args.metric else "log_level"
    tags = dict(t.split("=", 1) for t in args.tags if "=" in t)
    probe = do_create_probe(
        get_issue_for_user(actor, args.issue), actor=actor, reason=args.reason, all_customers=args.all_customers,
        ttl_seconds=args.ttl, service=args.service, kind=kind, location=args.location, condition=args.condition or "",
        template=args.template or "", metric_type=args.metric or "", value=args.value, metric_name=args.metric_name,
        logger=args.logger or "", rate=args.rate, max_hits=args.max_hits, instance_ids=args.instances, tags=tags)
    scope = "every customer" if probe.all_customers else f"organization {probe.organization.name}"
    return f"added {probe.public_id} ({probe.kind} at {probe.location or probe.logger}, {scope}, " \
           f"until {probe.expires_at:%Y-%m-%d %H:%M} UTC)"


def _change(args) -> str:
    from .actions import do_change_probe
    from .queries import get_probe_for_user

    actor = _actor(args.actor)
    changes = {k: getattr(args, k) for k in ("condition", "max_hits", "rate", "extend_seconds")
               if getattr(args, k) is not None}
    probe = do_change_probe(get_probe_for_user(actor, args.probe), actor=actor, reason=args.reason, **changes)
    return f"changed {probe.public_id} (version {probe.version})"


def _list(args) -> str:
    from tierline.issues.queries import get_issue_for_user

    from .queries import list_issue_probes

    issue = _any_issue(args.issue, get_issue_for_user)
    lines = []
    for probe in list_issue_probes(issue):
        state = "active" if probe.is_active else "removed" if probe.removed_at else "ended"
        lines.append(f"{probe.public_id}\t{probe.kind}\t{probe.service}\t{probe.location or probe.logger}\t{state}\t"
                     f"{probe.hit_count} hits\t{probe.condition or '-'}")
        lines += [f"  {s.instance.host}:{s.instance.pid}\t{s.status}\t{s.hits} hits\t{s.message}"
                  for s in probe.statuses.all()]
    return "\n".join(lines) or f"no probes on {issue.key}"


def _shell_user():
    """Reads from the server's shell see every issue, as an admin would."""
    from tierline.accounts.models import Role, User

    return User(role=Role.ADMIN, is_active=True)


def _any_issue(key: str, get_issue_for_user):
    return get_issue_for_user(_shell_user(), key)


def _hits(args) -> int:
    from tierline.issues.queries import get_issue_for_user

    from .api import hit_out
    from .queries import list_hits

    issue = _any_issue(args.issue, get_issue_for_user)
    from .queries import get_probe_for_user

    only = get_probe_for_user(_shell_user(), args.probe) if args.probe else None
    after = 0
    while True:
        hits = list_hits(issue, after=after, probe=only, limit=500)
        for hit in hits:
            out = hit_out(hit)
            detail = out.get("message") or out.get("snapshot") or out.get("metric") or out.get("record")
            text = detail if isinstance(detail, str) else json.dumps(detail, separators=(",", ":"))
            print(f"{out['captured_at']:%H:%M:%S.%f}"[:-3] + f"\t{out['probe']}\t{out['host']}\t{text}", flush=True)
            after = hit.pk
        if not args.follow:
            return 0
        if not hits:
            time.sleep(0.5)


def cmd_probe(args) -> int:
    from tierline.errors import ActionError

    try:
        if args.action == "hits":
            return _hits(args)
        if args.action == "remove":
            from .actions import do_remove_probe
            from .queries import get_probe_for_user

            actor = _actor(args.actor)
            probe = do_remove_probe(get_probe_for_user(actor, args.probe), actor=actor, reason=args.reason)
            print(f"removed {probe.public_id} ({probe.hit_count} hits)")
            return 0
        print({"add": _add, "change": _change, "list": _list}[args.action](args))
    except ActionError as error:
        fields = "".join(f"\n  {name}: {message}" for name, message in error.fields.items())
        return _fail(f"{error.detail}{fields}")
    except KeyboardInterrupt:
        return 0
    return 0


def cmd_agent_token(args) -> int:
    from tierline.errors import ActionError

    from .actions import do_create_agent_token, do_revoke_agent_token
    from .queries import list_agent_tokens

    if args.action == "list":
        for token in list_agent_tokens():
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            print(f"{token.pk}\t{token.prefix}\t{token.service}\t{token.name or '-'}\t{used}\t"
                  f"{'revoked' if token.revoked_at else 'active'}")
        return 0
    try:
        if args.action == "create":
            token, secret = do_create_agent_token(service=args.service, name=args.name, actor=None)
            print(secret)
            print(f"(shown once; only its hash is stored. Revoke with: tierline agent-token revoke {token.pk})",
                  file=sys.stderr)
            return 0
        found = [t for t in list_agent_tokens() if str(t.pk) == args.token or t.prefix == args.token]
        if len(found) != 1:
            return _fail(f"{len(found)} agent tokens match {args.token!r}; need exactly one")
        do_revoke_agent_token(found[0], actor=None)
    except ActionError as error:
        return _fail(f"{error.detail}: {error.fields}")
    print(f"revoked {found[0].prefix} ({found[0].service})")
    return 0


COMMANDS = {"probe": cmd_probe, "agent-token": cmd_agent_token}
