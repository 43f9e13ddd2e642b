"""A tiny service with the real agent attached, for tests/probes/test_live.py: requests of two
customers, one after the other, until it is stopped."""

import sys
import time

import tierline_agent


def check_token(token):
    size = len(token)  # PROBE_LINE: the test's probe goes here
    return size


def main(server: str, secret: str) -> None:
    tierline_agent.start(server=server, token=secret, service="portal", poll_wait=20,
                         tags={"customer": "acme-robotics", "deployment": "kubernetes", "cloud": "AWS eu-central-1"})
    print("started", flush=True)
    while True:
        for organization in ("acme-robotics", "globex-health"):
            with tierline_agent.context(user="u-42", organization=organization):
                check_token("t" * 9000)
        time.sleep(0.02)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
