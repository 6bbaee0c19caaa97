"""The production topology on loopback, with the real programs: nginx in front of gunicorn,
a Celery worker, an S3 server, PostgreSQL and Redis.

It is the docker-compose stack without Docker: nginx runs the repository's own template
(deploy/nginx/templates/default.conf.template, rendered as the nginx image renders it),
gunicorn runs deploy/gunicorn.conf.py, and the app gets the settings a production deployment
gets (`DJANGO_DEBUG=0`, JSON logs, S3 storage). Every process is a child started here and
stopped by its PID; the database is created for the stack and dropped afterwards. Used by
tests/stack and by the load test (tests/bench/bench_load.py).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
BIN = Path(sys.executable).parent
BUCKET = "sciannot-media"


class StackError(RuntimeError):
    """The stack could not be started; the message carries the logs that say why."""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill in `${NAME}` the way the nginx image's envsubst step does; a name without a value
    is an error here (envsubst would leave it, and nginx would refuse the result)."""
    missing = sorted(set(re.findall(r"\$\{(\w+)\}", template)) - values.keys())
    if missing:
        raise StackError(f"the nginx template needs values for {', '.join(missing)}")
    return re.sub(r"\$\{(\w+)\}", lambda match: values[match.group(1)], template)


def database_url_beside(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def server_connection(url: str) -> Any:
    """An autocommit connection for CREATE and DROP DATABASE on `url`'s server: to its
    maintenance database `postgres`, or to `url`'s own database when that one is refused."""
    import psycopg

    try:
        return psycopg.connect(database_url_beside(url, "postgres"), autocommit=True)
    except psycopg.OperationalError:
        return psycopg.connect(url, autocommit=True)


def collect_static(var_dir: Path) -> Path:
    """Run collectstatic as production does (DEBUG off) into `var_dir`; the folder written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SCIANNOT_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "collectstatic-" + secrets.token_urlsafe(40),
            "SCIANNOT_VAR_DIR": str(var_dir),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"collectstatic failed:\n{result.stderr[-4000:]}")
    return var_dir / "staticfiles"


class LoopbackStack:
    """Start with `start()`, stop with `stop()` (or use it as a context manager).

    `media_serving` is `s3` (media on the S3 server, signed URLs that nginx passes to it) or
    `nginx` (media on disk, sent by nginx after the app's X-Accel-Redirect).
    """

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        media_serving: str = "s3",
        web_workers: int = 2,
        web_threads: int = 4,
        nginx_workers: int = 1,
        worker: bool = True,
        static_from: Path | None = None,
    ) -> None:
        if media_serving not in {"s3", "nginx"}:
            raise ValueError(f"media_serving must be s3 or nginx, not {media_serving!r}")
        self.base_database_url = database_url
        self.redis_url = redis_url
        self.media_serving = media_serving
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.nginx_workers = nginx_workers
        self.with_worker = worker
        self.static_from = static_from
        base_name = urlsplit(database_url).path.lstrip("/") or "sciannot"
        # Beside the configured database, under a name of its own that no one else uses.
        self.database_name = f"{base_name}_stack_{secrets.token_hex(4)}"
        self.database_url = database_url_beside(database_url, self.database_name)
        self.dir = Path(tempfile.mkdtemp(prefix="sciannot-stack-"))
        # nginx's workers may run as another user: they must be able to read what is here.
        self.dir.chmod(0o755)
        self.var = self.dir / "var"
        self.media_root = self.var / "media"
        self.static_root = self.var / "staticfiles"
        self.web_port = free_port()
        self.nginx_port = free_port()
        self.s3_port = free_port()
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.s3_url = f"http://127.0.0.1:{self.s3_port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._database_created = False
        self.env = self._app_env()

    # --- configuration ------------------------------------------------------------------

    def _app_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "AWS_", "LLM_", "GUNICORN_", "SCIANNOT_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "sciannot.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": "stack-test-" + secrets.token_urlsafe(40),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.url,
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_SECURE_HSTS_SECONDS": "0",
                # Plain HTTP on loopback: a Secure cookie would never be sent back.
                "DJANGO_SECURE_COOKIES": "0",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SCIANNOT_VAR_DIR": str(self.var),
                "MEDIA_ROOT": str(self.media_root),
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "INFO",
                "MEDIA_SERVING": self.media_serving,
                "MEDIA_ACCEL_PREFIX": "/protected-media/",
                "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
                "WEB_CONCURRENCY": str(self.web_workers),
                "GUNICORN_THREADS": str(self.web_threads),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.media_serving == "s3":
            env.update(
                {
                    "STORAGE": "s3",
                    "AWS_STORAGE_BUCKET_NAME": BUCKET,
                    "AWS_S3_ENDPOINT_URL": self.s3_url,
                    # As in docker-compose.yml: browsers reach the bucket through nginx.
                    "AWS_S3_PUBLIC_ENDPOINT_URL": self.url,
                    "AWS_S3_REGION_NAME": "us-east-1",
                    "AWS_ACCESS_KEY_ID": "stack-test",
                    "AWS_SECRET_ACCESS_KEY": "stack-test-secret",
                }
            )
        else:
            env["STORAGE"] = "local"
        return env

    def nginx_values(self) -> dict[str, str]:
        """The template's values: the compose file's, pointed at this stack's processes."""
        return {
            "NGINX_LISTEN": f"127.0.0.1:{self.nginx_port}",
            "SCIANNOT_UPSTREAM": f"127.0.0.1:{self.web_port}",
            "S3_UPSTREAM": f"127.0.0.1:{self.s3_port}",
            "S3_BUCKET": BUCKET,
            "STATIC_ROOT_DIR": str(self.static_root),
            "MEDIA_ROOT_DIR": str(self.media_root),
            "MEDIA_ACCEL_PREFIX": "/protected-media/",
        }

    def _nginx_config(self) -> Path:
        folder = self.dir / "nginx"
        (folder / "conf.d").mkdir(parents=True)
        (folder / "temp").mkdir()
        site = render_template(NGINX_TEMPLATE.read_text(encoding="utf-8"), self.nginx_values())
        (folder / "conf.d" / "default.conf").write_text(site, encoding="utf-8")
        # As root, nginx would switch its workers to `nobody`; keep them as this user.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        temp = folder / "temp"
        main = f"""
daemon off;
{user}
worker_processes {self.nginx_workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/conf.d/*.conf;
}}
"""
        path = folder / "nginx.conf"
        path.write_text(main, encoding="utf-8")
        return path

    # --- processes ----------------------------------------------------------------------

    def _log(self, name: str) -> IO[bytes]:
        return open(self.dir / f"{name}.log", "ab")

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = self._log(name)
        try:
            self.processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env if env is None else env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so what it forks can be ended with it.
                start_new_session=True,
            )
        finally:
            log.close()

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `manage.py` against the stack's database, storage and broker."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise StackError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def python(self, code: str, *args: str) -> str:
        """Run Python with Django set up for the stack; its standard output."""
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"stack script failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def log_text(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def describe(self) -> str:
        """The tail of every log, for a failure message."""
        parts = []
        for name in [*self.processes, "nginx/error"]:
            text = self.log_text(name)[-3000:]
            parts.append(f"--- {name} ---\n{text}")
        return "\n".join(parts)

    def _wait_http(self, url: str, what: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise StackError(f"{name} exited ({process.returncode})\n{self.describe()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.25)
        raise StackError(f"{what} did not come up ({last})\n{self.describe()}")

    def _create_database(self) -> None:
        from psycopg import sql

        with server_connection(self.base_database_url) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database_name)))
        self._database_created = True

    def _drop_database(self) -> None:
        if not self._database_created:
            return
        from psycopg import sql

        with server_connection(self.base_database_url) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database_name)
                )
            )
        self._database_created = False

    def _create_bucket(self) -> None:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            region_name="us-east-1",
            aws_access_key_id="stack-test",
            aws_secret_access_key="stack-test-secret",
        )
        client.create_bucket(Bucket=BUCKET)

    def start(self) -> LoopbackStack:
        nginx = nginx_binary()
        if nginx is None:
            raise StackError("nginx is not installed (apt-get install nginx)")
        self.var.mkdir(parents=True)
        self.media_root.mkdir()
        try:
            self._create_database()
            if self.media_serving == "s3":
                self._spawn(
                    "s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)]
                )
            # Migrations and static files at once: they do not depend on each other.
            setup = [("migrate", [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"])]
            if self.static_from is not None:
                self.static_root.symlink_to(self.static_from, target_is_directory=True)
            else:
                setup.append(
                    (
                        "collectstatic",
                        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                    )
                )
            running = [
                (name, subprocess.Popen(command, cwd=ROOT, env=self.env, stderr=subprocess.PIPE))
                for name, command in setup
            ]
            for name, process in running:
                _, stderr = process.communicate(timeout=300)
                if process.returncode != 0:
                    raise StackError(f"{name} failed:\n{stderr.decode(errors='replace')[-4000:]}")
            if self.media_serving == "s3":
                self._wait_http(f"{self.s3_url}/moto-api/", "the S3 server")
                self._create_bucket()
            self._spawn(
                "gunicorn",
                [
                    str(BIN / "gunicorn"),
                    "--config",
                    str(GUNICORN_CONFIG),
                    "sciannot.wsgi:application",
                ],
            )
            if self.with_worker:
                self._spawn(
                    "worker",
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "sciannot",
                        "--quiet",
                        "worker",
                        "--pool=solo",
                        "--concurrency=1",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                )
            config = self._nginx_config()
            self._spawn(
                "nginx",
                [
                    nginx,
                    "-p",
                    str(config.parent),
                    "-c",
                    str(config),
                    "-e",
                    str(config.parent / "error.log"),
                ],
            )
            self._wait_http(f"{self.url}/health/", "the site through nginx")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """End every process by its PID (its group if it will not go), drop the database."""
        for name in reversed(list(self.processes)):
            process = self.processes.pop(name)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        try:
            self._drop_database()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LoopbackStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running_stack(**options: Any) -> Iterator[LoopbackStack]:
    stack = LoopbackStack(**options)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
