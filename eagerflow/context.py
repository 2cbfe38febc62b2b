"""The one home of eagerflow's mutable global state.

Per-thread state (`state()`): the graph being built (None means eager), the recording tapes, the
name scope and device. Process-wide settings (`settings`): run_functions_eagerly, TF1 mode,
optimizer options and the global random seed. Nothing else in the package keeps mutable globals.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import warnings
import weakref

logger = logging.getLogger("eagerflow")
if not logger.handlers:  # as TF's logger: one `WARNING:eagerflow:<message>` line per warning
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    logger.addHandler(_handler)

# TF's kernels are silent about IEEE special values (0 * inf, overflow to inf, log(0)); NumPy warns.
# Silence NumPy's RuntimeWarnings raised from eagerflow's own kernels only (eager and generated graph
# code), instead of paying for np.errstate on every op. Users' own NumPy code keeps its warnings.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"eagerflow(\.|$)")


class _Settings:
    """Process-wide switches (TF keeps these global too)."""

    def __init__(self):
        self.run_functions_eagerly = False
        self.eager_disabled = False          # TF1 mode: tf.compat.v1.disable_eager_execution()
        self.default_graph = None            # the TF1 global default graph when eager is disabled
        self.optimizer_options: dict = {}    # tf.config.optimizer.set_experimental_options
        self.global_seed = None              # tf.random.set_seed
        self.seed_counter = 0                # op seeds drawn since set_seed
        self.random_streams: dict = {}       # (op, dtype, seed, seed2) -> NumPy Generator (ops/random.py)
        self.global_generator = None         # tf.random.get_global_generator()
        self.full_tracebacks = False         # show eagerflow/generated frames in user errors
        self.autograph_cache = weakref.WeakKeyDictionary()  # function -> its AutoGraph-converted version
        self.keras_floatx = "float32"        # tf.keras.backend.floatx()
        self.keras_epsilon = 1e-7            # tf.keras.backend.epsilon()
        self.keras_image_data_format = "channels_last"
        self.keras_name_counts: dict = {}    # Keras auto-names: base -> uses (clear_session resets)
        self.keras_custom_objects: dict = {}  # register_keras_serializable: "Package>Name" -> class
        # Checkpoint restorations waiting for objects to appear (train/checkpoint.py): id(object waited on)
        # -> (weak reference to it, [restorations]); a restoration lives as long as one of them does.
        self.pending_restores: dict = {}
        self.threading = {"inter_op": 0, "intra_op": 0}  # tf.config.threading (recorded, 0 = system picks)
        self.soft_device_placement = True    # tf.config.set_soft_device_placement (recorded)
        self.warned_once: set = set()        # deprecation warnings already logged (TF logs each once)
        self.lock = threading.RLock()


settings = _Settings()


class _State(threading.local):
    """Per-thread execution context: tracing in one thread never disturbs eager in another."""

    def __init__(self):
        self.graph = settings.default_graph if settings.eager_disabled else None
        self.tapes: tuple = ()       # recording GradientTapes, innermost last
        self.name_scope = ""         # "outer/inner" without trailing slash
        self.device = None           # canonical device string or None
        self.init_scope_depth = 0
        self.control_deps: tuple = ()
        self.variable_hooks: tuple = ()  # called with each new Variable (tf.function's creation rule)
        self.keras_training = None   # the `training` flag of the Keras layer call in progress
        self.keras_call_depth = 0    # nesting of Keras layer calls (the outermost clears layer losses)
        self.keras_safe_mode = None   # load_model's safe_mode while it deserializes (None: not loading)


_state = _State()


def state() -> _State:
    return _state


def executing_eagerly() -> bool:
    """True unless a graph is being built (inside tf.function tracing or a TF1 graph).

    >>> import eagerflow as tf
    >>> tf.executing_eagerly()
    True
    """
    return _state.graph is None


@contextlib.contextmanager
def graph_scope(graph):
    """Makes `graph` the graph that ops are added to (None: eager) for the block."""
    st = _state
    saved = st.graph, st.tapes, st.control_deps, st.name_scope
    st.graph = graph
    st.control_deps = ()
    st.name_scope = ""  # each graph has its own name scopes, as in TF
    try:
        yield graph
    finally:
        st.graph, st.tapes, st.control_deps, st.name_scope = saved


@contextlib.contextmanager
def init_scope():
    """Lifts out of any function being traced: to eager (or the outermost tf.Graph), no tapes.

    Variables compute their initial values here, as TF does.

    >>> import eagerflow as tf
    >>> @tf.function
    ... def f():
    ...     with tf.init_scope():
    ...         print(tf.executing_eagerly())
    ...     return tf.executing_eagerly()
    >>> f()
    True
    <tf.Tensor: shape=(), dtype=bool, numpy=False>
    """
    st = _state
    saved = st.graph, st.tapes, st.control_deps, st.variable_hooks
    graph = st.graph
    while graph is not None and graph.building_function:  # FuncGraphs chain to the graph they were traced in
        graph = graph.outer_graph
    st.graph = graph
    st.tapes, st.control_deps, st.variable_hooks = (), (), ()
    try:
        yield
    finally:
        st.graph, st.tapes, st.control_deps, st.variable_hooks = saved


def push_tape(tape) -> None:
    _state.tapes = _state.tapes + (tape,)


def pop_tape(tape) -> None:
    _state.tapes = tuple(t for t in _state.tapes if t is not tape)


@contextlib.contextmanager
def tapes_paused(*tapes):
    """Stops the given tapes (all, when none given) from recording for the block."""
    st = _state
    saved = st.tapes
    st.tapes = tuple(t for t in saved if tapes and t not in tapes)
    try:
        yield
    finally:
        st.tapes = saved


@contextlib.contextmanager
def name_scope(name: str | None):
    """Pushes `name` onto the thread's name scope (ops and variables record it).

    A name ending in "/" is absolute, as in TF: it replaces the current scope (tf.Module re-enters
    the scope it was created in this way).
    """
    st = _state
    saved = st.name_scope
    if name:
        if name.endswith("/"):
            st.name_scope = name.rstrip("/")
        elif st.graph is not None:  # in a graph, scopes are unique names: a second "outer" is "outer_1"
            st.name_scope = st.graph.unique_name(name)
        else:
            st.name_scope = f"{saved}/{name}" if saved else name
    try:
        yield (st.name_scope + "/") if st.name_scope else ""
    finally:
        st.name_scope = saved


def resolve_pending_restores() -> None:
    """Lets checkpoint values restored before their variables existed reach them (TF's deferred restore).

    Called when objects gain dependencies: a tf.Module attribute is set, a Keras layer or optimizer
    finishes building. Cheap when nothing is pending.
    """
    seen = set()
    for _, entries in list(settings.pending_restores.values()):
        for restoration in list(entries):
            if id(restoration) not in seen:
                seen.add(id(restoration))
                restoration.resolve()


def scoped_name(name: str) -> str:
    ns = _state.name_scope
    return f"{ns}/{name}" if ns else name
