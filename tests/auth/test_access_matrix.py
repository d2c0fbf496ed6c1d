"""Every route × every kind of caller has an expected outcome, taken from the live route
table: a route added without an entry here fails. Records read through the API never
carry a field the caller is not entitled to."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import Route

from tests import factories
from tests.conftest import LiveCities
from xinyong.app import create_app
from xinyong.auth import apikeys, authorisations
from xinyong.auth import service as auth_service
from xinyong.auth.models import ApiKey
from xinyong.auth.schemas import AccountCreate, AuthorisationCreate, OrganisationCreate
from xinyong.core.db import session_scope, utcnow
from xinyong.ingest import service as ingest_service
from xinyong.ingest.models import ReviewItem
from xinyong.records import service as records_service
from xinyong.records.schemas import RecordCreate
from xinyong.subjects import service as subjects_service
from xinyong.subjects.models import Subject

PASSWORD = "Correct-Horse-42"
CALLERS = (
    "anonymous",
    "admin",
    "reporter",
    "department_user",
    "auditor",
    "bank",
    "bank_authorised",
    "owner",
    "other_subject",
    "key_read",
    "key_submit",
    "key_other",
    "key_org",
    "key_platform",
)
ACCOUNTS = (
    "admin",
    "reporter",
    "department_user",
    "auditor",
    "bank",
    "bank_authorised",
    "owner",
    "other_subject",
)
STAFF = {"admin", "reporter", "department_user", "auditor"}
# key_read: the ecology department's, records:read; key_submit: market regulation's,
# records:submit; key_other: the ecology department's with every scope (a second department);
# key_org: a bank's (organisation-owned) with every scope; key_platform: a key owned by no
# department or organisation (as an old row might be) with every scope: it may do nothing.
KEYS = {"key_read", "key_submit", "key_other", "key_org", "key_platform"}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


def by_group(anonymous: int, accounts: int, keys: int, **special: int) -> dict[str, int]:
    table = {
        c: (anonymous if c == "anonymous" else keys if c in KEYS else accounts) for c in CALLERS
    }
    table.update(special)
    return table


def EVAL_READ(status: int) -> dict[str, int]:
    """Grades: the credit office, departments and auditors, and a department's key."""
    readers = ("admin", "department_user", "auditor", "key_other")
    return by_group(401, 403, 403, **dict.fromkeys(readers, status))


def EVAL_CONSOLE(status: int) -> dict[str, int]:
    """Evaluation and supervision console pages: staff who read grades."""
    return by_group(303, 403, 403, **dict.fromkeys(("admin", "department_user", "auditor"), status))


# an unknown report type: refused by the policy first, then 404 for those allowed to ask
REPORTS_REQUEST_404 = by_group(401, 404, 403, reporter=403, auditor=403, key_other=404, key_org=404)
SUBJECT_ONLY = by_group(401, 403, 403, owner=200, other_subject=200)
INGEST_READ = by_group(401, 403, 403, key_submit=200, key_other=200, **dict.fromkeys(STAFF, 200))
# {batch_id} and {review_id} name a real batch and review item of a third department (transport)
# that no caller belongs to: only the credit office's admins and auditors read the batch, and
# nobody may resolve or dismiss the item.
OTHER_BATCH = by_group(401, 403, 403, admin=200, auditor=200)
OTHER_REVIEW = by_group(401, 403, 403)
SUBMITTERS = ("admin", "reporter", "key_submit", "key_other")
PENALTY_HEADER = "行政相对人名称,行政处罚决定书文号\n".encode("gbk")
# rights API: filing with an empty form is refused field by field (422) once let in
RIGHTS_FILE_422 = by_group(
    401, 403, 403, admin=422, department_user=422, owner=422, other_subject=422
)
RIGHTS_READ_404 = by_group(
    401,
    403,
    403,
    admin=404,
    department_user=404,
    auditor=404,
    owner=404,
    other_subject=404,
    key_other=404,
)
RIGHTS_DECIDE_404 = by_group(401, 403, 403, admin=404, department_user=404, key_other=404)
RIGHTS_SUBJECT_404 = by_group(401, 403, 403, owner=404, other_subject=404)
LISTS_READERS = ("admin", "department_user", "auditor")
LISTS_READ_200 = by_group(401, 403, 403, key_other=200, **dict.fromkeys(LISTS_READERS, 200))
LISTS_READ_404 = by_group(401, 403, 403, key_other=404, **dict.fromkeys(LISTS_READERS, 404))
LISTS_DECIDE_404 = by_group(401, 403, 403, admin=404, department_user=404, key_other=404)
LISTS_DECIDE_422 = by_group(401, 403, 403, admin=422, department_user=422, key_other=422)
CONSOLE_LISTS_DECIDE_404 = by_group(401, 403, 403, admin=404, department_user=404)
CHECKS_RUN_422 = by_group(401, 403, 403, admin=422, department_user=422, key_other=422)
CHECKS_READ = by_group(401, 403, 403, admin=200, department_user=200, auditor=200, key_other=200)
CHECKS_READ_404 = by_group(
    401, 403, 403, admin=404, department_user=404, auditor=404, key_other=404
)
POINTS_READERS = ("admin", "department_user", "auditor")
POINTS_CONSOLE_404 = by_group(303, 403, 403, **dict.fromkeys(POINTS_READERS, 404))
POINTS_RECORD_404 = by_group(303, 403, 403, admin=404, department_user=404)
POINTS_POST_422 = by_group(401, 403, 403, admin=422, department_user=422)
POINTS_API_404 = by_group(401, 403, 403, **dict.fromkeys(POINTS_READERS, 404))
POINTS_API_422 = by_group(401, 403, 403, admin=422, department_user=422)
FIN_SUBJECT_404 = by_group(401, 403, 403, owner=404, other_subject=404)


def FIN_OFFICE(anonymous: int, status: int) -> dict[str, int]:
    """信易贷 oversight: the credit office's admins and auditors."""
    return by_group(anonymous, 403, 403, admin=status, auditor=status)


def COMMITMENTS_WRITE(status: int) -> dict[str, int]:
    """Registering commitments and their performance: department staff and keys."""
    return by_group(401, 403, 403, admin=status, department_user=status, key_other=status)


