"""Console page of batch credit checks (统查): the upload form and its POST. The check's
progress and result are shown on the check's own page, ``/console/checks/{check_id}``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import policy
from xinyong.auth.principal import Principal
from xinyong.core.config import get_settings
from xinyong.core.deps import CurrentPrincipal, DbSession
from xinyong.core.errors import Forbidden, Invalid, XinyongError
from xinyong.core.i18n import Language, register
from xinyong.measures import batch
from xinyong.measures.batch_api import read_upload
from xinyong.measures.catalog import get_catalog
from xinyong.measures.check_api import department_id_of
from xinyong.subjects.models import Department
from xinyong.web.render import render

router = APIRouter(prefix="/console/checks", include_in_schema=False)

TEXT: dict[str, dict[Language, str]] = {
    "cb.title": {"zh": "批量核查(统查)", "en": "Batch credit check"},
    "cb.intro": {
        "zh": "上传需核查的主体名单，系统在后台逐行核查并显示进度，完成后可下载核查结果。",
        "en": "Upload the list of subjects to check; the check runs in the background with "
        "its progress shown, and the hit report can be downloaded when it is done.",
    },
    "cb.desk": {"zh": "返回信用核查", "en": "Back to credit checks"},
    "cb.department": {"zh": "核查部门", "en": "Checking department"},
    "cb.matter": {"zh": "应用事项", "en": "Matter"},
    "cb.choose": {"zh": "请选择", "en": "Choose"},
    "cb.purpose": {"zh": "查询目的", "en": "Purpose"},
    "cb.purpose_hint": {
        "zh": "如项目名称、招标编号或审批事项，将记入查询登记。",
        "en": "E.g. the project, tender number or application; it is kept in the query log.",
    },
    "cb.file": {"zh": "名单文件", "en": "List file"},
    "cb.file_hint": {
        "zh": "XLSX 或 CSV(UTF-8 / GBK)，首行为表头：名称列(名称 / 企业名称 / 主体名称 / 姓名)"
        "和/或代码列(统一社会信用代码 / 身份证号码 / 证件号码)；序号等其他列不影响核查。"
        "最多 {rows} 行，文件不超过 {mib} MB。",
        "en": "XLSX or CSV (UTF-8 / GBK) with a header row: a name column (名称 / 企业名称 / "
        "主体名称 / 姓名) and/or a code column (统一社会信用代码 / 身份证号码 / 证件号码); "
        "other columns such as 序号 are ignored. Up to {rows} rows and {mib} MB.",
    },
    "cb.submit": {"zh": "上传并开始核查", "en": "Upload and check"},
    "cb.error": {"zh": "未能提交核查", "en": "The check was not submitted"},
}
register(TEXT)


def _staff(principal: Principal) -> None:
    """Console pages are for people: staff who may run checks (systems use the API)."""
    policy.require(principal, "checks.run")
    if principal.kind != "staff":
        raise Forbidden("the console is for staff accounts; systems use the API")


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: dict[str, str],
    error: XinyongError | None = None,
) -> Response:
    settings, catalog = get_settings(), get_catalog()
    admin = principal.role == "admin"
    own = session.get(Department, principal.department_id) if principal.department_id else None
    departments = (
        list(session.scalars(select(Department).order_by(Department.key))) if admin else []
    )
    context: dict[str, Any] = {
        "form": form,
        "matters": sorted(catalog.matters.values(), key=lambda m: m.code),
        "department": own,
        "departments": departments,
        "admin": admin,
        "error": error,
        "error_field": (error.details.get("field") if error else None) or "",
        "max_rows": f"{batch.MAX_ROWS:,}",
        "max_mib": settings.check_batch_max_bytes // (1024 * 1024),
    }
    status = error.status_code if error else 200
    return render(request, "console/checks/batch.html", context, status_code=status)


@router.get("/batch", response_class=HTMLResponse)
def batch_form(request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    """The upload form: matter, purpose, the list file (admins also name the department)."""
    _staff(principal)
    return _form_page(request, session, principal, form={})


def _blank(value: str, field: str, message: str) -> None:
    if not value.strip():
        raise Invalid(message, details={"field": field})


@router.post("/batch", response_class=HTMLResponse)
def batch_upload(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    file: Annotated[UploadFile | None, File()] = None,
    matter: Annotated[str, Form(max_length=64)] = "",
    purpose: Annotated[str, Form(max_length=500)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Validate and queue the batch, start it in the background, show the check's page."""
    _staff(principal)
    form = {"matter": matter, "purpose": purpose, "department": department}
    try:
        _blank(matter, "matter", "matter: choose the matter (应用事项)")
        _blank(purpose, "purpose", "purpose: state the purpose of the check (查询目的)")
        if file is None or not file.filename:
            raise Invalid("file: choose the list file (名单文件)", details={"field": "file"})
        check = batch.submit(
            session,
            principal=principal,
            department_id=department_id_of(session, department.strip() or None),
            matter=matter.strip(),
            purpose=purpose,
            data=read_upload(file),
            file_name=file.filename,
            today=date.today(),
        )
    except XinyongError as error:
        session.rollback()
        return _form_page(request, session, principal, form=form, error=error)
    session.commit()  # the job reads the check in its own sessions
    batch.start(check.id)
    return RedirectResponse(f"/console/checks/{check.id}", status_code=303)
