"""AutoGraph's source transformation: Python control flow -> calls of the runtime operators.

`convert_function(node)` rewrites one parsed function (`ast.FunctionDef` or `ast.Lambda`) in
passes, each a small converter over the function's own scope (nested functions are converted on
their own):

1. `return` inside control flow -> `do_return = True; retval_ = value`, later statements guarded
   by `if not do_return:`, loops stop on the flag; the function ends `return ag__.retval(retval_)`.
2. `break` / `continue` -> a per-loop flag, later statements guarded, the loop test (or the
   `for` loop's extra test) checks the `break` flag; `for/while ... else` runs unless broken.
3. Expressions: `and`/`or` -> `ag__.and_(lambda: a, lambda: b)`, `not` -> `ag__.not_`, `a if c
   else b` -> `ag__.if_exp`, chained comparisons -> `and_`, calls -> `ag__.converted_call(f, args,
   kwargs)` (so user functions called are converted too and `print`/`range`/`len` work on
   tensors), `assert` -> `ag__.assert_stmt`, `x.append(v)` -> `x = ag__.list_append(x, v)`, reads
   of variables that may be unassigned -> `ag__.ld(x)`.
4. `if`/`while`/`for` -> local functions for the branches/body plus `get_state`/`set_state` over the
   variables they assign (`nonlocal`), and one `ag__.if_stmt` / `while_stmt` / `for_stmt` call.
5. Variables assigned inside converted statements start as `ag__.Undefined('x')`.

Every generated node carries the line of the user code it came from, so the compiled function
reports the user's file and line in tracebacks. Constructs that cannot be converted raise
`ConversionError` naming the construct and the line.
"""
from __future__ import annotations

import ast

__all__ = ["convert_function", "ConversionError"]

AG = "ag__"


class ConversionError(NotImplementedError):
    """AutoGraph cannot convert a construct (the message names it, the file and the line)."""

    def __init__(self, message: str, filename: str = "<unknown>", lineno: int = 0):
        super().__init__(f"AutoGraph cannot convert {message} ({filename}:{lineno})")
        self.filename, self.lineno = filename, lineno


# ---- small AST builders ------------------------------------------------------------------------------------

def _name(id_: str, store: bool = False) -> ast.Name:
    return ast.Name(id=id_, ctx=ast.Store() if store else ast.Load())


def _ag(attr: str) -> ast.Attribute:
    return ast.Attribute(value=_name(AG), attr=attr, ctx=ast.Load())


def _call(func, args, keywords=()) -> ast.Call:
    return ast.Call(func=func, args=list(args), keywords=list(keywords))


def _assign(target: str, value) -> ast.Assign:
    return ast.Assign(targets=[_name(target, True)], value=value)


def _lambda(body) -> ast.Lambda:
    args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                         defaults=[])
    return ast.copy_location(ast.Lambda(args=args, body=body), body)


def _function_def(name: str, args, body) -> ast.FunctionDef:
    fields = {"name": name, "args": args, "body": body or [ast.Pass()], "decorator_list": [], "returns": None}
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        fields["type_params"] = []
    return ast.FunctionDef(**fields)


def _def(name: str, params, body) -> ast.FunctionDef:
    args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=[])
    return _function_def(name, args, body)


def _not(expr):
    return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=expr), expr)


def _located(nodes, like):
    """Gives generated `nodes` and their generated parts the line of the user's node `like`.

    Parts that already have a location (the user's code moved into them) keep it. Generated
    expressions span one line: CPython reports a call through an attribute (`ag__.if_stmt(...)`)
    at the attribute's last line.
    """
    for n in nodes:
        _fill(n, like, True)
    return nodes


