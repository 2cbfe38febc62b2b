"""CategoryEncoding, Discretization, Hashing, StringLookup and IntegerLookup against TF 2.21 (Keras 3).

Every expected value below was measured with tensorflow-cpu 2.21.0 on the same inputs.
"""
import numpy as np
import pytest

import eagerflow as tf
from eagerflow.keras.layers.preprocessing_hash import fingerprint64, siphash
from tests.keras.layer_checks import check_layer

L = tf.keras.layers

# tf.strings.to_hash_bucket_fast / _strong(key=[7, 11]) with num_buckets=2**62.
HASH_INPUTS = [b"", b"a", b"ab", b"abc", b"abcd", b"hello", b"abcdefgh", b"abcdefghijklmnop", b"x" * 17,
               b"y" * 31, b"0123456789" * 4, b"z" * 64, b"q" * 65, bytes(range(200)), "héllo wörld".encode()]
TF_FAST = [1936946117179621455, 3694432073954588131, 3066228220894225694, 2640714258260161385,
           1897425971756105985, 3786372426573024488, 4533385575889643785, 1469030743107030717,
           2082709914559524773, 4502319106065319208, 4223422226759844796, 294799756062990872,
           3080958293828885289, 525935771297148851, 4390285103997208723]
TF_STRONG = [3361664221164768847, 3442210485099530380, 4310836152581515340, 4014758527784878935,
             1929784585660889414, 3121929047071568101, 448273355035320462, 3216964942350674312,
             3895952654306286567, 3499885141251715581, 850435027811109701, 4403220300424168499,
             660709342510428329, 2465463827993585193, 2484166885843992381]


def test_hash_functions_match_tf():
    assert [fingerprint64(s) % 2 ** 62 for s in HASH_INPUTS] == TF_FAST
    assert [siphash((7, 11), s) % 2 ** 62 for s in HASH_INPUTS] == TF_STRONG


# ---- CategoryEncoding -----------------------------------------------------------------------------------

