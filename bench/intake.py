"""Intake throughput and the similar-issues lookup at scale.

    .venv/bin/python bench/intake.py [--quick] [--database-url URL]

1. Alerts: Alertmanager webhooks of 10 alerts each, posted in-process with Django's test client
   (auth by the integration's secret, payload stored, then processed inline as the worker would:
   grouped by fingerprint into issues). Baseline in the same run: the same posts with processing
   left to a stopped worker (accept and store only). Target: 1,000 alerts/s end to end. Also
   measured with the worker in a second process taking the queue while this one posts (the web
   and the worker on 2 cores), until the last payload is processed. The headline mix is harsh
   (300 fingerprints, a third resolved: most alerts change state); a second pair of lines uses a
   realistic one (50 fingerprints still firing, re-sent; one in fifty resolves). Beside each rate,
   alerts per CPU second of this process and the worker: on a shared machine the wall-clock rate
   falls with the other work, the CPU cost does not.
2. Emails: raw mails through `do_receive_message` and processing (new issues and threaded replies).
3. Similar issues: p95 of one lookup at N issues (100,000; 10,000 with --quick), titles and
   descriptions drawn from the Hadoop bug reports in bench/data/. Baseline: the bare SQL of the
   desk's first page in the same database. Target: p95 under 50 ms. A lookup scores only the
   candidates of the query's rarest words (tierline.intake.similar.POSTINGS_SHARE); how much that
   changes the answer is printed as the overlap of its top 10 with an exhaustive ranking over every
   word of the query, on a sample of the lookups.
Duplicate recall@k is printed by bench/duplicates.py.
"""

import argparse
import csv
import json
import random
import statistics
import time
from email.message import EmailMessage
from pathlib import Path

from _django import setup_django

DATA = Path(__file__).parent / "data" / "gitbugs-hadoop"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def alert_batches(count: int, rng: random.Random, fingerprints: int = 300):
    """The harsh mix: 300 fingerprints, a third of the alerts resolved, every firing alert with a
    new start time, so most alerts change their group's state."""
    for n in range(count):
        alerts = []
        for i in range(10):
            fp = rng.randrange(fingerprints)
            alerts.append({"status": rng.choice(["firing", "firing", "resolved"]), "fingerprint": f"fp{fp}",
                           "startsAt": f"2026-11-27T{rng.randrange(24):02d}:00:00Z",
                           "labels": {"alertname": f"Alert{fp}", "severity": "warning", "batch": str(n * 10 + i)},
                           "annotations": {"summary": f"Alert {fp} on host-{fp % 40}"}})
        yield json.dumps({"version": "4", "status": "firing", "alerts": alerts})


def repeating_alert_batches(count: int, rng: random.Random, fingerprints: int = 50):
    """A realistic mix: Alertmanager re-sends what is still firing, so most alerts repeat their
    group's state; one in fifty resolves, and fires again later with a new start time."""
    started = {fp: "2026-11-27T00:00:00Z" for fp in range(fingerprints)}
    for n in range(count):
        alerts = []
        for i in range(10):
            fp = rng.randrange(fingerprints)
            state = "resolved" if rng.random() < 0.02 else "firing"
            if state == "resolved":
                started[fp] = f"2026-11-27T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
            alerts.append({"status": state, "fingerprint": f"fp{fp}", "startsAt": started[fp],
                           "labels": {"alertname": f"Alert{fp}", "severity": "warning", "batch": str(n * 10 + i)},
                           "annotations": {"summary": f"Alert {fp} on host-{fp % 40}"}})
        yield json.dumps({"version": "4", "status": "firing", "alerts": alerts})


def _post_all(client, url: str, bodies: list[str]) -> None:
    for body in bodies:
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 202, response.content


def _run_worker(expected: int) -> None:
    """The worker process: take the queued tasks and run them, as `tierline worker` does."""
    from huey.contrib.djhuey import HUEY

    HUEY.storage = HUEY.create_storage()  # its own queue connection, not the parent's
    done = 0
    while done < expected:
        task = HUEY.dequeue()
        if task is None:
            time.sleep(0.001)
            continue
        HUEY.execute(task)
        done += 1


