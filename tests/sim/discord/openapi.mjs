// Validates request bodies against Discord's official OpenAPI description (../shared/discord-api-spec).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats');

const here = dirname(fileURLToPath(import.meta.url));
export const defaultSpecPath = resolve(here, '../../../../shared/discord-api-spec/openapi.json');

export class OpenApiValidator {
  constructor(specPath = process.env.DISCORD_OPENAPI ?? defaultSpecPath) {
    const spec = JSON.parse(readFileSync(specPath, 'utf8'));
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    const formats = new Set();
    JSON.stringify(spec, (k, v) => { if (k === 'format' && typeof v === 'string') formats.add(v); return v; });
    for (const f of formats) if (!this.ajv.formats[f]) this.ajv.addFormat(f, true);
    const defs = JSON.parse(JSON.stringify(spec.components.schemas).replaceAll('#/components/schemas/', 'discord#/$defs/'));
    this.ajv.addSchema({ $id: 'discord', $defs: defs });
    // Templates with more literal segments win ("/users/@me/channels" over "/users/{user_id}/...").
    this.routes = Object.entries(spec.paths).map(([template, ops]) => {
      const names = [];
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n) => { names.push(n); return '([^/]+)'; });
      return { template, ops, regex: new RegExp(`^${pattern}$`), literals: template.split('/').filter((s) => s && !s.startsWith('{')).length };
    }).sort((a, b) => b.literals - a.literals);
    this.cache = new Map();
  }

  /** The operation's template for a method and path, or null when Discord has no such route. */
  match(method, path) {
    for (const r of this.routes) {
      if (r.regex.test(path) && r.ops[method.toLowerCase()]) return r;
    }
    return null;
  }

  /** Returns [] when the body is valid for the route, otherwise a list of readable problems. */
  validate(method, path, body) {
    const route = this.match(method, path);
    if (!route) return [`${method} ${path}: no such route in Discord's API description`];
    const op = route.ops[method.toLowerCase()];
    const schema = op.requestBody?.content?.['application/json']?.schema;
    if (!schema) return [];
    const key = `${method} ${route.template}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const text = JSON.stringify(schema).replaceAll('#/components/schemas/', 'discord#/$defs/');
      validate = this.ajv.compile(JSON.parse(text));
      this.cache.set(key, validate);
    }
    if (validate(body)) return [];
    return validate.errors.slice(0, 10).map((e) => `${key}: ${e.instancePath || '/'} ${e.message}`);
  }
}
