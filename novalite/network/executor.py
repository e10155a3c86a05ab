"""The one place host network commands run: for real (subprocess, no shell) or recorded (dry-run).

Every host change of the network service and of the compute's firewall goes
through an ``Executor``: ``ip``, ``bridge``, ``iptables-save``/``iptables-restore``,
``dnsmasq``, ``dhcp_release``, ``kill``, ``sysctl`` and the few files dnsmasq
reads.  With a ``namespace`` every command runs as ``ip netns exec NS cmd...``,
so tests (and confined deployments) never touch the host's own interfaces or
tables.

``transaction()`` gives an operation all-or-nothing behaviour: a command run
with ``undo=[...]`` inside the block registers its inverse, and when the block
raises the inverses run in reverse order before the error propagates.  A failing
command raises ``NetworkCommandFailed`` naming the command, exit code and stderr.
"""

import contextlib
import logging
import os
import re
import shlex
import subprocess
import tempfile
import threading

from novalite import exception

LOG = logging.getLogger(__name__)

MODES = ('real', 'dry-run')
DEFAULT_TIMEOUT = 120


def from_conf(conf):
    """The executor ``conf.network_executor`` / ``conf.network_namespace`` ask for."""
    return Executor(mode=conf.network_executor, namespace=conf.network_namespace or None)


def format_command(cmd):
    return ' '.join(shlex.quote(str(part)) for part in cmd)