def _fill(node, like, top: bool) -> None:
    if not hasattr(like, "lineno"):
        return  # generated from generated code: _fill_missing gives it its parent's line
    if top or ("lineno" in node._attributes and not hasattr(node, "lineno")):
        if "lineno" in node._attributes:
            node.lineno, node.col_offset = like.lineno, like.col_offset
            compound = isinstance(node, (ast.FunctionDef, ast.If, ast.While, ast.For))
            node.end_lineno = getattr(like, "end_lineno", like.lineno) if compound else like.lineno
            node.end_col_offset = like.col_offset + 1
    for child in ast.iter_child_nodes(node):
        if "lineno" in child._attributes and hasattr(child, "lineno"):
            continue  # a located subtree: the user's code
        _fill(child, like, False)


def _expr_at(new, like):
    """A generated expression replacing the user's expression `like`, located at its first line."""
    _fill(new, like, True)
    return new


# ---- scope analysis ----------------------------------------------------------------------------------------

class _Bindings(ast.NodeVisitor):
    """Names a block binds in its own scope (not inside nested functions, classes or comprehensions)."""

    def __init__(self):
        self.names: dict = {}
        self.attributes: dict = {}   # "obj.attr" paths assigned (obj a name): state of converted statements
        self.globals: set = set()
        self.nonlocals: set = set()
        self.deleted: list = []

    def add(self, name: str) -> None:
        self.names.setdefault(name, None)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, ast.Store):
            path = _attribute_path(node)
            if path is not None:
                self.attributes.setdefault(path, None)
        self.generic_visit(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store):
            self.add(node.id)
        elif isinstance(node.ctx, ast.Del):
            self.deleted.append(node)

    def visit_FunctionDef(self, node):
        self.add(node.name)
        for d in node.decorator_list:
            self.visit(d)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.add(node.name)

    def visit_Lambda(self, node):
        pass

    def _comprehension(self, node):
        pass

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Import(self, node):
        for a in node.names:
            self.add(a.asname or a.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_ExceptHandler(self, node):
        if node.name:
            self.add(node.name)
        self.generic_visit(node)

    def visit_Global(self, node):
        self.globals.update(node.names)

    def visit_Nonlocal(self, node):
        self.nonlocals.update(node.names)


def _attribute_path(node):
    """"a.b.c" for an attribute chain rooted at a plain name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id] + parts[::-1])


def _path_expr(path: str, store: bool = False):
    parts = path.split(".")
    node = _name(parts[0])
    for p in parts[1:-1]:
        node = ast.Attribute(value=node, attr=p, ctx=ast.Load())
    return ast.Attribute(value=node, attr=parts[-1], ctx=ast.Store() if store else ast.Load())


def _attr_value(path: str):
    """`ag__.attr_value(obj, "attr")`: the attribute, or Undefined while it does not exist."""
    head, _, attr = path.rpartition(".")
    return _call(_ag("attr_value"), [_path_expr(head) if "." in head else _name(head), ast.Constant(attr),
                                      ast.Constant(path)])


def _bindings(stmts) -> _Bindings:
    b = _Bindings()
    for s in stmts:
        b.visit(s)
    return b


def _assigned(stmts) -> list:
    return list(_bindings(stmts).names)


class _Finder(ast.NodeVisitor):
    """Does a block contain a node of the given types (not inside nested scopes / nested loops)?"""

    def __init__(self, types, stop_at_loops: bool):
        self.types, self.stop_at_loops, self.found = types, stop_at_loops, None

    def generic_visit(self, node):
        if self.found is None:
            super().generic_visit(node)

    def visit(self, node):
        if self.found is not None:
            return
        if isinstance(node, self.types):
            self.found = node
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        if self.stop_at_loops and isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            for s in node.orelse:  # a loop's else clause belongs to the enclosing loop
                self.visit(s)
            return
        self.generic_visit(node)


def _contains(stmts, types, stop_at_loops=False):
    f = _Finder(types, stop_at_loops)
    for s in stmts if isinstance(stmts, list) else [stmts]:
        f.visit(s)
    return f.found


# ---- the per-function converter ----------------------------------------------------------------------------

class _FunctionConverter:
    def __init__(self, filename: str, taken):
        self.filename = filename
        self.taken = set(taken)
        self.lists: set = set()        # names the function appends to (list.append)
        self.maybe_undefined: set = set()
        self.generated: set = set()    # names AutoGraph introduced (flags, local functions)

    def new_name(self, base: str) -> str:
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        self.generated.add(name)
        return name

    def error(self, what: str, node):
        raise ConversionError(what, self.filename, getattr(node, "lineno", 0))

    # ---- 1. return ---------------------------------------------------------------------------------------
    def needs_return_conversion(self, body) -> bool:
        for i, s in enumerate(body):
            if isinstance(s, ast.Return):
                if i != len(body) - 1:
                    return True
            elif _contains(s, (ast.Return,)):
                return True
        return False

    def convert_returns(self, body):
        self.do_return, self.retval = self.new_name("do_return"), self.new_name("retval_")
        start = [_assign(self.do_return, ast.Constant(False)),
                 _assign(self.retval, _call(_ag("UndefinedReturnValue"), []))]
        end = ast.Return(value=_call(_ag("retval"), [_name(self.retval)]))
        first = body[0]
        return _located(start, first) + self.return_block(body) + _located([end], body[-1])

    def return_block(self, stmts):
        out = []
        for i, s in enumerate(stmts):
            may_return = _contains(s, (ast.Return,))
            out.extend(self.return_stmt(s))
            if may_return and i + 1 < len(stmts):
                rest = self.return_block(stmts[i + 1:])
                out.append(ast.copy_location(ast.If(test=_not(_name(self.do_return)), body=rest, orelse=[]),
                                             stmts[i + 1]))
                break
        return out

    def return_stmt(self, s):
        if isinstance(s, ast.Return):
            value = s.value if s.value is not None else ast.Constant(None)
            return _located([_assign(self.do_return, ast.Constant(True)), _assign(self.retval, value)], s)
        if not _contains(s, (ast.Return,)):
            return [s]
        if isinstance(s, ast.If):
            s.body, s.orelse = self.return_block(s.body), self.return_block(s.orelse) if s.orelse else []
        elif isinstance(s, (ast.While, ast.For)):
            returns_in_body = _contains(s.body, (ast.Return,))
            s.body = self.return_block(s.body)
            if returns_in_body:
                self.add_loop_test(s, _not(_name(self.do_return)))
            orelse = self.return_block(s.orelse) if s.orelse else []
            if orelse and returns_in_body:
                orelse = [ast.copy_location(ast.If(test=_not(_name(self.do_return)), body=orelse, orelse=[]),
                                            s.orelse[0])]
            s.orelse = orelse
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = self.return_block(s.body)
        elif isinstance(s, ast.Try):
            s.body = self.return_block(s.body)
            for h in s.handlers:
                h.body = self.return_block(h.body)
            s.orelse = self.return_block(s.orelse) if s.orelse else []
            s.finalbody = self.return_block(s.finalbody) if s.finalbody else []
        else:
            self.error(f"a return statement inside {type(s).__name__}", s)
        return [s]

    @staticmethod
    def add_loop_test(loop, test):
        if isinstance(loop, ast.While):
            loop.test = ast.copy_location(ast.BoolOp(op=ast.And(), values=[test, loop.test]), loop.test)
        else:
            loop._ag_extra = getattr(loop, "_ag_extra", []) + [test]

    # ---- 2. break / continue ---------------------------------------------------------------------------------
    def loops_block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.loops_stmt(s))
        return out

    def loops_stmt(self, s):
        if isinstance(s, (ast.While, ast.For)):
            s.body = self.loops_block(s.body)
            s.orelse = self.loops_block(s.orelse)
            return self.convert_loop_jumps(s)
        if isinstance(s, ast.If):
            s.body, s.orelse = self.loops_block(s.body), self.loops_block(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = self.loops_block(s.body)
        elif isinstance(s, ast.Try):
            s.body, s.orelse, s.finalbody = (self.loops_block(s.body), self.loops_block(s.orelse),
                                             self.loops_block(s.finalbody))
            for h in s.handlers:
                h.body = self.loops_block(h.body)
        elif isinstance(s, (ast.AsyncFor,)):
            self.error("an async for loop", s)
        return [s]

    def convert_loop_jumps(self, loop):
        before, after = [], []
        if _contains(loop.body, (ast.Continue,), stop_at_loops=True):
            flag = self.new_name("continue_")
            loop.body = _located([_assign(flag, ast.Constant(False))], loop) + \
                self.jump_block(loop.body, ast.Continue, flag)
        if _contains(loop.body, (ast.Break,), stop_at_loops=True):
            flag = self.new_name("break_")
            loop.body = self.jump_block(loop.body, ast.Break, flag)
            before = _located([_assign(flag, ast.Constant(False))], loop)
            self.add_loop_test(loop, _not(ast.copy_location(_name(flag), loop)))
            if loop.orelse:
                after = [ast.copy_location(ast.If(test=_not(_name(flag)), body=loop.orelse, orelse=[]),
                                           loop.orelse[0])]
                loop.orelse = []
        return before + [loop] + after

    def jump_block(self, stmts, kind, flag):
        out = []
        for i, s in enumerate(stmts):
            may_jump = _contains(s, (kind,), stop_at_loops=True)
            out.extend(self.jump_stmt(s, kind, flag))
            if may_jump and i + 1 < len(stmts):
                rest = self.jump_block(stmts[i + 1:], kind, flag)
                out.append(ast.copy_location(ast.If(test=_not(_name(flag)), body=rest, orelse=[]), stmts[i + 1]))
                break
        return out

    def jump_stmt(self, s, kind, flag):
        if isinstance(s, kind):
            return _located([_assign(flag, ast.Constant(True))], s)
        if not _contains(s, (kind,), stop_at_loops=True):
            return [s]
        if isinstance(s, ast.If):
            s.body = self.jump_block(s.body, kind, flag)
            s.orelse = self.jump_block(s.orelse, kind, flag) if s.orelse else []
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = self.jump_block(s.body, kind, flag)
        elif isinstance(s, ast.Try):
            s.body = self.jump_block(s.body, kind, flag)
            for h in s.handlers:
                h.body = self.jump_block(h.body, kind, flag)
            s.orelse = self.jump_block(s.orelse, kind, flag) if s.orelse else []
            s.finalbody = self.jump_block(s.finalbody, kind, flag) if s.finalbody else []
        elif isinstance(s, (ast.While, ast.For)):  # only its else clause holds our jump
            s.orelse = self.jump_block(s.orelse, kind, flag)
        else:
            self.error(f"a {kind.__name__.lower()} statement inside {type(s).__name__}", s)
        return [s]

    # ---- 4. control flow ---------------------------------------------------------------------------------
    def cf_block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.cf_stmt(s))
        return out

    def cf_stmt(self, s):
        if isinstance(s, ast.If):
            return self.convert_if(s)
        if isinstance(s, ast.While):
            return self.convert_while(s)
        if isinstance(s, ast.For):
            return self.convert_for(s)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = self.cf_block(s.body)
        elif isinstance(s, ast.Try):
            s.body, s.orelse, s.finalbody = self.cf_block(s.body), self.cf_block(s.orelse), \
                self.cf_block(s.finalbody)
            for h in s.handlers:
                h.body = self.cf_block(h.body)
        return [s]

    def modified(self, stmts, extra=()) -> list:
        """Variables the statements assign (then attributes `obj.attr` of variables they do not assign)."""
        b = _bindings(stmts)
        for node in b.deleted:
            self.error(f"`del {node.id}` inside a converted if/while/for statement", node)
        names = [n for n in list(extra) + list(b.names) if n]
        names = list(dict.fromkeys(names))
        for n in names:
            if n not in self.scope_globals and n not in self.scope_nonlocals and n not in self.params:
                self.maybe_undefined.add(n)
        return names + [a for a in b.attributes if a.split(".")[0] not in names]

    def _decl(self, names):
        out = []
        names = [n for n in names if "." not in n]
        nonlocal_names = [n for n in names if n not in self.scope_globals]
        global_names = [n for n in names if n in self.scope_globals]
        if nonlocal_names:
            out.append(ast.Nonlocal(names=nonlocal_names))
        if global_names:
            out.append(ast.Global(names=global_names))
        return out

    def state_functions(self, names, like):
        get_name, set_name = self.new_name("get_state"), self.new_name("set_state")
        tup = ast.Tuple(elts=[_name(n) if "." not in n else _attr_value(n) for n in names], ctx=ast.Load())
        getter = _def(get_name, [], [ast.Return(value=tup)])
        values = self.new_name("vars_")
        if names:
            target = ast.Tuple(elts=[_name(n, True) if "." not in n else _path_expr(n, True) for n in names],
                               ctx=ast.Store())
            setter = _def(set_name, [values], self._decl(names) + [ast.Assign(targets=[target],
                                                                              value=_name(values))])
        else:
            setter = _def(set_name, [values], [ast.Pass()])
        return _located([getter, setter], like), get_name, set_name

    def _names_tuple(self, names):
        return ast.Tuple(elts=[ast.Constant(n) for n in names], ctx=ast.Load())

    def convert_if(self, s):
        names = self.modified(s.body + s.orelse)
        body_name, else_name = self.new_name("if_body"), self.new_name("else_body")
        body = _def(body_name, [], self._decl(names) + self.cf_block(s.body))
        orelse = _def(else_name, [], self._decl(names) + self.cf_block(s.orelse))
        state, get_name, set_name = self.state_functions(names, s)
        call = ast.Expr(value=_call(_ag("if_stmt"), [s.test, _name(body_name), _name(else_name), _name(get_name),
                                                      _name(set_name), self._names_tuple(names)]))
        return _located([body, orelse], s) + state + _located([call], s)

    def convert_while(self, s):
        in_test = list(_bindings([ast.Expr(value=s.test)]).names)  # `while (n := n - 1) > 0`
        names = self.modified(s.body, extra=in_test)
        test_name, body_name = self.new_name("loop_test"), self.new_name("loop_body")
        test = _def(test_name, [], self._decl(in_test) + [ast.Return(value=s.test)])
        body = _def(body_name, [], self._decl(names) + self.cf_block(s.body))
        state, get_name, set_name = self.state_functions(names, s)
        call = ast.Expr(value=_call(_ag("while_stmt"), [_name(test_name), _name(body_name), _name(get_name),
                                                         _name(set_name), self._names_tuple(names)]
                                    + self._opts(names, in_test)))
        return _located([test, body], s) + state + _located([call], s) + self.cf_block(s.orelse)

    def convert_for(self, s):
        target_names = _bindings([ast.Assign(targets=[s.target], value=ast.Constant(None))]).names
        names = self.modified(s.body, extra=target_names)
        body_name = self.new_name("loop_body")
        itr = self.new_name("itr")
        assign_target = ast.copy_location(ast.Assign(targets=[s.target], value=_name(itr)), s)
        body = _def(body_name, [itr], self._decl(names) + [assign_target] + self.cf_block(s.body))
        out = [body]
        extra = getattr(s, "_ag_extra", None)
        if extra:
            test = extra[0] if len(extra) == 1 else ast.BoolOp(op=ast.And(), values=list(extra))
            test = _ExpressionConverter(self).visit(test)
            extra_name = self.new_name("extra_test")
            out.append(_def(extra_name, [], [ast.Return(value=test)]))
            extra_arg = _name(extra_name)
        else:
            extra_arg = ast.Constant(None)
        state, get_name, set_name = self.state_functions(names, s)
        call = ast.Expr(value=_call(_ag("for_stmt"), [s.iter, extra_arg, _name(body_name), _name(get_name),
                                                       _name(set_name), self._names_tuple(names)]
                                    + self._opts(names)))
        return _located(out, s) + state + _located([call], s) + self.cf_block(s.orelse)

    def _opts(self, names, in_test=()) -> list:
        """The loop's options argument, when it has any: the Python lists the body appends to, the
        variables the loop condition assigns (`while (n := n - 1) > 0`)."""
        keys, values = [], []
        lists = [n for n in names if n in self.lists]
        for key, items in (("lists", lists), ("test_assigns", list(in_test))):
            if items:
                keys.append(ast.Constant(key))
                values.append(self._names_tuple(items))
        return [ast.Dict(keys=keys, values=values)] if keys else []


# ---- 3. expressions ------------------------------------------------------------------------------------------

_SIMPLE = (ast.Name, ast.Constant)


class _ExpressionConverter(ast.NodeTransformer):
    """Rewrites the expressions of one function scope (nested functions are converted separately)."""

    def __init__(self, fc: _FunctionConverter, undefined=frozenset()):
        self.fc, self.undefined = fc, undefined

    def visit_FunctionDef(self, node):
        for i, d in enumerate(node.decorator_list):
            node.decorator_list[i] = self.visit(d)
        return _convert_def(node, self.fc.filename, self.fc.taken)

    def visit_AsyncFunctionDef(self, node):
        return node

    def visit_ClassDef(self, node):
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.undefined:
            return _expr_at(_call(_ag("ld"), [node]), node)
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        result = node.values[-1]
        for v in reversed(node.values[:-1]):
            result = _expr_at(_call(_ag(fn), [_lambda(v), _lambda(result)]), node)
        return result

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return _expr_at(_call(_ag("not_"), [node.operand]), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        return _expr_at(_call(_ag("if_exp"), [node.test, _lambda(node.body), _lambda(node.orelse)]), node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 or not all(isinstance(c, _SIMPLE) or _is_ld(c) for c in node.comparators[:-1]):
            return node
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            parts.append(ast.copy_location(ast.Compare(left=left, ops=[op], comparators=[right]), node))
            left = right
        result = parts[-1]
        for p in reversed(parts[:-1]):
            result = _expr_at(_call(_ag("and_"), [_lambda(p), _lambda(result)]), node)
        return result

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and not node.args and self.fc.first_arg:
            node.args = [_name("__class__"), _name(self.fc.first_arg)]
            return node
        self.generic_visit(node)
        if _is_ag(node.func):
            return node
        args = ast.Tuple(elts=node.args, ctx=ast.Load())
        if node.keywords:
            kwargs = ast.Dict(keys=[ast.Constant(k.arg) if k.arg else None for k in node.keywords],
                              values=[k.value for k in node.keywords])
        else:
            kwargs = ast.Constant(None)
        return _expr_at(_call(_ag("converted_call"), [node.func, args, kwargs]), node)

    def visit_Assert(self, node):
        self.generic_visit(node)
        args = [node.test] + ([_lambda(node.msg)] if node.msg is not None else [])
        return _expr_at(ast.Expr(value=_call(_ag("assert_stmt"), args)), node)

    def visit_Expr(self, node):
        call = node.value
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
                and isinstance(call.func.value, ast.Name) and len(call.args) == 1 and not call.keywords
                and call.func.value.id in self.fc.locals):
            target = call.func.value.id
            self.fc.lists.add(target)
            value = self.visit(call.args[0])
            new = _assign(target, _call(_ag("list_append"), [self.visit_Name(_name(target)), value]))
            return _expr_at(new, node)
        self.generic_visit(node)
        return node


def _is_ag(func) -> bool:
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == AG


def _is_ld(node) -> bool:
    return isinstance(node, ast.Call) and _is_ag(node.func) and node.func.attr == "ld"


# ---- whole functions ---------------------------------------------------------------------------------------------

def _params(args: ast.arguments) -> list:
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def _convert_def(node, filename: str, taken=()):
    """Converts a FunctionDef in place (its own scope) and returns it."""
    if _contains(node.body, (ast.Yield, ast.YieldFrom, ast.Await)):
        return node  # generators and coroutines run as written
    fc = _FunctionConverter(filename, taken)
    fc.params = set(_params(node.args))
    fc.first_arg = (node.args.posonlyargs + node.args.args)[0].arg if (node.args.posonlyargs + node.args.args) \
        else None
    scope = _bindings(node.body)
    fc.scope_globals, fc.scope_nonlocals = scope.globals, scope.nonlocals
    fc.locals = (set(scope.names) | fc.params) - scope.globals
    fc.taken |= set(scope.names) | fc.params
    body = node.body
    if fc.needs_return_conversion(body):
        body = fc.convert_returns(body)
    body = fc.loops_block(body)
    for s in body:  # list.append targets become assigned names: find them before what may be undefined
        _mark_lists(s, fc)
    assigned_first = _assigned_before_control_flow(body)
    undefined = _maybe_undefined(body, fc) - assigned_first - fc.generated
    conv = _ExpressionConverter(fc, frozenset(undefined))
    body = [conv.visit(s) for s in body]
    body = fc.cf_block(body)
    inits = sorted(fc.maybe_undefined - assigned_first)
    init_stmts = _located([_assign(n, _call(_ag("Undefined"), [ast.Constant(n)])) for n in inits], node)
    node.body = init_stmts + body
    node._ag_generated = fc.generated
    _fill_missing(node)
    return node


def _fill_missing(node) -> None:
    """Generated nodes still without a location take their parent's first line (one-line spans)."""
    for child in ast.iter_child_nodes(node):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            child.lineno, child.col_offset = node.lineno, node.col_offset
            child.end_lineno, child.end_col_offset = node.lineno, node.col_offset + 1
        _fill_missing(child)


def _assigned_before_control_flow(body) -> set:
    """Names bound by the function's first statements, before any compound statement."""
    out = set()
    for s in body:
        if isinstance(s, (ast.If, ast.While, ast.For, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)):
            break
        out.update(_bindings([s]).names)
    return out


def _mark_lists(stmt, fc) -> None:
    for n in ast.walk(stmt):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Attribute)
                and n.value.func.attr == "append" and isinstance(n.value.func.value, ast.Name)
                and n.value.func.value.id in fc.locals):
            fc.lists.add(n.value.func.value.id)


