"""Nova's extra-spec value matching (``extra_specs_ops.match``), shared by the extra-spec filters.

A requirement is either a plain string (equality) or an operator and its
operand(s)::

    =  (means >=)  ==  !=  >=  <=     numeric comparisons
    s==  s!=  s<  s<=  s>  s>=        string comparisons
    <in> x                            x is a substring of the value
    <all-in> x y ...                  every word is a substring of the value
    <or> a <or> b ...                 the value equals one of the words

A numeric operator on a value or operand that is not a number does not
match (Nova raises ValueError there, failing the whole request).
"""

import operator


def _float_op(op):
    def compare(value, operand):
        try:
            return op(float(value), float(operand))
        except (TypeError, ValueError):
            return False
    return compare


_OPS = {
    '=': _float_op(operator.ge),
    '==': _float_op(operator.eq),
    '!=': _float_op(operator.ne),
    '>=': _float_op(operator.ge),
    '<=': _float_op(operator.le),
    's==': operator.eq,
    's!=': operator.ne,
    's<': operator.lt,
    's<=': operator.le,
    's>': operator.gt,
    's>=': operator.ge,
    '<in>': lambda value, operand: operand in value,
    '<all-in>': lambda value, operands: all(word in value for word in operands),
}


def match(value, req):
    """True if the string ``value`` satisfies the requirement string ``req``."""
    words = str(req).split()
    op = words.pop(0) if words else None
    method = _OPS.get(op)
    if op != '<or>' and method is None:
        return value == req
    if value is None:
        return False
    if op == '<or>':
        # "<or> v1 <or> v2": every other word is a candidate.
        return value in words[::2]
    if not words:
        return False
    if op == '<all-in>':
        return method(value, words)
    return method(value, words[0])