class Executor:
    """Runs (or records) host commands; see the module docstring.

    ``commands`` lists every command run, as tuples of strings without the
    namespace prefix, in both modes; ``inputs`` pairs the commands fed stdin
    (iptables-restore) with that text; ``written`` lists the files written.  In
    dry-run mode ``files`` maps the paths written to their contents,
    ``stub_output`` and ``fail_on`` script the results, and nothing on the
    host changes.
    """

    def __init__(self, mode='real', namespace=None, timeout=DEFAULT_TIMEOUT):
        if mode not in MODES:
            raise ValueError('executor mode must be one of %s, not %r' % (', '.join(MODES), mode))
        self.mode = mode
        self.namespace = namespace
        self.timeout = timeout
        self.commands = []
        self.files = {}
        self.written = []
        self.inputs = []        # [(command tuple, stdin text)] for commands fed stdin
        self._outputs = []      # dry-run: [(compiled pattern, stdout)]
        self._failures = []     # dry-run: [(compiled pattern, exit code, stderr)]
        self._local = threading.local()

    @property
    def dry_run(self):
        return self.mode == 'dry-run'

    # -- scripting dry runs --------------------------------------------------------------------

    def stub_output(self, pattern, stdout):
        """Dry-run: commands matching the regex ``pattern`` return ``stdout`` (last stub wins)."""
        self._outputs.append((re.compile(pattern), stdout))

    def fail_on(self, pattern, exit_code=1, stderr='simulated failure'):
        """Dry-run: commands matching the regex ``pattern`` fail with ``exit_code`` and ``stderr``."""
        self._failures.append((re.compile(pattern), exit_code, stderr))

    # -- running -------------------------------------------------------------------------------

    def full_command(self, cmd):
        """``cmd`` as actually run: prefixed with ``ip netns exec NS`` in a namespace."""
        cmd = [str(part) for part in cmd]
        if self.namespace:
            return ['ip', 'netns', 'exec', self.namespace] + cmd
        return cmd

    def execute(self, *cmd, check=True, stdin=None, undo=None):
        """Run ``cmd``; return ``(stdout, stderr)``.

        ``check``: a non-zero exit raises NetworkCommandFailed (otherwise it is
        only logged).  ``stdin``: text fed to the command.  ``undo``: the command
        that reverses this one, run if the enclosing ``transaction()`` fails; it
        is registered only once this command succeeded.
        """
        cmd = tuple(str(part) for part in cmd)
        if not cmd:
            raise ValueError('empty command')
        self.commands.append(cmd)
        if stdin is not None:
            self.inputs.append((cmd, stdin))
        self._bound_records()
        text = format_command(cmd)
        LOG.debug('network executor (%s%s): %s', self.mode,
                  ', netns %s' % self.namespace if self.namespace else '', text)
        if self.dry_run:
            exit_code, stdout, stderr = self._dry_result(text)
        else:
            exit_code, stdout, stderr = self._run(cmd, stdin)
        if exit_code != 0:
            if check:
                raise exception.NetworkCommandFailed(command=text, exit_code=exit_code,
                                                     stderr=(stderr or '').strip())
            LOG.debug('ignored exit %s of %s: %s', exit_code, text, (stderr or '').strip())
        elif undo is not None:
            stack = self._stack()
            if stack:
                stack[-1].append(tuple(str(part) for part in undo))
        return stdout, stderr

    def _dry_result(self, text):
        for pattern, exit_code, stderr in reversed(self._failures):
            if pattern.search(text):
                return exit_code, '', stderr
        for pattern, stdout in reversed(self._outputs):
            if pattern.search(text):
                return 0, stdout, ''
        return 0, '', ''

    def _run(self, cmd, stdin):
        full = self.full_command(cmd)
        try:
            # stdin=DEVNULL when there is nothing to feed: daemons (dnsmasq) must not hold our pipe.
            proc = subprocess.run(full, input=stdin, capture_output=True, text=True,
                                  timeout=self.timeout, check=False,
                                  stdin=None if stdin is not None else subprocess.DEVNULL)
        except FileNotFoundError as exc:
            return 127, '', 'command not found: %s' % exc.filename
        except subprocess.TimeoutExpired:
            return -1, '', 'timed out after %ss' % self.timeout
        return proc.returncode, proc.stdout, proc.stderr

    # -- transactions --------------------------------------------------------------------------

    def _stack(self):
        stack = getattr(self._local, 'stack', None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @contextlib.contextmanager
    def transaction(self):
        """All-or-nothing block: on an exception, run the registered undos in reverse order.

        Nested transactions roll back their own part when they raise; when they
        succeed their undos join the enclosing transaction's.
        """
        stack = self._stack()
        undos = []
        stack.append(undos)
        try:
            yield self
        except BaseException:
            stack.pop()
            self._rollback(undos)
            raise
        else:
            stack.pop()
            if stack:
                stack[-1].extend(undos)

    def on_rollback(self, callback):
        """Register ``callback()`` to run if the enclosing transaction fails (no-op outside one)."""
        stack = self._stack()
        if stack:
            stack[-1].append(callback)

    def _rollback(self, undos):
        for undo in reversed(undos):
            name = getattr(undo, '__qualname__', None) if callable(undo) else format_command(undo)
            LOG.debug('rolling back with: %s', name)
            try:
                if callable(undo):
                    undo()
                else:
                    self.execute(*undo, check=False)
            except Exception:
                # A failing undo must not hide the original error.
                LOG.exception('undo %s failed', name)

    #: the most recent records kept: a long-running service (novalite-all records every
    #: command of every boot) must not grow without bound
    max_records = 5000

    def _bound_records(self):
        for records in (self.commands, self.inputs, self.written):
            if len(records) > self.max_records:
                del records[:len(records) - self.max_records // 2]

    # -- files dnsmasq reads -------------------------------------------------------------------

    def write_file(self, path, content, mode=0o644):
        """Write ``content`` to ``path`` atomically (temp file + rename); recorded in dry-run."""
        self.written.append(str(path))
        self._bound_records()
        LOG.debug('network executor (%s): write %s', self.mode, path)
        if self.dry_run:
            self.files[str(path)] = content
            return
        directory = os.path.dirname(str(path)) or '.'
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(str(path)))
        try:
            with os.fdopen(fd, 'w') as handle:
                handle.write(content)
            os.chmod(tmp, mode)
            os.replace(tmp, str(path))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def read_file(self, path):
        """The contents of ``path``, or None when it does not exist (dry-run: what was written)."""
        if self.dry_run:
            return self.files.get(str(path))
        try:
            with open(str(path)) as handle:
                return handle.read()
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
            return None

    def remove_file(self, path):
        """Remove ``path`` if it exists; recorded in dry-run."""
        LOG.debug('network executor (%s): remove %s', self.mode, path)
        if self.dry_run:
            self.files.pop(str(path), None)
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path))
