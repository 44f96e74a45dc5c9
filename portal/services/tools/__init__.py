"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._outline import (
    DescriptorOutline,
    QuestionOutline,
    StandardOutline,
    ToolOutline,
    tool_outline,
)
from ._versions import (
    CURRENT_EDITION,
    TOOLS_DIR,
    ToolInvalid,
    get_tool,
    latest_tool,
    load_tool,
    question_numbers,
    questions_for_variant,
    read_tool_file,
    tool_as_dict,
    tool_statements,
    validate_tool,
    variant_pages,
)

__all__ = [
    "CURRENT_EDITION",
    "TOOLS_DIR",
    "DescriptorOutline",
    "QuestionOutline",
    "StandardOutline",
    "ToolInvalid",
    "ToolOutline",
    "get_tool",
    "latest_tool",
    "load_tool",
    "question_numbers",
    "questions_for_variant",
    "read_tool_file",
    "tool_as_dict",
    "tool_outline",
    "tool_statements",
    "validate_tool",
    "variant_pages",
]
