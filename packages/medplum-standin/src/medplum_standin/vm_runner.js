// Runs a Bot's JavaScript the way Medplum's vmcontext runner does (bots/vmcontext.ts), for the
// stand-in server: reads {code, payload, timeoutMs} as JSON on stdin, writes
// {ok, result, logs, error} as one JSON line on stdout.
//
// Like Medplum: the code runs in a new vm context whose globals are a captured console,
// fetch, require, MedplumClient, Hl7Message, ContentType, URL, TextEncoder... (no Buffer, no
// process), wrapped as `const exports = {}; const module = {exports}; <code>` followed by an
// async block that builds a client from the payload, parses HL7 v2 input into an Hl7Message
// and calls `exports.handler(medplum, event)`. The vm timeout bounds the synchronous part;
// the whole run is also bounded here (Medplum's Lambda would time out likewise).
'use strict';

const vm = require('node:vm');
const { createRequire } = require('node:module');

class MockConsole {
  constructor() {
    this.messages = [];
  }
  log(...params) {
    this.messages.push(params.join(' '));
  }
  info(...params) {
    this.log(...params);
  }
  warn(...params) {
    this.log(...params);
  }
  error(...params) {
    this.log(...params);
  }
  debug(...params) {
    this.log(...params);
  }
}

const ContentType = {
  JSON: 'application/json',
  FHIR_JSON: 'application/fhir+json',
  TEXT: 'text/plain',
  HL7_V2: 'x-application/hl7-v2+er7',
};

// Enough of @medplum/core's Hl7Message for bots that read segments or send text back.
class Hl7Message {
  constructor(segments) {
    this.segments = segments;
  }
  static parse(text) {
    const segments = String(text)
      .split(/[\r\n]+/)
      .filter((line) => line.length > 0)
      .map((line) => line.split('|'));
    return new Hl7Message(segments);
  }
  getSegment(name) {
    return this.segments.find((fields) => fields[0] === name);
  }
  toString() {
    return this.segments.map((fields) => fields.join('|')).join('\r');
  }
}

class OperationOutcomeError extends Error {
  constructor(outcome) {
    const issues = (outcome && outcome.issue) || [];
    const text = issues.map((i) => (i.details && i.details.text) || i.diagnostics || i.code);
    super(text.join('; ') || 'Error');
    this.outcome = outcome;
  }
}

// A small MedplumClient: the accessors bots use plus a few FHIR calls over fetch.
class MedplumClient {
  constructor(options = {}) {
    const base = options.baseUrl || 'https://api.medplum.com/';
    this.baseUrl = base.endsWith('/') ? base : base + '/';
    this.fetchImpl = options.fetch || fetch;
    this.defaultHeaders = options.defaultHeaders || {};
    this.accessToken = undefined;
  }
  getBaseUrl() {
    return this.baseUrl;
  }
  setAccessToken(token) {
    this.accessToken = token;
  }
  getAccessToken() {
    return this.accessToken;
  }
  fhirUrl(...parts) {
    return new URL(this.baseUrl + 'fhir/R4/' + parts.join('/'));
  }
  async request(method, url, body, contentType) {
    const headers = { ...this.defaultHeaders, Accept: 'application/fhir+json' };
    if (this.accessToken) {
      headers.Authorization = 'Bearer ' + this.accessToken;
    }
    const options = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = contentType || ContentType.FHIR_JSON;
      options.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await this.fetchImpl(String(url), options);
    const text = await response.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      throw new OperationOutcomeError(data);
    }
    return data;
  }
  get(url) {
    return this.request('GET', url);
  }
  post(url, body, contentType) {
    return this.request('POST', url, body, contentType);
  }
  put(url, body, contentType) {
    return this.request('PUT', url, body, contentType);
  }
  delete(url) {
    return this.request('DELETE', url);
  }
  readResource(type, id) {
    return this.get(this.fhirUrl(type, id));
  }
  createResource(resource) {
    return this.post(this.fhirUrl(resource.resourceType), resource);
  }
  updateResource(resource) {
    return this.put(this.fhirUrl(resource.resourceType, resource.id), resource);
  }
  deleteResource(type, id) {
    return this.delete(this.fhirUrl(type, id));
  }
  async searchResources(type, query) {
    const url = this.fhirUrl(type);
    if (query) {
      url.search = new URLSearchParams(query).toString();
    }
    const bundle = await this.get(url);
    return (bundle.entry || []).map((entry) => entry.resource);
  }
}

function errorString(err) {
  // Errors thrown inside the vm come from another realm: `instanceof Error` is false there.
  if (err && typeof err.message === 'string') {
    return err.message;
  }
  if (err && typeof err === 'object') {
    return JSON.stringify(err);
  }
  return String(err);
}

async function run(request) {
  const { code, payload } = request;
  const timeoutMs = request.timeoutMs || 10000;
  const botConsole = new MockConsole();
  const sandbox = {
    console: botConsole,
    fetch: globalThis.fetch,
    require: createRequire(__filename),
    ContentType,
    Hl7Message,
    MedplumClient,
    TextDecoder,
    TextEncoder,
    URL,
    URLSearchParams,
    Headers,
    Request,
    Response,
    event: payload,
  };
  const wrappedCode = `
  const exports = {};
  const module = {exports};

  // Start user code
  ${code}
  // End user code

  (async () => {
    const { bot, baseUrl, accessToken, requester, contentType, secrets, traceId, headers } = event;
    const medplum = new MedplumClient({
      baseUrl,
      fetch: function(url, options = {}) {
        options.headers ||= {};
        options.headers['X-Trace-Id'] = traceId;
        options.headers['traceparent'] = traceId;
        return fetch(url, options);
      },
    });
    medplum.setAccessToken(accessToken);
    try {
      let input = event.input;
      if (contentType === ContentType.HL7_V2 && input) {
        input = Hl7Message.parse(input);
      }
      let result = await exports.handler(medplum, { bot, requester, input, contentType, secrets, traceId, headers });
      if (contentType === ContentType.HL7_V2 && result) {
        result = result.toString();
      }
      return result;
    } catch (err) {
      if (err instanceof Error) {
        console.log("Unhandled error: " + err.message + "\\n" + err.stack);
      } else if (typeof err === "object") {
        console.log("Unhandled error: " + JSON.stringify(err, undefined, 2));
      } else {
        console.log("Unhandled error: " + err);
      }
      throw err;
    }
  })();
  `;
  let timer;
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('Bot timed out after ' + timeoutMs + ' ms')), timeoutMs);
  });
  try {
    const value = await Promise.race([
      vm.runInNewContext(wrappedCode, sandbox, { timeout: timeoutMs }),
      deadline,
    ]);
    return { ok: true, result: value === undefined ? null : value, logs: botConsole.messages, error: null };
  } catch (err) {
    return { ok: false, result: null, logs: botConsole.messages, error: errorString(err) };
  } finally {
    clearTimeout(timer);
  }
}

function main() {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', async () => {
    const answer = await run(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    let text;
    try {
      text = JSON.stringify(answer);
    } catch (err) {
      text = JSON.stringify({ ok: false, result: null, logs: answer.logs, error: errorString(err) });
    }
    // Exit explicitly: open keep-alive sockets of the bot's fetch calls would hold the process.
    process.stdout.write(text + '\n', () => process.exit(0));
  });
}

main();
