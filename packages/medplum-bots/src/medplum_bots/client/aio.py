"""`AsyncMedplumClient`: the client an `async def handler(medplum, event)` receives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx

from medplum_bots.client.core import (
    DEFAULT_BASE_URL,
    Bundle,
    Call,
    Query,
    R,
    Resource,
    T,
    _ClientCore,
    _identity,
    bundle_resources,
)
from medplum_bots.client.retry import RetryPolicy

if TYPE_CHECKING:
    from medplum_bots.fhir import types as fhir

# httpx's own default pool bounds (httpx.AsyncClient's `limits` default).
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class AsyncMedplumClient(_ClientCore):
    """Asynchronous Medplum client (the one an `async def handler(medplum, event)` receives).

    Same calls as `MedplumClient`, awaited; 50 coroutines that need a token share one login.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        trace_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        budget: float | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        """`limits` bound the connection pool httpx builds when no `transport` is given
        (it then also reads proxy settings from the environment)."""
        super().__init__(
            base_url,
            access_token=access_token,
            client_id=client_id,
            client_secret=client_secret,
            trace_id=trace_id,
            retry=retry,
            budget=budget,
        )
        self._http = httpx.AsyncClient(
            transport=transport, timeout=timeout, limits=limits, follow_redirects=True
        )
        self._login_lock = asyncio.Lock()

    # -- plumbing ----------------------------------------------------------------------------

    async def _run(self, call: Call[T]) -> T:
        attempt, relogged = 0, False
        started = time.monotonic()
        while True:
            attempt += 1
            token = await self._fresh_token() if call.authenticated else None
            try:
                response = await self._http.send(self._build(call, token, started))
            except httpx.TransportError as error:
                await self._retry.async_sleep(self._wait_after_error(call, attempt, error, started))
                continue
            step = self._judge(call, response, attempt, relogged, started)
            if step.relogin:
                attempt, relogged = attempt - 1, True
                await self._relogin(token)
            elif step.wait is not None:
                await self._retry.async_sleep(step.wait)
            else:
                return call.finish(step.value)

    async def _fresh_token(self) -> str | None:
        if self._needs_login():
            async with self._login_lock:
                if self._needs_login():  # another coroutine may have logged in meanwhile
                    await self._run(self._login_call(None, None))
        return self._access_token

    async def _relogin(self, rejected: str | None) -> None:
        async with self._login_lock:
            if self._access_token == rejected:
                await self._run(self._login_call(None, None))

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncMedplumClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- the bot-facing calls ----------------------------------------------------------------

    async def login_client_credentials(
        self, client_id: str | None = None, client_secret: str | None = None
    ) -> dict[str, Any]:
        """Log in with client credentials (given here or to the constructor); the token answer."""
        return await self._run(self._login_call(client_id, client_secret))

    # BEGIN generated overloads of read_resource (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        async def read_resource(
            self, resource_type: Literal["AccessPolicy"], resource_id: str
        ) -> fhir.AccessPolicy: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Account"], resource_id: str
        ) -> fhir.Account: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ActivityDefinition"], resource_id: str
        ) -> fhir.ActivityDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["AdverseEvent"], resource_id: str
        ) -> fhir.AdverseEvent: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Agent"], resource_id: str
        ) -> fhir.Agent: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["AllergyIntolerance"], resource_id: str
        ) -> fhir.AllergyIntolerance: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Appointment"], resource_id: str
        ) -> fhir.Appointment: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["AppointmentResponse"], resource_id: str
        ) -> fhir.AppointmentResponse: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["AsyncJob"], resource_id: str
        ) -> fhir.AsyncJob: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["AuditEvent"], resource_id: str
        ) -> fhir.AuditEvent: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Basic"], resource_id: str
        ) -> fhir.Basic: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Binary"], resource_id: str
        ) -> fhir.Binary: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["BiologicallyDerivedProduct"], resource_id: str
        ) -> fhir.BiologicallyDerivedProduct: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["BodyStructure"], resource_id: str
        ) -> fhir.BodyStructure: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Bot"], resource_id: str
        ) -> fhir.Bot: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["BulkDataExport"], resource_id: str
        ) -> fhir.BulkDataExport: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Bundle"], resource_id: str
        ) -> fhir.Bundle: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CapabilityStatement"], resource_id: str
        ) -> fhir.CapabilityStatement: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CarePlan"], resource_id: str
        ) -> fhir.CarePlan: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CareTeam"], resource_id: str
        ) -> fhir.CareTeam: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CatalogEntry"], resource_id: str
        ) -> fhir.CatalogEntry: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ChargeItem"], resource_id: str
        ) -> fhir.ChargeItem: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ChargeItemDefinition"], resource_id: str
        ) -> fhir.ChargeItemDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Claim"], resource_id: str
        ) -> fhir.Claim: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ClaimResponse"], resource_id: str
        ) -> fhir.ClaimResponse: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ClientApplication"], resource_id: str
        ) -> fhir.ClientApplication: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ClinicalImpression"], resource_id: str
        ) -> fhir.ClinicalImpression: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CodeSystem"], resource_id: str
        ) -> fhir.CodeSystem: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Communication"], resource_id: str
        ) -> fhir.Communication: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CommunicationRequest"], resource_id: str
        ) -> fhir.CommunicationRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CompartmentDefinition"], resource_id: str
        ) -> fhir.CompartmentDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Composition"], resource_id: str
        ) -> fhir.Composition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ConceptMap"], resource_id: str
        ) -> fhir.ConceptMap: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Condition"], resource_id: str
        ) -> fhir.Condition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Consent"], resource_id: str
        ) -> fhir.Consent: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Contract"], resource_id: str
        ) -> fhir.Contract: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Coverage"], resource_id: str
        ) -> fhir.Coverage: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CoverageEligibilityRequest"], resource_id: str
        ) -> fhir.CoverageEligibilityRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["CoverageEligibilityResponse"], resource_id: str
        ) -> fhir.CoverageEligibilityResponse: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DetectedIssue"], resource_id: str
        ) -> fhir.DetectedIssue: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Device"], resource_id: str
        ) -> fhir.Device: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DeviceDefinition"], resource_id: str
        ) -> fhir.DeviceDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DeviceMetric"], resource_id: str
        ) -> fhir.DeviceMetric: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DeviceRequest"], resource_id: str
        ) -> fhir.DeviceRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DeviceUseStatement"], resource_id: str
        ) -> fhir.DeviceUseStatement: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DiagnosticReport"], resource_id: str
        ) -> fhir.DiagnosticReport: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DocumentManifest"], resource_id: str
        ) -> fhir.DocumentManifest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DocumentReference"], resource_id: str
        ) -> fhir.DocumentReference: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["DomainConfiguration"], resource_id: str
        ) -> fhir.DomainConfiguration: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["EffectEvidenceSynthesis"], resource_id: str
        ) -> fhir.EffectEvidenceSynthesis: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Encounter"], resource_id: str
        ) -> fhir.Encounter: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Endpoint"], resource_id: str
        ) -> fhir.Endpoint: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["EnrollmentRequest"], resource_id: str
        ) -> fhir.EnrollmentRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["EnrollmentResponse"], resource_id: str
        ) -> fhir.EnrollmentResponse: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["EpisodeOfCare"], resource_id: str
        ) -> fhir.EpisodeOfCare: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["EventDefinition"], resource_id: str
        ) -> fhir.EventDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Evidence"], resource_id: str
        ) -> fhir.Evidence: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["EvidenceVariable"], resource_id: str
        ) -> fhir.EvidenceVariable: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ExampleScenario"], resource_id: str
        ) -> fhir.ExampleScenario: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ExplanationOfBenefit"], resource_id: str
        ) -> fhir.ExplanationOfBenefit: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["FamilyMemberHistory"], resource_id: str
        ) -> fhir.FamilyMemberHistory: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Flag"], resource_id: str
        ) -> fhir.Flag: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Goal"], resource_id: str
        ) -> fhir.Goal: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["GraphDefinition"], resource_id: str
        ) -> fhir.GraphDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Group"], resource_id: str
        ) -> fhir.Group: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["GuidanceResponse"], resource_id: str
        ) -> fhir.GuidanceResponse: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["HealthcareService"], resource_id: str
        ) -> fhir.HealthcareService: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ImagingStudy"], resource_id: str
        ) -> fhir.ImagingStudy: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Immunization"], resource_id: str
        ) -> fhir.Immunization: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ImmunizationEvaluation"], resource_id: str
        ) -> fhir.ImmunizationEvaluation: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ImmunizationRecommendation"], resource_id: str
        ) -> fhir.ImmunizationRecommendation: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ImplementationGuide"], resource_id: str
        ) -> fhir.ImplementationGuide: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["InsurancePlan"], resource_id: str
        ) -> fhir.InsurancePlan: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Invoice"], resource_id: str
        ) -> fhir.Invoice: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["JsonWebKey"], resource_id: str
        ) -> fhir.JsonWebKey: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Library"], resource_id: str
        ) -> fhir.Library: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Linkage"], resource_id: str
        ) -> fhir.Linkage: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["List"], resource_id: str
        ) -> fhir.List: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Location"], resource_id: str
        ) -> fhir.Location: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Login"], resource_id: str
        ) -> fhir.Login: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Measure"], resource_id: str
        ) -> fhir.Measure: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MeasureReport"], resource_id: str
        ) -> fhir.MeasureReport: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Media"], resource_id: str
        ) -> fhir.Media: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Medication"], resource_id: str
        ) -> fhir.Medication: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicationAdministration"], resource_id: str
        ) -> fhir.MedicationAdministration: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicationDispense"], resource_id: str
        ) -> fhir.MedicationDispense: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicationKnowledge"], resource_id: str
        ) -> fhir.MedicationKnowledge: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicationRequest"], resource_id: str
        ) -> fhir.MedicationRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicationStatement"], resource_id: str
        ) -> fhir.MedicationStatement: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProduct"], resource_id: str
        ) -> fhir.MedicinalProduct: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductAuthorization"], resource_id: str
        ) -> fhir.MedicinalProductAuthorization: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductContraindication"], resource_id: str
        ) -> fhir.MedicinalProductContraindication: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductIndication"], resource_id: str
        ) -> fhir.MedicinalProductIndication: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductIngredient"], resource_id: str
        ) -> fhir.MedicinalProductIngredient: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductInteraction"], resource_id: str
        ) -> fhir.MedicinalProductInteraction: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductManufactured"], resource_id: str
        ) -> fhir.MedicinalProductManufactured: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductPackaged"], resource_id: str
        ) -> fhir.MedicinalProductPackaged: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], resource_id: str
        ) -> fhir.MedicinalProductPharmaceutical: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], resource_id: str
        ) -> fhir.MedicinalProductUndesirableEffect: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MessageDefinition"], resource_id: str
        ) -> fhir.MessageDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MessageHeader"], resource_id: str
        ) -> fhir.MessageHeader: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["MolecularSequence"], resource_id: str
        ) -> fhir.MolecularSequence: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["NamingSystem"], resource_id: str
        ) -> fhir.NamingSystem: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["NutritionOrder"], resource_id: str
        ) -> fhir.NutritionOrder: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Observation"], resource_id: str
        ) -> fhir.Observation: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ObservationDefinition"], resource_id: str
        ) -> fhir.ObservationDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["OperationDefinition"], resource_id: str
        ) -> fhir.OperationDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["OperationOutcome"], resource_id: str
        ) -> fhir.OperationOutcome: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Organization"], resource_id: str
        ) -> fhir.Organization: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["OrganizationAffiliation"], resource_id: str
        ) -> fhir.OrganizationAffiliation: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Parameters"], resource_id: str
        ) -> fhir.Parameters: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["PasswordChangeRequest"], resource_id: str
        ) -> fhir.PasswordChangeRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Patient"], resource_id: str
        ) -> fhir.Patient: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["PaymentNotice"], resource_id: str
        ) -> fhir.PaymentNotice: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["PaymentReconciliation"], resource_id: str
        ) -> fhir.PaymentReconciliation: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Person"], resource_id: str
        ) -> fhir.Person: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["PlanDefinition"], resource_id: str
        ) -> fhir.PlanDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Practitioner"], resource_id: str
        ) -> fhir.Practitioner: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["PractitionerRole"], resource_id: str
        ) -> fhir.PractitionerRole: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Procedure"], resource_id: str
        ) -> fhir.Procedure: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Project"], resource_id: str
        ) -> fhir.Project: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ProjectMembership"], resource_id: str
        ) -> fhir.ProjectMembership: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Provenance"], resource_id: str
        ) -> fhir.Provenance: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Questionnaire"], resource_id: str
        ) -> fhir.Questionnaire: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["QuestionnaireResponse"], resource_id: str
        ) -> fhir.QuestionnaireResponse: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["RelatedPerson"], resource_id: str
        ) -> fhir.RelatedPerson: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["RequestGroup"], resource_id: str
        ) -> fhir.RequestGroup: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ResearchDefinition"], resource_id: str
        ) -> fhir.ResearchDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ResearchElementDefinition"], resource_id: str
        ) -> fhir.ResearchElementDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ResearchStudy"], resource_id: str
        ) -> fhir.ResearchStudy: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ResearchSubject"], resource_id: str
        ) -> fhir.ResearchSubject: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["RiskAssessment"], resource_id: str
        ) -> fhir.RiskAssessment: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["RiskEvidenceSynthesis"], resource_id: str
        ) -> fhir.RiskEvidenceSynthesis: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Schedule"], resource_id: str
        ) -> fhir.Schedule: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SearchParameter"], resource_id: str
        ) -> fhir.SearchParameter: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ServiceRequest"], resource_id: str
        ) -> fhir.ServiceRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Slot"], resource_id: str
        ) -> fhir.Slot: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SmartAppLaunch"], resource_id: str
        ) -> fhir.SmartAppLaunch: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Specimen"], resource_id: str
        ) -> fhir.Specimen: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SpecimenDefinition"], resource_id: str
        ) -> fhir.SpecimenDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["StructureDefinition"], resource_id: str
        ) -> fhir.StructureDefinition: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["StructureMap"], resource_id: str
        ) -> fhir.StructureMap: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Subscription"], resource_id: str
        ) -> fhir.Subscription: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubscriptionStatus"], resource_id: str
        ) -> fhir.SubscriptionStatus: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Substance"], resource_id: str
        ) -> fhir.Substance: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubstanceNucleicAcid"], resource_id: str
        ) -> fhir.SubstanceNucleicAcid: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubstancePolymer"], resource_id: str
        ) -> fhir.SubstancePolymer: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubstanceProtein"], resource_id: str
        ) -> fhir.SubstanceProtein: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubstanceReferenceInformation"], resource_id: str
        ) -> fhir.SubstanceReferenceInformation: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubstanceSourceMaterial"], resource_id: str
        ) -> fhir.SubstanceSourceMaterial: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SubstanceSpecification"], resource_id: str
        ) -> fhir.SubstanceSpecification: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SupplyDelivery"], resource_id: str
        ) -> fhir.SupplyDelivery: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["SupplyRequest"], resource_id: str
        ) -> fhir.SupplyRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["Task"], resource_id: str
        ) -> fhir.Task: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["TerminologyCapabilities"], resource_id: str
        ) -> fhir.TerminologyCapabilities: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["TestReport"], resource_id: str
        ) -> fhir.TestReport: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["TestScript"], resource_id: str
        ) -> fhir.TestScript: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["User"], resource_id: str
        ) -> fhir.User: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["UserConfiguration"], resource_id: str
        ) -> fhir.UserConfiguration: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["UserSecurityRequest"], resource_id: str
        ) -> fhir.UserSecurityRequest: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["ValueSet"], resource_id: str
        ) -> fhir.ValueSet: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["VerificationResult"], resource_id: str
        ) -> fhir.VerificationResult: ...
        @overload
        async def read_resource(
            self, resource_type: Literal["VisionPrescription"], resource_id: str
        ) -> fhir.VisionPrescription: ...
        @overload
        async def read_resource(
            self, resource_type: fhir.ResourceType, resource_id: str
        ) -> Mapping[str, Any]: ...
    # END generated overloads of read_resource

    async def read_resource(self, resource_type: str, resource_id: str) -> Any:
        """GET `{type}/{id}`."""
        return await self._run(self._read(resource_type, resource_id))

    # BEGIN generated overloads of read_version (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        async def read_version(
            self, resource_type: Literal["AccessPolicy"], resource_id: str, version_id: str
        ) -> fhir.AccessPolicy: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Account"], resource_id: str, version_id: str
        ) -> fhir.Account: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ActivityDefinition"], resource_id: str, version_id: str
        ) -> fhir.ActivityDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["AdverseEvent"], resource_id: str, version_id: str
        ) -> fhir.AdverseEvent: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Agent"], resource_id: str, version_id: str
        ) -> fhir.Agent: ...
        @overload
        async def read_version(
            self, resource_type: Literal["AllergyIntolerance"], resource_id: str, version_id: str
        ) -> fhir.AllergyIntolerance: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Appointment"], resource_id: str, version_id: str
        ) -> fhir.Appointment: ...
        @overload
        async def read_version(
            self, resource_type: Literal["AppointmentResponse"], resource_id: str, version_id: str
        ) -> fhir.AppointmentResponse: ...
        @overload
        async def read_version(
            self, resource_type: Literal["AsyncJob"], resource_id: str, version_id: str
        ) -> fhir.AsyncJob: ...
        @overload
        async def read_version(
            self, resource_type: Literal["AuditEvent"], resource_id: str, version_id: str
        ) -> fhir.AuditEvent: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Basic"], resource_id: str, version_id: str
        ) -> fhir.Basic: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Binary"], resource_id: str, version_id: str
        ) -> fhir.Binary: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["BiologicallyDerivedProduct"],
            resource_id: str,
            version_id: str,
        ) -> fhir.BiologicallyDerivedProduct: ...
        @overload
        async def read_version(
            self, resource_type: Literal["BodyStructure"], resource_id: str, version_id: str
        ) -> fhir.BodyStructure: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Bot"], resource_id: str, version_id: str
        ) -> fhir.Bot: ...
        @overload
        async def read_version(
            self, resource_type: Literal["BulkDataExport"], resource_id: str, version_id: str
        ) -> fhir.BulkDataExport: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Bundle"], resource_id: str, version_id: str
        ) -> fhir.Bundle: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CapabilityStatement"], resource_id: str, version_id: str
        ) -> fhir.CapabilityStatement: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CarePlan"], resource_id: str, version_id: str
        ) -> fhir.CarePlan: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CareTeam"], resource_id: str, version_id: str
        ) -> fhir.CareTeam: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CatalogEntry"], resource_id: str, version_id: str
        ) -> fhir.CatalogEntry: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ChargeItem"], resource_id: str, version_id: str
        ) -> fhir.ChargeItem: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ChargeItemDefinition"], resource_id: str, version_id: str
        ) -> fhir.ChargeItemDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Claim"], resource_id: str, version_id: str
        ) -> fhir.Claim: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ClaimResponse"], resource_id: str, version_id: str
        ) -> fhir.ClaimResponse: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ClientApplication"], resource_id: str, version_id: str
        ) -> fhir.ClientApplication: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ClinicalImpression"], resource_id: str, version_id: str
        ) -> fhir.ClinicalImpression: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CodeSystem"], resource_id: str, version_id: str
        ) -> fhir.CodeSystem: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Communication"], resource_id: str, version_id: str
        ) -> fhir.Communication: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CommunicationRequest"], resource_id: str, version_id: str
        ) -> fhir.CommunicationRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["CompartmentDefinition"], resource_id: str, version_id: str
        ) -> fhir.CompartmentDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Composition"], resource_id: str, version_id: str
        ) -> fhir.Composition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ConceptMap"], resource_id: str, version_id: str
        ) -> fhir.ConceptMap: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Condition"], resource_id: str, version_id: str
        ) -> fhir.Condition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Consent"], resource_id: str, version_id: str
        ) -> fhir.Consent: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Contract"], resource_id: str, version_id: str
        ) -> fhir.Contract: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Coverage"], resource_id: str, version_id: str
        ) -> fhir.Coverage: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["CoverageEligibilityRequest"],
            resource_id: str,
            version_id: str,
        ) -> fhir.CoverageEligibilityRequest: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["CoverageEligibilityResponse"],
            resource_id: str,
            version_id: str,
        ) -> fhir.CoverageEligibilityResponse: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DetectedIssue"], resource_id: str, version_id: str
        ) -> fhir.DetectedIssue: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Device"], resource_id: str, version_id: str
        ) -> fhir.Device: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DeviceDefinition"], resource_id: str, version_id: str
        ) -> fhir.DeviceDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DeviceMetric"], resource_id: str, version_id: str
        ) -> fhir.DeviceMetric: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DeviceRequest"], resource_id: str, version_id: str
        ) -> fhir.DeviceRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DeviceUseStatement"], resource_id: str, version_id: str
        ) -> fhir.DeviceUseStatement: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DiagnosticReport"], resource_id: str, version_id: str
        ) -> fhir.DiagnosticReport: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DocumentManifest"], resource_id: str, version_id: str
        ) -> fhir.DocumentManifest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DocumentReference"], resource_id: str, version_id: str
        ) -> fhir.DocumentReference: ...
        @overload
        async def read_version(
            self, resource_type: Literal["DomainConfiguration"], resource_id: str, version_id: str
        ) -> fhir.DomainConfiguration: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["EffectEvidenceSynthesis"],
            resource_id: str,
            version_id: str,
        ) -> fhir.EffectEvidenceSynthesis: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Encounter"], resource_id: str, version_id: str
        ) -> fhir.Encounter: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Endpoint"], resource_id: str, version_id: str
        ) -> fhir.Endpoint: ...
        @overload
        async def read_version(
            self, resource_type: Literal["EnrollmentRequest"], resource_id: str, version_id: str
        ) -> fhir.EnrollmentRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["EnrollmentResponse"], resource_id: str, version_id: str
        ) -> fhir.EnrollmentResponse: ...
        @overload
        async def read_version(
            self, resource_type: Literal["EpisodeOfCare"], resource_id: str, version_id: str
        ) -> fhir.EpisodeOfCare: ...
        @overload
        async def read_version(
            self, resource_type: Literal["EventDefinition"], resource_id: str, version_id: str
        ) -> fhir.EventDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Evidence"], resource_id: str, version_id: str
        ) -> fhir.Evidence: ...
        @overload
        async def read_version(
            self, resource_type: Literal["EvidenceVariable"], resource_id: str, version_id: str
        ) -> fhir.EvidenceVariable: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ExampleScenario"], resource_id: str, version_id: str
        ) -> fhir.ExampleScenario: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ExplanationOfBenefit"], resource_id: str, version_id: str
        ) -> fhir.ExplanationOfBenefit: ...
        @overload
        async def read_version(
            self, resource_type: Literal["FamilyMemberHistory"], resource_id: str, version_id: str
        ) -> fhir.FamilyMemberHistory: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Flag"], resource_id: str, version_id: str
        ) -> fhir.Flag: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Goal"], resource_id: str, version_id: str
        ) -> fhir.Goal: ...
        @overload
        async def read_version(
            self, resource_type: Literal["GraphDefinition"], resource_id: str, version_id: str
        ) -> fhir.GraphDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Group"], resource_id: str, version_id: str
        ) -> fhir.Group: ...
        @overload
        async def read_version(
            self, resource_type: Literal["GuidanceResponse"], resource_id: str, version_id: str
        ) -> fhir.GuidanceResponse: ...
        @overload
        async def read_version(
            self, resource_type: Literal["HealthcareService"], resource_id: str, version_id: str
        ) -> fhir.HealthcareService: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ImagingStudy"], resource_id: str, version_id: str
        ) -> fhir.ImagingStudy: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Immunization"], resource_id: str, version_id: str
        ) -> fhir.Immunization: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["ImmunizationEvaluation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.ImmunizationEvaluation: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["ImmunizationRecommendation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.ImmunizationRecommendation: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ImplementationGuide"], resource_id: str, version_id: str
        ) -> fhir.ImplementationGuide: ...
        @overload
        async def read_version(
            self, resource_type: Literal["InsurancePlan"], resource_id: str, version_id: str
        ) -> fhir.InsurancePlan: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Invoice"], resource_id: str, version_id: str
        ) -> fhir.Invoice: ...
        @overload
        async def read_version(
            self, resource_type: Literal["JsonWebKey"], resource_id: str, version_id: str
        ) -> fhir.JsonWebKey: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Library"], resource_id: str, version_id: str
        ) -> fhir.Library: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Linkage"], resource_id: str, version_id: str
        ) -> fhir.Linkage: ...
        @overload
        async def read_version(
            self, resource_type: Literal["List"], resource_id: str, version_id: str
        ) -> fhir.List: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Location"], resource_id: str, version_id: str
        ) -> fhir.Location: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Login"], resource_id: str, version_id: str
        ) -> fhir.Login: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Measure"], resource_id: str, version_id: str
        ) -> fhir.Measure: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MeasureReport"], resource_id: str, version_id: str
        ) -> fhir.MeasureReport: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Media"], resource_id: str, version_id: str
        ) -> fhir.Media: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Medication"], resource_id: str, version_id: str
        ) -> fhir.Medication: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicationAdministration"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicationAdministration: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MedicationDispense"], resource_id: str, version_id: str
        ) -> fhir.MedicationDispense: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MedicationKnowledge"], resource_id: str, version_id: str
        ) -> fhir.MedicationKnowledge: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MedicationRequest"], resource_id: str, version_id: str
        ) -> fhir.MedicationRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MedicationStatement"], resource_id: str, version_id: str
        ) -> fhir.MedicationStatement: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MedicinalProduct"], resource_id: str, version_id: str
        ) -> fhir.MedicinalProduct: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductAuthorization"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductAuthorization: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductContraindication"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductContraindication: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductIndication"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductIndication: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductIngredient"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductIngredient: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductInteraction"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductInteraction: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductManufactured"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductManufactured: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductPackaged"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductPackaged: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductPharmaceutical"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductPharmaceutical: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["MedicinalProductUndesirableEffect"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductUndesirableEffect: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MessageDefinition"], resource_id: str, version_id: str
        ) -> fhir.MessageDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MessageHeader"], resource_id: str, version_id: str
        ) -> fhir.MessageHeader: ...
        @overload
        async def read_version(
            self, resource_type: Literal["MolecularSequence"], resource_id: str, version_id: str
        ) -> fhir.MolecularSequence: ...
        @overload
        async def read_version(
            self, resource_type: Literal["NamingSystem"], resource_id: str, version_id: str
        ) -> fhir.NamingSystem: ...
        @overload
        async def read_version(
            self, resource_type: Literal["NutritionOrder"], resource_id: str, version_id: str
        ) -> fhir.NutritionOrder: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Observation"], resource_id: str, version_id: str
        ) -> fhir.Observation: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ObservationDefinition"], resource_id: str, version_id: str
        ) -> fhir.ObservationDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["OperationDefinition"], resource_id: str, version_id: str
        ) -> fhir.OperationDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["OperationOutcome"], resource_id: str, version_id: str
        ) -> fhir.OperationOutcome: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Organization"], resource_id: str, version_id: str
        ) -> fhir.Organization: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["OrganizationAffiliation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.OrganizationAffiliation: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Parameters"], resource_id: str, version_id: str
        ) -> fhir.Parameters: ...
        @overload
        async def read_version(
            self, resource_type: Literal["PasswordChangeRequest"], resource_id: str, version_id: str
        ) -> fhir.PasswordChangeRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Patient"], resource_id: str, version_id: str
        ) -> fhir.Patient: ...
        @overload
        async def read_version(
            self, resource_type: Literal["PaymentNotice"], resource_id: str, version_id: str
        ) -> fhir.PaymentNotice: ...
        @overload
        async def read_version(
            self, resource_type: Literal["PaymentReconciliation"], resource_id: str, version_id: str
        ) -> fhir.PaymentReconciliation: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Person"], resource_id: str, version_id: str
        ) -> fhir.Person: ...
        @overload
        async def read_version(
            self, resource_type: Literal["PlanDefinition"], resource_id: str, version_id: str
        ) -> fhir.PlanDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Practitioner"], resource_id: str, version_id: str
        ) -> fhir.Practitioner: ...
        @overload
        async def read_version(
            self, resource_type: Literal["PractitionerRole"], resource_id: str, version_id: str
        ) -> fhir.PractitionerRole: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Procedure"], resource_id: str, version_id: str
        ) -> fhir.Procedure: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Project"], resource_id: str, version_id: str
        ) -> fhir.Project: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ProjectMembership"], resource_id: str, version_id: str
        ) -> fhir.ProjectMembership: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Provenance"], resource_id: str, version_id: str
        ) -> fhir.Provenance: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Questionnaire"], resource_id: str, version_id: str
        ) -> fhir.Questionnaire: ...
        @overload
        async def read_version(
            self, resource_type: Literal["QuestionnaireResponse"], resource_id: str, version_id: str
        ) -> fhir.QuestionnaireResponse: ...
        @overload
        async def read_version(
            self, resource_type: Literal["RelatedPerson"], resource_id: str, version_id: str
        ) -> fhir.RelatedPerson: ...
        @overload
        async def read_version(
            self, resource_type: Literal["RequestGroup"], resource_id: str, version_id: str
        ) -> fhir.RequestGroup: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ResearchDefinition"], resource_id: str, version_id: str
        ) -> fhir.ResearchDefinition: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["ResearchElementDefinition"],
            resource_id: str,
            version_id: str,
        ) -> fhir.ResearchElementDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ResearchStudy"], resource_id: str, version_id: str
        ) -> fhir.ResearchStudy: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ResearchSubject"], resource_id: str, version_id: str
        ) -> fhir.ResearchSubject: ...
        @overload
        async def read_version(
            self, resource_type: Literal["RiskAssessment"], resource_id: str, version_id: str
        ) -> fhir.RiskAssessment: ...
        @overload
        async def read_version(
            self, resource_type: Literal["RiskEvidenceSynthesis"], resource_id: str, version_id: str
        ) -> fhir.RiskEvidenceSynthesis: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Schedule"], resource_id: str, version_id: str
        ) -> fhir.Schedule: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SearchParameter"], resource_id: str, version_id: str
        ) -> fhir.SearchParameter: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ServiceRequest"], resource_id: str, version_id: str
        ) -> fhir.ServiceRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Slot"], resource_id: str, version_id: str
        ) -> fhir.Slot: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SmartAppLaunch"], resource_id: str, version_id: str
        ) -> fhir.SmartAppLaunch: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Specimen"], resource_id: str, version_id: str
        ) -> fhir.Specimen: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SpecimenDefinition"], resource_id: str, version_id: str
        ) -> fhir.SpecimenDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["StructureDefinition"], resource_id: str, version_id: str
        ) -> fhir.StructureDefinition: ...
        @overload
        async def read_version(
            self, resource_type: Literal["StructureMap"], resource_id: str, version_id: str
        ) -> fhir.StructureMap: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Subscription"], resource_id: str, version_id: str
        ) -> fhir.Subscription: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SubscriptionStatus"], resource_id: str, version_id: str
        ) -> fhir.SubscriptionStatus: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Substance"], resource_id: str, version_id: str
        ) -> fhir.Substance: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SubstanceNucleicAcid"], resource_id: str, version_id: str
        ) -> fhir.SubstanceNucleicAcid: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SubstancePolymer"], resource_id: str, version_id: str
        ) -> fhir.SubstancePolymer: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SubstanceProtein"], resource_id: str, version_id: str
        ) -> fhir.SubstanceProtein: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["SubstanceReferenceInformation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.SubstanceReferenceInformation: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["SubstanceSourceMaterial"],
            resource_id: str,
            version_id: str,
        ) -> fhir.SubstanceSourceMaterial: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["SubstanceSpecification"],
            resource_id: str,
            version_id: str,
        ) -> fhir.SubstanceSpecification: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SupplyDelivery"], resource_id: str, version_id: str
        ) -> fhir.SupplyDelivery: ...
        @overload
        async def read_version(
            self, resource_type: Literal["SupplyRequest"], resource_id: str, version_id: str
        ) -> fhir.SupplyRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["Task"], resource_id: str, version_id: str
        ) -> fhir.Task: ...
        @overload
        async def read_version(
            self,
            resource_type: Literal["TerminologyCapabilities"],
            resource_id: str,
            version_id: str,
        ) -> fhir.TerminologyCapabilities: ...
        @overload
        async def read_version(
            self, resource_type: Literal["TestReport"], resource_id: str, version_id: str
        ) -> fhir.TestReport: ...
        @overload
        async def read_version(
            self, resource_type: Literal["TestScript"], resource_id: str, version_id: str
        ) -> fhir.TestScript: ...
        @overload
        async def read_version(
            self, resource_type: Literal["User"], resource_id: str, version_id: str
        ) -> fhir.User: ...
        @overload
        async def read_version(
            self, resource_type: Literal["UserConfiguration"], resource_id: str, version_id: str
        ) -> fhir.UserConfiguration: ...
        @overload
        async def read_version(
            self, resource_type: Literal["UserSecurityRequest"], resource_id: str, version_id: str
        ) -> fhir.UserSecurityRequest: ...
        @overload
        async def read_version(
            self, resource_type: Literal["ValueSet"], resource_id: str, version_id: str
        ) -> fhir.ValueSet: ...
        @overload
        async def read_version(
            self, resource_type: Literal["VerificationResult"], resource_id: str, version_id: str
        ) -> fhir.VerificationResult: ...
        @overload
        async def read_version(
            self, resource_type: Literal["VisionPrescription"], resource_id: str, version_id: str
        ) -> fhir.VisionPrescription: ...
        @overload
        async def read_version(
            self, resource_type: fhir.ResourceType, resource_id: str, version_id: str
        ) -> Mapping[str, Any]: ...
    # END generated overloads of read_version

    async def read_version(self, resource_type: str, resource_id: str, version_id: str) -> Any:
        """GET `{type}/{id}/_history/{vid}`."""
        return await self._run(self._read_version(resource_type, resource_id, version_id))

    async def read_history(self, resource_type: fhir.ResourceType, resource_id: str) -> Bundle:
        """GET `{type}/{id}/_history`: a history Bundle, newest version first."""
        return await self._run(self._read_history(resource_type, resource_id))

    async def read_reference(self, reference: Mapping[str, Any] | str) -> Resource:
        """Read the resource a Reference (`{"reference": "Patient/1"}`) points at."""
        return await self._run(self._read_reference(reference))

    # A dict (literal) stays a dict[str, Any]; a TypedDict (`Patient`) comes back as itself.
    @overload
    async def create_resource(self, resource: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    async def create_resource(self, resource: R) -> R: ...
    async def create_resource(self, resource: Mapping[str, Any]) -> Any:
        """POST a new resource; the server assigns its id. The answer has the input's type."""
        return await self._run(self._create(resource))

    @overload
    async def create_resource_if_none_exist(
        self, resource: dict[str, Any], query: Query
    ) -> dict[str, Any]: ...
    @overload
    async def create_resource_if_none_exist(self, resource: R, query: Query) -> R: ...
    async def create_resource_if_none_exist(self, resource: Mapping[str, Any], query: Query) -> Any:
        """Create `resource` unless `query` already matches one (`If-None-Exist`)."""
        return await self._run(self._create_if_none_exist(resource, query))

    @overload
    async def update_resource(self, resource: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    async def update_resource(self, resource: R) -> R: ...
    async def update_resource(self, resource: Mapping[str, Any]) -> Any:
        """PUT `resource` (it must have an id)."""
        return await self._run(self._update(resource))

    # BEGIN generated overloads of patch_resource (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        async def patch_resource(
            self,
            resource_type: Literal["AccessPolicy"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AccessPolicy: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Account"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Account: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ActivityDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ActivityDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["AdverseEvent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AdverseEvent: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Agent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Agent: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["AllergyIntolerance"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AllergyIntolerance: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Appointment"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Appointment: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["AppointmentResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AppointmentResponse: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["AsyncJob"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AsyncJob: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["AuditEvent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AuditEvent: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Basic"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Basic: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Binary"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Binary: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["BiologicallyDerivedProduct"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.BiologicallyDerivedProduct: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["BodyStructure"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.BodyStructure: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Bot"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Bot: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["BulkDataExport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.BulkDataExport: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Bundle"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Bundle: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CapabilityStatement"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CapabilityStatement: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CarePlan"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CarePlan: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CareTeam"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CareTeam: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CatalogEntry"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CatalogEntry: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ChargeItem"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ChargeItem: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ChargeItemDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ChargeItemDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Claim"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Claim: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ClaimResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ClaimResponse: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ClientApplication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ClientApplication: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ClinicalImpression"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ClinicalImpression: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CodeSystem"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CodeSystem: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Communication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Communication: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CommunicationRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CommunicationRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CompartmentDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CompartmentDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Composition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Composition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ConceptMap"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ConceptMap: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Condition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Condition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Consent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Consent: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Contract"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Contract: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Coverage"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Coverage: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CoverageEligibilityRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CoverageEligibilityRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["CoverageEligibilityResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CoverageEligibilityResponse: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DetectedIssue"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DetectedIssue: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Device"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Device: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DeviceDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DeviceMetric"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceMetric: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DeviceRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DeviceUseStatement"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceUseStatement: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DiagnosticReport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DiagnosticReport: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DocumentManifest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DocumentManifest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DocumentReference"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DocumentReference: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["DomainConfiguration"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DomainConfiguration: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["EffectEvidenceSynthesis"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EffectEvidenceSynthesis: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Encounter"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Encounter: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Endpoint"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Endpoint: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["EnrollmentRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EnrollmentRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["EnrollmentResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EnrollmentResponse: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["EpisodeOfCare"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EpisodeOfCare: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["EventDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EventDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Evidence"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Evidence: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["EvidenceVariable"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EvidenceVariable: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ExampleScenario"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ExampleScenario: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ExplanationOfBenefit"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ExplanationOfBenefit: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["FamilyMemberHistory"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.FamilyMemberHistory: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Flag"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Flag: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Goal"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Goal: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["GraphDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.GraphDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Group"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Group: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["GuidanceResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.GuidanceResponse: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["HealthcareService"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.HealthcareService: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ImagingStudy"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImagingStudy: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Immunization"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Immunization: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ImmunizationEvaluation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImmunizationEvaluation: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ImmunizationRecommendation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImmunizationRecommendation: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ImplementationGuide"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImplementationGuide: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["InsurancePlan"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.InsurancePlan: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Invoice"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Invoice: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["JsonWebKey"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.JsonWebKey: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Library"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Library: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Linkage"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Linkage: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["List"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.List: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Location"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Location: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Login"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Login: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Measure"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Measure: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MeasureReport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MeasureReport: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Media"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Media: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Medication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Medication: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicationAdministration"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationAdministration: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicationDispense"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationDispense: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicationKnowledge"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationKnowledge: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicationRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicationStatement"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationStatement: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProduct"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProduct: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductAuthorization"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductAuthorization: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductContraindication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductContraindication: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductIndication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductIndication: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductIngredient"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductIngredient: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductInteraction"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductInteraction: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductManufactured"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductManufactured: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductPackaged"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductPackaged: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductPharmaceutical"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductPharmaceutical: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MedicinalProductUndesirableEffect"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductUndesirableEffect: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MessageDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MessageDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MessageHeader"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MessageHeader: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["MolecularSequence"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MolecularSequence: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["NamingSystem"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.NamingSystem: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["NutritionOrder"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.NutritionOrder: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Observation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Observation: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ObservationDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ObservationDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["OperationDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.OperationDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["OperationOutcome"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.OperationOutcome: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Organization"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Organization: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["OrganizationAffiliation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.OrganizationAffiliation: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Parameters"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Parameters: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["PasswordChangeRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PasswordChangeRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Patient"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Patient: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["PaymentNotice"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PaymentNotice: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["PaymentReconciliation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PaymentReconciliation: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Person"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Person: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["PlanDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PlanDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Practitioner"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Practitioner: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["PractitionerRole"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PractitionerRole: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Procedure"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Procedure: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Project"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Project: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ProjectMembership"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ProjectMembership: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Provenance"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Provenance: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Questionnaire"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Questionnaire: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["QuestionnaireResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.QuestionnaireResponse: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["RelatedPerson"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RelatedPerson: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["RequestGroup"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RequestGroup: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ResearchDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ResearchElementDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchElementDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ResearchStudy"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchStudy: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ResearchSubject"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchSubject: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["RiskAssessment"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RiskAssessment: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["RiskEvidenceSynthesis"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RiskEvidenceSynthesis: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Schedule"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Schedule: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SearchParameter"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SearchParameter: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ServiceRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ServiceRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Slot"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Slot: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SmartAppLaunch"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SmartAppLaunch: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Specimen"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Specimen: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SpecimenDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SpecimenDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["StructureDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.StructureDefinition: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["StructureMap"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.StructureMap: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Subscription"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Subscription: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubscriptionStatus"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubscriptionStatus: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Substance"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Substance: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubstanceNucleicAcid"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceNucleicAcid: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubstancePolymer"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstancePolymer: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubstanceProtein"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceProtein: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubstanceReferenceInformation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceReferenceInformation: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubstanceSourceMaterial"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceSourceMaterial: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SubstanceSpecification"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceSpecification: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SupplyDelivery"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SupplyDelivery: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["SupplyRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SupplyRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["Task"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Task: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["TerminologyCapabilities"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.TerminologyCapabilities: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["TestReport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.TestReport: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["TestScript"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.TestScript: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["User"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.User: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["UserConfiguration"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.UserConfiguration: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["UserSecurityRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.UserSecurityRequest: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["ValueSet"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ValueSet: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["VerificationResult"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.VerificationResult: ...
        @overload
        async def patch_resource(
            self,
            resource_type: Literal["VisionPrescription"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.VisionPrescription: ...
        @overload
        async def patch_resource(
            self,
            resource_type: fhir.ResourceType,
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> Mapping[str, Any]: ...
    # END generated overloads of patch_resource

    async def patch_resource(
        self,
        resource_type: str,
        resource_id: str,
        operations: Sequence[Mapping[str, Any]],
        *,
        idempotent: bool = False,
    ) -> Any:
        """Apply JSON Patch `operations` (add/remove/replace/test...).

        Not retried after a 5xx or a dropped connection unless `idempotent=True` (e.g. the
        operations are guarded by `test` ops): `add .../-` applied twice appends twice.
        """
        return await self._run(self._patch(resource_type, resource_id, operations, idempotent))

    async def delete_resource(self, resource_type: fhir.ResourceType, resource_id: str) -> Any:
        """DELETE `{type}/{id}`."""
        return await self._run(self._delete_resource(resource_type, resource_id))

    async def search(self, resource_type: fhir.ResourceType, query: Query = None) -> Bundle:
        """Search; the searchset Bundle."""
        return await self._run(self._search(resource_type, query, _identity))

    # BEGIN generated overloads of search_one (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        async def search_one(
            self, resource_type: Literal["AccessPolicy"], query: Query = ...
        ) -> fhir.AccessPolicy | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Account"], query: Query = ...
        ) -> fhir.Account | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ActivityDefinition"], query: Query = ...
        ) -> fhir.ActivityDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["AdverseEvent"], query: Query = ...
        ) -> fhir.AdverseEvent | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Agent"], query: Query = ...
        ) -> fhir.Agent | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["AllergyIntolerance"], query: Query = ...
        ) -> fhir.AllergyIntolerance | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Appointment"], query: Query = ...
        ) -> fhir.Appointment | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["AppointmentResponse"], query: Query = ...
        ) -> fhir.AppointmentResponse | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["AsyncJob"], query: Query = ...
        ) -> fhir.AsyncJob | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["AuditEvent"], query: Query = ...
        ) -> fhir.AuditEvent | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Basic"], query: Query = ...
        ) -> fhir.Basic | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Binary"], query: Query = ...
        ) -> fhir.Binary | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["BiologicallyDerivedProduct"], query: Query = ...
        ) -> fhir.BiologicallyDerivedProduct | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["BodyStructure"], query: Query = ...
        ) -> fhir.BodyStructure | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Bot"], query: Query = ...
        ) -> fhir.Bot | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["BulkDataExport"], query: Query = ...
        ) -> fhir.BulkDataExport | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Bundle"], query: Query = ...
        ) -> fhir.Bundle | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CapabilityStatement"], query: Query = ...
        ) -> fhir.CapabilityStatement | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CarePlan"], query: Query = ...
        ) -> fhir.CarePlan | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CareTeam"], query: Query = ...
        ) -> fhir.CareTeam | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CatalogEntry"], query: Query = ...
        ) -> fhir.CatalogEntry | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ChargeItem"], query: Query = ...
        ) -> fhir.ChargeItem | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ChargeItemDefinition"], query: Query = ...
        ) -> fhir.ChargeItemDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Claim"], query: Query = ...
        ) -> fhir.Claim | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ClaimResponse"], query: Query = ...
        ) -> fhir.ClaimResponse | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ClientApplication"], query: Query = ...
        ) -> fhir.ClientApplication | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ClinicalImpression"], query: Query = ...
        ) -> fhir.ClinicalImpression | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CodeSystem"], query: Query = ...
        ) -> fhir.CodeSystem | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Communication"], query: Query = ...
        ) -> fhir.Communication | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CommunicationRequest"], query: Query = ...
        ) -> fhir.CommunicationRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CompartmentDefinition"], query: Query = ...
        ) -> fhir.CompartmentDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Composition"], query: Query = ...
        ) -> fhir.Composition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ConceptMap"], query: Query = ...
        ) -> fhir.ConceptMap | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Condition"], query: Query = ...
        ) -> fhir.Condition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Consent"], query: Query = ...
        ) -> fhir.Consent | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Contract"], query: Query = ...
        ) -> fhir.Contract | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Coverage"], query: Query = ...
        ) -> fhir.Coverage | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CoverageEligibilityRequest"], query: Query = ...
        ) -> fhir.CoverageEligibilityRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["CoverageEligibilityResponse"], query: Query = ...
        ) -> fhir.CoverageEligibilityResponse | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DetectedIssue"], query: Query = ...
        ) -> fhir.DetectedIssue | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Device"], query: Query = ...
        ) -> fhir.Device | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DeviceDefinition"], query: Query = ...
        ) -> fhir.DeviceDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DeviceMetric"], query: Query = ...
        ) -> fhir.DeviceMetric | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DeviceRequest"], query: Query = ...
        ) -> fhir.DeviceRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DeviceUseStatement"], query: Query = ...
        ) -> fhir.DeviceUseStatement | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DiagnosticReport"], query: Query = ...
        ) -> fhir.DiagnosticReport | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DocumentManifest"], query: Query = ...
        ) -> fhir.DocumentManifest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DocumentReference"], query: Query = ...
        ) -> fhir.DocumentReference | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["DomainConfiguration"], query: Query = ...
        ) -> fhir.DomainConfiguration | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["EffectEvidenceSynthesis"], query: Query = ...
        ) -> fhir.EffectEvidenceSynthesis | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Encounter"], query: Query = ...
        ) -> fhir.Encounter | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Endpoint"], query: Query = ...
        ) -> fhir.Endpoint | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["EnrollmentRequest"], query: Query = ...
        ) -> fhir.EnrollmentRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["EnrollmentResponse"], query: Query = ...
        ) -> fhir.EnrollmentResponse | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["EpisodeOfCare"], query: Query = ...
        ) -> fhir.EpisodeOfCare | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["EventDefinition"], query: Query = ...
        ) -> fhir.EventDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Evidence"], query: Query = ...
        ) -> fhir.Evidence | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["EvidenceVariable"], query: Query = ...
        ) -> fhir.EvidenceVariable | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ExampleScenario"], query: Query = ...
        ) -> fhir.ExampleScenario | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ExplanationOfBenefit"], query: Query = ...
        ) -> fhir.ExplanationOfBenefit | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["FamilyMemberHistory"], query: Query = ...
        ) -> fhir.FamilyMemberHistory | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Flag"], query: Query = ...
        ) -> fhir.Flag | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Goal"], query: Query = ...
        ) -> fhir.Goal | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["GraphDefinition"], query: Query = ...
        ) -> fhir.GraphDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Group"], query: Query = ...
        ) -> fhir.Group | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["GuidanceResponse"], query: Query = ...
        ) -> fhir.GuidanceResponse | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["HealthcareService"], query: Query = ...
        ) -> fhir.HealthcareService | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ImagingStudy"], query: Query = ...
        ) -> fhir.ImagingStudy | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Immunization"], query: Query = ...
        ) -> fhir.Immunization | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ImmunizationEvaluation"], query: Query = ...
        ) -> fhir.ImmunizationEvaluation | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ImmunizationRecommendation"], query: Query = ...
        ) -> fhir.ImmunizationRecommendation | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ImplementationGuide"], query: Query = ...
        ) -> fhir.ImplementationGuide | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["InsurancePlan"], query: Query = ...
        ) -> fhir.InsurancePlan | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Invoice"], query: Query = ...
        ) -> fhir.Invoice | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["JsonWebKey"], query: Query = ...
        ) -> fhir.JsonWebKey | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Library"], query: Query = ...
        ) -> fhir.Library | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Linkage"], query: Query = ...
        ) -> fhir.Linkage | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["List"], query: Query = ...
        ) -> fhir.List | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Location"], query: Query = ...
        ) -> fhir.Location | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Login"], query: Query = ...
        ) -> fhir.Login | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Measure"], query: Query = ...
        ) -> fhir.Measure | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MeasureReport"], query: Query = ...
        ) -> fhir.MeasureReport | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Media"], query: Query = ...
        ) -> fhir.Media | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Medication"], query: Query = ...
        ) -> fhir.Medication | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicationAdministration"], query: Query = ...
        ) -> fhir.MedicationAdministration | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicationDispense"], query: Query = ...
        ) -> fhir.MedicationDispense | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicationKnowledge"], query: Query = ...
        ) -> fhir.MedicationKnowledge | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicationRequest"], query: Query = ...
        ) -> fhir.MedicationRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicationStatement"], query: Query = ...
        ) -> fhir.MedicationStatement | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProduct"], query: Query = ...
        ) -> fhir.MedicinalProduct | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductAuthorization"], query: Query = ...
        ) -> fhir.MedicinalProductAuthorization | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductContraindication"], query: Query = ...
        ) -> fhir.MedicinalProductContraindication | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductIndication"], query: Query = ...
        ) -> fhir.MedicinalProductIndication | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductIngredient"], query: Query = ...
        ) -> fhir.MedicinalProductIngredient | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductInteraction"], query: Query = ...
        ) -> fhir.MedicinalProductInteraction | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductManufactured"], query: Query = ...
        ) -> fhir.MedicinalProductManufactured | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductPackaged"], query: Query = ...
        ) -> fhir.MedicinalProductPackaged | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], query: Query = ...
        ) -> fhir.MedicinalProductPharmaceutical | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], query: Query = ...
        ) -> fhir.MedicinalProductUndesirableEffect | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MessageDefinition"], query: Query = ...
        ) -> fhir.MessageDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MessageHeader"], query: Query = ...
        ) -> fhir.MessageHeader | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["MolecularSequence"], query: Query = ...
        ) -> fhir.MolecularSequence | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["NamingSystem"], query: Query = ...
        ) -> fhir.NamingSystem | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["NutritionOrder"], query: Query = ...
        ) -> fhir.NutritionOrder | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Observation"], query: Query = ...
        ) -> fhir.Observation | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ObservationDefinition"], query: Query = ...
        ) -> fhir.ObservationDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["OperationDefinition"], query: Query = ...
        ) -> fhir.OperationDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["OperationOutcome"], query: Query = ...
        ) -> fhir.OperationOutcome | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Organization"], query: Query = ...
        ) -> fhir.Organization | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["OrganizationAffiliation"], query: Query = ...
        ) -> fhir.OrganizationAffiliation | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Parameters"], query: Query = ...
        ) -> fhir.Parameters | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["PasswordChangeRequest"], query: Query = ...
        ) -> fhir.PasswordChangeRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Patient"], query: Query = ...
        ) -> fhir.Patient | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["PaymentNotice"], query: Query = ...
        ) -> fhir.PaymentNotice | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["PaymentReconciliation"], query: Query = ...
        ) -> fhir.PaymentReconciliation | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Person"], query: Query = ...
        ) -> fhir.Person | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["PlanDefinition"], query: Query = ...
        ) -> fhir.PlanDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Practitioner"], query: Query = ...
        ) -> fhir.Practitioner | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["PractitionerRole"], query: Query = ...
        ) -> fhir.PractitionerRole | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Procedure"], query: Query = ...
        ) -> fhir.Procedure | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Project"], query: Query = ...
        ) -> fhir.Project | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ProjectMembership"], query: Query = ...
        ) -> fhir.ProjectMembership | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Provenance"], query: Query = ...
        ) -> fhir.Provenance | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Questionnaire"], query: Query = ...
        ) -> fhir.Questionnaire | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["QuestionnaireResponse"], query: Query = ...
        ) -> fhir.QuestionnaireResponse | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["RelatedPerson"], query: Query = ...
        ) -> fhir.RelatedPerson | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["RequestGroup"], query: Query = ...
        ) -> fhir.RequestGroup | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ResearchDefinition"], query: Query = ...
        ) -> fhir.ResearchDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ResearchElementDefinition"], query: Query = ...
        ) -> fhir.ResearchElementDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ResearchStudy"], query: Query = ...
        ) -> fhir.ResearchStudy | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ResearchSubject"], query: Query = ...
        ) -> fhir.ResearchSubject | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["RiskAssessment"], query: Query = ...
        ) -> fhir.RiskAssessment | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["RiskEvidenceSynthesis"], query: Query = ...
        ) -> fhir.RiskEvidenceSynthesis | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Schedule"], query: Query = ...
        ) -> fhir.Schedule | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SearchParameter"], query: Query = ...
        ) -> fhir.SearchParameter | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ServiceRequest"], query: Query = ...
        ) -> fhir.ServiceRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Slot"], query: Query = ...
        ) -> fhir.Slot | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SmartAppLaunch"], query: Query = ...
        ) -> fhir.SmartAppLaunch | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Specimen"], query: Query = ...
        ) -> fhir.Specimen | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SpecimenDefinition"], query: Query = ...
        ) -> fhir.SpecimenDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["StructureDefinition"], query: Query = ...
        ) -> fhir.StructureDefinition | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["StructureMap"], query: Query = ...
        ) -> fhir.StructureMap | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Subscription"], query: Query = ...
        ) -> fhir.Subscription | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubscriptionStatus"], query: Query = ...
        ) -> fhir.SubscriptionStatus | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Substance"], query: Query = ...
        ) -> fhir.Substance | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubstanceNucleicAcid"], query: Query = ...
        ) -> fhir.SubstanceNucleicAcid | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubstancePolymer"], query: Query = ...
        ) -> fhir.SubstancePolymer | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubstanceProtein"], query: Query = ...
        ) -> fhir.SubstanceProtein | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubstanceReferenceInformation"], query: Query = ...
        ) -> fhir.SubstanceReferenceInformation | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubstanceSourceMaterial"], query: Query = ...
        ) -> fhir.SubstanceSourceMaterial | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SubstanceSpecification"], query: Query = ...
        ) -> fhir.SubstanceSpecification | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SupplyDelivery"], query: Query = ...
        ) -> fhir.SupplyDelivery | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["SupplyRequest"], query: Query = ...
        ) -> fhir.SupplyRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["Task"], query: Query = ...
        ) -> fhir.Task | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["TerminologyCapabilities"], query: Query = ...
        ) -> fhir.TerminologyCapabilities | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["TestReport"], query: Query = ...
        ) -> fhir.TestReport | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["TestScript"], query: Query = ...
        ) -> fhir.TestScript | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["User"], query: Query = ...
        ) -> fhir.User | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["UserConfiguration"], query: Query = ...
        ) -> fhir.UserConfiguration | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["UserSecurityRequest"], query: Query = ...
        ) -> fhir.UserSecurityRequest | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["ValueSet"], query: Query = ...
        ) -> fhir.ValueSet | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["VerificationResult"], query: Query = ...
        ) -> fhir.VerificationResult | None: ...
        @overload
        async def search_one(
            self, resource_type: Literal["VisionPrescription"], query: Query = ...
        ) -> fhir.VisionPrescription | None: ...
        @overload
        async def search_one(
            self, resource_type: fhir.ResourceType, query: Query = ...
        ) -> Mapping[str, Any] | None: ...
    # END generated overloads of search_one

    async def search_one(self, resource_type: str, query: Query = None) -> Any:
        """The first match, or None."""
        return await self._run(self._search_one(resource_type, query))

    # BEGIN generated overloads of search_resources (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        async def search_resources(
            self, resource_type: Literal["AccessPolicy"], query: Query = ...
        ) -> list[fhir.AccessPolicy]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Account"], query: Query = ...
        ) -> list[fhir.Account]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ActivityDefinition"], query: Query = ...
        ) -> list[fhir.ActivityDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["AdverseEvent"], query: Query = ...
        ) -> list[fhir.AdverseEvent]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Agent"], query: Query = ...
        ) -> list[fhir.Agent]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["AllergyIntolerance"], query: Query = ...
        ) -> list[fhir.AllergyIntolerance]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Appointment"], query: Query = ...
        ) -> list[fhir.Appointment]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["AppointmentResponse"], query: Query = ...
        ) -> list[fhir.AppointmentResponse]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["AsyncJob"], query: Query = ...
        ) -> list[fhir.AsyncJob]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["AuditEvent"], query: Query = ...
        ) -> list[fhir.AuditEvent]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Basic"], query: Query = ...
        ) -> list[fhir.Basic]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Binary"], query: Query = ...
        ) -> list[fhir.Binary]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["BiologicallyDerivedProduct"], query: Query = ...
        ) -> list[fhir.BiologicallyDerivedProduct]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["BodyStructure"], query: Query = ...
        ) -> list[fhir.BodyStructure]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Bot"], query: Query = ...
        ) -> list[fhir.Bot]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["BulkDataExport"], query: Query = ...
        ) -> list[fhir.BulkDataExport]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Bundle"], query: Query = ...
        ) -> list[fhir.Bundle]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CapabilityStatement"], query: Query = ...
        ) -> list[fhir.CapabilityStatement]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CarePlan"], query: Query = ...
        ) -> list[fhir.CarePlan]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CareTeam"], query: Query = ...
        ) -> list[fhir.CareTeam]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CatalogEntry"], query: Query = ...
        ) -> list[fhir.CatalogEntry]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ChargeItem"], query: Query = ...
        ) -> list[fhir.ChargeItem]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ChargeItemDefinition"], query: Query = ...
        ) -> list[fhir.ChargeItemDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Claim"], query: Query = ...
        ) -> list[fhir.Claim]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ClaimResponse"], query: Query = ...
        ) -> list[fhir.ClaimResponse]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ClientApplication"], query: Query = ...
        ) -> list[fhir.ClientApplication]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ClinicalImpression"], query: Query = ...
        ) -> list[fhir.ClinicalImpression]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CodeSystem"], query: Query = ...
        ) -> list[fhir.CodeSystem]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Communication"], query: Query = ...
        ) -> list[fhir.Communication]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CommunicationRequest"], query: Query = ...
        ) -> list[fhir.CommunicationRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CompartmentDefinition"], query: Query = ...
        ) -> list[fhir.CompartmentDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Composition"], query: Query = ...
        ) -> list[fhir.Composition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ConceptMap"], query: Query = ...
        ) -> list[fhir.ConceptMap]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Condition"], query: Query = ...
        ) -> list[fhir.Condition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Consent"], query: Query = ...
        ) -> list[fhir.Consent]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Contract"], query: Query = ...
        ) -> list[fhir.Contract]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Coverage"], query: Query = ...
        ) -> list[fhir.Coverage]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CoverageEligibilityRequest"], query: Query = ...
        ) -> list[fhir.CoverageEligibilityRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["CoverageEligibilityResponse"], query: Query = ...
        ) -> list[fhir.CoverageEligibilityResponse]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DetectedIssue"], query: Query = ...
        ) -> list[fhir.DetectedIssue]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Device"], query: Query = ...
        ) -> list[fhir.Device]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DeviceDefinition"], query: Query = ...
        ) -> list[fhir.DeviceDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DeviceMetric"], query: Query = ...
        ) -> list[fhir.DeviceMetric]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DeviceRequest"], query: Query = ...
        ) -> list[fhir.DeviceRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DeviceUseStatement"], query: Query = ...
        ) -> list[fhir.DeviceUseStatement]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DiagnosticReport"], query: Query = ...
        ) -> list[fhir.DiagnosticReport]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DocumentManifest"], query: Query = ...
        ) -> list[fhir.DocumentManifest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DocumentReference"], query: Query = ...
        ) -> list[fhir.DocumentReference]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["DomainConfiguration"], query: Query = ...
        ) -> list[fhir.DomainConfiguration]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["EffectEvidenceSynthesis"], query: Query = ...
        ) -> list[fhir.EffectEvidenceSynthesis]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Encounter"], query: Query = ...
        ) -> list[fhir.Encounter]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Endpoint"], query: Query = ...
        ) -> list[fhir.Endpoint]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["EnrollmentRequest"], query: Query = ...
        ) -> list[fhir.EnrollmentRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["EnrollmentResponse"], query: Query = ...
        ) -> list[fhir.EnrollmentResponse]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["EpisodeOfCare"], query: Query = ...
        ) -> list[fhir.EpisodeOfCare]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["EventDefinition"], query: Query = ...
        ) -> list[fhir.EventDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Evidence"], query: Query = ...
        ) -> list[fhir.Evidence]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["EvidenceVariable"], query: Query = ...
        ) -> list[fhir.EvidenceVariable]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ExampleScenario"], query: Query = ...
        ) -> list[fhir.ExampleScenario]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ExplanationOfBenefit"], query: Query = ...
        ) -> list[fhir.ExplanationOfBenefit]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["FamilyMemberHistory"], query: Query = ...
        ) -> list[fhir.FamilyMemberHistory]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Flag"], query: Query = ...
        ) -> list[fhir.Flag]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Goal"], query: Query = ...
        ) -> list[fhir.Goal]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["GraphDefinition"], query: Query = ...
        ) -> list[fhir.GraphDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Group"], query: Query = ...
        ) -> list[fhir.Group]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["GuidanceResponse"], query: Query = ...
        ) -> list[fhir.GuidanceResponse]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["HealthcareService"], query: Query = ...
        ) -> list[fhir.HealthcareService]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ImagingStudy"], query: Query = ...
        ) -> list[fhir.ImagingStudy]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Immunization"], query: Query = ...
        ) -> list[fhir.Immunization]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ImmunizationEvaluation"], query: Query = ...
        ) -> list[fhir.ImmunizationEvaluation]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ImmunizationRecommendation"], query: Query = ...
        ) -> list[fhir.ImmunizationRecommendation]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ImplementationGuide"], query: Query = ...
        ) -> list[fhir.ImplementationGuide]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["InsurancePlan"], query: Query = ...
        ) -> list[fhir.InsurancePlan]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Invoice"], query: Query = ...
        ) -> list[fhir.Invoice]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["JsonWebKey"], query: Query = ...
        ) -> list[fhir.JsonWebKey]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Library"], query: Query = ...
        ) -> list[fhir.Library]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Linkage"], query: Query = ...
        ) -> list[fhir.Linkage]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["List"], query: Query = ...
        ) -> list[fhir.List]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Location"], query: Query = ...
        ) -> list[fhir.Location]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Login"], query: Query = ...
        ) -> list[fhir.Login]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Measure"], query: Query = ...
        ) -> list[fhir.Measure]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MeasureReport"], query: Query = ...
        ) -> list[fhir.MeasureReport]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Media"], query: Query = ...
        ) -> list[fhir.Media]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Medication"], query: Query = ...
        ) -> list[fhir.Medication]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicationAdministration"], query: Query = ...
        ) -> list[fhir.MedicationAdministration]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicationDispense"], query: Query = ...
        ) -> list[fhir.MedicationDispense]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicationKnowledge"], query: Query = ...
        ) -> list[fhir.MedicationKnowledge]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicationRequest"], query: Query = ...
        ) -> list[fhir.MedicationRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicationStatement"], query: Query = ...
        ) -> list[fhir.MedicationStatement]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProduct"], query: Query = ...
        ) -> list[fhir.MedicinalProduct]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductAuthorization"], query: Query = ...
        ) -> list[fhir.MedicinalProductAuthorization]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductContraindication"], query: Query = ...
        ) -> list[fhir.MedicinalProductContraindication]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductIndication"], query: Query = ...
        ) -> list[fhir.MedicinalProductIndication]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductIngredient"], query: Query = ...
        ) -> list[fhir.MedicinalProductIngredient]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductInteraction"], query: Query = ...
        ) -> list[fhir.MedicinalProductInteraction]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductManufactured"], query: Query = ...
        ) -> list[fhir.MedicinalProductManufactured]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductPackaged"], query: Query = ...
        ) -> list[fhir.MedicinalProductPackaged]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], query: Query = ...
        ) -> list[fhir.MedicinalProductPharmaceutical]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], query: Query = ...
        ) -> list[fhir.MedicinalProductUndesirableEffect]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MessageDefinition"], query: Query = ...
        ) -> list[fhir.MessageDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MessageHeader"], query: Query = ...
        ) -> list[fhir.MessageHeader]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["MolecularSequence"], query: Query = ...
        ) -> list[fhir.MolecularSequence]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["NamingSystem"], query: Query = ...
        ) -> list[fhir.NamingSystem]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["NutritionOrder"], query: Query = ...
        ) -> list[fhir.NutritionOrder]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Observation"], query: Query = ...
        ) -> list[fhir.Observation]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ObservationDefinition"], query: Query = ...
        ) -> list[fhir.ObservationDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["OperationDefinition"], query: Query = ...
        ) -> list[fhir.OperationDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["OperationOutcome"], query: Query = ...
        ) -> list[fhir.OperationOutcome]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Organization"], query: Query = ...
        ) -> list[fhir.Organization]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["OrganizationAffiliation"], query: Query = ...
        ) -> list[fhir.OrganizationAffiliation]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Parameters"], query: Query = ...
        ) -> list[fhir.Parameters]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["PasswordChangeRequest"], query: Query = ...
        ) -> list[fhir.PasswordChangeRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Patient"], query: Query = ...
        ) -> list[fhir.Patient]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["PaymentNotice"], query: Query = ...
        ) -> list[fhir.PaymentNotice]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["PaymentReconciliation"], query: Query = ...
        ) -> list[fhir.PaymentReconciliation]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Person"], query: Query = ...
        ) -> list[fhir.Person]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["PlanDefinition"], query: Query = ...
        ) -> list[fhir.PlanDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Practitioner"], query: Query = ...
        ) -> list[fhir.Practitioner]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["PractitionerRole"], query: Query = ...
        ) -> list[fhir.PractitionerRole]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Procedure"], query: Query = ...
        ) -> list[fhir.Procedure]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Project"], query: Query = ...
        ) -> list[fhir.Project]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ProjectMembership"], query: Query = ...
        ) -> list[fhir.ProjectMembership]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Provenance"], query: Query = ...
        ) -> list[fhir.Provenance]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Questionnaire"], query: Query = ...
        ) -> list[fhir.Questionnaire]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["QuestionnaireResponse"], query: Query = ...
        ) -> list[fhir.QuestionnaireResponse]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["RelatedPerson"], query: Query = ...
        ) -> list[fhir.RelatedPerson]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["RequestGroup"], query: Query = ...
        ) -> list[fhir.RequestGroup]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ResearchDefinition"], query: Query = ...
        ) -> list[fhir.ResearchDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ResearchElementDefinition"], query: Query = ...
        ) -> list[fhir.ResearchElementDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ResearchStudy"], query: Query = ...
        ) -> list[fhir.ResearchStudy]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ResearchSubject"], query: Query = ...
        ) -> list[fhir.ResearchSubject]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["RiskAssessment"], query: Query = ...
        ) -> list[fhir.RiskAssessment]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["RiskEvidenceSynthesis"], query: Query = ...
        ) -> list[fhir.RiskEvidenceSynthesis]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Schedule"], query: Query = ...
        ) -> list[fhir.Schedule]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SearchParameter"], query: Query = ...
        ) -> list[fhir.SearchParameter]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ServiceRequest"], query: Query = ...
        ) -> list[fhir.ServiceRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Slot"], query: Query = ...
        ) -> list[fhir.Slot]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SmartAppLaunch"], query: Query = ...
        ) -> list[fhir.SmartAppLaunch]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Specimen"], query: Query = ...
        ) -> list[fhir.Specimen]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SpecimenDefinition"], query: Query = ...
        ) -> list[fhir.SpecimenDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["StructureDefinition"], query: Query = ...
        ) -> list[fhir.StructureDefinition]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["StructureMap"], query: Query = ...
        ) -> list[fhir.StructureMap]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Subscription"], query: Query = ...
        ) -> list[fhir.Subscription]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubscriptionStatus"], query: Query = ...
        ) -> list[fhir.SubscriptionStatus]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Substance"], query: Query = ...
        ) -> list[fhir.Substance]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubstanceNucleicAcid"], query: Query = ...
        ) -> list[fhir.SubstanceNucleicAcid]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubstancePolymer"], query: Query = ...
        ) -> list[fhir.SubstancePolymer]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubstanceProtein"], query: Query = ...
        ) -> list[fhir.SubstanceProtein]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubstanceReferenceInformation"], query: Query = ...
        ) -> list[fhir.SubstanceReferenceInformation]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubstanceSourceMaterial"], query: Query = ...
        ) -> list[fhir.SubstanceSourceMaterial]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SubstanceSpecification"], query: Query = ...
        ) -> list[fhir.SubstanceSpecification]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SupplyDelivery"], query: Query = ...
        ) -> list[fhir.SupplyDelivery]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["SupplyRequest"], query: Query = ...
        ) -> list[fhir.SupplyRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["Task"], query: Query = ...
        ) -> list[fhir.Task]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["TerminologyCapabilities"], query: Query = ...
        ) -> list[fhir.TerminologyCapabilities]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["TestReport"], query: Query = ...
        ) -> list[fhir.TestReport]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["TestScript"], query: Query = ...
        ) -> list[fhir.TestScript]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["User"], query: Query = ...
        ) -> list[fhir.User]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["UserConfiguration"], query: Query = ...
        ) -> list[fhir.UserConfiguration]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["UserSecurityRequest"], query: Query = ...
        ) -> list[fhir.UserSecurityRequest]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["ValueSet"], query: Query = ...
        ) -> list[fhir.ValueSet]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["VerificationResult"], query: Query = ...
        ) -> list[fhir.VerificationResult]: ...
        @overload
        async def search_resources(
            self, resource_type: Literal["VisionPrescription"], query: Query = ...
        ) -> list[fhir.VisionPrescription]: ...
        @overload
        async def search_resources(
            self, resource_type: fhir.ResourceType, query: Query = ...
        ) -> Sequence[Mapping[str, Any]]: ...
    # END generated overloads of search_resources

    async def search_resources(self, resource_type: str, query: Query = None) -> Any:
        """The resources of the first page of matches."""
        return await self._run(self._search(resource_type, query, bundle_resources))

    # BEGIN generated overloads of search_resource_pages (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def search_resource_pages(
            self, resource_type: Literal["AccessPolicy"], query: Query = ...
        ) -> AsyncIterator[list[fhir.AccessPolicy]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Account"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Account]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ActivityDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ActivityDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AdverseEvent"], query: Query = ...
        ) -> AsyncIterator[list[fhir.AdverseEvent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Agent"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Agent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AllergyIntolerance"], query: Query = ...
        ) -> AsyncIterator[list[fhir.AllergyIntolerance]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Appointment"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Appointment]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AppointmentResponse"], query: Query = ...
        ) -> AsyncIterator[list[fhir.AppointmentResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AsyncJob"], query: Query = ...
        ) -> AsyncIterator[list[fhir.AsyncJob]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AuditEvent"], query: Query = ...
        ) -> AsyncIterator[list[fhir.AuditEvent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Basic"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Basic]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Binary"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Binary]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["BiologicallyDerivedProduct"], query: Query = ...
        ) -> AsyncIterator[list[fhir.BiologicallyDerivedProduct]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["BodyStructure"], query: Query = ...
        ) -> AsyncIterator[list[fhir.BodyStructure]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Bot"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Bot]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["BulkDataExport"], query: Query = ...
        ) -> AsyncIterator[list[fhir.BulkDataExport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Bundle"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Bundle]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CapabilityStatement"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CapabilityStatement]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CarePlan"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CarePlan]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CareTeam"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CareTeam]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CatalogEntry"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CatalogEntry]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ChargeItem"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ChargeItem]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ChargeItemDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ChargeItemDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Claim"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Claim]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ClaimResponse"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ClaimResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ClientApplication"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ClientApplication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ClinicalImpression"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ClinicalImpression]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CodeSystem"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CodeSystem]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Communication"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Communication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CommunicationRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CommunicationRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CompartmentDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CompartmentDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Composition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Composition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ConceptMap"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ConceptMap]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Condition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Condition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Consent"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Consent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Contract"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Contract]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Coverage"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Coverage]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CoverageEligibilityRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CoverageEligibilityRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CoverageEligibilityResponse"], query: Query = ...
        ) -> AsyncIterator[list[fhir.CoverageEligibilityResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DetectedIssue"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DetectedIssue]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Device"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Device]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DeviceDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceMetric"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DeviceMetric]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DeviceRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceUseStatement"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DeviceUseStatement]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DiagnosticReport"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DiagnosticReport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DocumentManifest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DocumentManifest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DocumentReference"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DocumentReference]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DomainConfiguration"], query: Query = ...
        ) -> AsyncIterator[list[fhir.DomainConfiguration]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EffectEvidenceSynthesis"], query: Query = ...
        ) -> AsyncIterator[list[fhir.EffectEvidenceSynthesis]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Encounter"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Encounter]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Endpoint"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Endpoint]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EnrollmentRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.EnrollmentRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EnrollmentResponse"], query: Query = ...
        ) -> AsyncIterator[list[fhir.EnrollmentResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EpisodeOfCare"], query: Query = ...
        ) -> AsyncIterator[list[fhir.EpisodeOfCare]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EventDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.EventDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Evidence"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Evidence]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EvidenceVariable"], query: Query = ...
        ) -> AsyncIterator[list[fhir.EvidenceVariable]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ExampleScenario"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ExampleScenario]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ExplanationOfBenefit"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ExplanationOfBenefit]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["FamilyMemberHistory"], query: Query = ...
        ) -> AsyncIterator[list[fhir.FamilyMemberHistory]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Flag"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Flag]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Goal"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Goal]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["GraphDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.GraphDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Group"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Group]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["GuidanceResponse"], query: Query = ...
        ) -> AsyncIterator[list[fhir.GuidanceResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["HealthcareService"], query: Query = ...
        ) -> AsyncIterator[list[fhir.HealthcareService]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImagingStudy"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ImagingStudy]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Immunization"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Immunization]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImmunizationEvaluation"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ImmunizationEvaluation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImmunizationRecommendation"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ImmunizationRecommendation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImplementationGuide"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ImplementationGuide]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["InsurancePlan"], query: Query = ...
        ) -> AsyncIterator[list[fhir.InsurancePlan]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Invoice"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Invoice]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["JsonWebKey"], query: Query = ...
        ) -> AsyncIterator[list[fhir.JsonWebKey]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Library"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Library]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Linkage"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Linkage]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["List"], query: Query = ...
        ) -> AsyncIterator[list[fhir.List]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Location"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Location]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Login"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Login]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Measure"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Measure]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MeasureReport"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MeasureReport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Media"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Media]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Medication"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Medication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationAdministration"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicationAdministration]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationDispense"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicationDispense]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationKnowledge"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicationKnowledge]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicationRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationStatement"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicationStatement]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProduct"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProduct]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductAuthorization"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductAuthorization]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductContraindication"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductContraindication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductIndication"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductIndication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductIngredient"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductIngredient]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductInteraction"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductInteraction]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductManufactured"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductManufactured]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductPackaged"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductPackaged]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductPharmaceutical]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MedicinalProductUndesirableEffect]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MessageDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MessageDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MessageHeader"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MessageHeader]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MolecularSequence"], query: Query = ...
        ) -> AsyncIterator[list[fhir.MolecularSequence]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["NamingSystem"], query: Query = ...
        ) -> AsyncIterator[list[fhir.NamingSystem]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["NutritionOrder"], query: Query = ...
        ) -> AsyncIterator[list[fhir.NutritionOrder]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Observation"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Observation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ObservationDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ObservationDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["OperationDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.OperationDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["OperationOutcome"], query: Query = ...
        ) -> AsyncIterator[list[fhir.OperationOutcome]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Organization"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Organization]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["OrganizationAffiliation"], query: Query = ...
        ) -> AsyncIterator[list[fhir.OrganizationAffiliation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Parameters"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Parameters]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PasswordChangeRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.PasswordChangeRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Patient"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Patient]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PaymentNotice"], query: Query = ...
        ) -> AsyncIterator[list[fhir.PaymentNotice]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PaymentReconciliation"], query: Query = ...
        ) -> AsyncIterator[list[fhir.PaymentReconciliation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Person"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Person]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PlanDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.PlanDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Practitioner"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Practitioner]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PractitionerRole"], query: Query = ...
        ) -> AsyncIterator[list[fhir.PractitionerRole]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Procedure"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Procedure]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Project"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Project]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ProjectMembership"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ProjectMembership]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Provenance"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Provenance]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Questionnaire"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Questionnaire]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["QuestionnaireResponse"], query: Query = ...
        ) -> AsyncIterator[list[fhir.QuestionnaireResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RelatedPerson"], query: Query = ...
        ) -> AsyncIterator[list[fhir.RelatedPerson]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RequestGroup"], query: Query = ...
        ) -> AsyncIterator[list[fhir.RequestGroup]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ResearchDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchElementDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ResearchElementDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchStudy"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ResearchStudy]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchSubject"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ResearchSubject]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RiskAssessment"], query: Query = ...
        ) -> AsyncIterator[list[fhir.RiskAssessment]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RiskEvidenceSynthesis"], query: Query = ...
        ) -> AsyncIterator[list[fhir.RiskEvidenceSynthesis]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Schedule"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Schedule]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SearchParameter"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SearchParameter]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ServiceRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ServiceRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Slot"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Slot]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SmartAppLaunch"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SmartAppLaunch]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Specimen"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Specimen]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SpecimenDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SpecimenDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["StructureDefinition"], query: Query = ...
        ) -> AsyncIterator[list[fhir.StructureDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["StructureMap"], query: Query = ...
        ) -> AsyncIterator[list[fhir.StructureMap]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Subscription"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Subscription]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubscriptionStatus"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubscriptionStatus]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Substance"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Substance]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceNucleicAcid"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubstanceNucleicAcid]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstancePolymer"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubstancePolymer]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceProtein"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubstanceProtein]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceReferenceInformation"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubstanceReferenceInformation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceSourceMaterial"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubstanceSourceMaterial]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceSpecification"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SubstanceSpecification]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SupplyDelivery"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SupplyDelivery]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SupplyRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.SupplyRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Task"], query: Query = ...
        ) -> AsyncIterator[list[fhir.Task]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["TerminologyCapabilities"], query: Query = ...
        ) -> AsyncIterator[list[fhir.TerminologyCapabilities]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["TestReport"], query: Query = ...
        ) -> AsyncIterator[list[fhir.TestReport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["TestScript"], query: Query = ...
        ) -> AsyncIterator[list[fhir.TestScript]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["User"], query: Query = ...
        ) -> AsyncIterator[list[fhir.User]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["UserConfiguration"], query: Query = ...
        ) -> AsyncIterator[list[fhir.UserConfiguration]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["UserSecurityRequest"], query: Query = ...
        ) -> AsyncIterator[list[fhir.UserSecurityRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ValueSet"], query: Query = ...
        ) -> AsyncIterator[list[fhir.ValueSet]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["VerificationResult"], query: Query = ...
        ) -> AsyncIterator[list[fhir.VerificationResult]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["VisionPrescription"], query: Query = ...
        ) -> AsyncIterator[list[fhir.VisionPrescription]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: fhir.ResourceType, query: Query = ...
        ) -> AsyncIterator[Sequence[Mapping[str, Any]]]: ...
    # END generated overloads of search_resource_pages

    async def search_resource_pages(
        self, resource_type: str, query: Query = None
    ) -> AsyncIterator[list[Any]]:
        """Every page of matches, following the Bundle's `next` links (`async for`)."""
        call: Call[Bundle] | None = self._search(resource_type, query, _identity)
        while call is not None:
            bundle = await self._run(call)
            yield bundle_resources(bundle)
            call = self._next_page(bundle)

    async def execute_bot(
        self, bot: str | Mapping[str, Any], data: Any, content_type: str = "application/json"
    ) -> Any:
        """Run a Bot by id or Identifier (`{"system": ..., "value": ...}`); its answer."""
        return await self._run(self._execute_bot(bot, data, content_type))

    async def create_binary(
        self, data: bytes | str, content_type: str, filename: str | None = None
    ) -> Resource:
        """Upload raw content as a Binary; the Binary resource (without its data)."""
        return await self._run(self._create_binary(data, content_type, filename))

    async def create_attachment(
        self, data: bytes | str, content_type: str, filename: str | None = None
    ) -> dict[str, Any]:
        """Upload content and return an Attachment `{contentType, url: "Binary/<id>", title}`."""
        return await self._run(self._create_attachment(data, content_type, filename))

    async def get(self, path: str, params: Query = None) -> Any:
        """GET a path relative to the base URL (or an absolute URL); JSON or text."""
        return await self._run(self._raw("GET", path, params=params))

    async def post(
        self, path: str, body: Any, content_type: str | None = None, *, idempotent: bool = False
    ) -> Any:
        """POST `body` (JSON unless bytes/str); `idempotent=True` allows retries after 5xx."""
        return await self._run(
            self._raw("POST", path, body=body, content_type=content_type, idempotent=idempotent)
        )

    async def put(self, path: str, body: Any, content_type: str | None = None) -> Any:
        """PUT `body` (JSON unless bytes/str)."""
        return await self._run(self._raw("PUT", path, body=body, content_type=content_type))

    async def delete(self, path: str) -> Any:
        """DELETE a path."""
        return await self._run(self._raw("DELETE", path))
