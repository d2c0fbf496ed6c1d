"""Interface text of credit checks (信用核查): states, resolutions, feedback, pages."""

from __future__ import annotations

from xinyong.core.i18n import Language, register

TEXT: dict[str, dict[Language, str]] = {
    "ck.feedback.pending": {"zh": "待反馈", "en": "Awaiting feedback"},
    "ck.feedback.applied": {"zh": "已实施", "en": "Applied"},
    "ck.feedback.not_applied": {"zh": "未实施", "en": "Not applied"},
    "ck.resolution.code": {"zh": "按代码匹配", "en": "Found by code"},
    "ck.resolution.name": {"zh": "按名称匹配", "en": "Found by name"},
    "ck.resolution.ambiguous": {
        "zh": "名称存疑,需人工核实",
        "en": "Ambiguous name: verify by hand",
    },
    "ck.resolution.not_found": {"zh": "未找到主体", "en": "No such subject"},
    "ck.resolution.invalid": {"zh": "输入无效", "en": "Invalid input"},
    "ck.state.queued": {"zh": "排队中", "en": "Queued"},
    "ck.state.running": {"zh": "核查中", "en": "Running"},
    "ck.state.done": {"zh": "已完成", "en": "Done"},
    "ck.state.failed": {"zh": "失败", "en": "Failed"},
    "ck.kind.single": {"zh": "单户核查", "en": "Single check"},
    "ck.kind.batch": {"zh": "批量核查(统查)", "en": "Batch check"},
}

register(TEXT)
