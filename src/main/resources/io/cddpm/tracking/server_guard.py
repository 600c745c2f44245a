# cddpm's guard of a local MLflow server: python3 -c THIS GRACE_SECONDS mlflow server ARGS...
#
# `mlflow server` starts gunicorn, which forks its workers; a signal to mlflow alone leaves them
# serving, and a JVM killed by SIGKILL runs no shutdown hook. So cddpm starts this guard instead, with
# a pipe on its stdin that only cddpm writes to. The guard runs the server as its own process group
# and stops that whole group (SIGTERM, then SIGKILL after GRACE_SECONDS) as soon as
#   - stdin reaches end of file: cddpm closed it to stop the server, or died however it died
#     (the kernel closes the pipe of a killed process);
#   - the guard gets SIGTERM;
#   - the server exits by itself (whatever is left of its group goes too).
# The guard has its own session, so Ctrl-C or a kill of cddpm's process group does not reach it
# before cddpm has delivered its last records. It adopts and reaps the server's orphaned processes
# (a child subreaper), so none lingers as a zombie where PID 1 reaps nothing (a container without an
# init). It exits with the server's exit status (128 + N for signal N).
import ctypes
import os
import select
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

os.setsid()
try:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
except (OSError, AttributeError):
    pass  # not Linux: orphans go to init as usual
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
stop_requested = []
signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(True))
grace = float(sys.argv[1])
server = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, start_new_session=True)
server_status = []


def reap():
    """Reaps every exited child (the server and adopted orphans), keeping the server's exit status."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == server.pid:
            server_status.append(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def signal_group(sig):
    """Sends sig to the server's process group; False when none of it is left."""
    try:
        os.killpg(server.pid, sig)
        return True
    except ProcessLookupError:
        return False


while not stop_requested and not server_status:
    readable, _, _ = select.select([0], [], [], 0.5)
    if readable and not os.read(0, 4096):
        break
    reap()

deadline = time.monotonic() + grace
signal_group(signal.SIGTERM)
while time.monotonic() < deadline:
    reap()
    if not signal_group(0):
        break
    time.sleep(0.1)
signal_group(signal.SIGKILL)
while not server_status:
    reap()
    time.sleep(0.05)
sys.exit(server_status[0])
