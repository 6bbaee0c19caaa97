"""The HTTP server of `manage.py runserver` (what `make run` serves with), without the idle
wait a kept-alive connection otherwise meets on every response.

Django's development server writes a response in pieces: the status line, the Date and
Server lines, the other headers, then the body, each straight to the socket. With Nagle's
algorithm on, the second small piece waits until the client acknowledges the first, and a
client on a kept-alive connection delays that acknowledgement (about 40 ms on Linux). Every
request a browser sends over an open connection, every htmx swap, paid it; a new connection
per request did not, as the start of a connection is acknowledged at once.

Here the pieces of a response are gathered and leave in one write, and TCP_NODELAY is set on
every accepted connection so that whatever is written (a streamed body, a video's chunks)
goes out at once.
"""

from __future__ import annotations

from typing import Any

from django.core.servers import basehttp

# A response's status line, headers and a body up to this size leave in one write; a larger
# body follows them in writes of its own.
WRITE_BUFFER_BYTES = 64 * 1024


class RequestHandler(basehttp.WSGIRequestHandler):
    """Django's request handler, writing through a buffer that is flushed once a response's
    bytes are all handed over, and with Nagle's algorithm off."""

    disable_nagle_algorithm = True
    wbufsize = WRITE_BUFFER_BYTES

    def handle_one_request(self) -> None:
        super().handle_one_request()
        # The WSGI handler flushes after each piece of a body; a response without one (HEAD,
        # an empty stream) ends with its headers still in the buffer. The client waits for
        # them before it sends the next request.
        self.wfile.flush()

    def flush_headers(self) -> None:
        # The server's own answers before the app runs: "100 Continue" to a client that waits
        # for it before sending a body, and the errors of a request it cannot parse.
        super().flush_headers()
        self.wfile.flush()


class WSGIServer(basehttp.WSGIServer):
    """Django's development server, handling each connection with `RequestHandler`.

    `django.core.servers.basehttp.run` always passes Django's own request handler; this
    server uses its subclass above instead.
    """

    def __init__(self, server_address: Any, handler_class: type[Any], **kwargs: Any) -> None:
        if not issubclass(RequestHandler, handler_class):
            raise TypeError(f"{handler_class.__qualname__} is not a base of RequestHandler")
        super().__init__(server_address, RequestHandler, **kwargs)
