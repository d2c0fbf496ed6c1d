from sqlalchemy.orm import Session
from tests import factories
from tests.portal import helpers
from xinyong.catalog import service as catalog_service

def test_probe(session: Session) -> None:
    firm = factories.enterprise(session, registration_date=helpers.TODAY.replace(year=2020))
    ind = factories.enterprise  # noqa
    p, number = helpers.person(session)
    for code, item in catalog_service.get_catalog().items.items():
        for subject in (firm, p):
            if subject.kind not in item.subject_kinds:
                continue
            r = helpers.record(session, subject, code, id_number=number if subject is p else None)
            print(code, subject.kind, r.state, r.decision_date, r.disclosure_end, r.severity, {k: v for k, v in r.payload.items() if k in ("subject_name","subject_code","legal_representative")})
