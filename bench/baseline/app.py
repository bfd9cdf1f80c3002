"""The bare baseline's HTTP side: Flask doing one RPC to ``echo`` per request.

Served exactly like the gateway (gunicorn, gthread workers, same workers and threads) so the
benchmark's ratio gateway/baseline is the cost of what the gateway adds on top of
one RPC: auth, validation, error mapping, metrics, and the service's own work.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request

from servicekit.rpc_client import RpcPool

app = Flask(__name__)
pool = RpcPool(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"), timeout=5.0)


@app.get("/echo/<x>")
def echo_get(x: str):
    return jsonify({"id": pool.call("echo", "echo", x)})


@app.post("/echo")
def echo_post():
    return jsonify(pool.call("echo", "echo", request.get_json())), 201
