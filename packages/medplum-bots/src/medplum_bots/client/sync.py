"""`MedplumClient`: the synchronous client a `def handler(medplum, event)` receives."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
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


class MedplumClient(_ClientCore):
    """Synchronous Medplum client (the one a `def handler(medplum, event)` receives).

    Give `access_token` to use a token you have, or `client_id` + `client_secret` to log in
    on first use (and again when the token expires or the server answers 401).
    """

    _http: httpx.Client

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        trace_id: str | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        budget: float | None = None,
    ) -> None:
        super().__init__(
            base_url,
            access_token=access_token,
            client_id=client_id,
            client_secret=client_secret,
            trace_id=trace_id,
            retry=retry,
            budget=budget,
        )
        self._http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)
        self._login_lock = threading.Lock()

    # -- plumbing ----------------------------------------------------------------------------

    def _run(self, call: Call[T]) -> T:
        attempt, relogged = 0, False
        started = time.monotonic()
        while True:
            attempt += 1
            token = self._fresh_token() if call.authenticated else None
            try:
                response = self._http.send(self._build(call, token, started))
            except httpx.TransportError as error:
                self._retry.sleep(self._wait_after_error(call, attempt, error, started))
                continue
            step = self._judge(call, response, attempt, relogged, started)
            if step.relogin:
                attempt, relogged = attempt - 1, True
                self._relogin(token)
            elif step.wait is not None:
                self._retry.sleep(step.wait)
            else:
                return call.finish(step.value)

    def _fresh_token(self) -> str | None:
        if self._needs_login():
            with self._login_lock:
                if self._needs_login():  # another thread may have logged in meanwhile
                    self._run(self._login_call(None, None))
        return self._access_token

    def _relogin(self, rejected: str | None) -> None:
        with self._login_lock:
            if self._access_token == rejected:
                self._run(self._login_call(None, None))

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> MedplumClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the bot-facing calls ----------------------------------------------------------------

    def login_client_credentials(
        self, client_id: str | None = None, client_secret: str | None = None
    ) -> dict[str, Any]:
        """Log in with client credentials (given here or to the constructor); the token answer."""
        return self._run(self._login_call(client_id, client_secret))

    # BEGIN generated overloads of read_resource (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def read_resource(
            self, resource_type: Literal["AccessPolicy"], resource_id: str
        ) -> fhir.AccessPolicy: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Account"], resource_id: str
        ) -> fhir.Account: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ActivityDefinition"], resource_id: str
        ) -> fhir.ActivityDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["AdverseEvent"], resource_id: str
        ) -> fhir.AdverseEvent: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Agent"], resource_id: str
        ) -> fhir.Agent: ...
        @overload
        def read_resource(
            self, resource_type: Literal["AllergyIntolerance"], resource_id: str
        ) -> fhir.AllergyIntolerance: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Appointment"], resource_id: str
        ) -> fhir.Appointment: ...
        @overload
        def read_resource(
            self, resource_type: Literal["AppointmentResponse"], resource_id: str
        ) -> fhir.AppointmentResponse: ...
        @overload
        def read_resource(
            self, resource_type: Literal["AsyncJob"], resource_id: str
        ) -> fhir.AsyncJob: ...
        @overload
        def read_resource(
            self, resource_type: Literal["AuditEvent"], resource_id: str
        ) -> fhir.AuditEvent: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Basic"], resource_id: str
        ) -> fhir.Basic: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Binary"], resource_id: str
        ) -> fhir.Binary: ...
        @overload
        def read_resource(
            self, resource_type: Literal["BiologicallyDerivedProduct"], resource_id: str
        ) -> fhir.BiologicallyDerivedProduct: ...
        @overload
        def read_resource(
            self, resource_type: Literal["BodyStructure"], resource_id: str
        ) -> fhir.BodyStructure: ...
        @overload
        def read_resource(self, resource_type: Literal["Bot"], resource_id: str) -> fhir.Bot: ...
        @overload
        def read_resource(
            self, resource_type: Literal["BulkDataExport"], resource_id: str
        ) -> fhir.BulkDataExport: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Bundle"], resource_id: str
        ) -> fhir.Bundle: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CapabilityStatement"], resource_id: str
        ) -> fhir.CapabilityStatement: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CarePlan"], resource_id: str
        ) -> fhir.CarePlan: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CareTeam"], resource_id: str
        ) -> fhir.CareTeam: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CatalogEntry"], resource_id: str
        ) -> fhir.CatalogEntry: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ChargeItem"], resource_id: str
        ) -> fhir.ChargeItem: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ChargeItemDefinition"], resource_id: str
        ) -> fhir.ChargeItemDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Claim"], resource_id: str
        ) -> fhir.Claim: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ClaimResponse"], resource_id: str
        ) -> fhir.ClaimResponse: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ClientApplication"], resource_id: str
        ) -> fhir.ClientApplication: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ClinicalImpression"], resource_id: str
        ) -> fhir.ClinicalImpression: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CodeSystem"], resource_id: str
        ) -> fhir.CodeSystem: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Communication"], resource_id: str
        ) -> fhir.Communication: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CommunicationRequest"], resource_id: str
        ) -> fhir.CommunicationRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CompartmentDefinition"], resource_id: str
        ) -> fhir.CompartmentDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Composition"], resource_id: str
        ) -> fhir.Composition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ConceptMap"], resource_id: str
        ) -> fhir.ConceptMap: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Condition"], resource_id: str
        ) -> fhir.Condition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Consent"], resource_id: str
        ) -> fhir.Consent: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Contract"], resource_id: str
        ) -> fhir.Contract: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Coverage"], resource_id: str
        ) -> fhir.Coverage: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CoverageEligibilityRequest"], resource_id: str
        ) -> fhir.CoverageEligibilityRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["CoverageEligibilityResponse"], resource_id: str
        ) -> fhir.CoverageEligibilityResponse: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DetectedIssue"], resource_id: str
        ) -> fhir.DetectedIssue: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Device"], resource_id: str
        ) -> fhir.Device: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DeviceDefinition"], resource_id: str
        ) -> fhir.DeviceDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DeviceMetric"], resource_id: str
        ) -> fhir.DeviceMetric: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DeviceRequest"], resource_id: str
        ) -> fhir.DeviceRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DeviceUseStatement"], resource_id: str
        ) -> fhir.DeviceUseStatement: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DiagnosticReport"], resource_id: str
        ) -> fhir.DiagnosticReport: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DocumentManifest"], resource_id: str
        ) -> fhir.DocumentManifest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DocumentReference"], resource_id: str
        ) -> fhir.DocumentReference: ...
        @overload
        def read_resource(
            self, resource_type: Literal["DomainConfiguration"], resource_id: str
        ) -> fhir.DomainConfiguration: ...
        @overload
        def read_resource(
            self, resource_type: Literal["EffectEvidenceSynthesis"], resource_id: str
        ) -> fhir.EffectEvidenceSynthesis: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Encounter"], resource_id: str
        ) -> fhir.Encounter: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Endpoint"], resource_id: str
        ) -> fhir.Endpoint: ...
        @overload
        def read_resource(
            self, resource_type: Literal["EnrollmentRequest"], resource_id: str
        ) -> fhir.EnrollmentRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["EnrollmentResponse"], resource_id: str
        ) -> fhir.EnrollmentResponse: ...
        @overload
        def read_resource(
            self, resource_type: Literal["EpisodeOfCare"], resource_id: str
        ) -> fhir.EpisodeOfCare: ...
        @overload
        def read_resource(
            self, resource_type: Literal["EventDefinition"], resource_id: str
        ) -> fhir.EventDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Evidence"], resource_id: str
        ) -> fhir.Evidence: ...
        @overload
        def read_resource(
            self, resource_type: Literal["EvidenceVariable"], resource_id: str
        ) -> fhir.EvidenceVariable: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ExampleScenario"], resource_id: str
        ) -> fhir.ExampleScenario: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ExplanationOfBenefit"], resource_id: str
        ) -> fhir.ExplanationOfBenefit: ...
        @overload
        def read_resource(
            self, resource_type: Literal["FamilyMemberHistory"], resource_id: str
        ) -> fhir.FamilyMemberHistory: ...
        @overload
        def read_resource(self, resource_type: Literal["Flag"], resource_id: str) -> fhir.Flag: ...
        @overload
        def read_resource(self, resource_type: Literal["Goal"], resource_id: str) -> fhir.Goal: ...
        @overload
        def read_resource(
            self, resource_type: Literal["GraphDefinition"], resource_id: str
        ) -> fhir.GraphDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Group"], resource_id: str
        ) -> fhir.Group: ...
        @overload
        def read_resource(
            self, resource_type: Literal["GuidanceResponse"], resource_id: str
        ) -> fhir.GuidanceResponse: ...
        @overload
        def read_resource(
            self, resource_type: Literal["HealthcareService"], resource_id: str
        ) -> fhir.HealthcareService: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ImagingStudy"], resource_id: str
        ) -> fhir.ImagingStudy: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Immunization"], resource_id: str
        ) -> fhir.Immunization: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ImmunizationEvaluation"], resource_id: str
        ) -> fhir.ImmunizationEvaluation: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ImmunizationRecommendation"], resource_id: str
        ) -> fhir.ImmunizationRecommendation: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ImplementationGuide"], resource_id: str
        ) -> fhir.ImplementationGuide: ...
        @overload
        def read_resource(
            self, resource_type: Literal["InsurancePlan"], resource_id: str
        ) -> fhir.InsurancePlan: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Invoice"], resource_id: str
        ) -> fhir.Invoice: ...
        @overload
        def read_resource(
            self, resource_type: Literal["JsonWebKey"], resource_id: str
        ) -> fhir.JsonWebKey: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Library"], resource_id: str
        ) -> fhir.Library: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Linkage"], resource_id: str
        ) -> fhir.Linkage: ...
        @overload
        def read_resource(self, resource_type: Literal["List"], resource_id: str) -> fhir.List: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Location"], resource_id: str
        ) -> fhir.Location: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Login"], resource_id: str
        ) -> fhir.Login: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Measure"], resource_id: str
        ) -> fhir.Measure: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MeasureReport"], resource_id: str
        ) -> fhir.MeasureReport: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Media"], resource_id: str
        ) -> fhir.Media: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Medication"], resource_id: str
        ) -> fhir.Medication: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicationAdministration"], resource_id: str
        ) -> fhir.MedicationAdministration: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicationDispense"], resource_id: str
        ) -> fhir.MedicationDispense: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicationKnowledge"], resource_id: str
        ) -> fhir.MedicationKnowledge: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicationRequest"], resource_id: str
        ) -> fhir.MedicationRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicationStatement"], resource_id: str
        ) -> fhir.MedicationStatement: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProduct"], resource_id: str
        ) -> fhir.MedicinalProduct: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductAuthorization"], resource_id: str
        ) -> fhir.MedicinalProductAuthorization: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductContraindication"], resource_id: str
        ) -> fhir.MedicinalProductContraindication: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductIndication"], resource_id: str
        ) -> fhir.MedicinalProductIndication: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductIngredient"], resource_id: str
        ) -> fhir.MedicinalProductIngredient: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductInteraction"], resource_id: str
        ) -> fhir.MedicinalProductInteraction: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductManufactured"], resource_id: str
        ) -> fhir.MedicinalProductManufactured: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductPackaged"], resource_id: str
        ) -> fhir.MedicinalProductPackaged: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], resource_id: str
        ) -> fhir.MedicinalProductPharmaceutical: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], resource_id: str
        ) -> fhir.MedicinalProductUndesirableEffect: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MessageDefinition"], resource_id: str
        ) -> fhir.MessageDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MessageHeader"], resource_id: str
        ) -> fhir.MessageHeader: ...
        @overload
        def read_resource(
            self, resource_type: Literal["MolecularSequence"], resource_id: str
        ) -> fhir.MolecularSequence: ...
        @overload
        def read_resource(
            self, resource_type: Literal["NamingSystem"], resource_id: str
        ) -> fhir.NamingSystem: ...
        @overload
        def read_resource(
            self, resource_type: Literal["NutritionOrder"], resource_id: str
        ) -> fhir.NutritionOrder: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Observation"], resource_id: str
        ) -> fhir.Observation: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ObservationDefinition"], resource_id: str
        ) -> fhir.ObservationDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["OperationDefinition"], resource_id: str
        ) -> fhir.OperationDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["OperationOutcome"], resource_id: str
        ) -> fhir.OperationOutcome: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Organization"], resource_id: str
        ) -> fhir.Organization: ...
        @overload
        def read_resource(
            self, resource_type: Literal["OrganizationAffiliation"], resource_id: str
        ) -> fhir.OrganizationAffiliation: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Parameters"], resource_id: str
        ) -> fhir.Parameters: ...
        @overload
        def read_resource(
            self, resource_type: Literal["PasswordChangeRequest"], resource_id: str
        ) -> fhir.PasswordChangeRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Patient"], resource_id: str
        ) -> fhir.Patient: ...
        @overload
        def read_resource(
            self, resource_type: Literal["PaymentNotice"], resource_id: str
        ) -> fhir.PaymentNotice: ...
        @overload
        def read_resource(
            self, resource_type: Literal["PaymentReconciliation"], resource_id: str
        ) -> fhir.PaymentReconciliation: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Person"], resource_id: str
        ) -> fhir.Person: ...
        @overload
        def read_resource(
            self, resource_type: Literal["PlanDefinition"], resource_id: str
        ) -> fhir.PlanDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Practitioner"], resource_id: str
        ) -> fhir.Practitioner: ...
        @overload
        def read_resource(
            self, resource_type: Literal["PractitionerRole"], resource_id: str
        ) -> fhir.PractitionerRole: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Procedure"], resource_id: str
        ) -> fhir.Procedure: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Project"], resource_id: str
        ) -> fhir.Project: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ProjectMembership"], resource_id: str
        ) -> fhir.ProjectMembership: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Provenance"], resource_id: str
        ) -> fhir.Provenance: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Questionnaire"], resource_id: str
        ) -> fhir.Questionnaire: ...
        @overload
        def read_resource(
            self, resource_type: Literal["QuestionnaireResponse"], resource_id: str
        ) -> fhir.QuestionnaireResponse: ...
        @overload
        def read_resource(
            self, resource_type: Literal["RelatedPerson"], resource_id: str
        ) -> fhir.RelatedPerson: ...
        @overload
        def read_resource(
            self, resource_type: Literal["RequestGroup"], resource_id: str
        ) -> fhir.RequestGroup: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ResearchDefinition"], resource_id: str
        ) -> fhir.ResearchDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ResearchElementDefinition"], resource_id: str
        ) -> fhir.ResearchElementDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ResearchStudy"], resource_id: str
        ) -> fhir.ResearchStudy: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ResearchSubject"], resource_id: str
        ) -> fhir.ResearchSubject: ...
        @overload
        def read_resource(
            self, resource_type: Literal["RiskAssessment"], resource_id: str
        ) -> fhir.RiskAssessment: ...
        @overload
        def read_resource(
            self, resource_type: Literal["RiskEvidenceSynthesis"], resource_id: str
        ) -> fhir.RiskEvidenceSynthesis: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Schedule"], resource_id: str
        ) -> fhir.Schedule: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SearchParameter"], resource_id: str
        ) -> fhir.SearchParameter: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ServiceRequest"], resource_id: str
        ) -> fhir.ServiceRequest: ...
        @overload
        def read_resource(self, resource_type: Literal["Slot"], resource_id: str) -> fhir.Slot: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SmartAppLaunch"], resource_id: str
        ) -> fhir.SmartAppLaunch: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Specimen"], resource_id: str
        ) -> fhir.Specimen: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SpecimenDefinition"], resource_id: str
        ) -> fhir.SpecimenDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["StructureDefinition"], resource_id: str
        ) -> fhir.StructureDefinition: ...
        @overload
        def read_resource(
            self, resource_type: Literal["StructureMap"], resource_id: str
        ) -> fhir.StructureMap: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Subscription"], resource_id: str
        ) -> fhir.Subscription: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubscriptionStatus"], resource_id: str
        ) -> fhir.SubscriptionStatus: ...
        @overload
        def read_resource(
            self, resource_type: Literal["Substance"], resource_id: str
        ) -> fhir.Substance: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubstanceNucleicAcid"], resource_id: str
        ) -> fhir.SubstanceNucleicAcid: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubstancePolymer"], resource_id: str
        ) -> fhir.SubstancePolymer: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubstanceProtein"], resource_id: str
        ) -> fhir.SubstanceProtein: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubstanceReferenceInformation"], resource_id: str
        ) -> fhir.SubstanceReferenceInformation: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubstanceSourceMaterial"], resource_id: str
        ) -> fhir.SubstanceSourceMaterial: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SubstanceSpecification"], resource_id: str
        ) -> fhir.SubstanceSpecification: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SupplyDelivery"], resource_id: str
        ) -> fhir.SupplyDelivery: ...
        @overload
        def read_resource(
            self, resource_type: Literal["SupplyRequest"], resource_id: str
        ) -> fhir.SupplyRequest: ...
        @overload
        def read_resource(self, resource_type: Literal["Task"], resource_id: str) -> fhir.Task: ...
        @overload
        def read_resource(
            self, resource_type: Literal["TerminologyCapabilities"], resource_id: str
        ) -> fhir.TerminologyCapabilities: ...
        @overload
        def read_resource(
            self, resource_type: Literal["TestReport"], resource_id: str
        ) -> fhir.TestReport: ...
        @overload
        def read_resource(
            self, resource_type: Literal["TestScript"], resource_id: str
        ) -> fhir.TestScript: ...
        @overload
        def read_resource(self, resource_type: Literal["User"], resource_id: str) -> fhir.User: ...
        @overload
        def read_resource(
            self, resource_type: Literal["UserConfiguration"], resource_id: str
        ) -> fhir.UserConfiguration: ...
        @overload
        def read_resource(
            self, resource_type: Literal["UserSecurityRequest"], resource_id: str
        ) -> fhir.UserSecurityRequest: ...
        @overload
        def read_resource(
            self, resource_type: Literal["ValueSet"], resource_id: str
        ) -> fhir.ValueSet: ...
        @overload
        def read_resource(
            self, resource_type: Literal["VerificationResult"], resource_id: str
        ) -> fhir.VerificationResult: ...
        @overload
        def read_resource(
            self, resource_type: Literal["VisionPrescription"], resource_id: str
        ) -> fhir.VisionPrescription: ...
        @overload
        def read_resource(
            self, resource_type: fhir.ResourceType, resource_id: str
        ) -> Mapping[str, Any]: ...
    # END generated overloads of read_resource

    def read_resource(self, resource_type: str, resource_id: str) -> Any:
        """GET `{type}/{id}`."""
        return self._run(self._read(resource_type, resource_id))

    # BEGIN generated overloads of read_version (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def read_version(
            self, resource_type: Literal["AccessPolicy"], resource_id: str, version_id: str
        ) -> fhir.AccessPolicy: ...
        @overload
        def read_version(
            self, resource_type: Literal["Account"], resource_id: str, version_id: str
        ) -> fhir.Account: ...
        @overload
        def read_version(
            self, resource_type: Literal["ActivityDefinition"], resource_id: str, version_id: str
        ) -> fhir.ActivityDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["AdverseEvent"], resource_id: str, version_id: str
        ) -> fhir.AdverseEvent: ...
        @overload
        def read_version(
            self, resource_type: Literal["Agent"], resource_id: str, version_id: str
        ) -> fhir.Agent: ...
        @overload
        def read_version(
            self, resource_type: Literal["AllergyIntolerance"], resource_id: str, version_id: str
        ) -> fhir.AllergyIntolerance: ...
        @overload
        def read_version(
            self, resource_type: Literal["Appointment"], resource_id: str, version_id: str
        ) -> fhir.Appointment: ...
        @overload
        def read_version(
            self, resource_type: Literal["AppointmentResponse"], resource_id: str, version_id: str
        ) -> fhir.AppointmentResponse: ...
        @overload
        def read_version(
            self, resource_type: Literal["AsyncJob"], resource_id: str, version_id: str
        ) -> fhir.AsyncJob: ...
        @overload
        def read_version(
            self, resource_type: Literal["AuditEvent"], resource_id: str, version_id: str
        ) -> fhir.AuditEvent: ...
        @overload
        def read_version(
            self, resource_type: Literal["Basic"], resource_id: str, version_id: str
        ) -> fhir.Basic: ...
        @overload
        def read_version(
            self, resource_type: Literal["Binary"], resource_id: str, version_id: str
        ) -> fhir.Binary: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["BiologicallyDerivedProduct"],
            resource_id: str,
            version_id: str,
        ) -> fhir.BiologicallyDerivedProduct: ...
        @overload
        def read_version(
            self, resource_type: Literal["BodyStructure"], resource_id: str, version_id: str
        ) -> fhir.BodyStructure: ...
        @overload
        def read_version(
            self, resource_type: Literal["Bot"], resource_id: str, version_id: str
        ) -> fhir.Bot: ...
        @overload
        def read_version(
            self, resource_type: Literal["BulkDataExport"], resource_id: str, version_id: str
        ) -> fhir.BulkDataExport: ...
        @overload
        def read_version(
            self, resource_type: Literal["Bundle"], resource_id: str, version_id: str
        ) -> fhir.Bundle: ...
        @overload
        def read_version(
            self, resource_type: Literal["CapabilityStatement"], resource_id: str, version_id: str
        ) -> fhir.CapabilityStatement: ...
        @overload
        def read_version(
            self, resource_type: Literal["CarePlan"], resource_id: str, version_id: str
        ) -> fhir.CarePlan: ...
        @overload
        def read_version(
            self, resource_type: Literal["CareTeam"], resource_id: str, version_id: str
        ) -> fhir.CareTeam: ...
        @overload
        def read_version(
            self, resource_type: Literal["CatalogEntry"], resource_id: str, version_id: str
        ) -> fhir.CatalogEntry: ...
        @overload
        def read_version(
            self, resource_type: Literal["ChargeItem"], resource_id: str, version_id: str
        ) -> fhir.ChargeItem: ...
        @overload
        def read_version(
            self, resource_type: Literal["ChargeItemDefinition"], resource_id: str, version_id: str
        ) -> fhir.ChargeItemDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["Claim"], resource_id: str, version_id: str
        ) -> fhir.Claim: ...
        @overload
        def read_version(
            self, resource_type: Literal["ClaimResponse"], resource_id: str, version_id: str
        ) -> fhir.ClaimResponse: ...
        @overload
        def read_version(
            self, resource_type: Literal["ClientApplication"], resource_id: str, version_id: str
        ) -> fhir.ClientApplication: ...
        @overload
        def read_version(
            self, resource_type: Literal["ClinicalImpression"], resource_id: str, version_id: str
        ) -> fhir.ClinicalImpression: ...
        @overload
        def read_version(
            self, resource_type: Literal["CodeSystem"], resource_id: str, version_id: str
        ) -> fhir.CodeSystem: ...
        @overload
        def read_version(
            self, resource_type: Literal["Communication"], resource_id: str, version_id: str
        ) -> fhir.Communication: ...
        @overload
        def read_version(
            self, resource_type: Literal["CommunicationRequest"], resource_id: str, version_id: str
        ) -> fhir.CommunicationRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["CompartmentDefinition"], resource_id: str, version_id: str
        ) -> fhir.CompartmentDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["Composition"], resource_id: str, version_id: str
        ) -> fhir.Composition: ...
        @overload
        def read_version(
            self, resource_type: Literal["ConceptMap"], resource_id: str, version_id: str
        ) -> fhir.ConceptMap: ...
        @overload
        def read_version(
            self, resource_type: Literal["Condition"], resource_id: str, version_id: str
        ) -> fhir.Condition: ...
        @overload
        def read_version(
            self, resource_type: Literal["Consent"], resource_id: str, version_id: str
        ) -> fhir.Consent: ...
        @overload
        def read_version(
            self, resource_type: Literal["Contract"], resource_id: str, version_id: str
        ) -> fhir.Contract: ...
        @overload
        def read_version(
            self, resource_type: Literal["Coverage"], resource_id: str, version_id: str
        ) -> fhir.Coverage: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["CoverageEligibilityRequest"],
            resource_id: str,
            version_id: str,
        ) -> fhir.CoverageEligibilityRequest: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["CoverageEligibilityResponse"],
            resource_id: str,
            version_id: str,
        ) -> fhir.CoverageEligibilityResponse: ...
        @overload
        def read_version(
            self, resource_type: Literal["DetectedIssue"], resource_id: str, version_id: str
        ) -> fhir.DetectedIssue: ...
        @overload
        def read_version(
            self, resource_type: Literal["Device"], resource_id: str, version_id: str
        ) -> fhir.Device: ...
        @overload
        def read_version(
            self, resource_type: Literal["DeviceDefinition"], resource_id: str, version_id: str
        ) -> fhir.DeviceDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["DeviceMetric"], resource_id: str, version_id: str
        ) -> fhir.DeviceMetric: ...
        @overload
        def read_version(
            self, resource_type: Literal["DeviceRequest"], resource_id: str, version_id: str
        ) -> fhir.DeviceRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["DeviceUseStatement"], resource_id: str, version_id: str
        ) -> fhir.DeviceUseStatement: ...
        @overload
        def read_version(
            self, resource_type: Literal["DiagnosticReport"], resource_id: str, version_id: str
        ) -> fhir.DiagnosticReport: ...
        @overload
        def read_version(
            self, resource_type: Literal["DocumentManifest"], resource_id: str, version_id: str
        ) -> fhir.DocumentManifest: ...
        @overload
        def read_version(
            self, resource_type: Literal["DocumentReference"], resource_id: str, version_id: str
        ) -> fhir.DocumentReference: ...
        @overload
        def read_version(
            self, resource_type: Literal["DomainConfiguration"], resource_id: str, version_id: str
        ) -> fhir.DomainConfiguration: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["EffectEvidenceSynthesis"],
            resource_id: str,
            version_id: str,
        ) -> fhir.EffectEvidenceSynthesis: ...
        @overload
        def read_version(
            self, resource_type: Literal["Encounter"], resource_id: str, version_id: str
        ) -> fhir.Encounter: ...
        @overload
        def read_version(
            self, resource_type: Literal["Endpoint"], resource_id: str, version_id: str
        ) -> fhir.Endpoint: ...
        @overload
        def read_version(
            self, resource_type: Literal["EnrollmentRequest"], resource_id: str, version_id: str
        ) -> fhir.EnrollmentRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["EnrollmentResponse"], resource_id: str, version_id: str
        ) -> fhir.EnrollmentResponse: ...
        @overload
        def read_version(
            self, resource_type: Literal["EpisodeOfCare"], resource_id: str, version_id: str
        ) -> fhir.EpisodeOfCare: ...
        @overload
        def read_version(
            self, resource_type: Literal["EventDefinition"], resource_id: str, version_id: str
        ) -> fhir.EventDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["Evidence"], resource_id: str, version_id: str
        ) -> fhir.Evidence: ...
        @overload
        def read_version(
            self, resource_type: Literal["EvidenceVariable"], resource_id: str, version_id: str
        ) -> fhir.EvidenceVariable: ...
        @overload
        def read_version(
            self, resource_type: Literal["ExampleScenario"], resource_id: str, version_id: str
        ) -> fhir.ExampleScenario: ...
        @overload
        def read_version(
            self, resource_type: Literal["ExplanationOfBenefit"], resource_id: str, version_id: str
        ) -> fhir.ExplanationOfBenefit: ...
        @overload
        def read_version(
            self, resource_type: Literal["FamilyMemberHistory"], resource_id: str, version_id: str
        ) -> fhir.FamilyMemberHistory: ...
        @overload
        def read_version(
            self, resource_type: Literal["Flag"], resource_id: str, version_id: str
        ) -> fhir.Flag: ...
        @overload
        def read_version(
            self, resource_type: Literal["Goal"], resource_id: str, version_id: str
        ) -> fhir.Goal: ...
        @overload
        def read_version(
            self, resource_type: Literal["GraphDefinition"], resource_id: str, version_id: str
        ) -> fhir.GraphDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["Group"], resource_id: str, version_id: str
        ) -> fhir.Group: ...
        @overload
        def read_version(
            self, resource_type: Literal["GuidanceResponse"], resource_id: str, version_id: str
        ) -> fhir.GuidanceResponse: ...
        @overload
        def read_version(
            self, resource_type: Literal["HealthcareService"], resource_id: str, version_id: str
        ) -> fhir.HealthcareService: ...
        @overload
        def read_version(
            self, resource_type: Literal["ImagingStudy"], resource_id: str, version_id: str
        ) -> fhir.ImagingStudy: ...
        @overload
        def read_version(
            self, resource_type: Literal["Immunization"], resource_id: str, version_id: str
        ) -> fhir.Immunization: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["ImmunizationEvaluation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.ImmunizationEvaluation: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["ImmunizationRecommendation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.ImmunizationRecommendation: ...
        @overload
        def read_version(
            self, resource_type: Literal["ImplementationGuide"], resource_id: str, version_id: str
        ) -> fhir.ImplementationGuide: ...
        @overload
        def read_version(
            self, resource_type: Literal["InsurancePlan"], resource_id: str, version_id: str
        ) -> fhir.InsurancePlan: ...
        @overload
        def read_version(
            self, resource_type: Literal["Invoice"], resource_id: str, version_id: str
        ) -> fhir.Invoice: ...
        @overload
        def read_version(
            self, resource_type: Literal["JsonWebKey"], resource_id: str, version_id: str
        ) -> fhir.JsonWebKey: ...
        @overload
        def read_version(
            self, resource_type: Literal["Library"], resource_id: str, version_id: str
        ) -> fhir.Library: ...
        @overload
        def read_version(
            self, resource_type: Literal["Linkage"], resource_id: str, version_id: str
        ) -> fhir.Linkage: ...
        @overload
        def read_version(
            self, resource_type: Literal["List"], resource_id: str, version_id: str
        ) -> fhir.List: ...
        @overload
        def read_version(
            self, resource_type: Literal["Location"], resource_id: str, version_id: str
        ) -> fhir.Location: ...
        @overload
        def read_version(
            self, resource_type: Literal["Login"], resource_id: str, version_id: str
        ) -> fhir.Login: ...
        @overload
        def read_version(
            self, resource_type: Literal["Measure"], resource_id: str, version_id: str
        ) -> fhir.Measure: ...
        @overload
        def read_version(
            self, resource_type: Literal["MeasureReport"], resource_id: str, version_id: str
        ) -> fhir.MeasureReport: ...
        @overload
        def read_version(
            self, resource_type: Literal["Media"], resource_id: str, version_id: str
        ) -> fhir.Media: ...
        @overload
        def read_version(
            self, resource_type: Literal["Medication"], resource_id: str, version_id: str
        ) -> fhir.Medication: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicationAdministration"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicationAdministration: ...
        @overload
        def read_version(
            self, resource_type: Literal["MedicationDispense"], resource_id: str, version_id: str
        ) -> fhir.MedicationDispense: ...
        @overload
        def read_version(
            self, resource_type: Literal["MedicationKnowledge"], resource_id: str, version_id: str
        ) -> fhir.MedicationKnowledge: ...
        @overload
        def read_version(
            self, resource_type: Literal["MedicationRequest"], resource_id: str, version_id: str
        ) -> fhir.MedicationRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["MedicationStatement"], resource_id: str, version_id: str
        ) -> fhir.MedicationStatement: ...
        @overload
        def read_version(
            self, resource_type: Literal["MedicinalProduct"], resource_id: str, version_id: str
        ) -> fhir.MedicinalProduct: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductAuthorization"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductAuthorization: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductContraindication"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductContraindication: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductIndication"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductIndication: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductIngredient"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductIngredient: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductInteraction"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductInteraction: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductManufactured"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductManufactured: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductPackaged"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductPackaged: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductPharmaceutical"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductPharmaceutical: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["MedicinalProductUndesirableEffect"],
            resource_id: str,
            version_id: str,
        ) -> fhir.MedicinalProductUndesirableEffect: ...
        @overload
        def read_version(
            self, resource_type: Literal["MessageDefinition"], resource_id: str, version_id: str
        ) -> fhir.MessageDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["MessageHeader"], resource_id: str, version_id: str
        ) -> fhir.MessageHeader: ...
        @overload
        def read_version(
            self, resource_type: Literal["MolecularSequence"], resource_id: str, version_id: str
        ) -> fhir.MolecularSequence: ...
        @overload
        def read_version(
            self, resource_type: Literal["NamingSystem"], resource_id: str, version_id: str
        ) -> fhir.NamingSystem: ...
        @overload
        def read_version(
            self, resource_type: Literal["NutritionOrder"], resource_id: str, version_id: str
        ) -> fhir.NutritionOrder: ...
        @overload
        def read_version(
            self, resource_type: Literal["Observation"], resource_id: str, version_id: str
        ) -> fhir.Observation: ...
        @overload
        def read_version(
            self, resource_type: Literal["ObservationDefinition"], resource_id: str, version_id: str
        ) -> fhir.ObservationDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["OperationDefinition"], resource_id: str, version_id: str
        ) -> fhir.OperationDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["OperationOutcome"], resource_id: str, version_id: str
        ) -> fhir.OperationOutcome: ...
        @overload
        def read_version(
            self, resource_type: Literal["Organization"], resource_id: str, version_id: str
        ) -> fhir.Organization: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["OrganizationAffiliation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.OrganizationAffiliation: ...
        @overload
        def read_version(
            self, resource_type: Literal["Parameters"], resource_id: str, version_id: str
        ) -> fhir.Parameters: ...
        @overload
        def read_version(
            self, resource_type: Literal["PasswordChangeRequest"], resource_id: str, version_id: str
        ) -> fhir.PasswordChangeRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["Patient"], resource_id: str, version_id: str
        ) -> fhir.Patient: ...
        @overload
        def read_version(
            self, resource_type: Literal["PaymentNotice"], resource_id: str, version_id: str
        ) -> fhir.PaymentNotice: ...
        @overload
        def read_version(
            self, resource_type: Literal["PaymentReconciliation"], resource_id: str, version_id: str
        ) -> fhir.PaymentReconciliation: ...
        @overload
        def read_version(
            self, resource_type: Literal["Person"], resource_id: str, version_id: str
        ) -> fhir.Person: ...
        @overload
        def read_version(
            self, resource_type: Literal["PlanDefinition"], resource_id: str, version_id: str
        ) -> fhir.PlanDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["Practitioner"], resource_id: str, version_id: str
        ) -> fhir.Practitioner: ...
        @overload
        def read_version(
            self, resource_type: Literal["PractitionerRole"], resource_id: str, version_id: str
        ) -> fhir.PractitionerRole: ...
        @overload
        def read_version(
            self, resource_type: Literal["Procedure"], resource_id: str, version_id: str
        ) -> fhir.Procedure: ...
        @overload
        def read_version(
            self, resource_type: Literal["Project"], resource_id: str, version_id: str
        ) -> fhir.Project: ...
        @overload
        def read_version(
            self, resource_type: Literal["ProjectMembership"], resource_id: str, version_id: str
        ) -> fhir.ProjectMembership: ...
        @overload
        def read_version(
            self, resource_type: Literal["Provenance"], resource_id: str, version_id: str
        ) -> fhir.Provenance: ...
        @overload
        def read_version(
            self, resource_type: Literal["Questionnaire"], resource_id: str, version_id: str
        ) -> fhir.Questionnaire: ...
        @overload
        def read_version(
            self, resource_type: Literal["QuestionnaireResponse"], resource_id: str, version_id: str
        ) -> fhir.QuestionnaireResponse: ...
        @overload
        def read_version(
            self, resource_type: Literal["RelatedPerson"], resource_id: str, version_id: str
        ) -> fhir.RelatedPerson: ...
        @overload
        def read_version(
            self, resource_type: Literal["RequestGroup"], resource_id: str, version_id: str
        ) -> fhir.RequestGroup: ...
        @overload
        def read_version(
            self, resource_type: Literal["ResearchDefinition"], resource_id: str, version_id: str
        ) -> fhir.ResearchDefinition: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["ResearchElementDefinition"],
            resource_id: str,
            version_id: str,
        ) -> fhir.ResearchElementDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["ResearchStudy"], resource_id: str, version_id: str
        ) -> fhir.ResearchStudy: ...
        @overload
        def read_version(
            self, resource_type: Literal["ResearchSubject"], resource_id: str, version_id: str
        ) -> fhir.ResearchSubject: ...
        @overload
        def read_version(
            self, resource_type: Literal["RiskAssessment"], resource_id: str, version_id: str
        ) -> fhir.RiskAssessment: ...
        @overload
        def read_version(
            self, resource_type: Literal["RiskEvidenceSynthesis"], resource_id: str, version_id: str
        ) -> fhir.RiskEvidenceSynthesis: ...
        @overload
        def read_version(
            self, resource_type: Literal["Schedule"], resource_id: str, version_id: str
        ) -> fhir.Schedule: ...
        @overload
        def read_version(
            self, resource_type: Literal["SearchParameter"], resource_id: str, version_id: str
        ) -> fhir.SearchParameter: ...
        @overload
        def read_version(
            self, resource_type: Literal["ServiceRequest"], resource_id: str, version_id: str
        ) -> fhir.ServiceRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["Slot"], resource_id: str, version_id: str
        ) -> fhir.Slot: ...
        @overload
        def read_version(
            self, resource_type: Literal["SmartAppLaunch"], resource_id: str, version_id: str
        ) -> fhir.SmartAppLaunch: ...
        @overload
        def read_version(
            self, resource_type: Literal["Specimen"], resource_id: str, version_id: str
        ) -> fhir.Specimen: ...
        @overload
        def read_version(
            self, resource_type: Literal["SpecimenDefinition"], resource_id: str, version_id: str
        ) -> fhir.SpecimenDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["StructureDefinition"], resource_id: str, version_id: str
        ) -> fhir.StructureDefinition: ...
        @overload
        def read_version(
            self, resource_type: Literal["StructureMap"], resource_id: str, version_id: str
        ) -> fhir.StructureMap: ...
        @overload
        def read_version(
            self, resource_type: Literal["Subscription"], resource_id: str, version_id: str
        ) -> fhir.Subscription: ...
        @overload
        def read_version(
            self, resource_type: Literal["SubscriptionStatus"], resource_id: str, version_id: str
        ) -> fhir.SubscriptionStatus: ...
        @overload
        def read_version(
            self, resource_type: Literal["Substance"], resource_id: str, version_id: str
        ) -> fhir.Substance: ...
        @overload
        def read_version(
            self, resource_type: Literal["SubstanceNucleicAcid"], resource_id: str, version_id: str
        ) -> fhir.SubstanceNucleicAcid: ...
        @overload
        def read_version(
            self, resource_type: Literal["SubstancePolymer"], resource_id: str, version_id: str
        ) -> fhir.SubstancePolymer: ...
        @overload
        def read_version(
            self, resource_type: Literal["SubstanceProtein"], resource_id: str, version_id: str
        ) -> fhir.SubstanceProtein: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["SubstanceReferenceInformation"],
            resource_id: str,
            version_id: str,
        ) -> fhir.SubstanceReferenceInformation: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["SubstanceSourceMaterial"],
            resource_id: str,
            version_id: str,
        ) -> fhir.SubstanceSourceMaterial: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["SubstanceSpecification"],
            resource_id: str,
            version_id: str,
        ) -> fhir.SubstanceSpecification: ...
        @overload
        def read_version(
            self, resource_type: Literal["SupplyDelivery"], resource_id: str, version_id: str
        ) -> fhir.SupplyDelivery: ...
        @overload
        def read_version(
            self, resource_type: Literal["SupplyRequest"], resource_id: str, version_id: str
        ) -> fhir.SupplyRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["Task"], resource_id: str, version_id: str
        ) -> fhir.Task: ...
        @overload
        def read_version(
            self,
            resource_type: Literal["TerminologyCapabilities"],
            resource_id: str,
            version_id: str,
        ) -> fhir.TerminologyCapabilities: ...
        @overload
        def read_version(
            self, resource_type: Literal["TestReport"], resource_id: str, version_id: str
        ) -> fhir.TestReport: ...
        @overload
        def read_version(
            self, resource_type: Literal["TestScript"], resource_id: str, version_id: str
        ) -> fhir.TestScript: ...
        @overload
        def read_version(
            self, resource_type: Literal["User"], resource_id: str, version_id: str
        ) -> fhir.User: ...
        @overload
        def read_version(
            self, resource_type: Literal["UserConfiguration"], resource_id: str, version_id: str
        ) -> fhir.UserConfiguration: ...
        @overload
        def read_version(
            self, resource_type: Literal["UserSecurityRequest"], resource_id: str, version_id: str
        ) -> fhir.UserSecurityRequest: ...
        @overload
        def read_version(
            self, resource_type: Literal["ValueSet"], resource_id: str, version_id: str
        ) -> fhir.ValueSet: ...
        @overload
        def read_version(
            self, resource_type: Literal["VerificationResult"], resource_id: str, version_id: str
        ) -> fhir.VerificationResult: ...
        @overload
        def read_version(
            self, resource_type: Literal["VisionPrescription"], resource_id: str, version_id: str
        ) -> fhir.VisionPrescription: ...
        @overload
        def read_version(
            self, resource_type: fhir.ResourceType, resource_id: str, version_id: str
        ) -> Mapping[str, Any]: ...
    # END generated overloads of read_version

    def read_version(self, resource_type: str, resource_id: str, version_id: str) -> Any:
        """GET `{type}/{id}/_history/{vid}`."""
        return self._run(self._read_version(resource_type, resource_id, version_id))

    def read_history(self, resource_type: fhir.ResourceType, resource_id: str) -> Bundle:
        """GET `{type}/{id}/_history`: a history Bundle, newest version first."""
        return self._run(self._read_history(resource_type, resource_id))

    def read_reference(self, reference: Mapping[str, Any] | str) -> Resource:
        """Read the resource a Reference (`{"reference": "Patient/1"}`) points at."""
        return self._run(self._read_reference(reference))

    # A dict (literal) stays a dict[str, Any]; a TypedDict (`Patient`) comes back as itself.
    @overload
    def create_resource(self, resource: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    def create_resource(self, resource: R) -> R: ...
    def create_resource(self, resource: Mapping[str, Any]) -> Any:
        """POST a new resource; the server assigns its id. The answer has the input's type."""
        return self._run(self._create(resource))

    @overload
    def create_resource_if_none_exist(
        self, resource: dict[str, Any], query: Query
    ) -> dict[str, Any]: ...
    @overload
    def create_resource_if_none_exist(self, resource: R, query: Query) -> R: ...
    def create_resource_if_none_exist(self, resource: Mapping[str, Any], query: Query) -> Any:
        """Create `resource` unless `query` already matches one (`If-None-Exist`)."""
        return self._run(self._create_if_none_exist(resource, query))

    @overload
    def update_resource(self, resource: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    def update_resource(self, resource: R) -> R: ...
    def update_resource(self, resource: Mapping[str, Any]) -> Any:
        """PUT `resource` (it must have an id)."""
        return self._run(self._update(resource))

    # BEGIN generated overloads of patch_resource (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def patch_resource(
            self,
            resource_type: Literal["AccessPolicy"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AccessPolicy: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Account"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Account: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ActivityDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ActivityDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["AdverseEvent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AdverseEvent: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Agent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Agent: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["AllergyIntolerance"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AllergyIntolerance: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Appointment"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Appointment: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["AppointmentResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AppointmentResponse: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["AsyncJob"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AsyncJob: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["AuditEvent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.AuditEvent: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Basic"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Basic: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Binary"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Binary: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["BiologicallyDerivedProduct"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.BiologicallyDerivedProduct: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["BodyStructure"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.BodyStructure: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Bot"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Bot: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["BulkDataExport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.BulkDataExport: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Bundle"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Bundle: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CapabilityStatement"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CapabilityStatement: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CarePlan"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CarePlan: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CareTeam"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CareTeam: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CatalogEntry"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CatalogEntry: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ChargeItem"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ChargeItem: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ChargeItemDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ChargeItemDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Claim"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Claim: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ClaimResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ClaimResponse: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ClientApplication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ClientApplication: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ClinicalImpression"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ClinicalImpression: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CodeSystem"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CodeSystem: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Communication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Communication: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CommunicationRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CommunicationRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CompartmentDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CompartmentDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Composition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Composition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ConceptMap"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ConceptMap: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Condition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Condition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Consent"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Consent: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Contract"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Contract: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Coverage"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Coverage: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CoverageEligibilityRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CoverageEligibilityRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["CoverageEligibilityResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.CoverageEligibilityResponse: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DetectedIssue"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DetectedIssue: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Device"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Device: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DeviceDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DeviceMetric"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceMetric: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DeviceRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DeviceUseStatement"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DeviceUseStatement: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DiagnosticReport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DiagnosticReport: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DocumentManifest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DocumentManifest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DocumentReference"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DocumentReference: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["DomainConfiguration"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.DomainConfiguration: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["EffectEvidenceSynthesis"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EffectEvidenceSynthesis: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Encounter"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Encounter: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Endpoint"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Endpoint: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["EnrollmentRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EnrollmentRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["EnrollmentResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EnrollmentResponse: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["EpisodeOfCare"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EpisodeOfCare: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["EventDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EventDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Evidence"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Evidence: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["EvidenceVariable"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.EvidenceVariable: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ExampleScenario"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ExampleScenario: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ExplanationOfBenefit"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ExplanationOfBenefit: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["FamilyMemberHistory"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.FamilyMemberHistory: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Flag"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Flag: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Goal"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Goal: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["GraphDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.GraphDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Group"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Group: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["GuidanceResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.GuidanceResponse: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["HealthcareService"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.HealthcareService: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ImagingStudy"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImagingStudy: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Immunization"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Immunization: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ImmunizationEvaluation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImmunizationEvaluation: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ImmunizationRecommendation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImmunizationRecommendation: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ImplementationGuide"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ImplementationGuide: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["InsurancePlan"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.InsurancePlan: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Invoice"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Invoice: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["JsonWebKey"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.JsonWebKey: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Library"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Library: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Linkage"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Linkage: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["List"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.List: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Location"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Location: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Login"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Login: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Measure"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Measure: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MeasureReport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MeasureReport: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Media"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Media: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Medication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Medication: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicationAdministration"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationAdministration: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicationDispense"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationDispense: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicationKnowledge"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationKnowledge: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicationRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicationStatement"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicationStatement: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProduct"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProduct: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductAuthorization"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductAuthorization: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductContraindication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductContraindication: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductIndication"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductIndication: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductIngredient"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductIngredient: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductInteraction"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductInteraction: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductManufactured"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductManufactured: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductPackaged"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductPackaged: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductPharmaceutical"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductPharmaceutical: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MedicinalProductUndesirableEffect"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MedicinalProductUndesirableEffect: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MessageDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MessageDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MessageHeader"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MessageHeader: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["MolecularSequence"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.MolecularSequence: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["NamingSystem"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.NamingSystem: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["NutritionOrder"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.NutritionOrder: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Observation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Observation: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ObservationDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ObservationDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["OperationDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.OperationDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["OperationOutcome"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.OperationOutcome: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Organization"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Organization: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["OrganizationAffiliation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.OrganizationAffiliation: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Parameters"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Parameters: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["PasswordChangeRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PasswordChangeRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Patient"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Patient: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["PaymentNotice"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PaymentNotice: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["PaymentReconciliation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PaymentReconciliation: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Person"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Person: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["PlanDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PlanDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Practitioner"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Practitioner: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["PractitionerRole"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.PractitionerRole: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Procedure"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Procedure: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Project"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Project: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ProjectMembership"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ProjectMembership: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Provenance"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Provenance: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Questionnaire"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Questionnaire: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["QuestionnaireResponse"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.QuestionnaireResponse: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["RelatedPerson"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RelatedPerson: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["RequestGroup"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RequestGroup: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ResearchDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ResearchElementDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchElementDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ResearchStudy"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchStudy: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ResearchSubject"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ResearchSubject: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["RiskAssessment"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RiskAssessment: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["RiskEvidenceSynthesis"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.RiskEvidenceSynthesis: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Schedule"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Schedule: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SearchParameter"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SearchParameter: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ServiceRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ServiceRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Slot"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Slot: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SmartAppLaunch"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SmartAppLaunch: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Specimen"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Specimen: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SpecimenDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SpecimenDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["StructureDefinition"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.StructureDefinition: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["StructureMap"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.StructureMap: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Subscription"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Subscription: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubscriptionStatus"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubscriptionStatus: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Substance"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Substance: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubstanceNucleicAcid"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceNucleicAcid: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubstancePolymer"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstancePolymer: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubstanceProtein"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceProtein: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubstanceReferenceInformation"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceReferenceInformation: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubstanceSourceMaterial"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceSourceMaterial: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SubstanceSpecification"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SubstanceSpecification: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SupplyDelivery"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SupplyDelivery: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["SupplyRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.SupplyRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["Task"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.Task: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["TerminologyCapabilities"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.TerminologyCapabilities: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["TestReport"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.TestReport: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["TestScript"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.TestScript: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["User"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.User: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["UserConfiguration"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.UserConfiguration: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["UserSecurityRequest"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.UserSecurityRequest: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["ValueSet"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.ValueSet: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["VerificationResult"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.VerificationResult: ...
        @overload
        def patch_resource(
            self,
            resource_type: Literal["VisionPrescription"],
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> fhir.VisionPrescription: ...
        @overload
        def patch_resource(
            self,
            resource_type: fhir.ResourceType,
            resource_id: str,
            operations: Sequence[Mapping[str, Any]],
            *,
            idempotent: bool = ...,
        ) -> Mapping[str, Any]: ...
    # END generated overloads of patch_resource

    def patch_resource(
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
        return self._run(self._patch(resource_type, resource_id, operations, idempotent))

    def delete_resource(self, resource_type: fhir.ResourceType, resource_id: str) -> Any:
        """DELETE `{type}/{id}`."""
        return self._run(self._delete_resource(resource_type, resource_id))

    def search(self, resource_type: fhir.ResourceType, query: Query = None) -> Bundle:
        """Search; the searchset Bundle."""
        return self._run(self._search(resource_type, query, _identity))

    # BEGIN generated overloads of search_one (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def search_one(
            self, resource_type: Literal["AccessPolicy"], query: Query = ...
        ) -> fhir.AccessPolicy | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Account"], query: Query = ...
        ) -> fhir.Account | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ActivityDefinition"], query: Query = ...
        ) -> fhir.ActivityDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["AdverseEvent"], query: Query = ...
        ) -> fhir.AdverseEvent | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Agent"], query: Query = ...
        ) -> fhir.Agent | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["AllergyIntolerance"], query: Query = ...
        ) -> fhir.AllergyIntolerance | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Appointment"], query: Query = ...
        ) -> fhir.Appointment | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["AppointmentResponse"], query: Query = ...
        ) -> fhir.AppointmentResponse | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["AsyncJob"], query: Query = ...
        ) -> fhir.AsyncJob | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["AuditEvent"], query: Query = ...
        ) -> fhir.AuditEvent | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Basic"], query: Query = ...
        ) -> fhir.Basic | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Binary"], query: Query = ...
        ) -> fhir.Binary | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["BiologicallyDerivedProduct"], query: Query = ...
        ) -> fhir.BiologicallyDerivedProduct | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["BodyStructure"], query: Query = ...
        ) -> fhir.BodyStructure | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Bot"], query: Query = ...
        ) -> fhir.Bot | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["BulkDataExport"], query: Query = ...
        ) -> fhir.BulkDataExport | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Bundle"], query: Query = ...
        ) -> fhir.Bundle | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CapabilityStatement"], query: Query = ...
        ) -> fhir.CapabilityStatement | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CarePlan"], query: Query = ...
        ) -> fhir.CarePlan | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CareTeam"], query: Query = ...
        ) -> fhir.CareTeam | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CatalogEntry"], query: Query = ...
        ) -> fhir.CatalogEntry | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ChargeItem"], query: Query = ...
        ) -> fhir.ChargeItem | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ChargeItemDefinition"], query: Query = ...
        ) -> fhir.ChargeItemDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Claim"], query: Query = ...
        ) -> fhir.Claim | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ClaimResponse"], query: Query = ...
        ) -> fhir.ClaimResponse | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ClientApplication"], query: Query = ...
        ) -> fhir.ClientApplication | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ClinicalImpression"], query: Query = ...
        ) -> fhir.ClinicalImpression | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CodeSystem"], query: Query = ...
        ) -> fhir.CodeSystem | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Communication"], query: Query = ...
        ) -> fhir.Communication | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CommunicationRequest"], query: Query = ...
        ) -> fhir.CommunicationRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CompartmentDefinition"], query: Query = ...
        ) -> fhir.CompartmentDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Composition"], query: Query = ...
        ) -> fhir.Composition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ConceptMap"], query: Query = ...
        ) -> fhir.ConceptMap | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Condition"], query: Query = ...
        ) -> fhir.Condition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Consent"], query: Query = ...
        ) -> fhir.Consent | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Contract"], query: Query = ...
        ) -> fhir.Contract | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Coverage"], query: Query = ...
        ) -> fhir.Coverage | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CoverageEligibilityRequest"], query: Query = ...
        ) -> fhir.CoverageEligibilityRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["CoverageEligibilityResponse"], query: Query = ...
        ) -> fhir.CoverageEligibilityResponse | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DetectedIssue"], query: Query = ...
        ) -> fhir.DetectedIssue | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Device"], query: Query = ...
        ) -> fhir.Device | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DeviceDefinition"], query: Query = ...
        ) -> fhir.DeviceDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DeviceMetric"], query: Query = ...
        ) -> fhir.DeviceMetric | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DeviceRequest"], query: Query = ...
        ) -> fhir.DeviceRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DeviceUseStatement"], query: Query = ...
        ) -> fhir.DeviceUseStatement | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DiagnosticReport"], query: Query = ...
        ) -> fhir.DiagnosticReport | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DocumentManifest"], query: Query = ...
        ) -> fhir.DocumentManifest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DocumentReference"], query: Query = ...
        ) -> fhir.DocumentReference | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["DomainConfiguration"], query: Query = ...
        ) -> fhir.DomainConfiguration | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["EffectEvidenceSynthesis"], query: Query = ...
        ) -> fhir.EffectEvidenceSynthesis | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Encounter"], query: Query = ...
        ) -> fhir.Encounter | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Endpoint"], query: Query = ...
        ) -> fhir.Endpoint | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["EnrollmentRequest"], query: Query = ...
        ) -> fhir.EnrollmentRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["EnrollmentResponse"], query: Query = ...
        ) -> fhir.EnrollmentResponse | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["EpisodeOfCare"], query: Query = ...
        ) -> fhir.EpisodeOfCare | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["EventDefinition"], query: Query = ...
        ) -> fhir.EventDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Evidence"], query: Query = ...
        ) -> fhir.Evidence | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["EvidenceVariable"], query: Query = ...
        ) -> fhir.EvidenceVariable | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ExampleScenario"], query: Query = ...
        ) -> fhir.ExampleScenario | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ExplanationOfBenefit"], query: Query = ...
        ) -> fhir.ExplanationOfBenefit | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["FamilyMemberHistory"], query: Query = ...
        ) -> fhir.FamilyMemberHistory | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Flag"], query: Query = ...
        ) -> fhir.Flag | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Goal"], query: Query = ...
        ) -> fhir.Goal | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["GraphDefinition"], query: Query = ...
        ) -> fhir.GraphDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Group"], query: Query = ...
        ) -> fhir.Group | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["GuidanceResponse"], query: Query = ...
        ) -> fhir.GuidanceResponse | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["HealthcareService"], query: Query = ...
        ) -> fhir.HealthcareService | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ImagingStudy"], query: Query = ...
        ) -> fhir.ImagingStudy | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Immunization"], query: Query = ...
        ) -> fhir.Immunization | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ImmunizationEvaluation"], query: Query = ...
        ) -> fhir.ImmunizationEvaluation | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ImmunizationRecommendation"], query: Query = ...
        ) -> fhir.ImmunizationRecommendation | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ImplementationGuide"], query: Query = ...
        ) -> fhir.ImplementationGuide | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["InsurancePlan"], query: Query = ...
        ) -> fhir.InsurancePlan | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Invoice"], query: Query = ...
        ) -> fhir.Invoice | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["JsonWebKey"], query: Query = ...
        ) -> fhir.JsonWebKey | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Library"], query: Query = ...
        ) -> fhir.Library | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Linkage"], query: Query = ...
        ) -> fhir.Linkage | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["List"], query: Query = ...
        ) -> fhir.List | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Location"], query: Query = ...
        ) -> fhir.Location | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Login"], query: Query = ...
        ) -> fhir.Login | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Measure"], query: Query = ...
        ) -> fhir.Measure | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MeasureReport"], query: Query = ...
        ) -> fhir.MeasureReport | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Media"], query: Query = ...
        ) -> fhir.Media | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Medication"], query: Query = ...
        ) -> fhir.Medication | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicationAdministration"], query: Query = ...
        ) -> fhir.MedicationAdministration | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicationDispense"], query: Query = ...
        ) -> fhir.MedicationDispense | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicationKnowledge"], query: Query = ...
        ) -> fhir.MedicationKnowledge | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicationRequest"], query: Query = ...
        ) -> fhir.MedicationRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicationStatement"], query: Query = ...
        ) -> fhir.MedicationStatement | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProduct"], query: Query = ...
        ) -> fhir.MedicinalProduct | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductAuthorization"], query: Query = ...
        ) -> fhir.MedicinalProductAuthorization | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductContraindication"], query: Query = ...
        ) -> fhir.MedicinalProductContraindication | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductIndication"], query: Query = ...
        ) -> fhir.MedicinalProductIndication | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductIngredient"], query: Query = ...
        ) -> fhir.MedicinalProductIngredient | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductInteraction"], query: Query = ...
        ) -> fhir.MedicinalProductInteraction | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductManufactured"], query: Query = ...
        ) -> fhir.MedicinalProductManufactured | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductPackaged"], query: Query = ...
        ) -> fhir.MedicinalProductPackaged | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], query: Query = ...
        ) -> fhir.MedicinalProductPharmaceutical | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], query: Query = ...
        ) -> fhir.MedicinalProductUndesirableEffect | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MessageDefinition"], query: Query = ...
        ) -> fhir.MessageDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MessageHeader"], query: Query = ...
        ) -> fhir.MessageHeader | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["MolecularSequence"], query: Query = ...
        ) -> fhir.MolecularSequence | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["NamingSystem"], query: Query = ...
        ) -> fhir.NamingSystem | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["NutritionOrder"], query: Query = ...
        ) -> fhir.NutritionOrder | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Observation"], query: Query = ...
        ) -> fhir.Observation | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ObservationDefinition"], query: Query = ...
        ) -> fhir.ObservationDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["OperationDefinition"], query: Query = ...
        ) -> fhir.OperationDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["OperationOutcome"], query: Query = ...
        ) -> fhir.OperationOutcome | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Organization"], query: Query = ...
        ) -> fhir.Organization | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["OrganizationAffiliation"], query: Query = ...
        ) -> fhir.OrganizationAffiliation | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Parameters"], query: Query = ...
        ) -> fhir.Parameters | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["PasswordChangeRequest"], query: Query = ...
        ) -> fhir.PasswordChangeRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Patient"], query: Query = ...
        ) -> fhir.Patient | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["PaymentNotice"], query: Query = ...
        ) -> fhir.PaymentNotice | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["PaymentReconciliation"], query: Query = ...
        ) -> fhir.PaymentReconciliation | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Person"], query: Query = ...
        ) -> fhir.Person | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["PlanDefinition"], query: Query = ...
        ) -> fhir.PlanDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Practitioner"], query: Query = ...
        ) -> fhir.Practitioner | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["PractitionerRole"], query: Query = ...
        ) -> fhir.PractitionerRole | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Procedure"], query: Query = ...
        ) -> fhir.Procedure | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Project"], query: Query = ...
        ) -> fhir.Project | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ProjectMembership"], query: Query = ...
        ) -> fhir.ProjectMembership | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Provenance"], query: Query = ...
        ) -> fhir.Provenance | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Questionnaire"], query: Query = ...
        ) -> fhir.Questionnaire | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["QuestionnaireResponse"], query: Query = ...
        ) -> fhir.QuestionnaireResponse | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["RelatedPerson"], query: Query = ...
        ) -> fhir.RelatedPerson | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["RequestGroup"], query: Query = ...
        ) -> fhir.RequestGroup | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ResearchDefinition"], query: Query = ...
        ) -> fhir.ResearchDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ResearchElementDefinition"], query: Query = ...
        ) -> fhir.ResearchElementDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ResearchStudy"], query: Query = ...
        ) -> fhir.ResearchStudy | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ResearchSubject"], query: Query = ...
        ) -> fhir.ResearchSubject | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["RiskAssessment"], query: Query = ...
        ) -> fhir.RiskAssessment | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["RiskEvidenceSynthesis"], query: Query = ...
        ) -> fhir.RiskEvidenceSynthesis | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Schedule"], query: Query = ...
        ) -> fhir.Schedule | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SearchParameter"], query: Query = ...
        ) -> fhir.SearchParameter | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ServiceRequest"], query: Query = ...
        ) -> fhir.ServiceRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Slot"], query: Query = ...
        ) -> fhir.Slot | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SmartAppLaunch"], query: Query = ...
        ) -> fhir.SmartAppLaunch | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Specimen"], query: Query = ...
        ) -> fhir.Specimen | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SpecimenDefinition"], query: Query = ...
        ) -> fhir.SpecimenDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["StructureDefinition"], query: Query = ...
        ) -> fhir.StructureDefinition | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["StructureMap"], query: Query = ...
        ) -> fhir.StructureMap | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Subscription"], query: Query = ...
        ) -> fhir.Subscription | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubscriptionStatus"], query: Query = ...
        ) -> fhir.SubscriptionStatus | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Substance"], query: Query = ...
        ) -> fhir.Substance | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubstanceNucleicAcid"], query: Query = ...
        ) -> fhir.SubstanceNucleicAcid | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubstancePolymer"], query: Query = ...
        ) -> fhir.SubstancePolymer | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubstanceProtein"], query: Query = ...
        ) -> fhir.SubstanceProtein | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubstanceReferenceInformation"], query: Query = ...
        ) -> fhir.SubstanceReferenceInformation | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubstanceSourceMaterial"], query: Query = ...
        ) -> fhir.SubstanceSourceMaterial | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SubstanceSpecification"], query: Query = ...
        ) -> fhir.SubstanceSpecification | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SupplyDelivery"], query: Query = ...
        ) -> fhir.SupplyDelivery | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["SupplyRequest"], query: Query = ...
        ) -> fhir.SupplyRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["Task"], query: Query = ...
        ) -> fhir.Task | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["TerminologyCapabilities"], query: Query = ...
        ) -> fhir.TerminologyCapabilities | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["TestReport"], query: Query = ...
        ) -> fhir.TestReport | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["TestScript"], query: Query = ...
        ) -> fhir.TestScript | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["User"], query: Query = ...
        ) -> fhir.User | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["UserConfiguration"], query: Query = ...
        ) -> fhir.UserConfiguration | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["UserSecurityRequest"], query: Query = ...
        ) -> fhir.UserSecurityRequest | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["ValueSet"], query: Query = ...
        ) -> fhir.ValueSet | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["VerificationResult"], query: Query = ...
        ) -> fhir.VerificationResult | None: ...
        @overload
        def search_one(
            self, resource_type: Literal["VisionPrescription"], query: Query = ...
        ) -> fhir.VisionPrescription | None: ...
        @overload
        def search_one(
            self, resource_type: fhir.ResourceType, query: Query = ...
        ) -> Mapping[str, Any] | None: ...
    # END generated overloads of search_one

    def search_one(self, resource_type: str, query: Query = None) -> Any:
        """The first match, or None."""
        return self._run(self._search_one(resource_type, query))

    # BEGIN generated overloads of search_resources (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def search_resources(
            self, resource_type: Literal["AccessPolicy"], query: Query = ...
        ) -> list[fhir.AccessPolicy]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Account"], query: Query = ...
        ) -> list[fhir.Account]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ActivityDefinition"], query: Query = ...
        ) -> list[fhir.ActivityDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["AdverseEvent"], query: Query = ...
        ) -> list[fhir.AdverseEvent]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Agent"], query: Query = ...
        ) -> list[fhir.Agent]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["AllergyIntolerance"], query: Query = ...
        ) -> list[fhir.AllergyIntolerance]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Appointment"], query: Query = ...
        ) -> list[fhir.Appointment]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["AppointmentResponse"], query: Query = ...
        ) -> list[fhir.AppointmentResponse]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["AsyncJob"], query: Query = ...
        ) -> list[fhir.AsyncJob]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["AuditEvent"], query: Query = ...
        ) -> list[fhir.AuditEvent]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Basic"], query: Query = ...
        ) -> list[fhir.Basic]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Binary"], query: Query = ...
        ) -> list[fhir.Binary]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["BiologicallyDerivedProduct"], query: Query = ...
        ) -> list[fhir.BiologicallyDerivedProduct]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["BodyStructure"], query: Query = ...
        ) -> list[fhir.BodyStructure]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Bot"], query: Query = ...
        ) -> list[fhir.Bot]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["BulkDataExport"], query: Query = ...
        ) -> list[fhir.BulkDataExport]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Bundle"], query: Query = ...
        ) -> list[fhir.Bundle]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CapabilityStatement"], query: Query = ...
        ) -> list[fhir.CapabilityStatement]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CarePlan"], query: Query = ...
        ) -> list[fhir.CarePlan]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CareTeam"], query: Query = ...
        ) -> list[fhir.CareTeam]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CatalogEntry"], query: Query = ...
        ) -> list[fhir.CatalogEntry]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ChargeItem"], query: Query = ...
        ) -> list[fhir.ChargeItem]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ChargeItemDefinition"], query: Query = ...
        ) -> list[fhir.ChargeItemDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Claim"], query: Query = ...
        ) -> list[fhir.Claim]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ClaimResponse"], query: Query = ...
        ) -> list[fhir.ClaimResponse]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ClientApplication"], query: Query = ...
        ) -> list[fhir.ClientApplication]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ClinicalImpression"], query: Query = ...
        ) -> list[fhir.ClinicalImpression]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CodeSystem"], query: Query = ...
        ) -> list[fhir.CodeSystem]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Communication"], query: Query = ...
        ) -> list[fhir.Communication]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CommunicationRequest"], query: Query = ...
        ) -> list[fhir.CommunicationRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CompartmentDefinition"], query: Query = ...
        ) -> list[fhir.CompartmentDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Composition"], query: Query = ...
        ) -> list[fhir.Composition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ConceptMap"], query: Query = ...
        ) -> list[fhir.ConceptMap]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Condition"], query: Query = ...
        ) -> list[fhir.Condition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Consent"], query: Query = ...
        ) -> list[fhir.Consent]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Contract"], query: Query = ...
        ) -> list[fhir.Contract]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Coverage"], query: Query = ...
        ) -> list[fhir.Coverage]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CoverageEligibilityRequest"], query: Query = ...
        ) -> list[fhir.CoverageEligibilityRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["CoverageEligibilityResponse"], query: Query = ...
        ) -> list[fhir.CoverageEligibilityResponse]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DetectedIssue"], query: Query = ...
        ) -> list[fhir.DetectedIssue]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Device"], query: Query = ...
        ) -> list[fhir.Device]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DeviceDefinition"], query: Query = ...
        ) -> list[fhir.DeviceDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DeviceMetric"], query: Query = ...
        ) -> list[fhir.DeviceMetric]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DeviceRequest"], query: Query = ...
        ) -> list[fhir.DeviceRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DeviceUseStatement"], query: Query = ...
        ) -> list[fhir.DeviceUseStatement]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DiagnosticReport"], query: Query = ...
        ) -> list[fhir.DiagnosticReport]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DocumentManifest"], query: Query = ...
        ) -> list[fhir.DocumentManifest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DocumentReference"], query: Query = ...
        ) -> list[fhir.DocumentReference]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["DomainConfiguration"], query: Query = ...
        ) -> list[fhir.DomainConfiguration]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["EffectEvidenceSynthesis"], query: Query = ...
        ) -> list[fhir.EffectEvidenceSynthesis]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Encounter"], query: Query = ...
        ) -> list[fhir.Encounter]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Endpoint"], query: Query = ...
        ) -> list[fhir.Endpoint]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["EnrollmentRequest"], query: Query = ...
        ) -> list[fhir.EnrollmentRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["EnrollmentResponse"], query: Query = ...
        ) -> list[fhir.EnrollmentResponse]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["EpisodeOfCare"], query: Query = ...
        ) -> list[fhir.EpisodeOfCare]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["EventDefinition"], query: Query = ...
        ) -> list[fhir.EventDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Evidence"], query: Query = ...
        ) -> list[fhir.Evidence]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["EvidenceVariable"], query: Query = ...
        ) -> list[fhir.EvidenceVariable]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ExampleScenario"], query: Query = ...
        ) -> list[fhir.ExampleScenario]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ExplanationOfBenefit"], query: Query = ...
        ) -> list[fhir.ExplanationOfBenefit]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["FamilyMemberHistory"], query: Query = ...
        ) -> list[fhir.FamilyMemberHistory]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Flag"], query: Query = ...
        ) -> list[fhir.Flag]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Goal"], query: Query = ...
        ) -> list[fhir.Goal]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["GraphDefinition"], query: Query = ...
        ) -> list[fhir.GraphDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Group"], query: Query = ...
        ) -> list[fhir.Group]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["GuidanceResponse"], query: Query = ...
        ) -> list[fhir.GuidanceResponse]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["HealthcareService"], query: Query = ...
        ) -> list[fhir.HealthcareService]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ImagingStudy"], query: Query = ...
        ) -> list[fhir.ImagingStudy]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Immunization"], query: Query = ...
        ) -> list[fhir.Immunization]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ImmunizationEvaluation"], query: Query = ...
        ) -> list[fhir.ImmunizationEvaluation]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ImmunizationRecommendation"], query: Query = ...
        ) -> list[fhir.ImmunizationRecommendation]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ImplementationGuide"], query: Query = ...
        ) -> list[fhir.ImplementationGuide]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["InsurancePlan"], query: Query = ...
        ) -> list[fhir.InsurancePlan]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Invoice"], query: Query = ...
        ) -> list[fhir.Invoice]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["JsonWebKey"], query: Query = ...
        ) -> list[fhir.JsonWebKey]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Library"], query: Query = ...
        ) -> list[fhir.Library]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Linkage"], query: Query = ...
        ) -> list[fhir.Linkage]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["List"], query: Query = ...
        ) -> list[fhir.List]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Location"], query: Query = ...
        ) -> list[fhir.Location]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Login"], query: Query = ...
        ) -> list[fhir.Login]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Measure"], query: Query = ...
        ) -> list[fhir.Measure]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MeasureReport"], query: Query = ...
        ) -> list[fhir.MeasureReport]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Media"], query: Query = ...
        ) -> list[fhir.Media]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Medication"], query: Query = ...
        ) -> list[fhir.Medication]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicationAdministration"], query: Query = ...
        ) -> list[fhir.MedicationAdministration]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicationDispense"], query: Query = ...
        ) -> list[fhir.MedicationDispense]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicationKnowledge"], query: Query = ...
        ) -> list[fhir.MedicationKnowledge]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicationRequest"], query: Query = ...
        ) -> list[fhir.MedicationRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicationStatement"], query: Query = ...
        ) -> list[fhir.MedicationStatement]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProduct"], query: Query = ...
        ) -> list[fhir.MedicinalProduct]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductAuthorization"], query: Query = ...
        ) -> list[fhir.MedicinalProductAuthorization]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductContraindication"], query: Query = ...
        ) -> list[fhir.MedicinalProductContraindication]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductIndication"], query: Query = ...
        ) -> list[fhir.MedicinalProductIndication]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductIngredient"], query: Query = ...
        ) -> list[fhir.MedicinalProductIngredient]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductInteraction"], query: Query = ...
        ) -> list[fhir.MedicinalProductInteraction]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductManufactured"], query: Query = ...
        ) -> list[fhir.MedicinalProductManufactured]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductPackaged"], query: Query = ...
        ) -> list[fhir.MedicinalProductPackaged]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], query: Query = ...
        ) -> list[fhir.MedicinalProductPharmaceutical]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], query: Query = ...
        ) -> list[fhir.MedicinalProductUndesirableEffect]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MessageDefinition"], query: Query = ...
        ) -> list[fhir.MessageDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MessageHeader"], query: Query = ...
        ) -> list[fhir.MessageHeader]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["MolecularSequence"], query: Query = ...
        ) -> list[fhir.MolecularSequence]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["NamingSystem"], query: Query = ...
        ) -> list[fhir.NamingSystem]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["NutritionOrder"], query: Query = ...
        ) -> list[fhir.NutritionOrder]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Observation"], query: Query = ...
        ) -> list[fhir.Observation]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ObservationDefinition"], query: Query = ...
        ) -> list[fhir.ObservationDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["OperationDefinition"], query: Query = ...
        ) -> list[fhir.OperationDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["OperationOutcome"], query: Query = ...
        ) -> list[fhir.OperationOutcome]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Organization"], query: Query = ...
        ) -> list[fhir.Organization]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["OrganizationAffiliation"], query: Query = ...
        ) -> list[fhir.OrganizationAffiliation]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Parameters"], query: Query = ...
        ) -> list[fhir.Parameters]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["PasswordChangeRequest"], query: Query = ...
        ) -> list[fhir.PasswordChangeRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Patient"], query: Query = ...
        ) -> list[fhir.Patient]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["PaymentNotice"], query: Query = ...
        ) -> list[fhir.PaymentNotice]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["PaymentReconciliation"], query: Query = ...
        ) -> list[fhir.PaymentReconciliation]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Person"], query: Query = ...
        ) -> list[fhir.Person]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["PlanDefinition"], query: Query = ...
        ) -> list[fhir.PlanDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Practitioner"], query: Query = ...
        ) -> list[fhir.Practitioner]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["PractitionerRole"], query: Query = ...
        ) -> list[fhir.PractitionerRole]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Procedure"], query: Query = ...
        ) -> list[fhir.Procedure]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Project"], query: Query = ...
        ) -> list[fhir.Project]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ProjectMembership"], query: Query = ...
        ) -> list[fhir.ProjectMembership]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Provenance"], query: Query = ...
        ) -> list[fhir.Provenance]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Questionnaire"], query: Query = ...
        ) -> list[fhir.Questionnaire]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["QuestionnaireResponse"], query: Query = ...
        ) -> list[fhir.QuestionnaireResponse]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["RelatedPerson"], query: Query = ...
        ) -> list[fhir.RelatedPerson]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["RequestGroup"], query: Query = ...
        ) -> list[fhir.RequestGroup]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ResearchDefinition"], query: Query = ...
        ) -> list[fhir.ResearchDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ResearchElementDefinition"], query: Query = ...
        ) -> list[fhir.ResearchElementDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ResearchStudy"], query: Query = ...
        ) -> list[fhir.ResearchStudy]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ResearchSubject"], query: Query = ...
        ) -> list[fhir.ResearchSubject]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["RiskAssessment"], query: Query = ...
        ) -> list[fhir.RiskAssessment]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["RiskEvidenceSynthesis"], query: Query = ...
        ) -> list[fhir.RiskEvidenceSynthesis]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Schedule"], query: Query = ...
        ) -> list[fhir.Schedule]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SearchParameter"], query: Query = ...
        ) -> list[fhir.SearchParameter]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ServiceRequest"], query: Query = ...
        ) -> list[fhir.ServiceRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Slot"], query: Query = ...
        ) -> list[fhir.Slot]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SmartAppLaunch"], query: Query = ...
        ) -> list[fhir.SmartAppLaunch]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Specimen"], query: Query = ...
        ) -> list[fhir.Specimen]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SpecimenDefinition"], query: Query = ...
        ) -> list[fhir.SpecimenDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["StructureDefinition"], query: Query = ...
        ) -> list[fhir.StructureDefinition]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["StructureMap"], query: Query = ...
        ) -> list[fhir.StructureMap]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Subscription"], query: Query = ...
        ) -> list[fhir.Subscription]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubscriptionStatus"], query: Query = ...
        ) -> list[fhir.SubscriptionStatus]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Substance"], query: Query = ...
        ) -> list[fhir.Substance]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubstanceNucleicAcid"], query: Query = ...
        ) -> list[fhir.SubstanceNucleicAcid]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubstancePolymer"], query: Query = ...
        ) -> list[fhir.SubstancePolymer]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubstanceProtein"], query: Query = ...
        ) -> list[fhir.SubstanceProtein]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubstanceReferenceInformation"], query: Query = ...
        ) -> list[fhir.SubstanceReferenceInformation]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubstanceSourceMaterial"], query: Query = ...
        ) -> list[fhir.SubstanceSourceMaterial]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SubstanceSpecification"], query: Query = ...
        ) -> list[fhir.SubstanceSpecification]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SupplyDelivery"], query: Query = ...
        ) -> list[fhir.SupplyDelivery]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["SupplyRequest"], query: Query = ...
        ) -> list[fhir.SupplyRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["Task"], query: Query = ...
        ) -> list[fhir.Task]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["TerminologyCapabilities"], query: Query = ...
        ) -> list[fhir.TerminologyCapabilities]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["TestReport"], query: Query = ...
        ) -> list[fhir.TestReport]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["TestScript"], query: Query = ...
        ) -> list[fhir.TestScript]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["User"], query: Query = ...
        ) -> list[fhir.User]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["UserConfiguration"], query: Query = ...
        ) -> list[fhir.UserConfiguration]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["UserSecurityRequest"], query: Query = ...
        ) -> list[fhir.UserSecurityRequest]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["ValueSet"], query: Query = ...
        ) -> list[fhir.ValueSet]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["VerificationResult"], query: Query = ...
        ) -> list[fhir.VerificationResult]: ...
        @overload
        def search_resources(
            self, resource_type: Literal["VisionPrescription"], query: Query = ...
        ) -> list[fhir.VisionPrescription]: ...
        @overload
        def search_resources(
            self, resource_type: fhir.ResourceType, query: Query = ...
        ) -> Sequence[Mapping[str, Any]]: ...
    # END generated overloads of search_resources

    def search_resources(self, resource_type: str, query: Query = None) -> Any:
        """The resources of the first page of matches."""
        return self._run(self._search(resource_type, query, bundle_resources))

    # BEGIN generated overloads of search_resource_pages (scripts/generate_fhir.py; do not edit)
    if TYPE_CHECKING:

        @overload
        def search_resource_pages(
            self, resource_type: Literal["AccessPolicy"], query: Query = ...
        ) -> Iterator[list[fhir.AccessPolicy]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Account"], query: Query = ...
        ) -> Iterator[list[fhir.Account]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ActivityDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.ActivityDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AdverseEvent"], query: Query = ...
        ) -> Iterator[list[fhir.AdverseEvent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Agent"], query: Query = ...
        ) -> Iterator[list[fhir.Agent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AllergyIntolerance"], query: Query = ...
        ) -> Iterator[list[fhir.AllergyIntolerance]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Appointment"], query: Query = ...
        ) -> Iterator[list[fhir.Appointment]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AppointmentResponse"], query: Query = ...
        ) -> Iterator[list[fhir.AppointmentResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AsyncJob"], query: Query = ...
        ) -> Iterator[list[fhir.AsyncJob]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["AuditEvent"], query: Query = ...
        ) -> Iterator[list[fhir.AuditEvent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Basic"], query: Query = ...
        ) -> Iterator[list[fhir.Basic]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Binary"], query: Query = ...
        ) -> Iterator[list[fhir.Binary]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["BiologicallyDerivedProduct"], query: Query = ...
        ) -> Iterator[list[fhir.BiologicallyDerivedProduct]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["BodyStructure"], query: Query = ...
        ) -> Iterator[list[fhir.BodyStructure]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Bot"], query: Query = ...
        ) -> Iterator[list[fhir.Bot]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["BulkDataExport"], query: Query = ...
        ) -> Iterator[list[fhir.BulkDataExport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Bundle"], query: Query = ...
        ) -> Iterator[list[fhir.Bundle]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CapabilityStatement"], query: Query = ...
        ) -> Iterator[list[fhir.CapabilityStatement]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CarePlan"], query: Query = ...
        ) -> Iterator[list[fhir.CarePlan]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CareTeam"], query: Query = ...
        ) -> Iterator[list[fhir.CareTeam]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CatalogEntry"], query: Query = ...
        ) -> Iterator[list[fhir.CatalogEntry]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ChargeItem"], query: Query = ...
        ) -> Iterator[list[fhir.ChargeItem]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ChargeItemDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.ChargeItemDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Claim"], query: Query = ...
        ) -> Iterator[list[fhir.Claim]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ClaimResponse"], query: Query = ...
        ) -> Iterator[list[fhir.ClaimResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ClientApplication"], query: Query = ...
        ) -> Iterator[list[fhir.ClientApplication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ClinicalImpression"], query: Query = ...
        ) -> Iterator[list[fhir.ClinicalImpression]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CodeSystem"], query: Query = ...
        ) -> Iterator[list[fhir.CodeSystem]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Communication"], query: Query = ...
        ) -> Iterator[list[fhir.Communication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CommunicationRequest"], query: Query = ...
        ) -> Iterator[list[fhir.CommunicationRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CompartmentDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.CompartmentDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Composition"], query: Query = ...
        ) -> Iterator[list[fhir.Composition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ConceptMap"], query: Query = ...
        ) -> Iterator[list[fhir.ConceptMap]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Condition"], query: Query = ...
        ) -> Iterator[list[fhir.Condition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Consent"], query: Query = ...
        ) -> Iterator[list[fhir.Consent]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Contract"], query: Query = ...
        ) -> Iterator[list[fhir.Contract]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Coverage"], query: Query = ...
        ) -> Iterator[list[fhir.Coverage]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CoverageEligibilityRequest"], query: Query = ...
        ) -> Iterator[list[fhir.CoverageEligibilityRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["CoverageEligibilityResponse"], query: Query = ...
        ) -> Iterator[list[fhir.CoverageEligibilityResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DetectedIssue"], query: Query = ...
        ) -> Iterator[list[fhir.DetectedIssue]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Device"], query: Query = ...
        ) -> Iterator[list[fhir.Device]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.DeviceDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceMetric"], query: Query = ...
        ) -> Iterator[list[fhir.DeviceMetric]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceRequest"], query: Query = ...
        ) -> Iterator[list[fhir.DeviceRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DeviceUseStatement"], query: Query = ...
        ) -> Iterator[list[fhir.DeviceUseStatement]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DiagnosticReport"], query: Query = ...
        ) -> Iterator[list[fhir.DiagnosticReport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DocumentManifest"], query: Query = ...
        ) -> Iterator[list[fhir.DocumentManifest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DocumentReference"], query: Query = ...
        ) -> Iterator[list[fhir.DocumentReference]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["DomainConfiguration"], query: Query = ...
        ) -> Iterator[list[fhir.DomainConfiguration]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EffectEvidenceSynthesis"], query: Query = ...
        ) -> Iterator[list[fhir.EffectEvidenceSynthesis]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Encounter"], query: Query = ...
        ) -> Iterator[list[fhir.Encounter]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Endpoint"], query: Query = ...
        ) -> Iterator[list[fhir.Endpoint]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EnrollmentRequest"], query: Query = ...
        ) -> Iterator[list[fhir.EnrollmentRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EnrollmentResponse"], query: Query = ...
        ) -> Iterator[list[fhir.EnrollmentResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EpisodeOfCare"], query: Query = ...
        ) -> Iterator[list[fhir.EpisodeOfCare]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EventDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.EventDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Evidence"], query: Query = ...
        ) -> Iterator[list[fhir.Evidence]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["EvidenceVariable"], query: Query = ...
        ) -> Iterator[list[fhir.EvidenceVariable]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ExampleScenario"], query: Query = ...
        ) -> Iterator[list[fhir.ExampleScenario]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ExplanationOfBenefit"], query: Query = ...
        ) -> Iterator[list[fhir.ExplanationOfBenefit]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["FamilyMemberHistory"], query: Query = ...
        ) -> Iterator[list[fhir.FamilyMemberHistory]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Flag"], query: Query = ...
        ) -> Iterator[list[fhir.Flag]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Goal"], query: Query = ...
        ) -> Iterator[list[fhir.Goal]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["GraphDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.GraphDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Group"], query: Query = ...
        ) -> Iterator[list[fhir.Group]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["GuidanceResponse"], query: Query = ...
        ) -> Iterator[list[fhir.GuidanceResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["HealthcareService"], query: Query = ...
        ) -> Iterator[list[fhir.HealthcareService]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImagingStudy"], query: Query = ...
        ) -> Iterator[list[fhir.ImagingStudy]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Immunization"], query: Query = ...
        ) -> Iterator[list[fhir.Immunization]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImmunizationEvaluation"], query: Query = ...
        ) -> Iterator[list[fhir.ImmunizationEvaluation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImmunizationRecommendation"], query: Query = ...
        ) -> Iterator[list[fhir.ImmunizationRecommendation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ImplementationGuide"], query: Query = ...
        ) -> Iterator[list[fhir.ImplementationGuide]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["InsurancePlan"], query: Query = ...
        ) -> Iterator[list[fhir.InsurancePlan]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Invoice"], query: Query = ...
        ) -> Iterator[list[fhir.Invoice]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["JsonWebKey"], query: Query = ...
        ) -> Iterator[list[fhir.JsonWebKey]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Library"], query: Query = ...
        ) -> Iterator[list[fhir.Library]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Linkage"], query: Query = ...
        ) -> Iterator[list[fhir.Linkage]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["List"], query: Query = ...
        ) -> Iterator[list[fhir.List]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Location"], query: Query = ...
        ) -> Iterator[list[fhir.Location]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Login"], query: Query = ...
        ) -> Iterator[list[fhir.Login]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Measure"], query: Query = ...
        ) -> Iterator[list[fhir.Measure]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MeasureReport"], query: Query = ...
        ) -> Iterator[list[fhir.MeasureReport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Media"], query: Query = ...
        ) -> Iterator[list[fhir.Media]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Medication"], query: Query = ...
        ) -> Iterator[list[fhir.Medication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationAdministration"], query: Query = ...
        ) -> Iterator[list[fhir.MedicationAdministration]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationDispense"], query: Query = ...
        ) -> Iterator[list[fhir.MedicationDispense]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationKnowledge"], query: Query = ...
        ) -> Iterator[list[fhir.MedicationKnowledge]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationRequest"], query: Query = ...
        ) -> Iterator[list[fhir.MedicationRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicationStatement"], query: Query = ...
        ) -> Iterator[list[fhir.MedicationStatement]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProduct"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProduct]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductAuthorization"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductAuthorization]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductContraindication"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductContraindication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductIndication"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductIndication]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductIngredient"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductIngredient]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductInteraction"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductInteraction]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductManufactured"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductManufactured]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductPackaged"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductPackaged]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductPharmaceutical"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductPharmaceutical]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MedicinalProductUndesirableEffect"], query: Query = ...
        ) -> Iterator[list[fhir.MedicinalProductUndesirableEffect]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MessageDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.MessageDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MessageHeader"], query: Query = ...
        ) -> Iterator[list[fhir.MessageHeader]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["MolecularSequence"], query: Query = ...
        ) -> Iterator[list[fhir.MolecularSequence]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["NamingSystem"], query: Query = ...
        ) -> Iterator[list[fhir.NamingSystem]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["NutritionOrder"], query: Query = ...
        ) -> Iterator[list[fhir.NutritionOrder]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Observation"], query: Query = ...
        ) -> Iterator[list[fhir.Observation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ObservationDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.ObservationDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["OperationDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.OperationDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["OperationOutcome"], query: Query = ...
        ) -> Iterator[list[fhir.OperationOutcome]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Organization"], query: Query = ...
        ) -> Iterator[list[fhir.Organization]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["OrganizationAffiliation"], query: Query = ...
        ) -> Iterator[list[fhir.OrganizationAffiliation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Parameters"], query: Query = ...
        ) -> Iterator[list[fhir.Parameters]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PasswordChangeRequest"], query: Query = ...
        ) -> Iterator[list[fhir.PasswordChangeRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Patient"], query: Query = ...
        ) -> Iterator[list[fhir.Patient]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PaymentNotice"], query: Query = ...
        ) -> Iterator[list[fhir.PaymentNotice]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PaymentReconciliation"], query: Query = ...
        ) -> Iterator[list[fhir.PaymentReconciliation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Person"], query: Query = ...
        ) -> Iterator[list[fhir.Person]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PlanDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.PlanDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Practitioner"], query: Query = ...
        ) -> Iterator[list[fhir.Practitioner]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["PractitionerRole"], query: Query = ...
        ) -> Iterator[list[fhir.PractitionerRole]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Procedure"], query: Query = ...
        ) -> Iterator[list[fhir.Procedure]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Project"], query: Query = ...
        ) -> Iterator[list[fhir.Project]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ProjectMembership"], query: Query = ...
        ) -> Iterator[list[fhir.ProjectMembership]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Provenance"], query: Query = ...
        ) -> Iterator[list[fhir.Provenance]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Questionnaire"], query: Query = ...
        ) -> Iterator[list[fhir.Questionnaire]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["QuestionnaireResponse"], query: Query = ...
        ) -> Iterator[list[fhir.QuestionnaireResponse]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RelatedPerson"], query: Query = ...
        ) -> Iterator[list[fhir.RelatedPerson]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RequestGroup"], query: Query = ...
        ) -> Iterator[list[fhir.RequestGroup]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.ResearchDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchElementDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.ResearchElementDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchStudy"], query: Query = ...
        ) -> Iterator[list[fhir.ResearchStudy]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ResearchSubject"], query: Query = ...
        ) -> Iterator[list[fhir.ResearchSubject]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RiskAssessment"], query: Query = ...
        ) -> Iterator[list[fhir.RiskAssessment]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["RiskEvidenceSynthesis"], query: Query = ...
        ) -> Iterator[list[fhir.RiskEvidenceSynthesis]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Schedule"], query: Query = ...
        ) -> Iterator[list[fhir.Schedule]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SearchParameter"], query: Query = ...
        ) -> Iterator[list[fhir.SearchParameter]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ServiceRequest"], query: Query = ...
        ) -> Iterator[list[fhir.ServiceRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Slot"], query: Query = ...
        ) -> Iterator[list[fhir.Slot]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SmartAppLaunch"], query: Query = ...
        ) -> Iterator[list[fhir.SmartAppLaunch]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Specimen"], query: Query = ...
        ) -> Iterator[list[fhir.Specimen]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SpecimenDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.SpecimenDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["StructureDefinition"], query: Query = ...
        ) -> Iterator[list[fhir.StructureDefinition]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["StructureMap"], query: Query = ...
        ) -> Iterator[list[fhir.StructureMap]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Subscription"], query: Query = ...
        ) -> Iterator[list[fhir.Subscription]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubscriptionStatus"], query: Query = ...
        ) -> Iterator[list[fhir.SubscriptionStatus]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Substance"], query: Query = ...
        ) -> Iterator[list[fhir.Substance]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceNucleicAcid"], query: Query = ...
        ) -> Iterator[list[fhir.SubstanceNucleicAcid]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstancePolymer"], query: Query = ...
        ) -> Iterator[list[fhir.SubstancePolymer]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceProtein"], query: Query = ...
        ) -> Iterator[list[fhir.SubstanceProtein]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceReferenceInformation"], query: Query = ...
        ) -> Iterator[list[fhir.SubstanceReferenceInformation]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceSourceMaterial"], query: Query = ...
        ) -> Iterator[list[fhir.SubstanceSourceMaterial]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SubstanceSpecification"], query: Query = ...
        ) -> Iterator[list[fhir.SubstanceSpecification]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SupplyDelivery"], query: Query = ...
        ) -> Iterator[list[fhir.SupplyDelivery]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["SupplyRequest"], query: Query = ...
        ) -> Iterator[list[fhir.SupplyRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["Task"], query: Query = ...
        ) -> Iterator[list[fhir.Task]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["TerminologyCapabilities"], query: Query = ...
        ) -> Iterator[list[fhir.TerminologyCapabilities]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["TestReport"], query: Query = ...
        ) -> Iterator[list[fhir.TestReport]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["TestScript"], query: Query = ...
        ) -> Iterator[list[fhir.TestScript]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["User"], query: Query = ...
        ) -> Iterator[list[fhir.User]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["UserConfiguration"], query: Query = ...
        ) -> Iterator[list[fhir.UserConfiguration]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["UserSecurityRequest"], query: Query = ...
        ) -> Iterator[list[fhir.UserSecurityRequest]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["ValueSet"], query: Query = ...
        ) -> Iterator[list[fhir.ValueSet]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["VerificationResult"], query: Query = ...
        ) -> Iterator[list[fhir.VerificationResult]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: Literal["VisionPrescription"], query: Query = ...
        ) -> Iterator[list[fhir.VisionPrescription]]: ...
        @overload
        def search_resource_pages(
            self, resource_type: fhir.ResourceType, query: Query = ...
        ) -> Iterator[Sequence[Mapping[str, Any]]]: ...
    # END generated overloads of search_resource_pages

    def search_resource_pages(self, resource_type: str, query: Query = None) -> Iterator[list[Any]]:
        """Every page of matches, following the Bundle's `next` links."""
        call: Call[Bundle] | None = self._search(resource_type, query, _identity)
        while call is not None:
            bundle = self._run(call)
            yield bundle_resources(bundle)
            call = self._next_page(bundle)

    def execute_bot(
        self, bot: str | Mapping[str, Any], data: Any, content_type: str = "application/json"
    ) -> Any:
        """Run a Bot by id or Identifier (`{"system": ..., "value": ...}`); its answer."""
        return self._run(self._execute_bot(bot, data, content_type))

    def create_binary(
        self, data: bytes | str, content_type: str, filename: str | None = None
    ) -> Resource:
        """Upload raw content as a Binary; the Binary resource (without its data)."""
        return self._run(self._create_binary(data, content_type, filename))

    def create_attachment(
        self, data: bytes | str, content_type: str, filename: str | None = None
    ) -> dict[str, Any]:
        """Upload content and return an Attachment `{contentType, url: "Binary/<id>", title}`."""
        return self._run(self._create_attachment(data, content_type, filename))

    def get(self, path: str, params: Query = None) -> Any:
        """GET a path relative to the base URL (or an absolute URL); JSON or text."""
        return self._run(self._raw("GET", path, params=params))

    def post(
        self, path: str, body: Any, content_type: str | None = None, *, idempotent: bool = False
    ) -> Any:
        """POST `body` (JSON unless bytes/str); `idempotent=True` allows retries after 5xx."""
        return self._run(
            self._raw("POST", path, body=body, content_type=content_type, idempotent=idempotent)
        )

    def put(self, path: str, body: Any, content_type: str | None = None) -> Any:
        """PUT `body` (JSON unless bytes/str)."""
        return self._run(self._raw("PUT", path, body=body, content_type=content_type))

    def delete(self, path: str) -> Any:
        """DELETE a path."""
        return self._run(self._raw("DELETE", path))
