"""The bare baseline's service: one RPC that returns its argument.

Run from bench/baseline: ``python -m nameko run --config <yaml with AMQP_URI> echo_service``.
"""

from nameko.rpc import rpc


class EchoService:
    name = "echo"

    @rpc
    def echo(self, x):
        """``echo("abc")`` -> ``"abc"``."""
        return x