def bench_alerts(batches: int, rng: random.Random) -> dict:
    import multiprocessing

    from django.db import connections
    from django.test import Client
    from huey.contrib.djhuey import HUEY

    from tierline.intake.actions import do_create_integration
    from tierline.intake.models import AlertGroup, InboundMessage
    from tierline.intake.secrets import integration_secret

    results = {}
    for mode in ("stored only", "end to end", "web and worker", "end to end, repeats", "web and worker, repeats"):
        integration = do_create_integration(slug=f"bench-{mode.replace(' ', '-').replace(',', '')}",
                                            source="alertmanager")
        secret = integration_secret(integration.slug, integration.secret_salt)
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        mix = repeating_alert_batches if mode.endswith("repeats") else alert_batches
        bodies = list(mix(batches, rng))
        url = f"/api/v1/intake/alerts/{integration.slug}"
        # stored only: nothing runs the queued work; end to end: each payload is processed before
        # the next is posted, in this process; web and worker: a second process works the queue
        # while this one posts, as `tierline run --no-worker` and `tierline worker` on 2 cores
        # (it drains what is pending for the integration, so a task often finds its payload done).
        HUEY.immediate = mode.startswith("end to end")
        worker = None
        if mode.startswith("web and worker"):
            HUEY.flush()  # what the stored-only run queued
            connections.close_all()  # the worker process opens its own
            for connection in connections.all():
                if getattr(connection, "pool", None) is not None:
                    connection.close_pool()  # a PostgreSQL pool's sockets must not be shared by a fork
            worker = multiprocessing.get_context("fork").Process(target=_run_worker, args=(batches,))
        started, cpu = time.perf_counter(), _cpu_seconds()
        if worker is not None:
            worker.start()
        _post_all(client, url, bodies)
        if worker is not None:
            worker.join()
            assert worker.exitcode == 0
        seconds = time.perf_counter() - started
        results[mode] = batches * 10 / seconds
        results[f"{mode} per cpu"] = batches * 10 / (_cpu_seconds() - cpu)
        if mode != "stored only":
            unfinished = InboundMessage.objects.filter(integration=integration).exclude(
                status__in=("processed", "ignored")).count()
            assert unfinished == 0, f"{unfinished} payloads not processed"
    HUEY.immediate = True
    results["groups"] = AlertGroup.objects.filter(integration__slug="bench-end-to-end").count()
    return results


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker): on a machine shared
    with other work, alerts per CPU second say what the code costs when wall time cannot."""
    import resource

    return sum(usage.ru_utime + usage.ru_stime
               for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def bench_emails(count: int, rng: random.Random) -> float:
    from tierline.customers.actions import do_create_organization
    from tierline.intake.actions import do_receive_message

    do_create_organization(name="Mail Co", email_domains=["mail.example"])
    started = time.perf_counter()
    for n in range(count):
        message = EmailMessage()
        message["From"] = f"person{n % 50}@mail.example"
        message["To"] = "support@tierline.localhost"
        message["Message-ID"] = f"<bench{n}@mail.example>"
        if n % 3 and n > 3:  # two of three are replies to an earlier mail
            message["Subject"] = "Re: trouble"
            message["In-Reply-To"] = f"<bench{rng.randrange(n // 3 * 3 if n > 3 else 1)}@mail.example>"
        else:
            message["Subject"] = f"Trouble number {n}"
        message.set_content(f"Report {n}: the export fails again.\n\nOn Monday someone wrote:\n> old text\n")
        do_receive_message(kind="email", source="bench", raw=message.as_bytes())
    return count / (time.perf_counter() - started)


def bench_similar(issue_count: int, lookups: int, rng: random.Random) -> dict:
    from django.db import connection

    from tierline.intake.similar import catch_up, rank
    from tierline.issues.actions import IssueDraft, do_create_issues

    csv.field_size_limit(10**8)
    with open(DATA / "hadoop_bugs.csv", newline="", encoding="utf-8") as f:
        reports = [(r["Summary"] or "untitled", (r["Description"] or "")[:600]) for r in csv.DictReader(f)]
    vocabulary = sorted({w for title, _ in reports for w in title.split() if w.isalpha()})
    created = 0
    while created < issue_count:
        drafts = []
        for _ in range(min(5000, issue_count - created)):
            title, description = rng.choice(reports)
            # Vary the copies so the index holds N different documents.
            title = f"{title} {rng.choice(vocabulary)} {rng.choice(vocabulary)}"[:300]
            drafts.append(IssueDraft(title=title, description=description))
        do_create_issues(drafts)
        created += len(drafts)
    started = time.perf_counter()
    catch_up(batch=5000)
    index_seconds = time.perf_counter() - started
    times, bare = [], []
    for _ in range(lookups):
        title, description = rng.choice(reports)
        started = time.perf_counter()
        rank(f"{title} {title} {description}", limit=10)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, title FROM issues_issue ORDER BY updated_at DESC, id DESC LIMIT 25")
            cursor.fetchall()
        bare.append(time.perf_counter() - started)
    p95 = statistics.quantiles(times, n=20)[18] * 1000
    bare_p95 = statistics.quantiles(bare, n=20)[18] * 1000
    return {"issues": issue_count, "index_seconds": index_seconds, "p95_ms": p95, "bare_page_p95_ms": bare_p95,
            "top10_overlap": _overlap_with_exhaustive(reports, max(20, lookups // 6), rng)}


def _overlap_with_exhaustive(reports, lookups: int, rng: random.Random) -> float:
    """Mean share of a lookup's top 10 that an exhaustive ranking (every query word, no
    candidate budget) also puts in its top 10."""
    from tierline.intake import similar

    queries = [f"{title} {title} {description}" for title, description in (rng.choice(reports) for _ in range(lookups))]
    pruned = [{i for i, _ in similar.rank(q, limit=10)} for q in queries]
    saved = similar.POSTINGS_SHARE, similar.COMMON_WORD_SHARE, similar.LOOKUP_TERMS
    similar.POSTINGS_SHARE = dict.fromkeys(saved[0], 1.0)
    similar.COMMON_WORD_SHARE, similar.LOOKUP_TERMS = 1.0, similar.MAX_QUERY_TERMS
    try:
        exhaustive = [{i for i, _ in similar.rank(q, limit=10)} for q in queries]
    finally:
        similar.POSTINGS_SHARE, similar.COMMON_WORD_SHARE, similar.LOOKUP_TERMS = saved
    return statistics.mean(len(p & e) / max(1, len(e)) for p, e in zip(pruned, exhaustive, strict=True))


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    rng = random.Random(5)
    alerts = bench_alerts(100 if args.quick else 500, rng)
    emails = bench_emails(200 if args.quick else 1000, rng)
    similar = bench_similar(10_000 if args.quick else 100_000, 100 if args.quick else 300, rng)
    print(f"{'measure':<44}{'value':>12}{'per CPU s':>12}")
    for label, mode in (("alerts/s stored only (baseline)", "stored only"),
                        ("alerts/s end to end (grouped into issues)", "end to end"),
                        ("alerts/s end to end, web + worker process", "web and worker"),
                        ("alerts/s end to end, realistic mix (repeats)", "end to end, repeats"),
                        ("  web + worker process, realistic mix", "web and worker, repeats")):
        print(f"{label:<44}{alerts[mode]:>12.0f}{alerts[mode + ' per cpu']:>12.0f}")
    print(f"{'  alert groups of the harsh mix (one issue each)':<44}{alerts['groups']:>12}")
    print(f"{'emails/s end to end':<44}{emails:>12.0f}")
    print(f"{'similar lookup p95 ms at ' + format(similar['issues'], ',') + ' issues':<44}{similar['p95_ms']:>12.1f}")
    print(f"{'  bare first-page SQL p95 ms (baseline)':<44}{similar['bare_page_p95_ms']:>12.2f}")
    print(f"{'  top-10 overlap with exhaustive ranking':<44}{similar['top10_overlap']:>12.2f}")
    print(f"{'  index build s':<44}{similar['index_seconds']:>12.1f}")
    from anomaly import quick_figures  # bench/anomaly.py --quick: the labelled NAB series

    anomaly = quick_figures()
    print(f"{'anomaly detection NAB score (8 series)':<44}{anomaly['nab_standard']:>12.1f}")
    print(f"{'  naive z-score detector (baseline)':<44}{anomaly['nab_standard_naive']:>12.1f}")
    print(f"{'  precision / recall of windows':<44}{anomaly['precision']:>6.2f}{anomaly['recall']:>6.2f}")
    print(json.dumps({
        "bench": "intake", "alerts_per_s": round(alerts["end to end"]),
        "alerts_stored_only_per_s": round(alerts["stored only"]),
        "alerts_end_to_end_vs_stored": round(alerts["end to end"] / alerts["stored only"], 3),
        "alerts_per_s_web_and_worker": round(alerts["web and worker"]),
        "alerts_per_s_repeats": round(alerts["end to end, repeats"]),
        "alerts_per_s_repeats_web_and_worker": round(alerts["web and worker, repeats"]),
        "alerts_per_cpu_s": round(alerts["end to end per cpu"]),
        "alerts_per_cpu_s_web_and_worker": round(alerts["web and worker per cpu"]),
        "emails_per_s": round(emails), "similar_issues": similar["issues"],
        "similar_p95_ms": round(similar["p95_ms"], 2),
        "similar_p95_vs_bare_page": round(similar["p95_ms"] / similar["bare_page_p95_ms"], 1),
        "anomaly_nab_standard": anomaly["nab_standard"], "anomaly_nab_standard_naive": anomaly["nab_standard_naive"],
        "similar_top10_overlap_with_exhaustive": round(similar["top10_overlap"], 3),
    }))


if __name__ == "__main__":
    main()
