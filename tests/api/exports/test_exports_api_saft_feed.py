"""The SAF-T XML export (validated against a schema the user supplies) and the change feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree

from app.exports.config import ExportSettings
from tests.api.exports.conftest import API, Group, ask, export, line, post_ok
from tests.conftest import Users

NS = "urn:OECD:StandardAuditFile-Taxation/2.00"
AMOUNT = (
    '<xs:simpleType name="Amount"><xs:restriction base="xs:decimal">'
    '<xs:fractionDigits value="4"/></xs:restriction></xs:simpleType>'
)
SCHEMA = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{NS}" targetNamespace="{NS}"
           elementFormDefault="qualified">
  {AMOUNT}
  <xs:complexType name="AmountStructure"><xs:sequence>
    <xs:element name="Amount" type="Amount"/>
    <xs:element name="CurrencyCode" type="xs:string" minOccurs="0"/>
    <xs:element name="CurrencyAmount" type="Amount" minOccurs="0"/>
    <xs:element name="ExchangeRate" type="xs:decimal" minOccurs="0"/>
  </xs:sequence></xs:complexType>
  <xs:element name="AuditFile"><xs:complexType><xs:sequence>
    <xs:element name="Header"><xs:complexType><xs:sequence>
      <xs:element name="AuditFileVersion" type="xs:string"/>
      <xs:element name="AuditFileCountry" type="xs:string"/>
      <xs:element name="AuditFileDateCreated" type="xs:date"/>
      <xs:element name="SoftwareCompanyName" type="xs:string"/>
      <xs:element name="SoftwareID" type="xs:string"/>
      <xs:element name="SoftwareVersion" type="xs:string"/>
      <xs:element name="Company"><xs:complexType><xs:sequence>
        <xs:element name="RegistrationNumber" type="xs:string"/>
        <xs:element name="Name" type="xs:string"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="DefaultCurrencyCode" type="xs:string"/>
      <xs:element name="SelectionCriteria"><xs:complexType><xs:sequence>
        <xs:element name="SelectionStartDate" type="xs:date"/>
        <xs:element name="SelectionEndDate" type="xs:date"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="TaxAccountingBasis" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="MasterFiles"><xs:complexType><xs:sequence>
      <xs:element name="GeneralLedgerAccounts"><xs:complexType><xs:sequence>
        <xs:element name="Account" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="AccountID" type="xs:string"/>
          <xs:element name="AccountDescription" type="xs:string"/>
          <xs:element name="AccountType" type="xs:string"/>
          <xs:choice><xs:element name="OpeningDebitBalance" type="Amount"/>
                     <xs:element name="OpeningCreditBalance" type="Amount"/></xs:choice>
          <xs:choice><xs:element name="ClosingDebitBalance" type="Amount"/>
                     <xs:element name="ClosingCreditBalance" type="Amount"/></xs:choice>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="Assets"><xs:complexType><xs:sequence>
        <xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded" namespace="##targetNamespace"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="GeneralLedgerEntries"><xs:complexType><xs:sequence>
      <xs:element name="NumberOfEntries" type="xs:nonNegativeInteger"/>
      <xs:element name="TotalDebit" type="Amount"/>
      <xs:element name="TotalCredit" type="Amount"/>
      <xs:element name="Journal" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
        <xs:element name="JournalID" type="xs:string"/>
        <xs:element name="Description" type="xs:string"/>
        <xs:element name="Type" type="xs:string"/>
        <xs:element name="Transaction" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="TransactionID" type="xs:string"/>
          <xs:element name="Period" type="xs:positiveInteger"/>
          <xs:element name="PeriodYear" type="xs:gYear"/>
          <xs:element name="TransactionDate" type="xs:date"/>
          <xs:element name="SourceID" type="xs:string"/>
          <xs:element name="TransactionType" type="xs:string"/>
          <xs:element name="Description" type="xs:string"/>
          <xs:element name="SystemEntryDate" type="xs:date"/>
          <xs:element name="GLPostingDate" type="xs:date"/>
          <xs:element name="Line" maxOccurs="unbounded"><xs:complexType><xs:sequence>
            <xs:element name="RecordID" type="xs:string"/>
            <xs:element name="AccountID" type="xs:string"/>
            <xs:element name="Description" type="xs:string"/>
            <xs:choice><xs:element name="DebitAmount" type="AmountStructure"/>
                       <xs:element name="CreditAmount" type="AmountStructure"/></xs:choice>
            <xs:element name="SystemEntryTime" type="xs:dateTime"/>
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
"""