def _maybe_undefined(body, fc) -> set:
    """Names assigned inside if/while/for statements of this scope (they may be unassigned later)."""
    out = set()
    for n in _compound_statements(body):
        extra = []
        if isinstance(n, ast.For):
            extra = list(_bindings([ast.Assign(targets=[n.target], value=ast.Constant(None))]).names)
        names = list(_bindings(n.body + n.orelse).names) + extra + [x for x in fc.lists if _appends(n, x)]
        out.update(x for x in names if x not in fc.params and x not in fc.scope_globals
                   and x not in fc.scope_nonlocals)
    return out


def _appends(stmt, name) -> bool:
    for n in ast.walk(stmt):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                and isinstance(n.func.value, ast.Name) and n.func.value.id == name):
            return True
    return False


def _compound_statements(stmts):
    for s in stmts:
        if isinstance(s, (ast.If, ast.While, ast.For)):
            yield s
            yield from _compound_statements(s.body + s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            yield from _compound_statements(s.body)
        elif isinstance(s, ast.Try):
            yield from _compound_statements(s.body + s.orelse + s.finalbody)
            for h in s.handlers:
                yield from _compound_statements(h.body)


def convert_function(node, filename: str):
    """The converted FunctionDef for a parsed `def` (or `lambda`, returned as a def named after `name`)."""
    if isinstance(node, ast.Lambda):
        fc = _FunctionConverter(filename, ())
        fc.params = set(_params(node.args))
        fc.first_arg = None
        fc.scope_globals, fc.scope_nonlocals, fc.locals = set(), set(), set(fc.params)
        body = _ExpressionConverter(fc).visit(node.body)
        fdef = _function_def("lambda__", node.args, [ast.copy_location(ast.Return(value=body), node)])
        return ast.copy_location(fdef, node)
    node.decorator_list = []
    node = _convert_def(node, filename)
    return node