MATRIX: dict[tuple[str, str], dict[str, int]] = {
    # village points (积分制): the board is public; "999999" names no village, account or entry;
    # staff pages and API for clerks (department users) and admins, figures for auditors too
    ("GET", "/points/villages/{village_id}/board"): everyone(404),
    ("GET", "/points/villages/{village_id}/board.pdf"): everyone(404),
    ("GET", "/points/villages/{village_id}/board.png"): everyone(404),
    ("POST", "/points/villages/{village_id}/objections"): everyone(422),
    ("GET", "/portal/me/points"): by_group(303, 403, 403, owner=404, other_subject=404),
    ("POST", "/portal/me/points/declare"): by_group(401, 403, 403, owner=422, other_subject=422),
    ("GET", "/console/points"): by_group(303, 403, 403, **dict.fromkeys(POINTS_READERS, 200)),
    ("GET", "/console/points/dashboard"): by_group(303, 403, 403, admin=200, auditor=200),
    ("GET", "/console/points/villages/{village_id}"): POINTS_CONSOLE_404,
    ("POST", "/console/points/villages/{village_id}/declare"): POINTS_POST_422,
    ("POST", "/console/points/entries/{entry_id}/decide"): POINTS_POST_422,
    ("POST", "/console/points/villages/{village_id}/close"): POINTS_POST_422,
    ("POST", "/console/points/objections/{objection_id}/answer"): POINTS_POST_422,
    ("POST", "/console/points/villages/{village_id}/households"): POINTS_POST_422,
    ("POST", "/console/points/accounts/{account_id}/members"): POINTS_POST_422,
    ("POST", "/console/points/accounts/{account_id}/move"): POINTS_POST_422,
    ("GET", "/console/points/villages/{village_id}/redeem"): POINTS_RECORD_404,
    ("POST", "/console/points/villages/{village_id}/redeem"): POINTS_POST_422,
    ("GET", "/console/points/accounts/{account_id}/card"): POINTS_RECORD_404,
    ("GET", "/api/v1/points/villages/{village_id}/board"): everyone(404),
    ("GET", "/api/v1/points/accounts/{account_id}"): POINTS_API_404,
    ("POST", "/api/v1/points/entries"): POINTS_API_422,
    ("POST", "/api/v1/points/entries/{entry_id}/decision"): POINTS_API_422,
    ("GET", "/"): everyone(200),
    # the public portal (信用门户): the same public pages for every caller
    ("GET", "/search"): everyone(200),
    ("GET", "/subjects/{code}"): everyone(200),
    ("GET", "/double-publicity/licences"): everyone(200),
    ("GET", "/double-publicity/penalties"): everyone(200),
    ("GET", "/lists"): everyone(200),
    ("GET", "/lists/{list_code}"): everyone(404),  # the literal placeholder is no list
    ("GET", "/rules"): everyone(200),
    ("GET", "/rules/{item_code}"): everyone(404),  # nor a catalogue item
    # exports of what the portal lists (public, bounded) and the 双公示 detail pages; the
    # placeholders name no record, list or item; a search export needs its query
    ("GET", "/double-publicity/licences/export"): everyone(200),
    ("GET", "/double-publicity/penalties/export"): everyone(200),
    ("GET", "/double-publicity/records/{record_id}"): everyone(404),
    ("GET", "/search/export"): everyone(422),
    ("GET", "/lists/{list_code}/export"): everyone(404),
    ("GET", "/rules/{item_code}/template.xlsx"): everyone(404),
    ("GET", "/measures"): everyone(200),  # the measures catalogue (联合奖惩措施清单)
    ("GET", "/measures/{code}"): everyone(404),  # nor a measure
    ("GET", "/api/v1/stats"): everyone(200),
    ("GET", "/api/v1/health"): everyone(200),
    ("GET", "/api/v1/openapi.json"): everyone(200),
    ("GET", "/api/v1/docs"): everyone(200),
    ("GET", "/api/v1/docs/assets/{name}"): everyone(404),  # only Swagger UI's own files
    ("GET", "/login"): everyone(200),
    ("POST", "/login"): everyone(401),  # wrong password for everyone
    ("POST", "/logout"): everyone(303),
    ("POST", "/logout-everywhere"): by_group(401, 303, 401),
    ("GET", "/console/"): by_group(303, 403, 403, **dict.fromkeys(STAFF, 200)),
    ("GET", "/portal/me"): by_group(303, 200, 403),
    # a subject's rights pages (异议 / 信用修复): its own account only; no record or case is
    # named here, so subjects get 422 (no record_id) or 404 (no such case)
    ("GET", "/rights/objection"): everyone(303),  # the public portal's entry → own records
    ("GET", "/rights/repair"): everyone(303),
    ("GET", "/portal/me/records"): by_group(303, 403, 403, owner=200, other_subject=200),
    ("GET", "/portal/me/cases"): by_group(303, 403, 403, owner=200, other_subject=200),
    ("GET", "/portal/rights/objection"): by_group(303, 403, 403, owner=422, other_subject=422),
    ("POST", "/portal/rights/objection"): by_group(401, 403, 403, owner=422, other_subject=422),
    ("GET", "/portal/rights/repair"): by_group(303, 403, 403, owner=422, other_subject=422),
    ("POST", "/portal/rights/repair"): by_group(401, 403, 403, owner=422, other_subject=422),
    # objection against a list entry (名单异议): no entry named → 422 for subjects
    ("GET", "/portal/rights/list-objection"): by_group(303, 403, 403, owner=422, other_subject=422),
    ("POST", "/portal/rights/list-objection"): by_group(
        401, 403, 403, owner=422, other_subject=422
    ),
    ("GET", "/portal/me/cases/{case_id}"): by_group(303, 403, 403, owner=404, other_subject=404),
    ("POST", "/portal/me/cases/{case_id}/withdraw"): by_group(
        401, 403, 403, owner=404, other_subject=404
    ),
    ("POST", "/portal/me/cases/{case_id}/material"): by_group(
        401, 403, 403, owner=404, other_subject=404
    ),
    # 信易+ (incentives): public scenarios and keys; the holder's credit code; partners (the
    # banks here partner no scenario, so a verify is refused) propose and read their figures
    ("GET", "/incentives"): everyone(200),
    ("GET", "/api/v1/incentives/scenarios"): everyone(200),
    ("GET", "/api/v1/incentives/keys"): everyone(200),
    ("POST", "/api/v1/incentives/verify"): by_group(401, 403, 403),
    ("POST", "/api/v1/incentives/proposals"): by_group(
        401, 403, 403, bank=422, bank_authorised=422
    ),
    ("GET", "/api/v1/incentives/figures"): by_group(
        401, 403, 403, admin=200, auditor=200, bank=200, bank_authorised=200, key_org=200
    ),
    ("GET", "/portal/me/code"): by_group(303, 403, 403, owner=200, other_subject=200),
    ("POST", "/portal/me/code/refresh"): by_group(401, 403, 403, owner=200, other_subject=200),
    ("GET", "/portal/me/code/print"): by_group(303, 403, 403),  # legal persons: no shop code
    ("GET", "/partner/scan"): by_group(303, 403, 403, bank=200, bank_authorised=200),
    ("POST", "/partner/scan"): everyone(422),  # no scenario or token in the form
    ("GET", "/partner/scenarios"): by_group(303, 403, 403, bank=200, bank_authorised=200),
    ("POST", "/partner/scenarios"): everyone(422),  # no definition in the form
    ("GET", "/console/incentives"): by_group(303, 403, 403, admin=200, auditor=200),
    ("POST", "/console/incentives/proposals/{proposal_id}/decide"): everyone(422),
    ("GET", "/console/audit"): by_group(303, 403, 403, admin=200, auditor=200),
    # counter codes: anyone opens an account or resets a password with one (a form without
    # the subject's code and the counter code is refused field by field); counter staff
    # issue them from the console (an empty form is refused once let in)
    ("GET", "/register"): everyone(200),
    ("POST", "/register"): everyone(422),
    ("GET", "/login/reset"): everyone(200),
    ("POST", "/login/reset"): everyone(422),
    ("POST", "/api/v1/auth/open-account"): everyone(422),
    ("POST", "/api/v1/auth/reset-password"): everyone(422),
    ("GET", "/console/accounts/codes"): by_group(303, 403, 403, admin=200, department_user=200),
    ("POST", "/console/accounts/codes"): by_group(401, 403, 403, admin=422, department_user=422),
    ("GET", "/api/v1/me"): everyone(200),
    ("GET", "/api/v1/me/queries"): SUBJECT_ONLY,
    ("POST", "/api/v1/me/authorisations"): {**SUBJECT_ONLY, "owner": 201, "other_subject": 201},
    ("DELETE", "/api/v1/me/authorisations/{authorisation_id}"): {
        **SUBJECT_ONLY,
        "other_subject": 403,
    },
    # organisations read what is public or what the subject authorised them to read
    ("GET", "/api/v1/subjects/{code}/records"): by_group(
        200, 200, 200, auditor=403, key_submit=403, key_platform=403
    ),
    # the same read with the code in the body (persons' ID numbers never in a URL)
    ("POST", "/api/v1/subjects/records"): by_group(
        401, 200, 200, auditor=403, key_submit=403, key_platform=403
    ),
    # the open API of the portal: public, the same for every caller
    ("GET", "/api/v1/subjects"): everyone(422),  # q is required
    ("GET", "/api/v1/subjects/{code}"): everyone(200),
    ("GET", "/api/v1/subjects/{code}/public-records"): everyone(200),
    ("GET", "/api/v1/double-publicity/{kind}"): everyone(422),  # kind: licence or penalty
    ("GET", "/api/v1/lists"): everyone(200),
    ("GET", "/api/v1/lists/{list_code}"): everyone(404),
    ("GET", "/api/v1/catalog"): everyone(200),
    ("GET", "/api/v1/catalog/{item_code}"): everyone(404),
    ("GET", "/api/v1/measures"): everyone(200),
    ("GET", "/api/v1/measures/{code}"): everyone(404),
    ("GET", "/api/v1/matters"): everyone(200),
    # collection (归集): reporters and submit keys of a source department; admins name one
    # (each for its own department, taken from the caller, never from the body)
    ("POST", "/api/v1/submissions"): by_group(401, 403, 403, **dict.fromkeys(SUBMITTERS, 201)),
    ("POST", "/api/v1/submissions/file"): by_group(401, 403, 403, **dict.fromkeys(SUBMITTERS, 422)),
    ("POST", "/api/v1/withdrawals"): by_group(401, 403, 403, **dict.fromkeys(SUBMITTERS, 422)),
    ("GET", "/api/v1/submissions/{batch_id}"): OTHER_BATCH,
    # (records sent as JSON keep no file: the readers let in find no report to give)
    ("GET", "/api/v1/submissions/{batch_id}/report.xlsx"): by_group(
        401, 403, 403, admin=404, auditor=404
    ),
    ("GET", "/api/v1/ledger"): INGEST_READ,
    ("GET", "/api/v1/review-items"): by_group(401, 403, 403, **dict.fromkeys(SUBMITTERS, 200)),
    ("POST", "/api/v1/review-items/{review_id}/resolve"): OTHER_REVIEW,
    ("POST", "/api/v1/review-items/{review_id}/dismiss"): OTHER_REVIEW,
    ("GET", "/console/ingest"): by_group(303, 403, 403, admin=200, reporter=200),
    ("POST", "/console/ingest"): by_group(401, 403, 403, admin=303, reporter=303),
    ("GET", "/console/ingest/batches/{batch_id}"): by_group(303, 403, 403, admin=200, auditor=200),
    ("GET", "/console/ingest/ledger"): by_group(303, 403, 403, **dict.fromkeys(STAFF, 200)),
    ("GET", "/console/ingest/ledger.csv"): by_group(303, 403, 403, **dict.fromkeys(STAFF, 200)),
    ("GET", "/console/ingest/review"): by_group(303, 403, 403, admin=200, reporter=200),
    ("POST", "/console/ingest/review/{review_id}"): OTHER_REVIEW,
    # rights console (异议 / 信用修复): staff only; admins and auditors see every department,
    # deciding staff act on their department's cases ({case_id} names no case: 404 once let in)
    ("GET", "/console/rights"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("GET", "/console/rights/stats"): by_group(303, 403, 403, admin=200, auditor=200),
    ("GET", "/console/rights/counter"): by_group(303, 403, 403, admin=200, department_user=200),
    # filing at the counter without a subject code: refused naming the field
    ("POST", "/console/rights/counter"): by_group(401, 403, 403, admin=422, department_user=422),
    ("GET", "/console/rights/cases/{case_id}"): by_group(
        303, 403, 403, admin=404, department_user=404, auditor=404
    ),
    ("GET", "/console/rights/cases/{case_id}/files/{file_id}"): by_group(
        303, 403, 403, admin=404, department_user=404, auditor=404
    ),
    **{
        ("POST", f"/console/rights/cases/{{case_id}}/{step}"): by_group(
            401, 403, 403, admin=404, department_user=404
        )
        for step in ("decide", "extend", "accept", "request-material", "not-accept")
    },
    # rights (异议 / 信用修复) API: subjects file for themselves, counter staff for a subject;
    # the reporting department decides; {case_id}, {record_id}, {file_id} name nothing
    ("POST", "/api/v1/objections"): RIGHTS_FILE_422,
    ("POST", "/api/v1/repairs"): RIGHTS_FILE_422,
    ("GET", "/api/v1/records/{record_id}/repair-eligibility"): {
        **RIGHTS_READ_404,
        "key_other": 403,  # for subjects and the staff who help them, not for systems
    },
    ("GET", "/api/v1/cases"): by_group(
        401,
        403,
        403,
        admin=200,
        department_user=200,
        auditor=200,
        owner=200,
        other_subject=200,
        key_other=200,
    ),
    ("GET", "/api/v1/cases/{case_id}"): RIGHTS_READ_404,
    ("GET", "/api/v1/cases/{case_id}/files/{file_id}"): RIGHTS_READ_404,
    ("POST", "/api/v1/cases/{case_id}/decision"): RIGHTS_DECIDE_404,
    ("POST", "/api/v1/cases/{case_id}/accept"): RIGHTS_DECIDE_404,
    ("POST", "/api/v1/cases/{case_id}/request-material"): RIGHTS_DECIDE_404,
    ("POST", "/api/v1/cases/{case_id}/not-accept"): RIGHTS_DECIDE_404,
    ("POST", "/api/v1/cases/{case_id}/extend"): RIGHTS_DECIDE_404,
    ("POST", "/api/v1/cases/{case_id}/withdraw"): RIGHTS_SUBJECT_404,
    ("POST", "/api/v1/cases/{case_id}/material"): RIGHTS_SUBJECT_404,
    ("GET", "/api/v1/rights/stats"): by_group(
        401, 403, 403, admin=200, department_user=200, auditor=200, key_other=200
    ),
    ("GET", "/api/v1/me/notices"): SUBJECT_ONLY,
    # lists (红黑名单): list types are public; a department reads and decides its own entries,
    # admins all, auditors read all ({entry_id} names no entry: 404 once let in; a proposal
    # without a body is refused field by field)
    ("GET", "/api/v1/list-types"): everyone(200),
    ("GET", "/api/v1/list-entries"): LISTS_READ_200,
    ("GET", "/api/v1/list-entries/{entry_id}"): LISTS_READ_404,
    ("POST", "/api/v1/list-entries"): LISTS_DECIDE_422,
    **{
        ("POST", f"/api/v1/list-entries/{{entry_id}}/{step}"): LISTS_DECIDE_404
        for step in ("notify", "list", "remove")
    },
    ("GET", "/console/lists"): by_group(303, 403, 403, **dict.fromkeys(LISTS_READERS, 200)),
    ("GET", "/console/lists/new"): by_group(303, 403, 403, admin=200, department_user=200),
    ("POST", "/console/lists/new"): by_group(401, 403, 403, admin=422, department_user=422),
    ("GET", "/console/lists/{entry_id}"): by_group(
        303, 403, 403, **dict.fromkeys(LISTS_READERS, 404)
    ),
    **{
        ("POST", f"/console/lists/{{entry_id}}/{step}"): CONSOLE_LISTS_DECIDE_404
        for step in ("notify", "list", "remove")
    },
    # credit checks (逢办必查): departments check in their own name and read their own checks;
    # an empty body is refused field by field once let in; {check_id}, {hit_id} name nothing
    ("POST", "/api/v1/checks"): CHECKS_RUN_422,
    ("GET", "/api/v1/checks"): CHECKS_READ,
    ("GET", "/api/v1/checks/{check_id:int}"): CHECKS_READ_404,
    ("POST", "/api/v1/checks/{check_id:int}/hits/{hit_id:int}/feedback"): CHECKS_RUN_422,
    ("GET", "/api/v1/check-hits"): CHECKS_READ,
    ("GET", "/api/v1/check-stats"): CHECKS_READ,
    # batch checks (统查): an upload without a file is refused once let in; the report of a
    # check that does not exist is 404; the console's upload page is for checking staff
    ("POST", "/api/v1/checks/batch"): CHECKS_RUN_422,
    ("GET", "/api/v1/checks/{check_id:int}/report.xlsx"): CHECKS_READ_404,
    ("GET", "/console/checks/batch"): by_group(303, 403, 403, admin=200, department_user=200),
    ("POST", "/console/checks/batch"): by_group(401, 403, 403, admin=422, department_user=422),
    # credit-check console (信用核查): staff pages, anonymous callers sent to log in; the
    # form posted empty is refused field by field; {check_id:int}, {hit_id:int} name nothing
    ("GET", "/console/checks"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("POST", "/console/checks"): by_group(401, 403, 403, admin=422, department_user=422),
    ("GET", "/console/checks/{check_id:int}"): by_group(
        303, 403, 403, admin=404, department_user=404, auditor=404
    ),
    ("POST", "/console/checks/{check_id:int}/hits/{hit_id:int}/feedback"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("POST", "/console/checks/feedback/bulk"): by_group(
        401, 403, 403, admin=303, department_user=303
    ),
    ("GET", "/console/checks/feedback"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("GET", "/console/checks/stats"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    # credit reports (信用报告): "XY0" names no report, so readers get 404 (no probing)
    ("GET", "/api/v1/report-types"): everyone(200),
    ("GET", "/api/v1/report-keys"): everyone(200),
    ("POST", "/api/v1/reports"): REPORTS_REQUEST_404,
    ("GET", "/api/v1/reports/{number}"): everyone(404),
    ("GET", "/api/v1/reports/{number}/pdf"): everyone(404),
    ("GET", "/api/v1/reports/{number}/xlsx"): everyone(404),
    ("GET", "/api/v1/reports/{number}/verify"): everyone(404),
    ("POST", "/api/v1/reports/{number}/verify"): everyone(422),
    ("POST", "/api/v1/report-batches"): everyone(422),
    # evaluation (grades shared with government; staff read for a purpose) and supervision
    ("GET", "/api/v1/evaluations/runs"): EVAL_READ(200),
    ("GET", "/api/v1/evaluations/runs/{run_id}"): EVAL_READ(404),
    ("GET", "/api/v1/evaluations/subjects/{code}"): EVAL_READ(422),  # no purpose given
    ("GET", "/api/v1/me/evaluation"): SUBJECT_ONLY,
    # objections against grades: a subject files for itself (no result of model "none": 404),
    # counter staff for a walk-in (no such subject: 404); the credit office decides
    ("POST", "/api/v1/me/evaluation/objections"): RIGHTS_SUBJECT_404,
    ("GET", "/api/v1/me/evaluation/objections"): SUBJECT_ONLY,
    ("POST", "/api/v1/evaluations/objections"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("GET", "/api/v1/evaluations/objections"): by_group(
        401, 403, 403, admin=200, department_user=200, auditor=200, key_other=200
    ),
    ("GET", "/api/v1/evaluations/objections/{case_id}"): RIGHTS_READ_404,
    ("POST", "/api/v1/evaluations/objections/{case_id}/decision"): RIGHTS_DECIDE_404,
    ("GET", "/api/v1/supervision/classifications/{code}/classes"): EVAL_READ(404),
    ("GET", "/api/v1/supervision/classifications/{code}/classes.xlsx"): EVAL_READ(404),
    ("GET", "/console/evaluation"): EVAL_CONSOLE(200),
    ("GET", "/console/evaluation/runs/{run_id}"): EVAL_CONSOLE(404),
    ("GET", "/console/evaluation/subject"): EVAL_CONSOLE(200),
    ("GET", "/console/supervision/{code}"): EVAL_CONSOLE(404),
    # 双随机 plans: staff who read grades see plans; a department's staff plan, draw and record
    # ({plan_id} names no plan: 404; an empty new-plan form is refused naming the field)
    ("GET", "/console/supervision/plans"): EVAL_CONSOLE(200),
    ("POST", "/console/supervision/plans"): by_group(401, 403, 403, admin=422, department_user=422),
    ("GET", "/console/supervision/plans/{plan_id}"): EVAL_CONSOLE(404),
    ("POST", "/console/supervision/plans/{plan_id}/draw"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("POST", "/console/supervision/plans/{plan_id}/results"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("GET", "/evaluation-models"): everyone(200),
    ("GET", "/portal/me/evaluation"): by_group(303, 403, 403, owner=200, other_subject=200),
    # objections against a grade: the subject files (an empty form is refused, 422), counter
    # staff file for a subject, the credit office decides ({case_id} names no case: 404)
    ("POST", "/portal/me/evaluation/objections"): by_group(
        401, 403, 403, owner=422, other_subject=422
    ),
    ("GET", "/console/evaluation/objections"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("POST", "/console/evaluation/objections"): by_group(
        401, 403, 403, admin=422, department_user=422
    ),
    ("GET", "/console/evaluation/objections/{case_id}"): by_group(
        303, 403, 403, admin=404, department_user=404, auditor=404
    ),
    ("POST", "/console/evaluation/objections/{case_id}/decide"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("GET", "/api/v1/report-batches/{batch_id}"): everyone(422),
    ("GET", "/api/v1/report-batches/{batch_id}/zip"): everyone(422),
    ("GET", "/api/v1/report-stats"): by_group(
        401, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("GET", "/portal/me/reports"): by_group(303, 403, 403, owner=200, other_subject=200),
    ("POST", "/portal/me/reports"): everyone(422),
    ("GET", "/reports/request"): by_group(
        303,
        403,
        403,
        admin=200,
        department_user=200,
        bank=200,
        bank_authorised=200,
        owner=200,
        other_subject=200,
    ),
    ("POST", "/reports/request"): everyone(422),
    ("GET", "/reports/{number}"): everyone(404),
    ("GET", "/reports/{number}/pdf"): everyone(404),
    ("GET", "/reports/{number}/xlsx"): everyone(404),
    ("GET", "/verify"): everyone(200),
    ("GET", "/verify/{number}"): everyone(404),
    ("POST", "/verify/{number}"): everyone(422),
    ("GET", "/console/reports"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("GET", "/console/reports/counter"): by_group(303, 403, 403, admin=200, department_user=200),
    ("POST", "/console/reports/counter"): everyone(422),
    ("GET", "/console/reports/batch"): by_group(303, 403, 403, admin=200, department_user=200),
    ("POST", "/console/reports/batch"): everyone(422),
    ("GET", "/console/reports/batch/{batch_id}"): everyone(422),
    ("GET", "/console/reports/batch/{batch_id}/zip"): everyone(422),
    # credit commitments (信用承诺): "XY0" names no commitment (404 once let in); the API's
    # bodies name an unknown template (422 once let in; an admin must name the department)
    ("GET", "/commitments"): everyone(200),
    ("GET", "/commitments/{number}"): everyone(404),
    ("GET", "/portal/me/commitments"): by_group(303, 403, 403, owner=200, other_subject=200),
    ("GET", "/portal/commitments/sign"): by_group(303, 403, 403, owner=422, other_subject=422),
    ("POST", "/portal/commitments/sign"): everyone(422),
    ("GET", "/api/v1/commitments"): everyone(200),
    ("GET", "/api/v1/commitments/{number}"): everyone(404),
    ("POST", "/api/v1/commitments"): COMMITMENTS_WRITE(422),
    ("POST", "/api/v1/commitments/bulk"): COMMITMENTS_WRITE(422),
    ("POST", "/api/v1/commitments/{number}/fulfilment"): COMMITMENTS_WRITE(404),
    ("GET", "/console/commitments"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("GET", "/console/commitments/counter"): by_group(
        303, 403, 403, admin=200, department_user=200
    ),
    ("POST", "/console/commitments/counter"): everyone(422),
    ("GET", "/console/commitments/{number}"): by_group(
        303, 403, 403, admin=404, department_user=404, auditor=404
    ),
    ("POST", "/console/commitments/{number}/fulfil"): everyone(422),
    ("POST", "/console/commitments/{number}/breach"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("POST", "/console/commitments/{number}/withdraw"): by_group(
        401, 403, 403, admin=404, department_user=404
    ),
    ("GET", "/api/v1/commitments/figures"): everyone(200),
    ("GET", "/console/reports/figures"): by_group(
        303, 403, 403, admin=200, department_user=200, auditor=200
    ),
    ("POST", "/console/reports/{number}/revoke"): everyone(422),
    # 信易贷 (financing): public products; firms apply for themselves ({application_id} names
    # none of theirs: 404); bank reads and feedback are for financing institutions' staff and
    # keys only (none among these callers: the bank roles are in tests/financing); the
    # credit office's admins and auditors oversee; forms posted empty are refused (422)
    ("GET", "/api/v1/financing/products"): everyone(200),
    ("GET", "/api/v1/financing/products/{product_id}"): everyone(404),
    ("POST", "/api/v1/financing/products"): by_group(401, 403, 403),
    ("GET", "/api/v1/financing/matches"): SUBJECT_ONLY,
    ("POST", "/api/v1/financing/needs"): by_group(401, 403, 403, owner=201, other_subject=201),
    ("GET", "/api/v1/financing/needs"): by_group(401, 403, 403),
    ("POST", "/api/v1/financing/applications"): FIN_SUBJECT_404,
    ("GET", "/api/v1/financing/applications"): SUBJECT_ONLY,
    ("GET", "/api/v1/financing/applications/{application_id}"): FIN_SUBJECT_404,
    ("POST", "/api/v1/financing/applications/{application_id}/withdraw"): FIN_SUBJECT_404,
    ("POST", "/api/v1/financing/applications/{application_id}/revoke"): FIN_SUBJECT_404,
    **{
        (method, f"/api/v1/financing/{tail}"): by_group(401, 403, 403)
        for method, tail in (
            ("POST", "applications/{application_id}/decision"),
            ("GET", "applications/{application_id}/report"),
            ("GET", "applications/{application_id}/risk"),
            ("GET", "applications/{application_id}/data"),
            ("POST", "applications/{application_id}/claims"),
            ("POST", "webhooks"),
        )
    },
    ("GET", "/api/v1/financing/overdue"): FIN_OFFICE(401, 200),
    ("GET", "/api/v1/financing/figures"): FIN_OFFICE(401, 200),
    ("GET", "/api/v1/financing/fund"): FIN_OFFICE(401, 200),
    ("GET", "/financing/products"): everyone(200),
    ("GET", "/financing/products/{product_id}"): everyone(404),
    ("GET", "/portal/financing"): by_group(303, 403, 403, owner=200, other_subject=200),
    ("POST", "/portal/financing/needs"): everyone(422),
    ("POST", "/portal/financing/apply"): everyone(422),
    ("POST", "/portal/financing/applications/{application_id}/withdraw"): FIN_SUBJECT_404,
    ("POST", "/portal/financing/applications/{application_id}/revoke"): FIN_SUBJECT_404,
    ("GET", "/bank/financing"): by_group(303, 403, 403),
    ("GET", "/bank/financing/applications/{application_id}"): by_group(303, 403, 403),
    ("POST", "/bank/financing/applications/{application_id}/decision"): everyone(422),
    ("POST", "/bank/financing/applications/{application_id}/claim"): everyone(422),
    ("GET", "/bank/financing/products"): by_group(303, 403, 403),
    ("POST", "/bank/financing/products"): everyone(422),
    ("GET", "/console/financing"): FIN_OFFICE(303, 200),
    ("GET", "/console/financing/figures"): FIN_OFFICE(303, 200),
    ("GET", "/console/financing/figures.xlsx"): FIN_OFFICE(303, 200),
    ("POST", "/console/financing/fund"): everyone(422),
    ("POST", "/console/financing/claims/{claim_id}/{step}"): by_group(401, 403, 403, admin=404),
}


def _walk(routes: list[object]) -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from _walk(included.routes)
        elif isinstance(route, APIRoute | Route) and route.methods:
            yield from ((method, route.path) for method in route.methods - {"HEAD"})


def _routes() -> set[tuple[str, str]]:
    return set(_walk(list(create_app().routes)))


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    routes = _routes()
    assert routes - set(MATRIX) == set(), "new routes need a row in the access matrix"
    assert set(MATRIX) - routes == set(), "the matrix names routes that no longer exist"
    for expected in MATRIX.values():
        assert set(expected) == set(CALLERS)


@dataclass
class City:
    uscc: str
    other_uscc: str
    grant_id: int = 0
    batch_id: str = ""  # a batch of a department no caller belongs to (transport)
    review_id: int = 0  # a review item of that batch
    clients: dict[str, TestClient] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def _staff(session: Session, username: str, role: str, kind: str) -> None:
    dept = factories.department(session, kind)
    auth_service.create_account(
        session,
        data=AccountCreate(
            username=username,
            display_name=username,
            password=PASSWORD,
            kind="staff",
            role=role,
            department_id=dept.id,
        ),
    )


def _seed() -> City:
    with session_scope() as session:
        subjects_service.sync_departments(session)
        company, other = factories.enterprise(session), factories.enterprise(session)
        _records(session, company)
        for username, role, kind in (
            ("admin", "admin", "development_reform"),
            ("reporter", "reporter", "market_regulation"),
            ("department_user", "department_user", "ecology_environment"),
            ("auditor", "auditor", "market_regulation"),
        ):
            _staff(session, username, role, kind)
        bank = auth_service.create_organisation(
            session, data=OrganisationCreate(kind="bank", name="测试银行")
        )
        bank2 = auth_service.create_organisation(
            session, data=OrganisationCreate(kind="bank", name="授权银行")
        )
        for username, org in (("bank", bank.id), ("bank_authorised", bank2.id)):
            auth_service.create_account(
                session,
                data=AccountCreate(
                    username=username,
                    display_name=username,
                    password=PASSWORD,
                    kind="organisation",
                    role="org_user",
                    organisation_id=org,
                ),
            )
        spare = authorisations.grant(
            session,
            subject_id=company.id,
            granted_by=None,
            data=AuthorisationCreate(
                organisation_id=bank.id,
                scope=["honour"],
                purpose="测试撤回",
                expires_at=utcnow() + timedelta(days=10),
            ),
        )
        authorisations.grant(
            session,
            subject_id=company.id,
            granted_by=None,
            data=AuthorisationCreate(
                organisation_id=bank2.id,
                scope=["tax_credit_rating"],
                purpose="信易贷授信审查",
                expires_at=utcnow() + timedelta(days=10),
            ),
        )
        for username, subject in (("owner", company), ("other_subject", other)):
            code = auth_service.issue_counter_code(
                session, subject_code=subject.uscc or "", issued_by=None
            )
            auth_service.open_subject_account(
                session, code=code, username=username, password=PASSWORD, display_name=username
            )
        market = factories.department(session, "market_regulation")
        other_dept = factories.department(session, "ecology_environment")
        read = apikeys.create(
            session, name="r", scopes=["records:read"], department_id=other_dept.id
        )
        submit = apikeys.create(
            session, name="s", scopes=["records:submit"], department_id=market.id
        )
        every = list(apikeys.SCOPES)
        second = apikeys.create(session, name="o", scopes=every, department_id=other_dept.id)
        org = apikeys.create(session, name="b", scopes=every, organisation_id=bank.id)
        city = City(company.uscc or "", other.uscc or "", spare.id)
        city.batch_id, city.review_id = _third_department_batch(session, other)
        tokens = {
            "key_read": read.token,
            "key_submit": submit.token,
            "key_other": second.token,
            "key_org": org.token,
            "key_platform": _platform_key(session),
        }
        city.headers = {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}
    return city


def _platform_key(session: Session) -> str:
    """A key owned by no department or organisation (as a row written by hand might be)."""
    secret = "platform-secret-never-granted"
    session.add(
        ApiKey(
            prefix="plat0001",
            secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
            name="platform",
            scopes=list(apikeys.SCOPES),
        )
    )
    session.flush()
    return f"xy_plat0001_{secret}"


def _third_department_batch(session: Session, subject: Subject) -> tuple[str, int]:
    """A transport department batch whose one row names its subject by name only (queued)."""
    transport = factories.department(session, "transport")
    payload = {**factories.penalty_payload(subject, transport), "subject_code": ""}
    batch = ingest_service.submit_records(
        session,
        records=[payload],
        submission=ingest_service.Submission(
            item_code="admin_penalty", department_key=transport.key, mode="partial"
        ),
    )
    item = session.scalars(select(ReviewItem).where(ReviewItem.batch_id == batch.id)).one()
    return batch.id, item.id


def _records(session: Session, company: Subject) -> None:
    market = factories.department(session, "market_regulation")
    tax = factories.department(session, "tax")
    recent = date.today() - timedelta(days=20)
    penalty = factories.penalty_payload(
        company,
        market,
        decision_date=recent.isoformat(),
        legal_representative_id_number="E12345678",
    )
    rating = {
        "subject_name": company.name,
        "subject_code": company.uscc,
        "grade": "B",
        "evaluation_year": recent.year - 1,
        "score": "81",
        "evaluation_date": recent.isoformat(),
        "evaluating_body": tax.name_zh,
    }
    for item, dept, payload in (
        ("admin_penalty", market, penalty),
        ("tax_credit_rating", tax, rating),
    ):
        records_service.submit(
            session,
            actor="test",
            data=RecordCreate(
                subject_id=company.id,
                item_code=item,
                department_id=dept.id,
                source_record_id=f"{item}-1",
                payload=payload,
            ),
        )


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def _client(name: str, city: City) -> TestClient:
    client = TestClient(create_app())
    if name in ACCOUNTS:
        response = client.post(
            "/login",
            data={"username": name, "password": PASSWORD, "csrf_token": _csrf(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303, (name, response.text[:200])
    return client


@pytest.fixture(scope="module")
def city(live_city: LiveCities) -> Iterator[City]:
    """One seeded database and one logged-in client per caller for the whole module (rate
    limits out of the way: this table is about access, and its rows outgrew 120 a minute)."""
    with live_city(extras=_seed, env={"rate_anonymous_per_minute": "100000"}) as built:
        city = built.facts
        city.clients = {name: _client(name, city) for name in CALLERS}
        yield city


_INGEST_BODIES: dict[str, Callable[[str], dict[str, object]]] = {
    "/api/v1/submissions": lambda _: {"json": {"item": "admin_penalty", "records": []}},
    "/api/v1/submissions/file": lambda _: {
        "data": {"item": "admin_penalty"},
        "files": {"file": ("p.csv", PENALTY_HEADER, "text/csv")},
    },
    "/api/v1/withdrawals": lambda _: {
        "json": {
            "item": "admin_penalty",
            "withdrawals": [{"source_record_id": "none", "reason": "测试"}],
        }
    },
    "/api/v1/review-items/{review_id}/resolve": lambda _: {"json": {"subject_id": 1}},
    "/api/v1/review-items/{review_id}/dismiss": lambda _: {},
    "/console/ingest": lambda token: {
        "data": {"item": "admin_penalty", "csrf_token": token},
        "files": {"file": ("p.csv", PENALTY_HEADER, "text/csv")},
    },
    "/console/ingest/review/{review_id}": lambda token: {
        "data": {"action": "dismiss", "csrf_token": token}
    },
}

_RIGHTS_BODIES: dict[str, dict[str, object]] = {
    "/api/v1/cases/{case_id}/decision": {"version": 1, "outcome": "refused", "reason": "测试"},
    "/api/v1/cases/{case_id}/accept": {"version": 1},
    "/api/v1/cases/{case_id}/request-material": {"version": 1, "missing": "测试"},
    "/api/v1/cases/{case_id}/not-accept": {"version": 1, "reason": "测试"},
    "/api/v1/cases/{case_id}/extend": {"version": 1, "reason": "测试"},
    "/api/v1/cases/{case_id}/withdraw": {"reason": "测试"},
    "/api/v1/me/evaluation/objections": {"model": "none", "statement": "测试"},
    "/api/v1/evaluations/objections": {
        "subject_code": "91110000MAURQ2839X",
        "model": "none",
        "statement": "测试",
    },
    "/api/v1/evaluations/objections/{case_id}/decision": {
        "outcome": "rejected",
        "reason": "测试",
        "version": 1,
    },
}


# 信易贷 API: well-formed bodies, so the answers show who is let in (no caller here is a
# financing institution's staff: the new bank roles are checked in tests/financing)
_FINANCING_BODIES: dict[str, dict[str, object]] = {
    "/api/v1/financing/products": {
        "name": "测试贷", "kind": "pure_credit", "amount_min": 1, "amount_max": 2,
        "rate_min_bp": 300, "rate_max_bp": 400, "term_min_months": 1, "term_max_months": 2,
        "eligibility": "测试",
    },
    "/api/v1/financing/needs": {"amount": 100000, "term_months": 12, "purpose": "测试"},
    "/api/v1/financing/applications": {
        "product_id": 999999, "amount": 100000, "term_months": 12, "purpose": "测试",
    },
    "/api/v1/financing/applications/{application_id}/decision": {"outcome": "accepted"},
    "/api/v1/financing/applications/{application_id}/claims": {"loss_amount": 1, "note": "测试"},
    "/api/v1/financing/webhooks": {"url": "http://127.0.0.1:9/hook"},
}  # fmt: skip
_COMMITMENT_BODIES: dict[str, dict[str, object]] = {
    "/api/v1/commitments": {"template": "nope", "subject_code": "91320505MA1X0000XX"},
    "/api/v1/commitments/bulk": {"items": [{"template": "nope", "subject_code": "x"}]},
    "/api/v1/commitments/{number}/fulfilment": {
        "condition": "x",
        "outcome": "fulfilled",
        "evidence": "测试",
    },
}


def _call(city: City, name: str, method: str, path: str) -> int:
    client = city.clients[name]
    headers = {
        **city.headers.get(name, {}),
        "X-CSRF-Token": _csrf(client),
    }
    concrete = _concrete(city, path)
    kwargs: dict[str, object] = {"headers": headers, "follow_redirects": False}
    if path == "/api/v1/subjects/{code}/records":
        kwargs["params"] = {"purpose": "行政审批核查"}
    if method == "POST" and path == "/api/v1/me/authorisations":
        kwargs["json"] = {
            "organisation_id": 1,
            "scope": ["honour"],
            "purpose": "测试授权",
            "expires_at": (utcnow() + timedelta(days=1)).isoformat(),
        }
    elif method == "POST" and path == "/api/v1/reports":
        kwargs["json"] = {"subject": city.uscc, "type": "nope", "purpose": "测试"}
    elif method == "POST" and path == "/api/v1/incentives/verify":
        kwargs["json"] = {"scenario": "xinyiyou_scenic", "token": "XYC1.none"}
    elif method == "POST" and path == "/api/v1/incentives/proposals":
        kwargs["json"] = {"definition": {"code": "x"}}
    elif method == "POST" and path == "/api/v1/subjects/records":
        kwargs["json"] = {"code": city.uscc, "purpose": "行政审批核查"}
    elif method == "POST" and path in _COMMITMENT_BODIES:
        kwargs["json"] = _COMMITMENT_BODIES[path]
    elif method == "POST" and path in _INGEST_BODIES:
        kwargs.update(_INGEST_BODIES[path](headers["X-CSRF-Token"]))
    elif method == "POST" and path in _RIGHTS_BODIES:
        kwargs["json"] = _RIGHTS_BODIES[path]
    elif method == "POST" and path in _FINANCING_BODIES:
        kwargs["json"] = _FINANCING_BODIES[path]
    elif method == "POST" and path.startswith("/api/v1/list-entries/"):
        removal = {"reason": "obligation_fulfilled"} if path.endswith("/remove") else {}
        kwargs["json"] = {"version": 1, **removal}
    elif method == "POST":
        kwargs["data"] = {"csrf_token": headers["X-CSRF-Token"], "username": name, "password": "x"}
    status = client.request(method, concrete, **kwargs).status_code  # type: ignore[arg-type]
    if path in ("/logout", "/logout-everywhere"):
        city.clients[name] = _client(name, city)  # log back in for the next rows
    return status


def _concrete(city: City, path: str) -> str:
    return (
        path.replace("{code}", city.uscc)
        .replace("{authorisation_id}", str(city.grant_id))
        .replace("{batch_id}", city.batch_id)
        .replace("{review_id}", str(city.review_id))
        .replace("{case_id}", "999999")
        .replace("{record_id}", "999999")
        .replace("{file_id}", "999999")
        .replace("{entry_id}", "999999")
        .replace("{check_id}", "999999")
        .replace("{hit_id}", "999999")
        .replace("{check_id:int}", "999999")
        .replace("{hit_id:int}", "999999")
        .replace("{number}", "XY0")
        .replace("{run_id}", "999999")
        .replace("{plan_id}", "999999")
        .replace("{village_id}", "999999")
        .replace("{account_id}", "999999")
        .replace("{objection_id}", "999999")
        .replace("{product_id}", "999999")
        .replace("{application_id}", "999999")
        .replace("{claim_id}", "999999")
        .replace("{step}", "approve")
    )


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_access_matrix(city: City, method: str, path: str) -> None:
    got = {name: _call(city, name, method, path) for name in CALLERS}
    assert got == MATRIX[(method, path)]


UNSAFE = sorted(key for key in MATRIX if key[0] in ("POST", "PUT", "PATCH", "DELETE"))


@pytest.mark.parametrize("name", ["reporter", "owner"])
def test_every_unsafe_route_needs_the_csrf_token_with_a_cookie(city: City, name: str) -> None:
    """One CSRF dependency for every router: a logged-in browser's unsafe request without
    the session's token is refused before any route runs, on every route of the table."""
    client = _client(name, city)  # its own app: its own rate window
    for method, path in UNSAFE:
        kwargs: dict[str, object] = {"follow_redirects": False}
        if path.startswith("/api/"):
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"username": name, "password": PASSWORD}
        answer = client.request(method, _concrete(city, path), **kwargs)  # type: ignore[arg-type]
        assert answer.status_code == 403 and "CSRF" in answer.text, (method, path)
    assert client.get("/api/v1/me").json()["kind"] != "anonymous"  # still logged in


# caller -> {item: fields that must be absent / must be present}
def _fields(city: City, name: str) -> dict[str, set[str]]:
    rows = (
        city.clients[name]
        .get(
            f"/api/v1/subjects/{city.uscc}/records",
            params={"purpose": "行政许可核查"},
            headers=city.headers.get(name, {}),
        )
        .json()
    )
    return {row["item_code"]: set(row["fields"]) for row in rows}


def test_no_leaks_of_non_public_fields(city: City) -> None:
    restricted = {"legal_representative_id_number"}
    for name in ("anonymous", "other_subject", "bank", "auditor"):
        seen = _fields(city, name) if name != "auditor" else {}
        assert "tax_credit_rating" not in seen, name
        assert not seen.get("admin_penalty", set()) & restricted, name
    for name in ("admin", "department_user", "key_read", "bank_authorised"):
        seen = _fields(city, name)
        assert "tax_credit_rating" in seen and "score" not in seen["tax_credit_rating"], name
        assert not seen["admin_penalty"] & restricted, name
    reporter = _fields(city, "reporter")  # the penalty's source department
    assert reporter["admin_penalty"] & restricted and "score" not in reporter["tax_credit_rating"]
    owner = _fields(city, "owner")
    assert "score" in owner["tax_credit_rating"] and owner["admin_penalty"] & restricted
    masked = city.clients["owner"].get(f"/api/v1/subjects/{city.uscc}/records").json()
    penalty = next(r for r in masked if r["item_code"] == "admin_penalty")
    assert penalty["fields"]["legal_representative_id_number"] == "E1*****78"