def _use_schema(app: FastAPI, tmp_path: Path, text: str) -> None:
    schema = tmp_path / "saft.xsd"
    schema.write_text(text, encoding="utf-8")
    app.state.export_settings = ExportSettings(directory=tmp_path / "exports", saft_schema=schema)


@pytest.fixture
def ledger(client: TestClient, users: Users, group: Group) -> None:
    acct = users.headers("accountant")
    post_ok(client, acct, group.parent, "2025-12-30", line("1002", debit="5000"), line("4001", credit="5000"))
    post_ok(
        client,
        acct,
        group.parent,
        "2026-01-10",
        line("1405", debit="1200.25"),
        line("1002", credit="1200.25"),
    )
    post_ok(
        client,
        acct,
        group.parent,
        "2026-01-20",
        line("1122", debit="300", counterparty_entity_id=group.sub),
        line("6001", credit="300", counterparty_entity_id=group.sub),
    )


class TestSaft:
    def test_the_ledger_validates_against_the_users_schema(
        self, app: FastAPI, client: TestClient, users: Users, group: Group, ledger: None, tmp_path: Path
    ) -> None:
        _use_schema(app, tmp_path, SCHEMA)

        package = export(
            client,
            users.headers("auditor"),
            kind="saft",
            format="xml",
            entity_ids=[group.parent],
            to="2026-01-31",
        )

        names = [n for n in package.zip.namelist() if n.endswith(".xml")]
        assert len(names) == 1
        root = etree.fromstring(package.read(names[0]))
        ns = {"s": NS}
        assert (
            root.findtext("s:Header/s:SelectionCriteria/s:SelectionStartDate", namespaces=ns) == "2026-01-01"
        )
        assert root.findtext("s:GeneralLedgerEntries/s:NumberOfEntries", namespaces=ns) == "2"
        assert root.findtext("s:GeneralLedgerEntries/s:TotalDebit", namespaces=ns) == "1500.2500"
        cash = root.find("s:MasterFiles/s:GeneralLedgerAccounts/s:Account[s:AccountID='1002']", namespaces=ns)
        assert cash is not None
        assert cash.findtext("s:OpeningDebitBalance", namespaces=ns) == "5000.0000"
        assert cash.findtext("s:ClosingDebitBalance", namespaces=ns) == "3799.7500"
        lines = root.findall(".//s:Line", namespaces=ns)
        assert [(ln.findtext("s:AccountID", namespaces=ns), ln[3].tag.split("}")[1]) for ln in lines] == [
            ("1405", "DebitAmount"),
            ("1002", "CreditAmount"),
            ("1122", "DebitAmount"),
            ("6001", "CreditAmount"),
        ]
        entry = package.file(names[0])
        assert entry["rows"] == 4
        assert entry["control_totals"] == {"credit": "1500.2500", "debit": "1500.2500"}

    def test_a_document_the_schema_refuses_fails_the_export_with_the_reasons(
        self, app: FastAPI, client: TestClient, users: Users, group: Group, ledger: None, tmp_path: Path
    ) -> None:
        strict = SCHEMA.replace(
            '<xs:element name="TaxAccountingBasis" type="xs:string"/>',
            '<xs:element name="TaxAccountingBasis" type="xs:string"/>'
            '<xs:element name="TaxEntity" type="xs:string"/>',
        )
        _use_schema(app, tmp_path, strict)

        response = ask(
            client,
            users.headers("auditor"),
            kind="saft",
            format="xml",
            entity_ids=[group.parent],
            to="2026-01-31",
        )

        job = response.json()
        assert job["status"] == "failed"
        assert "does not validate against the SAF-T schema" in job["error"]
        assert "TaxEntity" in job["error"]
        package = client.get(f"{API}/exports/{job['id']}/package", headers=users.headers("auditor"))
        assert package.status_code == 409

    def test_a_schema_with_an_external_entity_is_not_resolved(
        self, app: FastAPI, client: TestClient, users: Users, group: Group, ledger: None, tmp_path: Path
    ) -> None:
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET", encoding="utf-8")
        evil = (
            f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:annotation><xs:documentation>&e;'
            "</xs:documentation></xs:annotation></xs:schema>"
        )
        _use_schema(app, tmp_path, evil)

        job = ask(
            client,
            users.headers("auditor"),
            kind="saft",
            format="xml",
            entity_ids=[group.parent],
            to="2026-01-31",
        ).json()

        assert job["status"] == "failed"
        assert "TOP-SECRET" not in (job["error"] or "")


