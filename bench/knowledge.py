"""Knowledge base suggestions and the ranked feature request list.

    .venv/bin/python bench/knowledge.py [--quick] [--database-url URL]

1. Suggestions as a customer types: `GET /api/v1/articles/suggest?q=` with a customer's session
   (what `static/knowledge/suggest.js` calls), at A published articles (5,000; 500 with --quick),
   written through the actions (so indexed as in production). Each query is the start of one
   article's title, cut inside its last word ("Webhook retries fai"), so the typed word counts as
   a prefix. Printed: p50/p95 against the same client's `GET /api/v1/users/me` (authentication and
   JSON only), and how often the article whose title was typed comes first and in the five shown.
2. The ranked feature request list: `rank_requests` (the requests, then each request's totals,
   distinct organizations summed by the database) at R requests (500; 100) asked for by L issues
   (20,000; 2,000) of 300 organizations, against reading every (request, organization) pair into
   Python, which any ranking summed outside the database would have to do.
"""

import argparse
import json
import random
import statistics
import time

from _django import setup_django

_VOCABULARY = ("invoice export webhook retry billing seat report chart timezone login sso okta saml token api"
         " limit quota sync salesforce slack mobile offline push barcode scanner dashboard csv pdf vat"
         " refund renewal plan upgrade downgrade password reset session mfa scim user role team audit"
         " integration zapier jira teams calendar holiday schedule email delivery bounce domain")
WORDS = _VOCABULARY.split()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def make_articles(count: int, rng: random.Random) -> list:
    from tierline.knowledge.actions import do_create_article

    articles = []
    for n in range(count):
        title = " ".join(rng.sample(WORDS, 5)).capitalize() + f" case {n}"
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        articles.append(do_create_article(actor=None, title=title, body=body, visibility="public",
                                          status="published"))
    return articles


def timed(client, path: str, **params) -> tuple[float, object]:
    start = time.perf_counter()
    response = client.get(path, params)
    return time.perf_counter() - start, response


def bench_suggest(count: int, queries: int, rng: random.Random) -> dict:
    from django.test import Client

    from tierline.accounts.actions import do_create_user
    from tierline.customers.actions import do_create_organization

    started = time.perf_counter()
    articles = make_articles(count, rng)
    written = time.perf_counter() - started
    org = do_create_organization(name="Readers", email_domains=["readers.example"])
    client = Client()
    client.force_login(do_create_user(email="reader@readers.example", role="customer", organization=org,
                                      password="bench-only"))
    suggest, baseline, first, top5 = [], [], 0, 0
    for article in rng.sample(articles, queries):
        words = article.title.split()[:5]
        typed = " ".join(words[:-1] + [words[-1][: max(3, len(words[-1]) - 2)]])
        seconds, response = timed(client, "/api/v1/articles/suggest", q=typed)
        suggest.append(seconds)
        ids = [item["id"] for item in response.json()["items"]]
        first += bool(ids) and ids[0] == article.pk
        top5 += article.pk in ids
        baseline.append(timed(client, "/api/v1/users/me")[0])
    return {"articles": count, "queries": queries, "write_ms_per_article": 1000 * written / count,
            "suggest_p50_ms": 1000 * statistics.median(suggest), "suggest_p95_ms": 1000 * percentile(suggest, .95),
            "baseline_p50_ms": 1000 * statistics.median(baseline),
            "baseline_p95_ms": 1000 * percentile(baseline, .95),
            "p95_ratio": percentile(suggest, .95) / percentile(baseline, .95),
            "typed_article_first": first / queries, "typed_article_in_top5": top5 / queries}


def bench_ranking(requests: int, links: int, rng: random.Random) -> dict:
    from decimal import Decimal

    from tierline.customers.models import Organization
    from tierline.feedback.models import FeatureRequest, RequestLink
    from tierline.feedback.queries import rank_requests
    from tierline.issues.models import Issue

    # Bulk rows: the requests and issues are the setting of the measure, not what is measured.
    orgs = Organization.objects.bulk_create([
        Organization(name=f"Customer {n}", annual_revenue=Decimal(rng.randint(1, 500) * 1000))
        for n in range(300)])
    frs = FeatureRequest.objects.bulk_create([FeatureRequest(title=f"Request {n}") for n in range(requests)])
    issues = Issue.objects.bulk_create([Issue(title=f"Asks {n}", organization=rng.choice(orgs))
                                        for n in range(links)], batch_size=2000)
    RequestLink.objects.bulk_create([RequestLink(request=rng.choice(frs), issue=issue) for issue in issues],
                                    batch_size=2000)
    ranked, baseline = [], []
    for _ in range(7):
        start = time.perf_counter()
        rank_requests(sort="arr")
        ranked.append(time.perf_counter() - start)
        start = time.perf_counter()
        list(RequestLink.objects.values_list("request_id", "issue__organization_id",
                                             "issue__organization__annual_revenue",
                                             "issue__organization__open_deal_value", "issue__created_at"))
        baseline.append(time.perf_counter() - start)
    return {"requests": requests, "links": links, "rank_ms": 1000 * statistics.median(ranked),
            "read_pairs_ms": 1000 * statistics.median(baseline),
            "rank_ratio": statistics.median(ranked) / statistics.median(baseline)}


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    rng = random.Random(11)
    suggest = bench_suggest(500 if args.quick else 5000, 100 if args.quick else 300, rng)
    ranking = bench_ranking(100 if args.quick else 500, 2000 if args.quick else 20_000, rng)
    print(f"suggestions at {suggest['articles']} articles ({suggest['write_ms_per_article']:.1f} ms to write and"
          " index each):")
    print(f"  suggest   p50 {suggest['suggest_p50_ms']:7.1f} ms  p95 {suggest['suggest_p95_ms']:7.1f} ms")
    print(f"  users/me  p50 {suggest['baseline_p50_ms']:7.1f} ms  p95 {suggest['baseline_p95_ms']:7.1f} ms"
          f"  (p95 ratio {suggest['p95_ratio']:.2f})")
    print(f"  the typed article first: {suggest['typed_article_first']:.0%}, in the five shown:"
          f" {suggest['typed_article_in_top5']:.0%}")
    print(f"ranked list of {ranking['requests']} requests over {ranking['links']} issues:"
          f" {ranking['rank_ms']:.1f} ms, reading the pairs alone {ranking['read_pairs_ms']:.1f} ms"
          f" (ratio {ranking['rank_ratio']:.2f})")
    print(json.dumps({"suggest": suggest, "ranking": ranking}))


if __name__ == "__main__":
    main()
