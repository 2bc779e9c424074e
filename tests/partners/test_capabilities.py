import pytest

from partners.capabilities import capabilities_for
from partners.models import PartyStatus


@pytest.mark.parametrize(
    ("status", "personal_data", "operations", "strategic_only", "exchanges"),
    [
        (PartyStatus.MEMBER, True, True, False, True),
        (PartyStatus.OPERATIONAL_PARTNER, True, True, False, True),
        (PartyStatus.OBSERVER, False, False, True, True),
        (PartyStatus.FORMER, False, False, False, False),
    ],
)
def test_capabilities_follow_from_status_alone(
    status: PartyStatus,
    personal_data: bool,
    operations: bool,
    strategic_only: bool,
    exchanges: bool,
) -> None:
    caps = capabilities_for(status)
    assert caps.may_exchange_personal_data is personal_data
    assert caps.may_take_part_in_operations is operations
    assert caps.receives_strategic_information_only is strategic_only
    assert caps.may_exchange is exchanges


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="honorary"):
        capabilities_for("honorary")
