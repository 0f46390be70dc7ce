"""A real HTTP server on 127.0.0.1 for bench/large.

GET  /<name>    streams the file <dir>/<name> (os.sendfile, so the server costs little CPU)
PUT  /upload/*  reads the request body in 1 MiB chunks (Content-Length or chunked), hashes it
POST /upload/*  and answers {"size_bytes": N, "sha256": "..."}: the bench checks what the
                worker sent back out without the server keeping the body
Usage: python3 large_http_server.py DIR PORT
"""
import hashlib
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the worker's pooled client expects

    def do_GET(self):
        path = os.path.join(self.server.root, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(path, "rb") as f:
            self.wfile.flush()
            self.connection.sendfile(f)

    def do_PUT(self):
        if not self.path.startswith("/upload/"):
            self.send_error(404)
            return
        digest = hashlib.sha256()
        size = 0
        for chunk in self.body_chunks():
            digest.update(chunk)
            size += len(chunk)
        body = json.dumps({"size_bytes": size, "sha256": digest.hexdigest()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT

    def body_chunks(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                length = int(self.rfile.readline().split(b";")[0], 16)
                if length == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return
                if not (yield from self.read_exactly(length)):
                    return
                self.rfile.readline()
        else:
            yield from self.read_exactly(int(self.headers.get("Content-Length", "0")))

    def read_exactly(self, left):
        """`left` bytes of the body in chunks; False when the client hung up first."""
        while left > 0:
            chunk = self.rfile.read(min(CHUNK, left))
            if not chunk:
                return False
            left -= len(chunk)
            yield chunk
        return True

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
    server.root = sys.argv[1]
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