class TestFeed:
    def test_changes_come_in_commit_order_and_the_cursor_continues(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        auditor = users.headers("auditor")
        start = client.get(f"{API}/feed", params={"limit": 1000}, headers=auditor).json()
        while start["has_more"]:
            start = client.get(
                f"{API}/feed", params={"limit": 1000, "cursor": start["next_cursor"]}, headers=auditor
            ).json()
        acct = users.headers("accountant")
        entries = [
            post_ok(
                client, acct, group.sub, "2026-01-10", line("1002", debit=str(n)), line("4001", credit=str(n))
            )
            for n in (1, 2, 3)
        ]

        first = client.get(
            f"{API}/feed", params={"limit": 2, "cursor": start["next_cursor"]}, headers=auditor
        ).json()
        second = client.get(
            f"{API}/feed", params={"limit": 2, "cursor": first["next_cursor"]}, headers=auditor
        ).json()
        idle = client.get(
            f"{API}/feed", params={"limit": 2, "cursor": second["next_cursor"]}, headers=auditor
        ).json()

        items = first["items"] + second["items"]
        assert [i["subject_id"] for i in items] == [e["id"] for e in entries]
        seqs = [i["seq"] for i in items]
        assert seqs == list(range(seqs[0], seqs[0] + 3))
        assert first["has_more"] is True
        assert second["has_more"] is False
        assert items[0]["action"] == "journal.entry.posted"
        assert items[0]["after"]["entity_id"] == group.sub
        assert idle == {"items": [], "next_cursor": second["next_cursor"], "has_more": False}

    def test_a_limited_user_reads_only_its_entities_changes(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        acct = users.headers("accountant")
        users.create("parent-auditor", "auditor", entity_ids=[group.parent])
        post_ok(client, acct, group.sub, "2026-01-10", line("1002", debit="1"), line("4001", credit="1"))
        mine = post_ok(
            client, acct, group.parent, "2026-01-10", line("1002", debit="1"), line("4001", credit="1")
        )

        feed = client.get(
            f"{API}/feed", params={"limit": 1000}, headers=users.headers("parent-auditor")
        ).json()

        assert {i["entity_id"] for i in feed["items"]} == {group.parent}
        assert mine["id"] in {i["subject_id"] for i in feed["items"]}

    @pytest.mark.parametrize("role", ["admin", "accountant", "viewer"])
    def test_only_auditors_and_controllers_read_the_feed(
        self, client: TestClient, users: Users, role: str
    ) -> None:
        assert client.get(f"{API}/feed", headers=users.headers(role)).status_code == 403

    def test_a_foreign_cursor_is_refused(self, client: TestClient, users: Users) -> None:
        response = client.get(
            f"{API}/feed", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=users.headers("auditor")
        )

        assert response.status_code == 422
