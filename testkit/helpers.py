"""Small helpers the test suites and benchmarks share: ports, polling, racing threads."""

import socket
import threading
import time


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def wait_until_listening(port: int, timeout: float = 30.0) -> None:
    if not wait_for(lambda: listening(port), timeout, interval=0.1):
        raise AssertionError(f"nothing listens on {port}")


def race(n: int, func, timeout: float = 120.0) -> tuple[list, list]:
    """Run `func` in `n` threads released together; (results, exceptions).

    Each thread closes its own database connection, as a worker process would."""
    from django.db import connection

    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(func())
        except Exception as exc:  # returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results, errors
