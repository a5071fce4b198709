"""360Giving, OCDS and the annual report, built from the feed, valid against the standards."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from services.publication import giving360, ocds
from services.publication.register import fold
from services.publication.report import annual_report, report_csv, report_html
from services.publication.standards import giving360_validator, ocds_validator, problems
from tests.unit.publication.builders import (
    contract,
    decommissioned,
    envelope,
    grant,
    kpi_return,
    pooled_grant,
    publish,
)

NOW = datetime(2020, 4, 1, tzinfo=UTC)


def story() -> list:  # type: ignore[type-arg]
    entries, _ = publish(
        [
            envelope(grant("a1"), datetime(2019, 6, 1, tzinfo=UTC)),
            envelope(pooled_grant("a2"), datetime(2019, 6, 2, tzinfo=UTC)),
            envelope(contract("c1"), datetime(2019, 6, 3, tzinfo=UTC)),
            envelope(
                kpi_return("a1", {"gender": {"female": 14, "male": 11}}),
                datetime(2019, 10, 5, tzinfo=UTC),
            ),
            envelope(
                kpi_return(
                    "a1",
                    {"gender": {"female": 3, "male": 4}},
                    period_start=datetime(2019, 10, 1).date(),
                    period_end=datetime(2019, 12, 31).date(),
                ),
                datetime(2020, 1, 5, tzinfo=UTC),
            ),
            envelope(decommissioned("c1"), datetime(2020, 2, 1, tzinfo=UTC)),
        ]
    )
    return entries


def test_the_grant_package_is_valid_360giving_with_one_grant_per_award() -> None:
    package = giving360.package(fold(story()), "jcp", NOW)
    assert problems(giving360_validator(), package) == []
    ids = [g["id"] for g in package["grants"]]
    assert ids == ["360G-jcp-a1", "360G-jcp-a2"]  # the contract is in OCDS, not here
    first, pooled = package["grants"]
    assert first["recipientOrganization"] == [
        {"id": "GB-CHC-1234567", "name": "Weymouth Boxing Club"}
    ]
    assert first["beneficiaryLocation"][0]["name"] == "Weymouth"
    assert first["amountAwarded"] == 2500
    assert [f["id"] for f in pooled["fundingOrganization"]] == ["GB-PLA-DORSET-OPCC", "GB-LAE-BOUR"]


def test_an_invalid_package_is_caught_by_the_validator() -> None:
    package = giving360.package(fold(story()), "jcp", NOW)
    del package["grants"][0]["awardDate"]
    package["grants"][1]["awardDate"] = "1 June 2019"
    assert len(problems(giving360_validator(), package)) == 2


def test_the_csv_has_a_row_per_grant_and_a_column_pair_per_funder() -> None:
    rows = list(csv.DictReader(io.StringIO(giving360.csv_text(fold(story()), "jcp"))))
    assert [r["Identifier"] for r in rows] == ["360G-jcp-a1", "360G-jcp-a2"]
    assert rows[1]["Funding Org:1:Identifier"] == "GB-LAE-BOUR"
    assert rows[0]["Funding Org:1:Identifier"] == ""
    assert rows[0]["Amount Awarded"] == "2500.00"


def test_the_ocds_package_is_valid_and_ends_the_decommissioned_contract() -> None:
    package = ocds.release_package(fold(story()), "jcp", "https://example.org/ocds.json", NOW)
    assert problems(ocds_validator(), package) == []
    awarded, terminated = package["releases"]
    assert awarded["ocid"] == terminated["ocid"] == "ocds-jcp-c1"
    assert awarded["tag"] == ["award", "contract"]
    assert awarded["awards"][0]["suppliers"] == [
        {"id": "GB-COH-07654321", "name": "Solace Support Ltd"}
    ]
    assert terminated["tag"] == ["contractTermination"]
    assert terminated["contracts"][0]["status"] == "terminated"
    assert terminated["contracts"][0]["period"]["endDate"] == "2020-03-31T00:00:00Z"


def test_as_of_a_date_the_files_show_only_what_was_public_then() -> None:
    before_termination = [e for e in story() if e.occurred_at < datetime(2020, 1, 1, tzinfo=UTC)]
    package = ocds.release_package(fold(before_termination), "jcp", "u:x", NOW)
    assert [r["tag"] for r in package["releases"]] == [["award", "contract"]]
    early = [e for e in story() if e.occurred_at < datetime(2019, 6, 2, tzinfo=UTC)]
    assert [g["id"] for g in giving360.package(fold(early), "jcp", NOW)["grants"]] == [
        "360G-jcp-a1"
    ]


def test_the_annual_report_totals_a_stream_and_never_reveals_a_suppressed_count() -> None:
    report = annual_report(fold(story()), "safer-dorset-2019-20")
    assert report is not None
    assert len(report.projects) == 3
    assert str(report.total_awarded) == "125000.00"
    # 25 beneficiaries published for the first quarter; the second quarter's 7 stay hidden.
    assert report.beneficiaries == 25 and report.suppressed_periods == 1
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[-1][:4] == ["TOTAL", "3 projects", "", "125000.00"]
    assert "decommissioned from 2020-03-31" in report_html(report, "2020-04-01")
    assert annual_report(fold(story()), "no-such-fund") is None
