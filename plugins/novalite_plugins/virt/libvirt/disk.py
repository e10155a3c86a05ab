"""Instance disks on the local file system: qcow2 overlays of cached images, via qemu-img."""

import json
import os
import shutil
import subprocess

from novalite import exception

GIB = 1 << 30


def _qemu_img(*args):
    """Run qemu-img; its failure is a HypervisorError carrying qemu-img's own message."""
    try:
        done = subprocess.run(('qemu-img',) + args, capture_output=True, text=True,
                              check=False, timeout=600)
    except FileNotFoundError:
        raise exception.HypervisorError(
            reason='qemu-img is not installed (Debian package qemu-utils)') from None
    if done.returncode:
        raise exception.HypervisorError(
            reason='qemu-img %s failed: %s' % (args[0], done.stderr.strip()))
    return done.stdout


def info(path):
    """qemu-img's view of ``path``: format, virtual-size (bytes), backing file ..."""
    # -U: a running guest holds the write lock; reading the header is safe
    return json.loads(_qemu_img('info', '-U', '--output=json', path))


def create_overlay(base, path, size_gb=0):
    """A qcow2 at ``path`` backed by ``base`` (its format detected), grown to ``size_gb`` if larger.

    The cached base stays read-only and shared; the guest writes to the overlay.
    """
    base_info = info(base)
    args = ['create', '-q', '-f', 'qcow2', '-b', base, '-F', base_info['format'], path]
    # A flavor's root_gb larger than the image grows the disk (Nova resizes the root disk).
    if size_gb and size_gb * GIB > int(base_info.get('virtual-size', 0)):
        args.append(str(size_gb * GIB))
    _qemu_img(*args)


def create_blank(path, size_gb):
    """An empty qcow2 of ``size_gb`` (a guest booted without an image)."""
    _qemu_img('create', '-q', '-f', 'qcow2', path, str(max(size_gb, 1) * GIB))


def flatten(source, dest, in_use=False):
    """``source`` and its backing chain as one standalone qcow2 at ``dest`` (a snapshot).

    ``in_use``: a (paused) QEMU holds the image's write lock; read it shared (-U).
    """
    partial = dest + '.part'
    _qemu_img('convert', *(['-U'] if in_use else []), '-O', 'qcow2', source, partial)
    # Readers of the snapshots folder never see a half-written image.
    os.replace(partial, dest)


def filesystem_gb(path):
    """(total, used, free) GB of the file system holding ``path`` (created if missing)."""
    os.makedirs(path, exist_ok=True)
    usage = shutil.disk_usage(path)
    return usage.total // GIB, usage.used // GIB, usage.free // GIB
