"""The simulated compute side: what each host really has, claims against limits, and reports.

Hosts are rows of numpy columns (totals, usage, liveness), so sampling the
whole cloud is a few vector operations.  The scheduler never reads these
columns: it learns about a host only from the :class:`ComputeNode` reports
built here (periodically, as Nova's ``update_available_resource``) and from
its own consumption, exactly as the service does.
"""

import numpy as np

from novalite.objects import ComputeNode

_GROW = 1024


class SimCloud:
    """The truth about every simulated host and instance.

    ``default_ratios`` are the scheduler's ``*_allocation_ratio`` options
    (``{'cpu', 'ram', 'disk'}``); a host group's own ratios are reported
    in its nodes, as a compute's ``cpu_allocation_ratio`` ... options would be.
    """

    COLUMNS = ('vcpus', 'ram_mb', 'disk_gb', 'used_vcpus', 'used_ram_mb', 'used_disk_gb',
               'instances')

    def __init__(self, default_ratios):
        self.default_ratios = dict(default_ratios)
        self.n = 0
        self.names = []
        self.group_rows = {}        # group name -> [rows]
        self._node_extra = []       # per row: the group's shared report fields
        cap = _GROW
        for name in self.COLUMNS:
            setattr(self, name, np.zeros(cap, np.int64))
        # Allocation ratios per row; NaN: the scheduler's default.
        self.cpu_ratio = np.full(cap, np.nan)
        self.ram_ratio = np.full(cap, np.nan)
        self.disk_ratio = np.full(cap, np.nan)
        self.up = np.zeros(cap, bool)           # the compute process is alive
        self.enabled = np.zeros(cap, bool)      # the service is not disabled
        self.disabled_reason = {}
        # Sums over hosts that are up: the allocation figures' numerators and denominators.
        self.up_capacity = {'vcpus': 0, 'ram_mb': 0, 'disk_gb': 0}
        self.up_used = {'vcpus': 0, 'ram_mb': 0, 'disk_gb': 0}
        self.hosts_up = 0
        self.hosts_used = 0          # up hosts with at least one instance

    # -- hosts -------------------------------------------------------------

    def _ensure(self, size):
        cap = len(self.vcpus)
        if size <= cap:
            return
        new = max(size, cap * 2)
        for name in self.COLUMNS + ('cpu_ratio', 'ram_ratio', 'disk_ratio', 'up', 'enabled'):
            old = getattr(self, name)
            fill = np.nan if old.dtype.kind == 'f' else 0
            grown = np.full(new, fill, old.dtype)
            grown[:cap] = old
            setattr(self, name, grown)

    def add_hosts(self, group, count):
        """Create ``count`` more hosts of ``group`` (a HostGroup); return their rows."""
        rows = self.group_rows.setdefault(group.name, [])
        first = len(rows)
        start = self.n
        self._ensure(start + count)
        stop = start + count
        sl = slice(start, stop)
        self.vcpus[sl] = group.vcpus
        self.ram_mb[sl] = group.ram_mb
        self.disk_gb[sl] = group.disk_gb
        self.cpu_ratio[sl] = group.allocation_ratios.get('cpu', np.nan)
        self.ram_ratio[sl] = group.allocation_ratios.get('ram', np.nan)
        self.disk_ratio[sl] = group.allocation_ratios.get('disk', np.nan)
        self.up[sl] = True
        self.enabled[sl] = True
        extra = {'hypervisor_type': group.hypervisor_type,
                 'stats': dict(group.traits),
                 'cpu_allocation_ratio': group.allocation_ratios.get('cpu'),
                 'ram_allocation_ratio': group.allocation_ratios.get('ram'),
                 'disk_allocation_ratio': group.allocation_ratios.get('disk')}
        self.names.extend('%s-%05d' % (group.name, first + k) for k in range(count))
        self._node_extra.extend([extra] * count)
        rows.extend(range(start, stop))
        self.n = stop
        self.up_capacity['vcpus'] += group.vcpus * count
        self.up_capacity['ram_mb'] += group.ram_mb * count
        self.up_capacity['disk_gb'] += group.disk_gb * count
        self.hosts_up += count
        return list(range(start, stop))

    def row(self, name):
        """The row of host ``name`` (``<group>-<index>``), or None.

        Names are parsed rather than kept in a dict: at 10^5 hosts the dict
        would cost more memory than the host's numeric columns.
        """
        group, _, index = name.rpartition('-')
        rows = self.group_rows.get(group)
        if rows is None or not index.isdigit() or int(index) >= len(rows):
            return None
        return rows[int(index)]

    def rows_for(self, op):
        """Rows an op names: ``hosts: [names]`` or ``group`` (+ ``count``, first rows first)."""
        if 'hosts' in op:
            rows = [self.row(h) for h in op['hosts']]
            missing = [h for h, r in zip(op['hosts'], rows) if r is None]
            if missing:
                raise ValueError('unknown hosts: %s' % ', '.join(missing))
            return rows
        rows = self.group_rows.get(op['group'], [])
        return rows[:op['count']] if 'count' in op else list(rows)

    def set_up(self, row, up):
        """Mark a host's compute alive or dead; its usage leaves or rejoins the sums."""
        if bool(self.up[row]) == up:
            return False
        sign = 1 if up else -1
        self.up[row] = up
        self.hosts_up += sign
        for res, used in (('vcpus', 'used_vcpus'), ('ram_mb', 'used_ram_mb'),
                          ('disk_gb', 'used_disk_gb')):
            self.up_capacity[res] += sign * int(getattr(self, res)[row])
            self.up_used[res] += sign * int(getattr(self, used)[row])
        if self.instances[row]:
            self.hosts_used += sign
        return True

    def set_enabled(self, row, enabled, reason=None):
        """Enable or disable a host's compute service (as ``os-services`` would)."""
        self.enabled[row] = enabled
        if enabled:
            self.disabled_reason.pop(row, None)
        else:
            self.disabled_reason[row] = reason

    # -- instances ---------------------------------------------------------

    def claim(self, row, vcpus, ram_mb, disk_gb, limits):
        """Nova's claim on the compute: None if it fits ``limits``, else why not.

        ``limits`` are what the scheduler's filters computed (``memory_mb``,
        ``vcpu``, ``disk_gb``); a resource without a limit is not checked,
        as in Nova.  A dead compute fails every build.
        """
        if not self.up[row]:
            return 'compute %s is down' % self.names[row]
        limit = limits.get('memory_mb')
        if limit is not None and self.used_ram_mb[row] + ram_mb > limit:
            return 'memory: %d MB used + %d MB requested > limit %d MB' % (
                self.used_ram_mb[row], ram_mb, limit)
        limit = limits.get('vcpu')
        if limit is not None and self.used_vcpus[row] + vcpus > limit:
            return 'vcpu: %d used + %d requested > limit %g' % (
                self.used_vcpus[row], vcpus, limit)
        limit = limits.get('disk_gb')
        if limit is not None and self.used_disk_gb[row] + disk_gb > limit:
            return 'disk: %d GB used + %d GB requested > limit %g GB' % (
                self.used_disk_gb[row], disk_gb, limit)
        self._use(row, vcpus, ram_mb, disk_gb, 1)
        return None

    def release(self, row, vcpus, ram_mb, disk_gb):
        """An instance on ``row`` was deleted."""
        self._use(row, -vcpus, -ram_mb, -disk_gb, -1)

    def _use(self, row, vcpus, ram_mb, disk_gb, count):
        self.used_vcpus[row] += vcpus
        self.used_ram_mb[row] += ram_mb
        self.used_disk_gb[row] += disk_gb
        before = self.instances[row]
        self.instances[row] = before + count
        if self.up[row]:
            used = self.up_used
            used['vcpus'] += vcpus
            used['ram_mb'] += ram_mb
            used['disk_gb'] += disk_gb
            if before == 0 and count > 0:
                self.hosts_used += 1
            elif before + count == 0:
                self.hosts_used -= 1

    # -- what the scheduler is told ------------------------------------------

    def node(self, row, now):
        """The ComputeNode report of ``row`` at simulated time ``now``."""
        vcpus = int(self.vcpus[row])
        ram = int(self.ram_mb[row])
        disk = int(self.disk_gb[row])
        used_ram = int(self.used_ram_mb[row])
        used_disk = int(self.used_disk_gb[row])
        extra = self._node_extra[row]
        name = self.names[row]
        return ComputeNode(
            host=name, hypervisor_hostname=name, vcpus=vcpus, memory_mb=ram, local_gb=disk,
            vcpus_used=int(self.used_vcpus[row]), memory_mb_used=used_ram,
            local_gb_used=used_disk, free_ram_mb=ram - used_ram, free_disk_gb=disk - used_disk,
            running_vms=int(self.instances[row]), updated_at=now, **extra)

    def service(self, row, is_up):
        """The service record the scheduler sees (``is_up`` as its servicegroup judges it)."""
        return {'disabled': not self.enabled[row],
                'disabled_reason': self.disabled_reason.get(row),
                'forced_down': False, 'is_up': bool(is_up)}

    # -- whole-cloud figures ---------------------------------------------------

    def schedulable_free(self):
        """(vcpus, ram_mb) each up and enabled host could still take, after allocation ratios."""
        n = self.n
        cpu_ratio = np.where(np.isnan(self.cpu_ratio[:n]), self.default_ratios['cpu'],
                             self.cpu_ratio[:n])
        ram_ratio = np.where(np.isnan(self.ram_ratio[:n]), self.default_ratios['ram'],
                             self.ram_ratio[:n])
        live = self.up[:n] & self.enabled[:n]
        free_cpu = np.where(live, self.vcpus[:n] * cpu_ratio - self.used_vcpus[:n], 0.0)
        free_ram = np.where(live, self.ram_mb[:n] * ram_ratio - self.used_ram_mb[:n], 0.0)
        return np.maximum(free_cpu, 0.0), np.maximum(free_ram, 0.0)

    def nbytes_per_host(self):
        """Bytes of the numpy columns per host (the Python lists of names are not counted)."""
        total = sum(getattr(self, c).nbytes for c in self.COLUMNS + (
            'cpu_ratio', 'ram_ratio', 'disk_ratio', 'up', 'enabled'))
        return total / max(1, len(self.vcpus))
