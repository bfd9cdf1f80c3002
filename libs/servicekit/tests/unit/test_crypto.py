"""servicekit.crypto (rule C11): key rings, blind indexes, encrypted columns, key
loading and sealed files; no broker, SQLite in memory for the column types."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from servicekit import crypto
from servicekit.crypto import (
    BlindIndex,
    Encrypted,
    EncryptedJSON,
    InvalidToken,
    KeyConfigError,
    KeyRing,
    KeySource,
    SealError,
    load_keys,
    new_data_key,
    new_index_key,
    open_sealed,
    seal_file,
)


def test_a_ring_encrypts_with_its_newest_key_and_reads_with_any():
    old, new = new_data_key(), new_data_key()
    token = KeyRing([old]).encrypt("13800000000")
    assert "13800000000" not in token
    ring = KeyRing([new, old])
    assert ring.decrypt(token) == "13800000000"
    rotated = ring.rotate(token)
    assert KeyRing([new]).decrypt(rotated) == "13800000000"
    with pytest.raises(InvalidToken):
        KeyRing([new]).decrypt(token)  # the old key is needed until re-encrypted
    assert KeyRing([new]).decrypt(ring.encrypt("王经理")) == "王经理"


def test_raw_bytes_seal_and_rotate_like_text():  # a parked message's body, rule C11
    old, new = new_data_key(), new_data_key()
    body = b'{"phone": "13800000000"}\xff\x00'  # not even UTF-8
    token = KeyRing([old]).encrypt_bytes(body)
    assert b"13800000000" not in token and token.isascii()
    ring = KeyRing([new, old])
    assert ring.decrypt_bytes(token) == body
    rotated = ring.rotate(token.decode("ascii")).encode("ascii")
    assert KeyRing([new]).decrypt_bytes(rotated) == body
    with pytest.raises(InvalidToken):
        KeyRing([new]).decrypt_bytes(token)


def test_two_encryptions_of_one_value_differ():
    ring = KeyRing([new_data_key()])
    assert ring.encrypt("91310000MA1FL0XX1Y") != ring.encrypt("91310000MA1FL0XX1Y")


@pytest.mark.parametrize("keys", [[], [""], ["not-a-key"]])
def test_a_ring_refuses_missing_or_malformed_keys(keys):
    with pytest.raises(KeyConfigError):
        KeyRing(keys)


def test_blind_index_is_keyed_and_separates_kinds():
    key = new_index_key()
    index = BlindIndex(key)
    assert index.digest("phone", "13800000000") == BlindIndex(key).digest("phone", "13800000000")
    assert index.digest("phone", "13800000000") != index.digest("tax_no", "13800000000")
    assert index.digest("phone", "13800000000") != index.digest("phone", "13800000001")
    assert BlindIndex(new_index_key()).digest("phone", "13800000000") != index.digest(
        "phone", "13800000000"
    )
    assert "13800000000" not in index.digest("phone", "13800000000")
    with pytest.raises(KeyConfigError):
        BlindIndex("short")


def test_fingerprints_name_keys_without_showing_them():
    key = new_data_key()
    ring = KeyRing([key])
    assert ring.fingerprints() == [crypto.fingerprint(key)]
    assert len(crypto.fingerprint(key)) == 12 and crypto.fingerprint(key) not in key


def test_columns_store_tokens_and_read_clear_values():
    source = KeySource("probe")
    source.use(crypto.Keys(KeyRing([new_data_key()]), BlindIndex(new_index_key()), "test"))
    metadata = MetaData()
    cards = Table(
        "cards",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("tax_no", Encrypted(source.data)),
        Column("contacts", EncryptedJSON(source.data)),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    contacts = [{"name": "王经理", "phone": "13800000000", "email": None}]
    with engine.begin() as conn:
        conn.execute(insert(cards).values(id=1, tax_no="91310000MA1FL0XX1Y", contacts=contacts))
        conn.execute(insert(cards).values(id=2, tax_no=None, contacts=None))
        raw = conn.execute(text("SELECT tax_no, contacts FROM cards WHERE id = 1")).one()
        read = conn.execute(select(cards).order_by(cards.c.id)).all()
    assert "91310000MA1FL0XX1Y" not in raw.tax_no and "13800000000" not in raw.contacts
    assert "王经理" not in raw.contacts
    assert (read[0].tax_no, read[0].contacts) == ("91310000MA1FL0XX1Y", contacts)
    assert (read[1].tax_no, read[1].contacts) == (None, None)

    source.use(crypto.Keys(KeyRing([new_data_key()]), BlindIndex(new_index_key()), "test"))
    with engine.connect() as conn, pytest.raises(InvalidToken):
        conn.execute(select(cards.c.tax_no).where(cards.c.id == 1)).one()


def test_keys_are_generated_once_into_private_files(tmp_path):
    env = {"AFTERSALES_DATA_DIR": str(tmp_path)}
    with pytest.raises(KeyConfigError, match="no CUSTOMER_DATA_KEYS"):
        load_keys("customer", env, generate=False)
    assert list(tmp_path.iterdir()) == []
    first = load_keys("customer", env)
    again = load_keys("customer", env)
    assert first.data.keys == again.data.keys and first.index.key == again.index.key
    assert first.source == str(tmp_path / "customer-data-keys")
    for name in ("customer-data-keys", "customer-index-key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert KeyRing(first.data.keys).decrypt(again.data.encrypt("x")) == "x"


def test_keys_from_the_environment_newest_first(tmp_path):
    old, new, index = new_data_key(), new_data_key(), new_index_key()
    env = {
        "AFTERSALES_DATA_DIR": str(tmp_path),
        "CUSTOMER_DATA_KEYS": f"{new}, {old}",
        "CUSTOMER_INDEX_KEY": index,
    }
    keys = load_keys("customer", env)
    assert keys.data.keys == (new, old) and keys.source == "environment"
    assert KeyRing([new]).decrypt(keys.data.encrypt("x")) == "x"
    assert not (tmp_path / "customer-data-keys").exists()
    with pytest.raises(KeyConfigError, match="CUSTOMER_INDEX_KEY"):
        load_keys("customer", {**env, "CUSTOMER_INDEX_KEY": ""})


def test_a_key_source_loads_once_and_reloads_when_told(tmp_path):
    source = KeySource("customer", {"AFTERSALES_DATA_DIR": str(tmp_path)})
    ring = source.data()
    assert source.data() is ring
    (tmp_path / "customer-data-keys").write_text(new_data_key() + "\n" + ring.keys[0] + "\n")
    assert source.data() is ring
    source.use(None)
    assert len(source.data().keys) == 2


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK - 1, crypto.CHUNK, 2 * crypto.CHUNK + 5])
def test_a_sealed_file_opens_with_its_passphrase_only(size, monkeypatch):
    monkeypatch.setattr(crypto, "SCRYPT_N", 1 << 10)  # fast: the layout is under test
    clear = os.urandom(size)
    sealed = io.BytesIO()
    seal_file(io.BytesIO(clear), sealed, "correct horse")
    if size >= 64:
        assert clear[:64] not in sealed.getvalue()
    opened = io.BytesIO()
    open_sealed(io.BytesIO(sealed.getvalue()), opened, "correct horse")
    assert opened.getvalue() == clear
    with pytest.raises(SealError):
        open_sealed(io.BytesIO(sealed.getvalue()), io.BytesIO(), "wrong horse")


def test_a_changed_or_cut_sealed_file_does_not_open(monkeypatch):
    monkeypatch.setattr(crypto, "SCRYPT_N", 1 << 10)
    sealed = io.BytesIO()
    seal_file(io.BytesIO(b"x" * (2 * crypto.CHUNK + 10)), sealed, "pass")
    data = sealed.getvalue()
    flipped = bytearray(data)
    flipped[len(crypto.MAGIC) + 40] ^= 1
    header = len(crypto.MAGIC) + 1 + 16 + 7
    cut = data[: header + crypto.CHUNK + 16]  # the first chunk alone, not marked last
    for bad in (bytes(flipped), cut, b"plain text"):
        with pytest.raises(SealError):
            open_sealed(io.BytesIO(bad), io.BytesIO(), "pass")


def test_a_file_sealed_at_the_default_cost_opens():
    sealed = io.BytesIO()
    seal_file(io.BytesIO(b"tax 91310000MA1FL0XX1Y"), sealed, "passphrase")
    assert sealed.getvalue()[len(crypto.MAGIC)] == 15  # scrypt n = 2**15, kept in the file
    assert b"91310000MA1FL0XX1Y" not in sealed.getvalue()
    opened = io.BytesIO()
    open_sealed(io.BytesIO(sealed.getvalue()), opened, "passphrase")
    assert opened.getvalue() == b"tax 91310000MA1FL0XX1Y"