def test_category_encoding_values():
    x = tf.constant([[0, 1], [3, 3]])
    assert L.CategoryEncoding(4, output_mode="one_hot")(x).numpy().tolist() == [
        [[1, 0, 0, 0], [0, 1, 0, 0]], [[0, 0, 0, 1], [0, 0, 0, 1]]]
    assert L.CategoryEncoding(4)(x).numpy().tolist() == [[1, 1, 0, 0], [0, 0, 0, 1]]
    assert L.CategoryEncoding(4, output_mode="count")(x).numpy().tolist() == [[1, 1, 0, 0], [0, 0, 0, 2]]
    out = L.CategoryEncoding(4, output_mode="count")(x, count_weights=tf.constant([[0.5, 1.0], [2.0, 3.0]]))
    assert out.numpy().tolist() == [[0.5, 1.0, 0, 0], [0, 0, 0, 5.0]]
    assert L.CategoryEncoding(4, output_mode="one_hot")(tf.constant([0, 2, 3])).numpy().tolist() == [
        [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert L.CategoryEncoding(4)(tf.constant([0, 2, 3])).numpy().tolist() == [1, 0, 1, 1]
    assert L.CategoryEncoding(4, output_mode="one_hot")(tf.constant([[0], [2]])).shape == (2, 4)
    assert L.CategoryEncoding(3)(tf.constant([[5, 1]])).numpy().tolist() == [[0, 1, 0]]  # out of range: dropped
    assert L.CategoryEncoding(3)(tf.constant([[1.7, 1.0]])).numpy().tolist() == [[0, 1, 0]]
    assert L.CategoryEncoding(3, output_mode="one_hot")(tf.zeros((2, 2, 2), "int32")).shape == (2, 2, 2, 3)
    assert L.CategoryEncoding(4, dtype="int32")(tf.constant([[1]])).dtype == tf.int32


def test_category_encoding_shapes_config_errors():
    one = L.CategoryEncoding(4, output_mode="one_hot")
    assert one.compute_output_shape((None, 1)) == (None, 4)
    assert one.compute_output_shape((None, 2)) == (None, 2, 4)
    assert one.compute_output_shape((None, 2, 3)) == (None, 2, 3, 4)
    assert L.CategoryEncoding(4).compute_output_shape((None,)) == (4,)
    cfg = L.CategoryEncoding(4).get_config()
    assert {k: cfg[k] for k in ("num_tokens", "output_mode")} == {"num_tokens": 4, "output_mode": "multi_hot"}
    assert set(cfg) == {"name", "trainable", "dtype", "num_tokens", "output_mode"}
    with pytest.raises(ValueError, match="num_tokens must be set"):
        L.CategoryEncoding(None)
    with pytest.raises(ValueError, match=r"`num_tokens` must be >= 1. Received: num_tokens=0"):
        L.CategoryEncoding(0)
    with pytest.raises(ValueError, match="Unknown arg for output_mode: int"):
        L.CategoryEncoding(4, output_mode="int")
    with pytest.raises(NotImplementedError, match="sparse=True"):
        L.CategoryEncoding(4, sparse=True)
    with pytest.raises(ValueError, match="`count_weights` is not used"):
        L.CategoryEncoding(3)(tf.constant([[1, 1]]), count_weights=tf.constant([[1.0, 2.0]]))


@pytest.mark.parametrize("mode,shape", [("one_hot", (2, 3, 5)), ("multi_hot", (2, 5)), ("count", (2, 5))])
def test_category_encoding_check_layer(mode, shape):
    x = np.array([[0, 1, 4], [2, 2, 3]], "int32")
    check_layer(lambda **kw: L.CategoryEncoding(5, output_mode=mode, **kw), x, shape, 0, grad=False)


# ---- Discretization -------------------------------------------------------------------------------------

def test_discretization_values():
    d = L.Discretization(bin_boundaries=[0.0, 1.0, 2.5])
    out = d(tf.constant([[-1.0, 0.0, 0.5, 1.0, 2.5, 3.0, 100.0]]))
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[0, 1, 1, 2, 3, 3, 3]]
    x = tf.constant([[-1.0, 0.5, 0.5, 3.0]])
    make = lambda m: L.Discretization(bin_boundaries=[0.0, 1.0, 2.5], output_mode=m)  # noqa: E731
    assert make("one_hot")(x).numpy().tolist() == [[[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]]
    assert make("multi_hot")(x).numpy().tolist() == [[1, 1, 0, 1]]
    assert make("count")(x).numpy().tolist() == [[1, 2, 0, 1]]
    assert make("count")(x).dtype == tf.float32
    assert L.Discretization(bin_boundaries=[1.0])(tf.constant([1, 2])).numpy().tolist() == [1, 1]
    assert L.Discretization(bin_boundaries=[1.0], dtype="int64")(tf.constant([1.5])).dtype == tf.int32


def test_discretization_adapt_matches_tf():
    d = L.Discretization(num_bins=4, epsilon=0.01)
    d.adapt(np.arange(20, dtype="float32").reshape(-1, 1))
    assert d.bin_boundaries == [4.0, 9.0, 14.0]
    d = L.Discretization(num_bins=3)
    d.adapt(np.array([[1.0, 5.0, 2.0], [7.0, 3.0, 3.0], [0.5, 9.0, 4.0]]))
    np.testing.assert_allclose(d.bin_boundaries, [1.9999998807907104, 3.999999761581421], rtol=1e-7)
    d = L.Discretization(num_bins=5)
    d.adapt(tf.data.Dataset.from_tensor_slices(np.linspace(-3, 7, 101).astype("float32")).batch(8))
    np.testing.assert_allclose(d.bin_boundaries, [-1.0799977779388428, 0.9400032758712769, 2.960002899169922,
                                                  4.980000972747803], rtol=1e-6)
    d = L.Discretization(num_bins=4)
    d.adapt(np.array([1.0, 1.0, 1.0, 2.0]))
    assert d.bin_boundaries == [1.0, 1.0, 1.0]
    assert d.get_config() == {"bin_boundaries": [1.0, 1.0, 1.0], "num_bins": 4, "epsilon": 0.01,
                              "output_mode": "int", "sparse": False, "name": d.name, "dtype": "float32"}


def test_discretization_errors():
    with pytest.raises(ValueError, match="You need to set either `num_bins` or `bin_boundaries`"):
        L.Discretization()
    with pytest.raises(ValueError, match="Both `num_bins` and `bin_boundaries` should not be set"):
        L.Discretization(num_bins=3, bin_boundaries=[1.0])
    with pytest.raises(ValueError, match="Received: output_mode=tf_idf"):
        L.Discretization(bin_boundaries=[1.0], output_mode="tf_idf")
    with pytest.raises(ValueError, match="Cannot adapt a Discretization layer"):
        L.Discretization(bin_boundaries=[1.0]).adapt([1.0, 2.0])
    with pytest.raises(ValueError, match="call `adapt\\(dataset\\)`"):
        L.Discretization(num_bins=3)(tf.constant([1.0]))
    with pytest.raises(ValueError, match="Received: sparse=True and output_mode=int"):
        L.Discretization(bin_boundaries=[1.0], sparse=True)


@pytest.mark.parametrize("mode,shape", [("int", (2, 3)), ("one_hot", (2, 3, 3)), ("count", (2, 3))])
def test_discretization_check_layer(mode, shape):
    x = np.array([[-1.0, 0.5, 2.0], [0.0, 1.0, 0.2]], "float32")
    check_layer(lambda **kw: L.Discretization(bin_boundaries=[0.0, 1.0], output_mode=mode, **kw), x, shape, 0,
                grad=False)


# ---- Hashing --------------------------------------------------------------------------------------------

def test_hashing_values():
    assert L.Hashing(7)(tf.constant([[1, 2, 3, -4, 10 ** 12]])).numpy().tolist() == [[5, 5, 2, 3, 5]]
    s = tf.constant([["", "a", "b", "cat"]])
    assert L.Hashing(5, mask_value="")(s).numpy().tolist() == [[0, 4, 3, 1]]
    assert L.Hashing(5, salt=133)(s).numpy().tolist() == [[2, 2, 4, 0]]
    assert L.Hashing(5, salt=[1, 2])(s).numpy().tolist() == [[0, 1, 4, 3]]
    assert L.Hashing(5, mask_value=0)(tf.constant([[0, 1, 2, 3]])).numpy().tolist() == [[0, 2, 4, 2]]
    assert L.Hashing(3, output_mode="one_hot")(tf.constant([1, 2, 3])).numpy().tolist() == [
        [1, 0, 0], [0, 1, 0], [1, 0, 0]]
    assert L.Hashing(3, output_mode="multi_hot")(tf.constant([[1, 2, 3]])).numpy().tolist() == [[1, 1, 0]]
    assert L.Hashing(3, output_mode="count")(tf.constant([[1, 2, 3, 1]])).numpy().tolist() == [[3, 1, 0]]
    assert L.Hashing(5)(tf.constant([[1, 2]])).dtype == tf.int64
    assert L.Hashing(3, dtype="int32")(tf.constant([[1]])).dtype == tf.int32
    assert L.Hashing(3, output_mode="one_hot", dtype="float64")(tf.constant([[1]])).dtype == tf.float64


def test_hashing_config_and_errors():
    cfg = L.Hashing(3).get_config()
    assert cfg["dtype"]["config"]["name"] == "int64"
    assert {k: cfg[k] for k in ("num_bins", "salt", "mask_value", "output_mode", "sparse")} == {
        "num_bins": 3, "salt": None, "mask_value": None, "output_mode": "int", "sparse": False}
    assert L.Hashing(3, salt=5).get_config()["salt"] == [5, 5]
    for bad in (0, None):
        with pytest.raises(ValueError, match=f"cannot be `None` or non-positive values. Received: num_bins={bad}"):
            L.Hashing(bad)
    with pytest.raises(ValueError, match="Received: output_mode=tf_idf"):
        L.Hashing(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="Received: salt=x"):
        L.Hashing(3, salt="x")
    with pytest.raises(ValueError, match="Received: sparse=True and output_mode=int"):
        L.Hashing(3, sparse=True)


def test_hashing_check_layer():
    x = np.array([[b"a", b"bb"], [b"", b"cat"]], object)
    check_layer(lambda **kw: L.Hashing(5, **kw), x, (2, 2), 0, grad=False, input_dtype="string")
    xi = np.array([[1, 2, 3], [4, 5, 6]], "int64")
    check_layer(lambda **kw: L.Hashing(4, salt=3, output_mode="multi_hot", **kw), xi, (2, 4), 0, grad=False)


# ---- StringLookup / IntegerLookup ------------------------------------------------------------------------

V = ["a", "b", "c"]
XS = tf.constant([["a", "c", "d"], ["b", "", "zz"]])


def test_string_lookup_int_mode():
    s = L.StringLookup(vocabulary=V)
    out = s(XS)
    assert out.dtype == tf.int64 and out.numpy().tolist() == [[1, 3, 0], [2, 0, 0]]
    assert s.get_vocabulary() == ["[UNK]", "a", "b", "c"] and s.vocabulary_size() == 4
    s = L.StringLookup(vocabulary=V, mask_token="")
    assert s(XS).numpy().tolist() == [[2, 4, 1], [3, 0, 1]]
    assert s.get_vocabulary() == ["", "[UNK]", "a", "b", "c"]
    assert L.StringLookup(vocabulary=V, num_oov_indices=2)(XS).numpy().tolist() == [[2, 4, 1], [3, 1, 0]]
    s = L.StringLookup(vocabulary=V, num_oov_indices=3, mask_token="")
    assert s(tf.constant(["d", "e", "f", "g", "zz", "", "a"])).numpy().tolist() == [3, 2, 1, 3, 2, 0, 4]
    s = L.StringLookup(vocabulary=V, num_oov_indices=0)
    assert s(tf.constant(["a", "c"])).numpy().tolist() == [0, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="When `num_oov_indices=0` all inputs should be"):
        s(XS)
    # the special tokens may lead the vocabulary
    assert L.StringLookup(vocabulary=["[UNK]"] + V)(XS).numpy().tolist() == [[1, 3, 0], [2, 0, 0]]


def test_string_lookup_invert_and_encodings():
    idx = tf.constant([[0, 1, 2, 3, 4, 7]])
    assert L.StringLookup(vocabulary=V, invert=True)(idx).numpy().tolist() == [
        [b"[UNK]", b"a", b"b", b"c", b"[UNK]", b"[UNK]"]]
    assert L.StringLookup(vocabulary=V, invert=True, mask_token="")(idx).numpy().tolist() == [
        [b"", b"[UNK]", b"a", b"b", b"c", b"[UNK]"]]
    x = tf.constant([["a", "a", "d", "c"]])
    one = L.StringLookup(vocabulary=V, output_mode="one_hot")(x)
    assert one.dtype == tf.int64
    assert one.numpy().tolist() == [[[0, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]]
    assert L.StringLookup(vocabulary=V, output_mode="multi_hot")(x).numpy().tolist() == [[1, 1, 0, 1]]
    assert L.StringLookup(vocabulary=V, output_mode="count")(x).numpy().tolist() == [[1, 2, 0, 1]]
    tfidf = L.StringLookup(vocabulary=V, output_mode="tf_idf", idf_weights=[0.5, 1.0, 2.0])
    assert tfidf(x).dtype == tf.float32
    np.testing.assert_allclose(tfidf(x).numpy(), [[1.1666666269302368, 1.0, 0.0, 2.0]], rtol=1e-7)
    np.testing.assert_allclose(tfidf.idf_weights.numpy(), [1.1666666269302368, 0.5, 1.0, 2.0], rtol=1e-7)
    pad = L.StringLookup(pad_to_max_tokens=True, max_tokens=6, output_mode="multi_hot", vocabulary=V)
    assert pad(tf.constant([["a"]])).numpy().tolist() == [[0, 1, 0, 0, 0, 0]]
    assert L.StringLookup(vocabulary=V, output_mode="one_hot")(tf.constant(["a", "b", "q"])).numpy().tolist() == [
        [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]


def test_string_lookup_adapt():
    s = L.StringLookup(output_mode="tf_idf")
    s.adapt(tf.constant([["a", "b", "b"], ["b", "c", "d"], ["a", "a", "e"]]))
    assert s.get_vocabulary() == ["[UNK]", "b", "a", "e", "d", "c"]
    np.testing.assert_allclose(s.idf_weights.numpy(), [0.8270333409309387, 0.6931471824645996, 0.6931471824645996,
                                                       0.9162907600402832, 0.9162907600402832, 0.9162907600402832],
                               rtol=1e-6)
    np.testing.assert_allclose(s(tf.constant([["a", "b", "b", "z"]])).numpy(),
                               [[0.8270333409309387, 1.3862943649291992, 0.6931471824645996, 0, 0, 0]], rtol=1e-6)
    s = L.StringLookup(max_tokens=4)
    s.adapt(["x", "y", "y", "z", "z", "z", "w", "w", "w"])
    assert s.get_vocabulary() == ["[UNK]", "z", "w", "y"] and s.vocabulary_size() == 4
    s = L.StringLookup(max_tokens=4, mask_token="")
    s.adapt(tf.data.Dataset.from_tensor_slices(["x", "y", "y", "z", "z", "z", "w", "w", "w", ""]).batch(3))
    assert s.get_vocabulary() == ["", "[UNK]", "z", "w"]
    s = L.StringLookup()
    s.adapt(np.array(["b", "a", "c", "a", "c", "b"]))
    assert s.get_vocabulary() == ["[UNK]", "c", "b", "a"]


def test_string_lookup_vocabulary_file_and_config(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\n")
    s = L.StringLookup(vocabulary=str(path))
    assert s(XS).numpy().tolist() == [[1, 3, 0], [2, 0, 0]]
    assert s.get_config()["vocabulary"] == str(path)
    cfg = L.StringLookup(vocabulary=V).get_config()
    expected = {"invert": False, "max_tokens": None, "num_oov_indices": 1, "oov_token": "[UNK]", "mask_token": None,
                "output_mode": "int", "sparse": False, "pad_to_max_tokens": False, "idf_weights": None,
                "vocabulary": ["a", "b", "c"], "vocabulary_size": 4, "oov_method": "floormod", "salt": None,
                "encoding": "utf-8"}
    assert {k: cfg[k] for k in expected} == expected
    assert set(cfg) == set(expected) | {"name", "trainable", "dtype"}
    clone = L.StringLookup.from_config(cfg)
    assert clone.get_config() == cfg and clone(XS).numpy().tolist() == [[1, 3, 0], [2, 0, 0]]
    with pytest.raises(ValueError, match="Vocabulary file .* does not exist"):
        L.StringLookup(vocabulary=str(tmp_path / "missing.txt"))


def test_lookup_errors():
    cases = [
        (dict(vocabulary=["a", "a"]), "The repeated terms are: \\['a'\\]"),
        (dict(vocabulary=["a", ""], mask_token=""), "Found reserved mask token at unexpected location"),
        (dict(output_mode="bad"), "Received: output_mode=bad"),
        (dict(num_oov_indices=-1), "Received: num_oov_indices=-1"),
        (dict(max_tokens=1), "If set, `max_tokens` must be greater than 1. Received: max_tokens=1"),
        (dict(vocabulary=V, invert=True, output_mode="one_hot"), "must be `'int'` when `invert` is true"),
        (dict(vocabulary=V, output_mode="tf_idf"), "the `idf_weights` argument must also be provided"),
        (dict(vocabulary=V, idf_weights=[1.0, 2.0, 3.0]), "`idf_weights` should only be set if"),
        (dict(vocabulary=V, sparse=True), "Received: sparse=True and output_mode=int"),
        (dict(vocabulary=V, max_tokens=3), "Received vocabulary size is 4; `max_tokens` is 3"),
        (dict(pad_to_max_tokens=True), "If pad_to_max_tokens is True, must set `max_tokens`"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            L.StringLookup(**kwargs)
    with pytest.raises(ValueError, match="Cannot adapt layer .* after setting a static vocabulary"):
        L.StringLookup(vocabulary=V).adapt(["a"])
    with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized"):
        L.StringLookup()(tf.constant(["a"]))
    with pytest.raises(ValueError, match="Only `vocabulary_dtype='int64'` is supported"):
        L.IntegerLookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match="`salt` can only be used when `oov_method='farmhash'`"):
        L.IntegerLookup(salt=3)


def test_integer_lookup():
    i = L.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    assert i(tf.constant([[12, 1138, 42], [42, 1000, 36]])).numpy().tolist() == [[1, 3, 4], [4, 0, 2]]
    assert i.get_vocabulary() == [-1, 12, 36, 1138, 42]
    cfg = i.get_config()
    assert cfg["vocabulary"] == [12, 36, 1138, 42] and cfg["vocabulary_size"] == 5
    assert cfg["vocabulary_dtype"] == "int64" and cfg["oov_token"] == -1
    assert L.IntegerLookup(vocabulary=[12, 36], num_oov_indices=3)(
        tf.constant([5, 6, 7, 8, 9, 12, -1, 0])).numpy().tolist() == [2, 0, 1, 2, 0, 3, 2, 0]
    m = L.IntegerLookup(vocabulary=[12, 36], mask_token=0)
    assert m(tf.constant([0, 12, 36, 5])).numpy().tolist() == [0, 2, 3, 1]
    assert m.get_vocabulary() == [0, -1, 12, 36]
    assert L.IntegerLookup(vocabulary=[12, 36], invert=True)(tf.constant([0, 1, 2, 3])).numpy().tolist() == [
        -1, 12, 36, -1]
    assert L.IntegerLookup(vocabulary=[3, 4], output_mode="count")(tf.constant([[3, 3, 9, 4]])).numpy().tolist() \
        == [[1, 2, 1]]
    data = np.array([[12, 1138, 42], [42, 1000, 36], [36, 36, 7]])
    a = L.IntegerLookup()
    a.adapt(data)
    assert a.get_vocabulary() == [-1, 36, 42, 1138, 1000, 12, 7]
    t = L.IntegerLookup(output_mode="tf_idf")
    t.adapt(data)
    np.testing.assert_allclose(t.idf_weights.numpy(), [0.8419095873832703, 0.6931471824645996, 0.6931471824645996]
                               + [0.9162907600402832] * 4, rtol=1e-6)


@pytest.mark.parametrize("mode,shape", [("int", (2, 3)), ("one_hot", (2, 3, 4)), ("multi_hot", (2, 4)),
                                        ("count", (2, 4))])
def test_string_lookup_check_layer(mode, shape):
    x = np.array([[b"a", b"c", b"q"], [b"b", b"b", b""]], object)
    check_layer(lambda **kw: L.StringLookup(vocabulary=V, output_mode=mode, **kw), x, shape, 0, grad=False,
                input_dtype="string")


def test_integer_lookup_check_layer():
    x = np.array([[12, 7, 36], [36, 36, 1]], "int64")
    check_layer(lambda **kw: L.IntegerLookup(vocabulary=[12, 36], num_oov_indices=2, **kw), x, (2, 3), 0,
                grad=False)
    check_layer(lambda **kw: L.IntegerLookup(vocabulary=[12, 36], output_mode="tf_idf", idf_weights=[1.0, 2.0],
                                             **kw), x, (2, 3), 0, grad=False)


def test_lookup_in_model_fit():
    lookup = L.StringLookup(vocabulary=["red", "green", "blue"], output_mode="one_hot")
    inputs = tf.keras.Input(shape=(1,), dtype="string")
    outputs = L.Dense(1)(L.Lambda(lambda t: tf.cast(t, "float32"))(lookup(inputs)))
    model = tf.keras.Model(inputs, outputs)
    x = np.array([["red"], ["green"], ["blue"], ["pink"]] * 4)
    y = np.array([[1.0], [2.0], [3.0], [0.0]] * 4, "float32")
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first * 0.1
    seq = tf.keras.Sequential([tf.keras.Input(shape=(3,), dtype="int64"), L.Hashing(4, output_mode="count"),
                               L.Dense(2)])
    assert seq(np.array([[1, 2, 3]], "int64")).shape == (1, 2)


def test_graph_mode_matches_eager_for_adapted_layers():
    d = L.Discretization(num_bins=3)
    d.adapt(tf.data.Dataset.from_tensor_slices(np.arange(30, dtype="float32")).batch(7))
    x = tf.constant([[0.0, 11.0, 29.0]])
    assert tf.function(lambda t: d(t))(x).numpy().tolist() == d(x).numpy().tolist()
    s = L.StringLookup(num_oov_indices=2)
    s.adapt(tf.data.Dataset.from_tensor_slices(["p", "q", "q"]).batch(2))
    xs = tf.constant(["q", "p", "zz"])
    assert tf.function(lambda t: s(t))(xs).numpy().tolist() == s(xs).numpy().tolist()
