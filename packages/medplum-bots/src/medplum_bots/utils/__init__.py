"""@medplum/core's bot utilities in Python: the same names in snake_case, the same semantics.

    from medplum_bots.utils import LOINC, create_reference, get_questionnaire_answers

`docs/utils.md` maps every TypeScript name to its Python one. HL7 v2 lives in
`medplum_bots.hl7`; its date helpers are re-exported here because core exports them at the top.
"""

from typing import TYPE_CHECKING, Any

from medplum_bots.hl7.dates import format_hl7_datetime, parse_hl7_datetime
from medplum_bots.utils.constants import (
    CPT,
    EMPTY,
    HTTP_HL7_ORG,
    HTTP_TERMINOLOGY_HL7_ORG,
    ICD10,
    LOINC,
    NDC,
    RXNORM,
    SNOMED,
    UCUM,
    ContentType,
    all_ok,
    unauthorized,
)
from medplum_bots.utils.fhirpath import eval_fhirpath
from medplum_bots.utils.format import (
    Age,
    calculate_age,
    calculate_age_string,
    format_address,
    format_codeable_concept,
    format_coding,
    format_date,
    format_family_name,
    format_given_name,
    format_human_name,
)
from medplum_bots.utils.outcomes import (
    get_status,
    is_operation_outcome,
    normalize_error_string,
    operation_outcome_issue_to_string,
    operation_outcome_to_string,
)
from medplum_bots.utils.references import (
    create_reference,
    get_display_string,
    get_reference_string,
    is_reference,
    is_resource,
    is_resource_with_id,
    parse_reference,
    resolve_id,
)
from medplum_bots.utils.resources import (
    deep_clone,
    find_code_by_system,
    find_resource_by_code,
    get_all_questionnaire_answers,
    get_code_by_system,
    get_extension,
    get_extension_value,
    get_identifier,
    get_questionnaire_answers,
    is_object,
    set_code_by_system,
    set_identifier,
)

if TYPE_CHECKING:
    from medplum_bots.testing.fhirpath import FhirPathError

__all__ = [
    "CPT",
    "EMPTY",
    "HTTP_HL7_ORG",
    "HTTP_TERMINOLOGY_HL7_ORG",
    "ICD10",
    "LOINC",
    "NDC",
    "RXNORM",
    "SNOMED",
    "UCUM",
    "Age",
    "ContentType",
    "FhirPathError",
    "all_ok",
    "calculate_age",
    "calculate_age_string",
    "create_reference",
    "deep_clone",
    "eval_fhirpath",
    "find_code_by_system",
    "find_resource_by_code",
    "format_address",
    "format_codeable_concept",
    "format_coding",
    "format_date",
    "format_family_name",
    "format_given_name",
    "format_hl7_datetime",
    "format_human_name",
    "get_all_questionnaire_answers",
    "get_code_by_system",
    "get_display_string",
    "get_extension",
    "get_extension_value",
    "get_identifier",
    "get_questionnaire_answers",
    "get_reference_string",
    "get_status",
    "is_object",
    "is_operation_outcome",
    "is_reference",
    "is_resource",
    "is_resource_with_id",
    "normalize_error_string",
    "operation_outcome_issue_to_string",
    "operation_outcome_to_string",
    "parse_hl7_datetime",
    "parse_reference",
    "resolve_id",
    "set_code_by_system",
    "set_identifier",
    "unauthorized",
]


def __getattr__(name: str) -> Any:
    if name == "FhirPathError":  # loaded with the compiler, on first use
        from medplum_bots.testing.fhirpath import FhirPathError

        return FhirPathError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
