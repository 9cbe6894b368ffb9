"""A local HTTP server standing in for a CDN's purge endpoint: it records
every request (method, path, Host) and answers with a chosen status. It
speaks HTTP PURGE (Varnish, Fastly-style) and Cloudflare's JSON purge API
(POST .../zones/<zone>/purge_cache, whose files it keeps in `purged_files`)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PurgeServer:
    """Started on a free 127.0.0.1 port; `requests` lists what it received."""

    def __init__(self, status=200):
        self.status = status
        self.requests = []
        self.purged_files = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                server.requests.append((self.command, self.path, self.headers.get("Host")))
                self.send_response(server.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                server.requests.append((self.command, self.path, self.headers.get("Host")))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                success = server.status == 200
                if success:
                    server.purged_files.extend(body["files"])
                answer = {
                    "success": success,
                    "errors": [] if success else [{"code": 1000, "message": "refused"}],
                    "result": {"id": "purge"} if success else None,
                }
                payload = json.dumps(answer).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
