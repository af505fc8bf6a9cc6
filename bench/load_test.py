"""Load test: many users at once on the board's dashboard and the quarter entry page.

Run it with `make load-test`, or from the project root against a running server:

    .venv/bin/python bench/load_test.py [--url http://127.0.0.1:8000] [--users 50]
        [--duration 60] [--pages dashboard entry] [--password ...]

It is meant for the production server (`make production`: gunicorn, DEBUG off) on a database
filled by `manage.py generate_national_dataset`, whose users it logs in as: board members
(bestyrelse-NNN) for the dashboard of their plan, /planer/plan-NNN/status/, and coordinators
(koordinator-NNN-K) for their plan's entry page of a quarter,
/planer/plan-NNN/indberetning/2021K3/. The users are spread over the pages in turn and over
the plans, so that no two users of a page share a plan while there are plans enough.

Each user is a thread with cookies of its own. It logs in through the login page as a person
does (the CSRF cookie and form field, then the session cookie), and when every user has logged
in, all of them request their page again and again, one request after the other, for
--duration seconds. Requests still running when the time is up are waited for (at most
--timeout seconds) and counted. Only the standard library is used, so the script runs
wherever Python does, also on a machine without the project's packages.

The production server sends cookies only over HTTPS and redirects plain HTTP, unless a
TLS-terminating proxy in front of it says the request came over TLS. Every request therefore
carries `X-Forwarded-Proto: https` (which gunicorn trusts from 127.0.0.1), and Origin and
Referer name https://<host>, as a browser behind that proxy would send them.

With --baseline-url, the same test runs first against a second server (the same code with
CACHE_URL=dummycache://, say, to measure the dashboard without its cache) and then against
--url, and both tables are printed, "Before" and "After": two figures of one run.

It prints, per page and in all: users, requests, throughput, the 50th, 95th and 99th
percentile and the slowest response time, and the errors (answers other than 200, and
failures such as timeouts, by kind). The times are of answered requests, errors included; a
failed request has no time. It exits with status 1 when a login failed or the share of errors
is above --max-errors (default 1 %).
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

PAGES = ("dashboard", "entry")
AREAS_PER_PLAN = 4
# Logging in hashes the password (PBKDF2, about half a second of CPU on purpose), and all users
# log in at once, so a login may wait for dozens of others on a small server.
LOGIN_TIMEOUT = 180.0
FAILURE_PAUSE = 0.1
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoginFailed(Exception):
    pass


class Browser:
    """One user's connection to the server: its cookies, and the headers a browser behind
    the TLS proxy sends. A new connection for each request, as gunicorn's workers close it."""

    def __init__(self, url: str, timeout: float):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"Not an http:// address: {url}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of one request; cookies set by the answer are kept."""
        headers = {
            "Host": self.netloc,
            "X-Forwarded-Proto": "https",
            "User-Agent": "helhedsplan-load-test",
            "Accept": "text/html",
            "Accept-Language": "da",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.netloc}"
            headers["Referer"] = f"https://{self.netloc}{path}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers.items()), content
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> None:
        """Log in through the login page, as a person does."""
        status, _headers, page = self.request("GET", "/login/")
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise LoginFailed(f"the login page answered {status}")
        status, headers, _page = self.request(
            "POST",
            "/login/",
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
                "next": "",
            },
        )
        # A wrong password shows the form again (200); a blocked login says so (403 or 429).
        if status != 302 or "/login/" in headers.get("Location", ""):
            raise LoginFailed(f"the login answered {status}")


@dataclass
class User:
    page: str
    username: str
    path: str
    login_error: str = ""
    times: list[float] = field(default_factory=list)
    # Errors by kind ("HTTP 500", "timeout"), and how many of them had no answer at all.
    errors: Counter = field(default_factory=Counter)
    failures: int = 0


def cast(pages: list[str], users: int, plans: int, quarter: str) -> list[User]:
    """Who requests what: the users take the pages in turn and the plans one after another,
    a board member of the plan for the dashboard, a coordinator of one of its areas for the
    entry page."""
    cast = []
    for index in range(users):
        page = pages[index % len(pages)]
        number = f"{index % plans + 1:03}"
        if page == "dashboard":
            cast.append(User(page, f"bestyrelse-{number}", f"/planer/plan-{number}/status/"))
        else:
            area = index // plans % AREAS_PER_PLAN + 1
            cast.append(
                User(
                    page,
                    f"koordinator-{number}-{area}",
                    f"/planer/plan-{number}/indberetning/{quarter}/",
                )
            )
    return cast


