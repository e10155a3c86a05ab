"""Service liveness from DB heartbeats (Nova's servicegroup DB driver)."""

import datetime

from novalite.utils import utcnow


def down_time(conf):
    """service_down_time, raised to 2.5 x report_interval when set too low (as Nova does)."""
    if conf.service_down_time <= conf.report_interval:
        return int(2.5 * conf.report_interval)
    return conf.service_down_time


def is_up(conf, service, now=None):
    """True if the service heartbeated within service_down_time and is not forced down."""
    if service.forced_down:
        return False
    last = service.last_seen_up or service.updated_at or service.created_at
    if last is None:
        return False
    now = now or utcnow()
    return abs((now - last).total_seconds()) <= down_time(conf)


def heartbeat_age(service, now=None):
    last = service.last_seen_up or service.updated_at or service.created_at
    return (now or utcnow()) - last if last else datetime.timedelta.max
