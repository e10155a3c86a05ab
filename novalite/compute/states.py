"""Nova's vm_state, task_state and power_state values, and the API status they map to."""

# vm_state
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
SUSPENDED = 'suspended'
STOPPED = 'stopped'
RESCUED = 'rescued'
RESIZED = 'resized'
SOFT_DELETED = 'soft-delete'
DELETED = 'deleted'
ERROR = 'error'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'

ALLOW_SOFT_REBOOT = [ACTIVE]
ALLOW_HARD_REBOOT = [ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR]

# task_state
SCHEDULING = 'scheduling'
NETWORKING = 'networking'
BLOCK_DEVICE_MAPPING = 'block_device_mapping'
SPAWNING = 'spawning'
REBOOTING = 'rebooting'
REBOOT_PENDING = 'reboot_pending'
REBOOT_STARTED = 'reboot_started'
REBOOTING_HARD = 'rebooting_hard'
REBOOT_PENDING_HARD = 'reboot_pending_hard'
REBOOT_STARTED_HARD = 'reboot_started_hard'
PAUSING = 'pausing'
UNPAUSING = 'unpausing'
SUSPENDING = 'suspending'
RESUMING = 'resuming'
POWERING_OFF = 'powering-off'
POWERING_ON = 'powering-on'
DELETING = 'deleting'
IMAGE_SNAPSHOT = 'image_snapshot'
IMAGE_SNAPSHOT_PENDING = 'image_snapshot_pending'
IMAGE_PENDING_UPLOAD = 'image_pending_upload'
IMAGE_UPLOADING = 'image_uploading'

# task states during which a HARD reboot may still be asked for
HARD_REBOOT_TASKS = [None, REBOOTING, REBOOT_PENDING, REBOOT_STARTED, REBOOTING_HARD,
                     REBOOT_PENDING_HARD, REBOOT_STARTED_HARD, PAUSING, UNPAUSING,
                     SUSPENDING, RESUMING]

# power_state
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7
BUILDING_POWER = 9

POWER_STATE_NAMES = {NOSTATE: 'NOSTATE', RUNNING: 'RUNNING', PAUSED_POWER: 'PAUSED',
                     SHUTDOWN: 'SHUTDOWN', CRASHED: 'CRASHED',
                     SUSPENDED_POWER: 'SUSPENDED', BUILDING_POWER: 'BUILDING'}

_STATUS_BY_VM_STATE = {
    BUILDING: 'BUILD', STOPPED: 'SHUTOFF', RESIZED: 'VERIFY_RESIZE', PAUSED: 'PAUSED',
    SUSPENDED: 'SUSPENDED', RESCUED: 'RESCUE', ERROR: 'ERROR', DELETED: 'DELETED',
    SOFT_DELETED: 'SOFT_DELETED', SHELVED: 'SHELVED', SHELVED_OFFLOADED: 'SHELVED_OFFLOADED',
}

_ACTIVE_STATUS_BY_TASK = {
    REBOOTING: 'REBOOT', REBOOT_PENDING: 'REBOOT', REBOOT_STARTED: 'REBOOT',
    REBOOTING_HARD: 'HARD_REBOOT', REBOOT_PENDING_HARD: 'HARD_REBOOT',
    REBOOT_STARTED_HARD: 'HARD_REBOOT',
}


def status_from_state(vm_state, task_state):
    """The API's server status for a (vm_state, task_state) pair, as Nova's _STATE_MAP."""
    if vm_state == ACTIVE:
        return _ACTIVE_STATUS_BY_TASK.get(task_state, 'ACTIVE')
    if vm_state == STOPPED and task_state in (REBOOTING_HARD, REBOOT_PENDING_HARD,
                                              REBOOT_STARTED_HARD):
        return 'HARD_REBOOT'
    return _STATUS_BY_VM_STATE.get(vm_state, 'UNKNOWN')


# API status -> vm_states, for the ?status= list filter
VM_STATES_BY_STATUS = {
    'ACTIVE': [ACTIVE], 'BUILD': [BUILDING], 'SHUTOFF': [STOPPED], 'PAUSED': [PAUSED],
    'SUSPENDED': [SUSPENDED], 'ERROR': [ERROR], 'RESCUE': [RESCUED],
    'VERIFY_RESIZE': [RESIZED], 'DELETED': [DELETED], 'SOFT_DELETED': [SOFT_DELETED],
    'SHELVED': [SHELVED], 'SHELVED_OFFLOADED': [SHELVED_OFFLOADED],
    'REBOOT': [ACTIVE], 'HARD_REBOOT': [ACTIVE, STOPPED],
}
