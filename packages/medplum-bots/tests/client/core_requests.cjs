// Differential-test driver: makes calls with @medplum/core's own MedplumClient against a
// loopback server and prints each call's result, so the test can compare the requests the
// server saw (and the results) with those of the Python client making the same calls.
// stdin: {"baseUrl", "token", "calls": [[methodName, ...jsonArgs]]}.
// Special arguments: {"$bytes": "text"} becomes a Uint8Array of that UTF-8 text.
// stdout: one JSON array, per call {"ok": result} or {"error": message}.
// Nothing here is copied into the project: it only calls Medplum's published npm package.
'use strict';
const { MedplumClient } = require('@medplum/core');

function revive(value) {
  if (Array.isArray(value)) {
    return value.map(revive);
  }
  if (value && typeof value === 'object') {
    if (typeof value.$bytes === 'string') {
      return new TextEncoder().encode(value.$bytes);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

async function settle(value) {
  if (value instanceof Blob) {
    return { $blob: await value.text(), type: value.type };
  }
  return value ?? null;
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const medplum = new MedplumClient({ baseUrl: input.baseUrl, cacheTime: 0 });
  medplum.setAccessToken(input.token);
  const results = [];
  for (const [name, ...args] of input.calls) {
    try {
      results.push({ ok: await settle(await medplum[name](...revive(args))) });
    } catch (err) {
      results.push({ error: String(err && err.message ? err.message : err) });
    }
  }
  process.stdout.write(JSON.stringify(results));
});
