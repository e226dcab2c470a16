"""Counting checks shared by the phonesec tool tests (tool_*.py):
check(cond, what) prints FAIL lines; passed() counts a check that was made
another way; done() prints the totals and exits 0 only when none failed."""
import sys

_n = 0
_fails = 0


def check(cond, what):
    global _n, _fails
    _n += 1
    if not cond:
        _fails += 1
        print("FAIL:", what)
    return cond


def passed():
    global _n
    _n += 1


def done():
    print("%d checks, %d failed" % (_n, _fails))
    sys.exit(1 if _fails else 0)
