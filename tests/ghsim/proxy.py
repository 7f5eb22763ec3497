"""A TCP proxy whose upstream can go away: ``outage(seconds)`` stops listening AND resets every
open connection (an HTTP/1.1 server that only stops listening still answers on connections
kept alive), refuses connections for that long, then listens again on the same port.

One thread owns every socket (a selector loop); commands reach it through a socket pair.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

CHUNK = 65536
HIGH_WATER = 1 << 20  # stop reading a side while its peer has this much unsent


@dataclass(eq=False)  # hashed by identity: kept in a set
class _Side:
    sock: socket.socket
    pending: bytearray = field(default_factory=bytearray)
    eof: bool = False
    peer: _Side | None = None
    events: int = 0  # what the selector watches for (0: not registered)


class OutageProxy:
    """127.0.0.1:``port`` → 127.0.0.1:``target_port``."""

    def __init__(self, target_port: int, port: int = 0) -> None:
        self.target_port = target_port
        self.selector = selectors.DefaultSelector()
        self.listener: socket.socket | None = None
        self.port = port
        self._listen()
        self.sides: set[_Side] = set()
        self.commands: queue.Queue[tuple[str, float, threading.Event]] = queue.Queue()
        self.wake_read, self.wake_write = socket.socketpair()
        self.selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        self.down_until: float | None = None
        self.up = threading.Event()
        self.up.set()
        self.accepted = 0
        self.dropped = 0
        self.outages = 0
        self.thread = threading.Thread(target=self._loop, name=f"outage-proxy-{self.port}")
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- commands from other threads -------------------------------------------------

    def outage(self, seconds: float) -> None:
        """Drop everything now, refuse connections for ``seconds``; returns once dropped."""
        done = threading.Event()
        self.up.clear()
        self._command("outage", seconds, done)
        if not done.wait(10):
            raise RuntimeError("the proxy did not start the outage")

    def wait_up(self, timeout: float) -> bool:
        """Until the outage is over and the port listens again."""
        return self.up.wait(timeout)

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        done = threading.Event()
        self._command("stop", 0.0, done)
        self.thread.join(10)
        if self.thread.is_alive():
            raise RuntimeError("the proxy thread did not stop")

    def _command(self, name: str, seconds: float, done: threading.Event) -> None:
        self.commands.put((name, seconds, done))
        self.wake_write.send(b"x")

    def __enter__(self) -> OutageProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ---- the loop --------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self.listener = listener
        self.selector.register(listener, selectors.EVENT_READ, "listen")

    def _loop(self) -> None:
        try:
            while True:
                timeout = None
                if self.down_until is not None:
                    timeout = max(0.0, self.down_until - time.monotonic())
                for key, mask in self.selector.select(timeout):
                    if key.data == "wake":
                        if self._commands():
                            return
                    elif key.data == "listen":
                        self._accept()
                    elif isinstance(key.data, _Side):
                        self._pump(key.data, mask)
                if self.down_until is not None and time.monotonic() >= self.down_until:
                    self._relisten()
        finally:
            self._close_everything()

    def _commands(self) -> bool:
        self.wake_read.recv(4096)
        while not self.commands.empty():
            name, seconds, done = self.commands.get()
            if name == "stop":
                done.set()
                return True
            self._drop_all()
            self.down_until = time.monotonic() + seconds
            self.outages += 1
            done.set()
        return False

    def _drop_all(self) -> None:
        if self.listener is not None:
            self.selector.unregister(self.listener)
            self.listener.close()
            self.listener = None
        for side in list(self.sides):
            self.dropped += 1
            self._close(side, reset=True)

    def _relisten(self) -> None:
        try:
            self._listen()
        except OSError:  # the port is briefly taken: try again on the next pass
            self.down_until = time.monotonic() + 0.1
            return
        self.down_until = None
        self.up.set()

    def _accept(self) -> None:
        assert self.listener is not None
        try:
            client, _address = self.listener.accept()
        except BlockingIOError:
            return
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        upstream.settimeout(5)
        try:
            upstream.connect(("127.0.0.1", self.target_port))
        except OSError:
            upstream.close()
            _reset(client)
            return
        self.accepted += 1
        near, far = _Side(client), _Side(upstream)
        near.peer, far.peer = far, near
        for side in (near, far):
            side.sock.setblocking(False)
            self.sides.add(side)
            self._interest(side)

    def _pump(self, side: _Side, mask: int) -> None:
        peer = side.peer
        if side not in self.sides or peer is None:
            return  # closed earlier in this pass, with its peer
        if mask & selectors.EVENT_WRITE and side.pending:
            try:
                sent = side.sock.send(side.pending)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._close(side)
                return
            del side.pending[:sent]
        if mask & selectors.EVENT_READ and not side.eof:
            try:
                chunk = side.sock.recv(CHUNK)
            except (BlockingIOError, InterruptedError):
                chunk = None
            except OSError:
                self._close(side)
                return
            if chunk == b"":
                side.eof = True
            elif chunk:
                peer.pending.extend(chunk)
        if (side.eof and not peer.pending) or (peer.eof and not side.pending):
            self._close(side)  # closes both, once everything read has been passed on
            return
        self._interest(side)
        self._interest(peer)

    def _interest(self, side: _Side) -> None:
        peer = side.peer
        events = 0
        if not side.eof and (peer is None or len(peer.pending) < HIGH_WATER):
            events |= selectors.EVENT_READ
        if side.pending:
            events |= selectors.EVENT_WRITE
        if events == side.events:
            return
        if not side.events:
            self.selector.register(side.sock, events, side)
        elif not events:
            self.selector.unregister(side.sock)
        else:
            self.selector.modify(side.sock, events, side)
        side.events = events

    def _close(self, side: _Side, reset: bool = False) -> None:
        for each in (side, side.peer):
            if each is None or each not in self.sides:
                continue
            self.sides.discard(each)
            if each.events:
                self.selector.unregister(each.sock)
                each.events = 0
            if reset:
                _reset(each.sock)
            else:
                each.sock.close()

    def _close_everything(self) -> None:
        self._drop_all()
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(self.wake_read)
        self.selector.close()
        self.wake_read.close()
        self.wake_write.close()
        self.up.set()


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a connection cut by an outage is seen by the other end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