def error_kind(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    return type(error).__name__


def run_user(
    user: User,
    options: argparse.Namespace,
    url: str,
    logged_in: threading.Barrier,
    window: dict[str, float],
) -> None:
    browser = Browser(url, LOGIN_TIMEOUT)
    try:
        browser.log_in(user.username, options.password)
    except LoginFailed as error:
        user.login_error = str(error)
    # Whatever else goes wrong (a timeout, a garbled answer), this user must still reach the
    # barrier, or every other user would wait for it.
    except Exception as error:
        user.login_error = error_kind(error)
    browser.timeout = options.timeout
    # Everyone starts together, once every login has been answered.
    try:
        logged_in.wait(timeout=2 * LOGIN_TIMEOUT)
    except threading.BrokenBarrierError:
        user.login_error = user.login_error or "the other logins took too long"
    if user.login_error:
        return
    while time.monotonic() < window["end"]:
        begun = time.perf_counter()
        try:
            status, _headers, _page = browser.request("GET", user.path)
        except (OSError, http.client.HTTPException) as error:
            user.errors[error_kind(error)] += 1
            user.failures += 1
            # A server that is down refuses at once; do not count thousands of refusals a second.
            time.sleep(FAILURE_PAUSE)
            continue
        user.times.append(time.perf_counter() - begun)
        if status != 200:
            user.errors[f"HTTP {status}"] += 1


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def summary_row(label: str, users: list[User], seconds: float) -> tuple[str, int, int]:
    """A line of the table, and its requests and errors."""
    times = sorted(each for user in users for each in user.times)
    failures = sum(user.failures for user in users)
    errors = sum(sum(user.errors.values()) for user in users)
    # Answered requests have a time; failed ones count as requests too.
    requests = len(times) + failures
    if times:
        figures = [percentile(times, share) for share in (50, 95, 99)] + [times[-1]]
        spread = " ".join(f"{1000 * value:8.0f}" for value in figures)
    else:
        spread = " ".join(f"{'-':>8}" for _ in range(4))
    row = f"{label:<10} {len(users):5} {requests:9} {requests / seconds:8.1f} {spread} {errors:7}"
    return row, requests, errors


def load(options: argparse.Namespace, url: str, label: str) -> bool:
    """One load test against the server at `url`, printed under `label`; whether it met
    --max-errors with every login."""
    users = cast(options.pages, options.users, options.plans, options.quarter)
    window = {"start": 0.0, "end": 0.0}

    def start_clock() -> None:
        """Run by the barrier once, when the last user has an answer to its login."""
        window["start"] = time.monotonic()
        window["end"] = window["start"] + options.duration

    logged_in = threading.Barrier(len(users), action=start_clock)
    threads = [
        threading.Thread(target=run_user, args=(user, options, url, logged_in, window), daemon=True)
        for user in users
    ]
    print(
        f"{label}: {len(users)} user{'' if len(users) == 1 else 's'} for {options.duration:g} s "
        f"against {url} "
        f"(X-Forwarded-Proto: https), pages: {', '.join(options.pages)}"
    )
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    # Bounded: the logins, the test and the last requests each have their time limit.
    deadline = begun + LOGIN_TIMEOUT * 2 + options.duration + options.timeout + 5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    finished = time.monotonic()
    if any(thread.is_alive() for thread in threads):
        print("Some users did not finish in time; their requests so far are counted.")
    seconds = max(finished - window["start"], 1e-9) if window["start"] else 1e-9

    failed = [user for user in users if user.login_error]
    login_seconds = (window["start"] or finished) - begun
    print(f"Logins: {len(users) - len(failed)} of {len(users)} in {login_seconds:.1f} s")
    for reason, count in Counter(user.login_error for user in failed).items():
        print(f"  failed: {count} x {reason}")
    print(f"Measured for {seconds:.1f} s (times in ms)")
    print(
        f"{'Page':<10} {'Users':>5} {'Requests':>9} {'req/s':>8} "
        f"{'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'Errors':>7}"
    )
    for page in options.pages:
        row, _requests, _errors = summary_row(
            page, [user for user in users if user.page == page], seconds
        )
        print(row)
    row, requests, errors = summary_row("all", users, seconds)
    print(row)
    for page in options.pages:
        kinds = Counter()
        for user in users:
            if user.page == page:
                kinds.update(user.errors)
        if kinds:
            listed = ", ".join(f"{count} x {kind}" for kind, count in kinds.most_common())
            print(f"Errors on {page}: {listed}")
    share = 100 * errors / requests if requests else 100.0
    met = share <= options.max_errors and requests > 0 and not failed
    print(
        f"Errors: {share:.2f} % of requests (at most {options.max_errors:g} %, and every login): "
        f"{'met' if met else 'NOT MET'}"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="The server's address.")
    parser.add_argument(
        "--baseline-url",
        help="Run the same test first against this server (as it was: say, its cache off) "
        "and print both.",
    )
    parser.add_argument("--users", type=int, default=50, help="Users at once (default 50).")
    parser.add_argument(
        "--duration", type=float, default=60, help="Seconds of requests (default 60)."
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=PAGES,
        default=list(PAGES),
        help="The pages the users take in turn (default: dashboard entry).",
    )
    parser.add_argument(
        "--plans",
        type=int,
        default=100,
        help="How many plans generate_national_dataset made (default 100).",
    )
    parser.add_argument(
        "--quarter", default="2021K3", help="The quarter of the entry page (default 2021K3)."
    )
    parser.add_argument(
        "--password",
        default=os.environ.get("DATASET_PASSWORD", ""),
        help="The generated users' password (default: $DATASET_PASSWORD).",
    )
    parser.add_argument(
        "--timeout", type=float, default=30, help="Seconds before a request fails (default 30)."
    )
    parser.add_argument(
        "--max-errors",
        type=float,
        default=1.0,
        help="The share of errors, in per cent, above which the test fails (default 1).",
    )
    options = parser.parse_args()
    if not options.password:
        sys.exit("Give the generated users' password with --password or in DATASET_PASSWORD.")
    if options.users < 1 or options.duration <= 0 or options.plans < 1:
        sys.exit("--users, --duration and --plans must be positive.")

    if options.baseline_url:
        # The same test against the server as it was (say, its cache off), then as it is, in
        # one run on the same machine, so that the two figures are comparable.
        baseline = load(options, options.baseline_url, "Before")
        print()
        met = load(options, options.url, "After") and baseline
    else:
        met = load(options, options.url, "Load test")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
