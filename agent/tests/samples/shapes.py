"""Code shapes the agent must handle. Tests find lines by their `# L:name` markers."""
import asyncio
import functools


def plain(token, user):
    size = len(token)  # L:plain
    return size * 2


class Cart:
    TAX = 0.2

    def __init__(self, items):
        self.items = items

    def total(self, discount=0):
        amount = sum(self.items)  # L:method
        return amount - discount

    @staticmethod
    def static(x):
        return x + 1  # L:static

    @classmethod
    def klass(cls, x):
        return x * 3  # L:classmethod


def factory(prefix):
    def made(name):
        greeting = prefix + name  # L:closure
        return greeting
    return made


def outer(n):
    def inner(m):
        return m * 10  # L:nested
    return inner(n) + 1


def decorate(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper


@decorate
def decorated(x):  # L:decorated_def
    return x - 1  # L:decorated


def gen(n):
    for i in range(n):  # L:for
        yield i * 2  # L:gen


async def coro(x):
    await asyncio.sleep(0)
    return x + 100  # L:coro


async def agen(n):
    for i in range(n):
        yield i  # L:agen
        await asyncio.sleep(0)


def with_finally(x):
    try:  # L:try
        y = 10 // x
    except ZeroDivisionError:
        y = -1
    finally:
        z = 1  # L:finally
    return y + z


def raises(x):
    if x:
        raise ValueError(f"bad {x}")
    return 0


def multi(a, b):
    c = a + b  # L:multi
    return c


def blank_line_holder():
    x = 1

    # a comment, no code
    return x  # L:after_blank


async def slow(x):
    await asyncio.sleep(10)
    return x


def deleted_argument(token, user):
    del token
    token = "replaced"
    return token + user  # L:deleted


def captured_argument(limit):
    def check(value):
        return value < limit
    return check(3)  # L:captured
