"""Phone calls: Twilio status callbacks end to end, and matching a caller to a contact.

    .venv/bin/python bench/calls.py [--quick] [--database-url URL]

1. Status callbacks: signed Twilio voice status callbacks (form-encoded, X-Twilio-Signature),
   posted in-process with Django's test client to one phone line; callers drawn from the contacts
   and from unknown numbers, so calls both open issues and join their caller's open one. Baseline
   in the same run: the same posts with processing left to a stopped worker (signature checked,
   delivery stored, nothing else).
2. Caller matching: p95 of `find_contact_by_number` with C contacts that have a phone number
   (10,000; 1,000 with --quick), written in mixed national and international formats. Contacts
   keep numbers as typed; each is read once into the calls app's ContactNumber index (timed
   separately, before the callbacks), and a lookup is then one indexed query. Baseline: the
   indexed lookup of a contact by email in the same database.
3. Where a callback's time goes (median of each step alone): the signature check, reading the
   caller's number with phonenumbers, matching the caller (new contacts read, then the indexed
   lookup) against reading every contact's number (what each match did before), and opening an
   issue from a call.
"""

import argparse
import json
import random
import statistics
import time
from urllib.parse import urlencode

from _django import setup_django

FORMATS = ("+1 {a} {b} {c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "+1{a}{b}{c}", "1-{a}-{b}-{c}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def number(n: int) -> tuple[str, str, str]:
    return f"{200 + n // 10_000 % 700}", f"{n // 100 % 100 + 200:03d}", f"{n % 10_000:04d}"


def make_contacts(count: int, rng: random.Random) -> list[str]:
    from tierline.customers.models import Contact, Organization

    organization = Organization.objects.create(name="Callers Inc", email_domains=["callers.example"])
    rows, e164 = [], []
    for n in range(count):
        a, b, c = number(n)
        rows.append(Contact(email=f"caller{n}@callers.example", organization=organization,
                            phone=rng.choice(FORMATS).format(a=a, b=b, c=c)))
        e164.append(f"+1{a}{b}{c}")
    # Bulk rows: the contacts are the setting of the measure, not what is measured.
    Contact.objects.bulk_create(rows, batch_size=2000)
    return e164


def bench_callbacks(count: int, numbers: list[str], rng: random.Random) -> dict:
    from django.conf import settings
    from django.test import Client
    from huey.contrib.djhuey import HUEY

    from tierline.calls.actions import do_create_phone_line
    from tierline.calls.twilio import compute_signature
    from tierline.issues.models import Issue

    results = {}
    for mode in ("stored only", "end to end"):
        line = do_create_phone_line(actor=None, slug=f"bench-{mode.replace(' ', '-')}", auth_token="bench-token")
        url = f"{settings.BASE_URL}/api/v1/calls/twilio/{line.slug}"
        posts = []
        for n in range(count):
            caller = rng.choice(numbers[:200]) if n % 4 else f"+1555{rng.randrange(10**7):07d}"
            form = {"AccountSid": "AC" + "0" * 32, "CallSid": f"CA{mode[0]}{n:031d}", "From": caller,
                    "To": "+18005550199", "CallStatus": "completed", "Direction": "inbound",
                    "CallDuration": str(rng.randrange(20, 900))}
            signature = compute_signature("bench-token", url, sorted(form.items()))
            posts.append((urlencode(form), signature))
        client = Client()
        client.get("/api/v1/openapi.json")  # load the URLs and the API before the clock starts
        HUEY.immediate = mode == "end to end"  # stored only: nothing runs the queued work
        started = time.perf_counter()
        for body, signature in posts:
            response = client.post(f"/api/v1/calls/twilio/{line.slug}", data=body,
                                   content_type="application/x-www-form-urlencoded",
                                   headers={"X-Twilio-Signature": signature})
            assert response.status_code == 202, response.content
        results[mode] = count / (time.perf_counter() - started)
    HUEY.immediate = True
    results["issues"] = Issue.objects.filter(channel="phone").count()
    return results


def bench_matching(lookups: int, numbers: list[str], rng: random.Random) -> dict:
    from tierline.calls.queries import find_contact_by_number
    from tierline.customers.models import Contact

    times, bare, found = [], [], 0
    for _ in range(lookups):
        n = rng.randrange(len(numbers))
        started = time.perf_counter()
        found += find_contact_by_number(numbers[n]) is not None
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        Contact.objects.filter(email=f"caller{n}@callers.example").first()
        bare.append(time.perf_counter() - started)
    return {"p95_ms": statistics.quantiles(times, n=20)[18] * 1000,
            "email_p95_ms": statistics.quantiles(bare, n=20)[18] * 1000, "found": found / lookups}


def median_ms(step, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bench_steps(runs: int, numbers: list[str], rng: random.Random) -> dict:
    from tierline.calls.actions import do_index_contact_numbers, do_open_issue_from_call, match_caller
    from tierline.calls.models import ContactNumber
    from tierline.calls.numbers import normalise_number
    from tierline.calls.twilio import compute_signature, is_signed

    url = "https://support.example.com/api/v1/calls/twilio/support"
    form = sorted({"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + "1" * 32, "From": numbers[0],
                   "To": "+18005550199", "CallStatus": "completed", "Direction": "inbound"}.items())
    signature = compute_signature("bench-token", url, form)

    def full_pass():
        ContactNumber.objects.filter(pk=ContactNumber.objects.order_by("pk").values("pk")[:1]).delete()
        do_index_contact_numbers()

    return {
        "signature_ms": median_ms(lambda: is_signed("bench-token", [url], form, signature), runs),
        "parse_ms": median_ms(lambda: normalise_number(rng.choice(numbers)), runs),
        "match_ms": median_ms(lambda: match_caller(rng.choice(numbers)), runs),
        "full_pass_ms": median_ms(full_pass, max(runs // 10, 5)),
        "open_issue_ms": median_ms(lambda: do_open_issue_from_call(
            actor=None, title="Call from a bench", direction="inbound", caller_number=rng.choice(numbers),
            outcome="answered", is_caller_matched=True), runs),
    }


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    rng = random.Random(8)
    contacts, callbacks, lookups = (1_000, 100, 40) if args.quick else (10_000, 500, 100)
    numbers = make_contacts(contacts, rng)
    from tierline.calls.actions import do_index_contact_numbers

    started = time.perf_counter()
    do_index_contact_numbers()
    index_seconds = time.perf_counter() - started
    posted = bench_callbacks(callbacks, numbers, rng)
    matched = bench_matching(lookups, numbers, rng)
    steps = bench_steps(lookups, numbers, rng)
    print(f"{'measure':<46}{'value':>12}")
    print(f"{'status callbacks/s, stored only (baseline)':<46}{posted['stored only']:>12.1f}")
    print(f"{'status callbacks/s, end to end':<46}{posted['end to end']:>12.1f}")
    print(f"{'  phone issues opened':<46}{posted['issues']:>12}")
    print(f"{f'reading {contacts:,} contacts numbers once, s':<46}{index_seconds:>12.2f}")
    print(f"{f'caller match p95 ms at {contacts:,} contacts':<46}{matched['p95_ms']:>12.2f}")
    print(f"{'contact by email p95 ms (baseline)':<46}{matched['email_p95_ms']:>12.2f}")
    print(f"{'callers matched':<46}{matched['found']:>12.0%}")
    print(f"{'one callback, step by step (median ms):':<46}")
    print(f"{'  signature check':<46}{steps['signature_ms']:>12.3f}")
    print(f"{'  caller number read (phonenumbers)':<46}{steps['parse_ms']:>12.3f}")
    print(f"{'  caller matched (new contacts read + lookup)':<46}{steps['match_ms']:>12.2f}")
    print(f"{'  every contact read again (as before, baseline)':<46}{steps['full_pass_ms']:>12.2f}")
    print(f"{'  issue opened from the call':<46}{steps['open_issue_ms']:>12.2f}")
    print(json.dumps({
        "contacts": contacts, "callbacks": callbacks, "stored_per_s": round(posted["stored only"], 1),
        "end_to_end_per_s": round(posted["end to end"], 1),
        "end_to_end_vs_stored": round(posted["end to end"] / posted["stored only"], 3),
        "index_seconds": round(index_seconds, 2), "match_p95_ms": round(matched["p95_ms"], 2),
        "email_p95_ms": round(matched["email_p95_ms"], 3),
        "match_vs_email": round(matched["p95_ms"] / max(matched["email_p95_ms"], 1e-6), 1),
        "matched": matched["found"], **{name: round(value, 3) for name, value in steps.items()},
        "match_vs_full_pass": round(steps["match_ms"] / max(steps["full_pass_ms"], 1e-6), 3),
    }))


if __name__ == "__main__":
    main()
