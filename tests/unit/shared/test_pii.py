"""GB 11643 check characters, masking, pseudonyms and field encryption."""

import pytest
from cryptography.exceptions import InvalidTag

from shared.pii import (
    FieldCipher,
    id_card_check_char,
    is_valid_id_card,
    is_valid_mobile,
    mask_id_card,
    mask_mobile,
    mask_name,
    normalise_mobile,
    pseudonym,
    token_hash,
    tokens_match,
)

# The worked example of GB 11643-1999 (Beijing Chaoyang, born 1949-12-31): check character X.
STANDARD_EXAMPLE = "11010519491231002X"


def test_check_character_of_the_standard_example() -> None:
    assert id_card_check_char(STANDARD_EXAMPLE[:17]) == "X"
    assert is_valid_id_card(STANDARD_EXAMPLE)


def test_lower_case_x_is_accepted() -> None:
    assert is_valid_id_card("11010519491231002x")


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check character
        "11010519491231002",  # 17 characters
        "1101051949123100211",  # 19 characters
        "11010519491331002X",  # month 13 (check character recomputed below would not save it)
        "A1010519491231002X",  # letter in the digits
        "",
    ],
)
def test_invalid_numbers_are_rejected(number: str) -> None:
    assert not is_valid_id_card(number)


def test_a_single_changed_digit_breaks_the_checksum() -> None:
    tampered = "11010519491231003X"
    assert not is_valid_id_card(tampered)


def test_mobile_validation_and_normalisation() -> None:
    assert is_valid_mobile("13812345678")
    assert is_valid_mobile("+86 138-1234-5678")
    assert normalise_mobile("+86 138-1234-5678") == "13812345678"
    assert not is_valid_mobile("12812345678")  # no 12x mobile prefix
    assert not is_valid_mobile("1381234567")


def test_masking() -> None:
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_id_card("110101199003071234") == "110101********1234"
    assert mask_id_card("11010519491231002x") == "110105********002X"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_pseudonym_is_stable_keyed_and_kind_separated() -> None:
    key, other_key = b"k" * 32, b"j" * 32
    first = pseudonym(key, "mobile", "13812341234")
    assert first == pseudonym(key, "mobile", "13812341234")
    assert first != pseudonym(other_key, "mobile", "13812341234")
    assert first != pseudonym(key, "id_card", "13812341234")
    assert "13812341234" not in first


def test_token_hash_comparison() -> None:
    digest = token_hash("secret-token")
    assert tokens_match("secret-token", digest)
    assert not tokens_match("secret-tokem", digest)


def test_field_cipher_round_trip_and_binding_to_the_column() -> None:
    cipher = FieldCipher(b"\x01" * 32)
    blob = cipher.encrypt("13812341234", field="mobile")
    assert b"13812341234" not in blob
    assert cipher.encrypt("13812341234", field="mobile") != blob  # fresh nonce every time
    assert cipher.decrypt(blob, field="mobile") == "13812341234"
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, field="id_card")
    with pytest.raises(InvalidTag):
        FieldCipher(b"\x02" * 32).decrypt(blob, field="mobile")
