"""Weigher multipliers from config: the novalite map, then Nova's per-weigher options.

For each loaded weigher, in order of precedence:

1. its entry in ``[filter_scheduler] weight_multipliers`` (keyed by the
   weigher's name, i.e. its entry-point name),
2. the ``[filter_scheduler]`` option its class names in ``multiplier_option``
   (Nova's ``ram_weight_multiplier`` ..., which keep their Kilo ``[DEFAULT]``
   names where Kilo had them),
3. its ``default_multiplier``.

A map key naming no loaded weigher (a typo, or a weigher missing from
``weight_classes``) and a value that is not finite stop the scheduler with
ConfigError, instead of being silently ignored.
"""

import math

from oslo_config import cfg

from novalite import exception


def _name(weigher):
    return weigher.name or type(weigher).__name__


def resolve(conf, weighers):
    """The multiplier of each weigher in ``weighers`` (same order), from ``conf``.

    Raises ConfigError for a ``weight_multipliers`` key that names no weigher
    in ``weighers``, for a non-finite multiplier, and for a
    ``multiplier_option`` that is not a registered ``[filter_scheduler]`` option.
    """
    fs = conf.filter_scheduler
    overrides = dict(fs.weight_multipliers or {})
    names = [_name(w) for w in weighers]
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise exception.ConfigError(reason=(
            '[filter_scheduler] weight_multipliers names %s, which %s not a loaded weigher; '
            'loaded weighers (weight_classes): %s' % (
                ', '.join(unknown), 'is' if len(unknown) == 1 else 'are',
                ', '.join(names) or '(none)')))
    result = []
    for name, weigher in zip(names, weighers):
        option = getattr(weigher, 'multiplier_option', None)
        if name in overrides:
            value, source = overrides[name], 'weight_multipliers %s' % name
        elif option:
            try:
                value = getattr(fs, option)
            except (cfg.NoSuchOptError, AttributeError):
                raise exception.ConfigError(reason=(
                    'weigher %s reads [filter_scheduler] %s, which is not a registered '
                    'option' % (name, option))) from None
            source = '[filter_scheduler] %s' % option
        else:
            value, source = weigher.default_multiplier, '%s.default_multiplier' % name
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise exception.ConfigError(reason='%s: multiplier %r is not a finite number' % (
                source, value))
        result.append(number)
    return result
