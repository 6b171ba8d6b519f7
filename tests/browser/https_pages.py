"""Pages of other sites for the embedding tests: served over HTTPS, with a self-signed certificate
made at test time, on host names under `example.test` that Chromium resolves to 127.0.0.1
(`--host-resolver-rules` and `--ignore-certificate-errors` in `harness.CHROMIUM_ARGS`).

One server on one port answers for every such name, so `https://app.example.test:PORT` and
`https://evil.example.test:PORT` are two origins (two sites, as far as the room's allowed domains
go) served by the same thread. Pages are put in by path; each test writes the ones it needs.
"""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from browser.harness import TEST_DOMAIN

APP_HOST = f"app.{TEST_DOMAIN}"
"""The product's site: an allowed domain of the organization."""
EVIL_HOST = f"evil.{TEST_DOMAIN}"
"""Another site, never allowed."""
BIND = "127.0.0.1"
HANDSHAKE_WITHIN_S = 10.0


def self_signed_context(into: Path, hosts: list[str]) -> ssl.SSLContext:
    """A server TLS context whose certificate (made now, valid for a day either side) names
    `hosts` and every name under TEST_DOMAIN. Its key and certificate are written into `into`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TEST_DOMAIN)])
    now = datetime.datetime.now(datetime.UTC)
    names: list[x509.GeneralName] = [x509.DNSName(host) for host in hosts]
    names.append(x509.DNSName(f"*.{TEST_DOMAIN}"))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    into.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = into / "key.pem", into / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, tuple[str, str]]
    """path → (body, content type)"""
    requests: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        # The TLS handshake happens here, in this request's own thread: an idle connection
        # Chromium opened ahead of time must not hold up the thread that accepts the others.
        self.request.settimeout(HANDSHAKE_WITHIN_S)
        self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        self.server.requests.append(f"{host}{self.path}")
        found = self.server.pages.get(self.path.split("?", 1)[0])
        text, content_type = found if found is not None else ("not found", "text/plain")
        body = text.encode()
        self.send_response(200 if found is not None else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the requests are kept in `server.requests` instead."""


class HostPages:
    """An HTTPS server on 127.0.0.1 (a free port) for the pages of other sites."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._server = _Server((BIND, 0), _Handler)
        self._server.socket = context.wrap_socket(
            self._server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server.pages = {}
        self._server.requests = []
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="https-pages", daemon=True
        )

    def origin(self, host: str) -> str:
        return f"https://{host}:{self.port}"

    def url(self, host: str, path: str) -> str:
        return f"{self.origin(host)}{path}"

    def put(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        """Serve `body` at `path` (on every host name)."""
        self._server.pages[path] = (body, content_type)

    @property
    def requests(self) -> list[str]:
        """`host:port/path?query` of every request so far, in order."""
        return list(self._server.requests)

    def __enter__(self) -> "HostPages":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
