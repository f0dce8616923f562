/** @module compileInspectOptions: the inspector's options checked and defaulted, for `createHive({ inspect })`, `startInspector` and `hivestate serve`. */
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { checkInt, checkKeys, checkName } from '../validate.js';

export interface InspectorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Access token required by the page, the API and the sockets (at least 16 characters). @default 24 random bytes, hex */
  token?: string;
}

/** The inspector's options with every default filled in. */
export interface CompiledInspectorOptions {
  port: number;
  host: string;
  token: string;
}

export const defaultInspectorOptions = { port: 0, host: '127.0.0.1' } as const;

/**
 * Checks the inspector's options (unknown keys, port range, host and token) and fills in the
 * defaults; a missing token is 24 random bytes. Throws ValidationError naming the field.
 * @example compileInspectOptions({ port: 7070 }).token.length // 48
 */
export function compileInspectOptions(value: InspectorOptions): CompiledInspectorOptions {
  const i = checkKeys('inspect', value, ['port', 'host', 'token']);
  const token = i.token === undefined ? randomBytes(24).toString('hex') : checkName('inspect.token', i.token, 200);
  if (token.length < 16) throw new ValidationError('inspect.token', `must be a string of at least 16 characters; got ${token.length}`);
  return {
    port: i.port === undefined ? defaultInspectorOptions.port : checkInt('inspect.port', i.port, 0, 65535),
    host: i.host === undefined ? defaultInspectorOptions.host : checkName('inspect.host', i.host, 255),
    token,
  };
}
