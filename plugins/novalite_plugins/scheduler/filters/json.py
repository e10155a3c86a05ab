"""JsonFilter: hosts satisfying the JSON query of the ``query`` hint."""

import json as jsonlib
import operator

from novalite.scheduler import interfaces


def _compare(op):
    def command(args):
        # Nova: the first argument against each of the others; fewer than two fails.
        if len(args) < 2:
            return False
        try:
            return all(op(args[0], arg) for arg in args[1:])
        except TypeError:
            return False  # e.g. a string against a number: no match, not a crash
    return command


def _in(args):
    if len(args) < 2:
        return False
    try:
        return args[0] in args[1:]
    except TypeError:
        return False


COMMANDS = {
    '=': _compare(operator.eq),
    '<': _compare(operator.lt),
    '>': _compare(operator.gt),
    'in': _in,
    '<=': _compare(operator.le),
    '>=': _compare(operator.ge),
    # Nova: 'not' negates each argument and yields a list; a list result
    # passes the host if any element is true.
    'not': lambda args: [not arg for arg in args],
    'or': any,
    'and': all,
}


def validate(query):
    """Raise ValueError unless every (sub)list of ``query`` starts with a known command.

    Nova evaluates a nested list as a sub-query, so a list literal is not an
    operand either; an empty list is "true".
    """
    if not isinstance(query, list):
        raise ValueError('a query is a JSON list, not %s' % type(query).__name__)
    if not query:
        return
    if query[0] not in COMMANDS:
        raise ValueError('unknown operator %r (known: %s)' % (query[0], ' '.join(COMMANDS)))
    for arg in query[1:]:
        if isinstance(arg, list):
            validate(arg)
        elif isinstance(arg, dict):
            raise ValueError('objects are not operands')


def _variable(text, host_state):
    """``$attr.key...``: a HostState attribute, then dict keys; None when missing."""
    path = text[1:].split('.')
    if path[0].startswith('_'):
        return None  # bookkeeping attributes are not host state
    value = getattr(host_state, path[0], None)
    for key in path[1:]:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
        if value is None:
            return None
    return value


def evaluate(query, host_state):
    """Nova's ``_process_filter`` on a validated query."""
    if not query:
        return True
    args = []
    for arg in query[1:]:
        if isinstance(arg, list):
            arg = evaluate(arg, host_state)
        elif isinstance(arg, str):
            if not arg:
                arg = None
            elif arg.startswith('$'):
                arg = _variable(arg, host_state)
        # Nova drops arguments that evaluate to None (missing variables, null).
        if arg is not None:
            args.append(arg)
    return COMMANDS[query[0]](args)


class _Query:
    __slots__ = ('query', 'error')

    def __init__(self, query=None, error=None):
        self.query = query
        self.error = error


def _parse(spec):
    raw = (spec.scheduler_hints or {}).get('query')
    if not raw:
        return _Query()
    try:
        query = jsonlib.loads(raw) if isinstance(raw, str) else raw
        validate(query)
    except (ValueError, TypeError, RecursionError) as exc:
        return _Query(error=str(exc) or type(exc).__name__)
    return _Query(query=query)


class JsonFilter(interfaces.BaseFilter):
    """Rejects hosts for which the ``query`` hint (JSON over host state variables) is false.

    Operators ``= < > in <= >= not or and``; a string ``$free_ram_mb`` or
    ``$service.disabled`` reads a HostState attribute (then dict keys).
    Without the hint every host passes.  A query that is not JSON or uses an
    unknown operator is found in ``prepare`` and rejects every host, with
    the parse error as the reason (Nova raises from inside the filter).
    Reads no options.
    """

    def prepare(self, spec, cycle_state):
        cycle_state['JsonFilter'] = _parse(spec)

    def host_passes(self, host_state, spec, cycle_state):
        parsed = cycle_state.get('JsonFilter')
        if parsed is None:
            parsed = _parse(spec)
        if parsed.query is None:
            return parsed.error is None
        result = evaluate(parsed.query, host_state)
        if isinstance(result, list):
            result = any(result)
        return bool(result)

    def reject_reason(self, host_state, spec, cycle_state):
        parsed = _parse(spec)
        if parsed.error:
            return 'invalid JsonFilter query: %s' % parsed.error
        return 'query %s is false' % jsonlib.dumps(parsed.query)
